// What the coupon pipeline tests share: the events, the manifest's environment, and the expected
// prediction results computed independently of the plugin (the stack's rows read with libpq, the
// shipped model.json evaluated by tests/coupon/reference_model.hpp).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"
#include "reference_model.hpp"
#include "topic_io.hpp"

namespace streamhost::coupon::testing {
class PgTestConnection;
}

namespace streamhost::e2e {

using coupon::testing::Expected;

// The departments, in the data's spelling.
inline const std::vector<std::string> kCategories = {"Boys", "Girls", "Men", "Sport", "Women"};

std::string entry_event(int64_t customer_id, const std::string& event_type = "customer entry");
std::string focus_event(int64_t customer_id, const std::string& category,
                        const std::string& event_type = "customer focus");

// Topic and group names of one coupon pipeline run, all with a random suffix.
struct CouponTopics {
  std::string entry, focus, predictions, dead_letters, group;
  static CouponTopics make(const std::string& test);
  // The variables manifests/pipelines/coupon.yaml reads (besides the stack's DB_* and proxy ones).
  EnvOverrides env(int admin_port, const std::string& scorer_url = "") const;
};

// Expected results per (customer, department), from the stack's PostgreSQL and model.json, with
// the manifest's defaults (top 5, threshold 0.2).
class CouponReference {
 public:
  CouponReference();
  ~CouponReference();

  std::vector<Expected> expected(int64_t customer_id, const std::string& category);
  // The first department in `kCategories` order, starting at `preferred`, that gives the customer
  // at least one result (tests need something to wait for).
  std::string category_with_results(int64_t customer_id, const std::string& preferred);

 private:
  std::unique_ptr<coupon::testing::PgTestConnection> pg_;
  coupon::testing::ReferenceModel model_;
};

// One emitted result as the test saw it: the record's key and value text.
struct KeyedValue {
  std::string key;
  std::string value;
};

// The results of one customer on `topic`, in the order they were read.
std::vector<KeyedValue> results_of(const std::vector<ConsumedRecord>& records,
                                   const std::string& topic, int64_t customer_id);

// Checks results against `expected` in order: key = customer id, value valid against
// schema/prediction_result.schema.json, same coupons, predictions within 1e-9.
::testing::AssertionResult results_match(const std::vector<KeyedValue>& results,
                                         int64_t customer_id,
                                         const std::vector<Expected>& expected);

}  // namespace streamhost::e2e

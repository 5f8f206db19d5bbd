// What the coupon tests share: sample customers, events, an in-memory customer source and a
// metrics recorder.
#pragma once

#include <map>
#include <mutex>
#include <streamhost/coupon/customer.hpp>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/metrics.hpp>
#include <streamhost/coupon/pg_store.hpp>
#include <string>

namespace streamhost::coupon::testing {

// A complete customer_info row (values in the data set's ranges).
inline CustomerInfo sample_customer(int64_t id) {
  CustomerInfo c;
  c.customer_id = id;
  const double numbers[] = {0, 0, 3, 1, 5, 0, -0.9, 420, 97.5, 1.02, -830.2, 8, 61000, 700};
  const char* texts[] = {"26-35", "Married", nullptr, nullptr, nullptr, "F"};
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    c.fields[i].null = false;
    if (kCustomerFields[i].kind == FieldKind::kText) {
      c.fields[i].text = texts[i];
    } else {
      c.fields[i].number = numbers[i];
    }
  }
  return c;
}

inline std::string entry_event(const std::string& customer_id) {
  return R"({"event_type":"customer entry","event_timestamp":"2021-03-18T08:29:02.160Z",)"
         R"("payload":{"customer_id":)" +
         customer_id + "}}";
}

inline std::string focus_event(const std::string& customer_id, const std::string& category) {
  return R"({"event_type":"customer focus","event_timestamp":"2021-03-18T08:29:02.160Z",)"
         R"("payload":{"customer_id":)" +
         customer_id + R"(,"category":")" + category + "\"}}";
}

// Customers in memory; `down` makes every fetch a transient failure, like a stopped database.
class MemoryCustomers final : public CustomerSource {
 public:
  std::optional<CustomerInfo> fetch_customer(int64_t id) override {
    std::lock_guard lock(mutex_);
    ++fetches;
    if (down) throw TransientError("database unavailable: test says so");
    auto it = rows.find(id);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  std::map<int64_t, CustomerInfo> rows;
  bool down = false;
  int fetches = 0;

 private:
  std::mutex mutex_;
};

class RecordingMetrics final : public Metrics {
 public:
  void observe_seconds(const char* histogram, double) override {
    std::lock_guard lock(mutex_);
    ++observations[histogram];
  }
  void count(const char* counter, uint64_t delta) override {
    std::lock_guard lock(mutex_);
    counters[counter] += delta;
  }
  std::map<std::string, int> observations;
  std::map<std::string, uint64_t> counters;

 private:
  std::mutex mutex_;
};

}  // namespace streamhost::coupon::testing

// CouponService with an in-memory customer source and the embedded model: what each handler does,
// emits, rejects and retries.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <streamhost/coupon/coupon_service.hpp>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/ranking.hpp>
#include <streamhost/coupon/schemas.hpp>

#include "coupon_test_support.hpp"

namespace streamhost::coupon {
namespace {

using namespace std::chrono_literals;

class ThrowingScorer final : public Scorer {
 public:
  void score(const CustomerInfo&, const CategoryCoupons&, std::vector<double>&) override {
    throw TransientError("scorer unreachable: test says so");
  }
  bool ready(std::string& why) override {
    why = "down";
    return false;
  }
};

std::vector<CatalogRow> rows() {
  std::vector<CatalogRow> out;
  for (int i = 1; i <= 40; ++i) {
    out.push_back({i, Category::kSport, -0.25 * i, 10.0 + 9.0 * i});
    out.push_back({100 + i, Category::kWomen, -0.01 * i, 900.0});
  }
  return out;
}

class CouponServiceTest : public ::testing::Test {
 protected:
  CouponServiceTest() {
    customers.rows.emplace(7, testing::sample_customer(7));
    customers.rows.emplace(8, testing::sample_customer(8));
  }
  std::shared_ptr<const Model> model =
      std::make_shared<const Model>(Model::from_json(default_model_text()));
  testing::MemoryCustomers customers;
  testing::RecordingMetrics metrics;
  ContextCache contexts{100, 1h};
  CatalogCache catalog{[] { return rows(); }, model, 1h, 1h};
  EmbeddedScorer embedded{model};
  CouponService service{{5, 0.2}, customers, contexts, catalog, embedded, metrics, [] {
                          return std::chrono::system_clock::time_point(1616056142160ms);
                        }};
};

TEST_F(CouponServiceTest, EntryCachesTheContextAndEmitsNothing) {
  service.on_entry(testing::entry_event("7"));
  EXPECT_EQ(customers.fetches, 1);
  EXPECT_NE(contexts.get(7), nullptr);
  EXPECT_EQ(metrics.observations["coupon_db_call"], 1);
}

TEST_F(CouponServiceTest, FocusAfterEntryUsesTheCacheAndEmitsTheBestFive) {
  service.on_entry(testing::entry_event("7"));
  const auto out = service.on_focus(testing::focus_event("7", "Sports"));
  EXPECT_EQ(customers.fetches, 1);
  EXPECT_EQ(metrics.counters["coupon_context_cache_hits"], 1u);

  // Expected: the model's predictions for the Sport coupons, best five above 0.2.
  std::vector<int64_t> ids;
  std::vector<double> p;
  for (const auto& r : rows()) {
    if (r.category != Category::kSport) continue;
    ids.push_back(r.coupon_id);
    p.push_back(model->predict(testing::sample_customer(7), {r.coupon_id, r.mean_coupon_discount,
                                                             r.mean_item_price, r.category}));
  }
  const auto expected = rank_best(ids, p, 5, 0.2);
  ASSERT_EQ(expected.size(), 5u);
  ASSERT_EQ(out.size(), expected.size());
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].key, "7");
    rapidjson::Document doc;
    doc.Parse(out[i].value);
    EXPECT_EQ(schema(SchemaId::kPredictionResult).check(doc), std::nullopt);
    EXPECT_STREQ(doc["event_timestamp"].GetString(), "2021-03-18T08:29:02.160Z");
    EXPECT_EQ(doc["payload"]["customer_id"].GetInt64(), 7);
    EXPECT_EQ(doc["payload"]["coupon_id"].GetInt64(), expected[i].coupon_id);
    EXPECT_DOUBLE_EQ(doc["payload"]["prediction"].GetDouble(), expected[i].prediction);
  }
}

TEST_F(CouponServiceTest, FocusWithoutEntryFetchesFromTheSource) {
  const auto out = service.on_focus(testing::focus_event("8", "Sport"));
  EXPECT_EQ(customers.fetches, 1);
  EXPECT_EQ(metrics.counters["coupon_context_cache_misses"], 1u);
  EXPECT_FALSE(out.empty());
  service.on_focus(testing::focus_event("8", "Sport"));
  EXPECT_EQ(customers.fetches, 1);  // cached by the first focus
}

TEST_F(CouponServiceTest, ThresholdCanLeaveNothing) {
  // Women coupons here are expensive with small discounts: all below 0.2 for this customer.
  for (const auto& r : rows()) {
    if (r.category == Category::kWomen) {
      ASSERT_LE(model->predict(testing::sample_customer(7), {r.coupon_id, r.mean_coupon_discount,
                                                             r.mean_item_price, r.category}),
                0.2);
    }
  }
  EXPECT_TRUE(service.on_focus(testing::focus_event("7", "Women")).empty());
}

TEST_F(CouponServiceTest, EmptyCategoryEmitsNothing) {
  EXPECT_TRUE(service.on_focus(testing::focus_event("7", "Men")).empty());
  EXPECT_EQ(metrics.counters["coupon_focus_empty_category"], 1u);
}

TEST_F(CouponServiceTest, UnknownCustomerIsRejected) {
  try {
    service.on_entry(testing::entry_event("99999"));
    FAIL() << "accepted an unknown customer";
  } catch (const RejectError& e) {
    EXPECT_STREQ(e.what(), "unknown customer_id 99999");
  }
  EXPECT_THROW(service.on_focus(testing::focus_event("99999", "Boys")), RejectError);
}

TEST_F(CouponServiceTest, MalformedEventsAreRejected) {
  EXPECT_THROW(service.on_entry("not json"), RejectError);
  EXPECT_THROW(service.on_focus(testing::entry_event("7")), RejectError);
  EXPECT_THROW(service.on_focus(testing::focus_event("7", "Shoes")), RejectError);
  EXPECT_EQ(customers.fetches, 0);
}

TEST_F(CouponServiceTest, DatabaseDownIsTransient) {
  customers.down = true;
  EXPECT_THROW(service.on_entry(testing::entry_event("7")), TransientError);
  EXPECT_THROW(service.on_focus(testing::focus_event("7", "Sport")), TransientError);
  customers.down = false;
  EXPECT_NO_THROW(service.on_entry(testing::entry_event("7")));
}

TEST_F(CouponServiceTest, ScorerDownIsTransient) {
  ThrowingScorer down;
  CouponService with_down_scorer({5, 0.2}, customers, contexts, catalog, down, metrics);
  EXPECT_THROW(with_down_scorer.on_focus(testing::focus_event("7", "Sport")), TransientError);
  EXPECT_EQ(metrics.observations["coupon_scorer_call"], 1);
}

TEST(CouponServiceNoCatalog, FocusRetriesUntilTheCatalogLoads) {
  auto model = std::make_shared<const Model>(Model::from_json(default_model_text()));
  testing::MemoryCustomers customers;
  customers.rows.emplace(7, testing::sample_customer(7));
  testing::RecordingMetrics metrics;
  ContextCache contexts{100, 1h};
  CatalogCache catalog{[]() -> std::vector<CatalogRow> { throw TransientError("database down"); },
                       model, 1h, 1h};
  EmbeddedScorer embedded{model};
  CouponService service{{5, 0.2}, customers, contexts, catalog, embedded, metrics};
  EXPECT_THROW(service.on_focus(testing::focus_event("7", "Sport")), TransientError);
}

}  // namespace
}  // namespace streamhost::coupon

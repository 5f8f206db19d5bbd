// The context cache (LRU, TTL with an injected clock), the catalog and its background cache, and
// the circuit breaker.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <stdexcept>
#include <streamhost/coupon/catalog_cache.hpp>
#include <streamhost/coupon/circuit_breaker.hpp>
#include <streamhost/coupon/context_cache.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <thread>

#include "coupon_test_support.hpp"

namespace streamhost::coupon {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  SteadyClock fn() {
    return [this] { return now; };
  }
};

std::shared_ptr<const CustomerInfo> customer(int64_t id) {
  return std::make_shared<const CustomerInfo>(testing::sample_customer(id));
}

TEST(CouponContextCache, EvictsTheLeastRecentlyUsed) {
  FakeClock clock;
  ContextCache cache(2, 1h, clock.fn());
  cache.put(customer(1));
  cache.put(customer(2));
  ASSERT_NE(cache.get(1), nullptr);  // 1 is now the most recently used
  cache.put(customer(3));            // evicts 2
  EXPECT_NE(cache.get(1), nullptr);
  EXPECT_EQ(cache.get(2), nullptr);
  EXPECT_NE(cache.get(3), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(CouponContextCache, ReplacingKeepsOneEntry) {
  FakeClock clock;
  ContextCache cache(2, 1h, clock.fn());
  cache.put(customer(1));
  auto newer = std::make_shared<CustomerInfo>(testing::sample_customer(1));
  newer->fields[0].text = "70+";
  cache.put(newer);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.get(1)->fields[0].text, "70+");
}

TEST(CouponContextCache, EntriesExpireAfterTheTtl) {
  FakeClock clock;
  ContextCache cache(10, 60s, clock.fn());
  cache.put(customer(1));
  clock.now += 59s;
  EXPECT_NE(cache.get(1), nullptr);
  clock.now += 1s;
  EXPECT_EQ(cache.get(1), nullptr);
  EXPECT_EQ(cache.size(), 0u);
  cache.put(customer(1));  // a fresh put restarts the TTL
  clock.now += 30s;
  EXPECT_NE(cache.get(1), nullptr);
}

TEST(CouponContextCache, IsSafeUnderConcurrentUse) {
  ContextCache cache(64, 1h);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        cache.put(customer((i * 7 + t) % 100));
        cache.get((i * 3 + t) % 100);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.size(), 64u);
}

std::vector<CatalogRow> sample_rows() {
  return {{3, Category::kBoys, -1.0, 50.0},
          {1, Category::kBoys, -2.0, 80.0},
          {1, Category::kBoys, -2.0, 80.0},
          {1, Category::kSport, -2.0, 80.0},
          {2, Category::kWomen, -0.5, 20.5}};
}

TEST(CouponCatalog, GroupsDistinctCouponsPerCategory) {
  const Model model = Model::from_json(default_model_text());
  auto catalog = Catalog::build(sample_rows(), model);
  const auto& boys = catalog->category(Category::kBoys);
  EXPECT_EQ(boys.coupon_ids, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(boys.table.size, 2u);
  EXPECT_EQ(boys.index_of.at(3), 1u);
  EXPECT_EQ(catalog->category(Category::kSport).coupon_ids, (std::vector<int64_t>{1}));
  EXPECT_TRUE(catalog->category(Category::kMen).coupons.empty());
  EXPECT_EQ(catalog->row_count(), 4u);
  EXPECT_EQ(
      catalog->category(Category::kWomen).coupons_json,
      R"([{"coupon_id":2,"item_selling_price":20.5,"coupon_discount":-0.5,"item_category":"Women"}])");
}

TEST(CouponCatalog, CouponsFragmentMakesAValidScorerRequest) {
  const Model model = Model::from_json(default_model_text());
  auto catalog = Catalog::build(sample_rows(), model);
  const std::string body = "{\"customer\":" + customer_to_json(testing::sample_customer(4)) +
                           ",\"coupons\":" + catalog->category(Category::kBoys).coupons_json + "}";
  rapidjson::Document doc;
  doc.Parse(body);
  EXPECT_EQ(schema(SchemaId::kScorerRequest).check(doc), std::nullopt);
}

TEST(CouponCatalogCache, LoadsAtStartAndRefreshesInTheBackground) {
  std::atomic<int> loads{0};
  auto model = std::make_shared<const Model>(Model::from_json(default_model_text()));
  CatalogCache cache(
      [&] {
        auto rows = sample_rows();
        if (loads.fetch_add(1) > 0) rows.push_back({9, Category::kMen, -3.0, 10.0});
        return rows;
      },
      model, 20ms, 20ms);
  ASSERT_NE(cache.current(), nullptr);
  for (int i = 0; i < 200 && cache.current()->category(Category::kMen).coupons.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(cache.current()->category(Category::kMen).coupon_ids, (std::vector<int64_t>{9}));
}

TEST(CouponCatalogCache, KeepsRetryingWhenTheFirstLoadFails) {
  std::atomic<int> loads{0};
  std::atomic<int> errors{0};
  auto model = std::make_shared<const Model>(Model::from_json(default_model_text()));
  CatalogCache cache(
      [&]() -> std::vector<CatalogRow> {
        if (loads.fetch_add(1) == 0) throw std::runtime_error("database unavailable");
        return sample_rows();
      },
      model, 1h, 20ms, [&](const std::string&) { ++errors; });
  EXPECT_EQ(errors.load(), 1);
  for (int i = 0; i < 200 && !cache.current(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_NE(cache.current(), nullptr);
}

TEST(CouponCircuitBreaker, OpensAfterConsecutiveFailuresAndFailsFast) {
  FakeClock clock;
  CircuitBreaker breaker(3, 10s, clock.fn());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.record_failure();
  }
  ASSERT_TRUE(breaker.allow());
  breaker.record_success();  // a success resets the count
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.record_failure();
  }
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(breaker.allow());
  clock.now += 9s;
  EXPECT_FALSE(breaker.allow());
}

TEST(CouponCircuitBreaker, HalfOpenLetsOneTrialThrough) {
  FakeClock clock;
  CircuitBreaker breaker(1, 10s, clock.fn());
  breaker.record_failure();
  clock.now += 10s;
  EXPECT_TRUE(breaker.allow());   // the trial
  EXPECT_FALSE(breaker.allow());  // everyone else still fails fast
  breaker.record_failure();       // trial failed: open again for another 10 s
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
  clock.now += 5s;
  EXPECT_FALSE(breaker.allow());
  clock.now += 5s;
  EXPECT_TRUE(breaker.allow());
  breaker.record_success();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kClosed);
  EXPECT_TRUE(breaker.allow());
  EXPECT_TRUE(breaker.allow());
}

}  // namespace
}  // namespace streamhost::coupon

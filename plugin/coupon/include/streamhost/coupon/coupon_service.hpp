// The coupon recommendation logic behind the plugin's two handlers, free of any plugin type.
#pragma once

#include <chrono>
#include <functional>
#include <streamhost/coupon/catalog_cache.hpp>
#include <streamhost/coupon/context_cache.hpp>
#include <streamhost/coupon/metrics.hpp>
#include <streamhost/coupon/pg_store.hpp>
#include <streamhost/coupon/scorer.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::coupon {

struct ServiceOptions {
  size_t top_n = 5;
  double threshold = 0.2;
};

// One record to produce: key = the customer id as decimal text, value = the event JSON.
struct OutputRecord {
  std::string key;
  std::string value;
};

class CouponService {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  // Borrows everything; all of it must outlive the service.
  CouponService(
      ServiceOptions options, CustomerSource& customers, ContextCache& contexts,
      CatalogCache& catalog, Scorer& scorer, Metrics& metrics,
      WallClock now = [] { return std::chrono::system_clock::now(); });

  // "customer entry": fetches the context from the database and caches it. Emits nothing.
  // Throws RejectError (malformed event, unknown customer) or TransientError (database down).
  void on_entry(std::string_view event_json);

  // "customer focus": context (cache, else database), the category's coupons, scores, the best
  // top_n above the threshold as prediction result records. Throws RejectError (malformed event,
  // unknown customer) or TransientError (database, catalog or scorer unavailable).
  std::vector<OutputRecord> on_focus(std::string_view event_json);

 private:
  std::shared_ptr<const CustomerInfo> load_customer(int64_t customer_id);

  ServiceOptions options_;
  CustomerSource& customers_;
  ContextCache& contexts_;
  CatalogCache& catalog_;
  Scorer& scorer_;
  Metrics& metrics_;
  WallClock now_;
};

}  // namespace streamhost::coupon

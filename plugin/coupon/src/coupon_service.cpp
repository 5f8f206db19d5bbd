#include <streamhost/coupon/coupon_service.hpp>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/events.hpp>
#include <streamhost/coupon/ranking.hpp>
#include <streamhost/coupon/result_encoding.hpp>

namespace streamhost::coupon {
namespace {

// Records in `histogram` how long its scope took, whether it returns or throws.
class CallTimer {
 public:
  CallTimer(Metrics& metrics, const char* histogram)
      : metrics_(metrics), histogram_(histogram), start_(std::chrono::steady_clock::now()) {}
  ~CallTimer() {
    metrics_.observe_seconds(
        histogram_,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

 private:
  Metrics& metrics_;
  const char* histogram_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

CouponService::CouponService(ServiceOptions options, CustomerSource& customers,
                             ContextCache& contexts, CatalogCache& catalog, Scorer& scorer,
                             Metrics& metrics, WallClock now)
    : options_(options),
      customers_(customers),
      contexts_(contexts),
      catalog_(catalog),
      scorer_(scorer),
      metrics_(metrics),
      now_(std::move(now)) {}

std::shared_ptr<const CustomerInfo> CouponService::load_customer(int64_t customer_id) {
  std::optional<CustomerInfo> found;
  {
    CallTimer timer(metrics_, "coupon_db_call");
    found = customers_.fetch_customer(customer_id);
  }
  if (!found) throw RejectError("unknown customer_id " + std::to_string(customer_id));
  auto customer = std::make_shared<const CustomerInfo>(std::move(*found));
  contexts_.put(customer);
  return customer;
}

void CouponService::on_entry(std::string_view event_json) {
  const EntryEvent event = decode_entry(event_json);
  load_customer(event.customer_id);
}

std::vector<OutputRecord> CouponService::on_focus(std::string_view event_json) {
  const FocusEvent event = decode_focus(event_json);
  std::shared_ptr<const CustomerInfo> customer = contexts_.get(event.customer_id);
  if (customer) {
    metrics_.count("coupon_context_cache_hits", 1);
  } else {
    metrics_.count("coupon_context_cache_misses", 1);
    customer = load_customer(event.customer_id);
  }

  std::shared_ptr<const Catalog> catalog = catalog_.current();
  if (!catalog) throw TransientError("coupon catalog not loaded yet");
  const CategoryCoupons& coupons = catalog->category(event.category);
  if (coupons.coupons.empty()) {
    // A valid department that currently has no coupons: nothing to recommend, not an error.
    metrics_.count("coupon_focus_empty_category", 1);
    return {};
  }

  std::vector<double> predictions;
  {
    CallTimer timer(metrics_, "coupon_scorer_call");
    scorer_.score(*customer, coupons, predictions);
  }

  const auto best = rank_best(coupons.coupon_ids, predictions, options_.top_n, options_.threshold);
  // No coupon above the threshold: an answer by design, which a load test must not count as lost.
  if (best.empty()) metrics_.count("coupon_focus_no_result", 1);
  std::vector<OutputRecord> out;
  out.reserve(best.size());
  const auto at = now_();
  const std::string key = std::to_string(event.customer_id);
  for (const RankedCoupon& r : best) {
    out.push_back(
        {key, encode_prediction_result(event.customer_id, r.coupon_id, r.prediction, at)});
  }
  return out;
}

}  // namespace streamhost::coupon

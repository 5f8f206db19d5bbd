// The scorer's answer as the coupon plugin's HTTP client reads it
// (plugin/coupon/src/http_scorer.cpp, decode_scorer_response), for a small fixed request: customer
// 7 and four coupons.
//
// Invariants: only TransientError escapes (a bad answer is the scorer's fault, retried later);
// an accepted answer is strict JSON, an array with exactly one item per requested coupon, each
// for customer 7, and predictions[i] is the item's prediction for coupons[i], in [0, 1].
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/http_scorer.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace streamhost;
using streamhost::fuzz::printable;

constexpr int64_t kCustomer = 7;

const coupon::CategoryCoupons& requested() {
  static const coupon::CategoryCoupons coupons = [] {
    coupon::CategoryCoupons c;
    c.category = coupon::Category::kBoys;
    for (int64_t id : {3, 17, 290, 1002}) {
      c.index_of[id] = static_cast<uint32_t>(c.coupons.size());
      c.coupons.push_back({id, -10.0, 50.0, coupon::Category::kBoys});
      c.coupon_ids.push_back(id);
    }
    return c;
  }();
  return coupons;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = fuzz::as_text(data, size);
  const auto& coupons = requested();
  std::vector<double> predictions;
  try {
    coupon::decode_scorer_response(body, kCustomer, coupons, predictions);
  } catch (const coupon::TransientError& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "an empty reason");
    FUZZ_CHECK(fuzz::strict_utf8(e.what()), "reason is not UTF-8: " + printable(e.what()));
    return 0;
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("decode_scorer_response let through: ") + e.what());
  }

  FUZZ_CHECK(fuzz::is_strict_json(body), "accepted a non-JSON answer: " + printable(body));
  rapidjson::Document doc;
  fuzz::reference_parse(doc, body);  // correctly rounded, as the plugin reads numbers
  FUZZ_CHECK(doc.IsArray() && doc.Size() == coupons.coupons.size(),
             "accepted an answer without one item per coupon: " + printable(body));
  FUZZ_CHECK(predictions.size() == coupons.coupons.size(), "predictions size");
  std::vector<bool> seen(coupons.coupons.size(), false);
  for (const auto& item : doc.GetArray()) {
    FUZZ_CHECK(item.IsObject(), "accepted a non-object item");
    auto customer = item.FindMember("customer_id");
    auto id = item.FindMember("coupon_id");
    auto prediction = item.FindMember("prediction");
    FUZZ_CHECK(customer != item.MemberEnd() && customer->value.IsInt64() &&
                   customer->value.GetInt64() == kCustomer,
               "accepted an item for another customer: " + printable(body));
    FUZZ_CHECK(id != item.MemberEnd() && id->value.IsInt64(), "accepted an item without coupon_id");
    auto index = coupons.index_of.find(id->value.GetInt64());
    FUZZ_CHECK(index != coupons.index_of.end(), "accepted an unrequested coupon");
    FUZZ_CHECK(!seen[index->second], "accepted a coupon twice");
    seen[index->second] = true;
    FUZZ_CHECK(prediction != item.MemberEnd() && prediction->value.IsNumber(),
               "accepted an item without a prediction");
    const double p = prediction->value.GetDouble();
    FUZZ_CHECK(p >= 0.0 && p <= 1.0, "accepted prediction " + std::to_string(p));
    FUZZ_CHECK(predictions[index->second] == p, "prediction put at the wrong coupon");
  }
  return 0;
}

// The coupon-scorer server's POST /score body (plugin/coupon/scorer/scorer_server.cpp,
// score_request_json) with the shipped model: bytes from any HTTP client.
//
// Invariants: only InvalidScorerRequest escapes (it becomes a 422), with a readable reason, a
// pydantic error type and a location; an answer (HTTP 200) is strict JSON that validates against
// schema/scorer_response.schema.json, holds one item per requested coupon in request order for
// the request's customer, and is accepted by the plugin's own client (decode_scorer_response).
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/http_scorer.hpp>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/schemas.hpp>

#include "fuzz_support.hpp"
#include "scorer_server.hpp"

namespace {

using namespace streamhost;
using streamhost::fuzz::printable;

const coupon::Model& shipped_model() {
  static const coupon::Model model = coupon::Model::from_json(coupon::default_model_text());
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  shipped_model();  // parsed once, outside the timed inputs
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = fuzz::as_text(data, size);
  std::string answer;
  try {
    answer = coupon::score_request_json(shipped_model(), body);
  } catch (const coupon::InvalidScorerRequest& e) {
    FUZZ_CHECK(e.what()[0] != '\0' && fuzz::strict_utf8(e.what()),
               "unreadable reason: " + printable(e.what()));
    FUZZ_CHECK(!e.type.empty(), "no error type for " + std::string(e.what()));
    FUZZ_CHECK(!e.location.empty() || e.type != "json_invalid", "json_invalid without an offset");
    for (const auto& part : e.location) {
      FUZZ_CHECK(fuzz::strict_utf8(part), "location part is not UTF-8: " + printable(part));
    }
    return 0;
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("score_request_json let through: ") + e.what());
  }

  FUZZ_CHECK(fuzz::is_strict_json(body), "answered a non-JSON request: " + printable(body));
  FUZZ_CHECK(fuzz::is_strict_json(answer), "the answer is not JSON: " + printable(answer));
  rapidjson::Document out;
  out.Parse(answer.data(), answer.size());
  if (auto why = coupon::schema(coupon::SchemaId::kScorerResponse).check(out)) {
    FUZZ_CHECK(false, "the answer violates scorer_response.schema.json: " + *why + "\n  " +
                          printable(answer));
  }

  rapidjson::Document request;
  request.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  const auto& items = request["coupons"];
  const int64_t customer_id = request["customer"]["customer_id"].GetInt64();
  FUZZ_CHECK(out.Size() == items.Size(), std::to_string(items.Size()) + " coupons, " +
                                             std::to_string(out.Size()) + " predictions");
  coupon::CategoryCoupons asked;
  for (rapidjson::SizeType i = 0; i < items.Size(); ++i) {
    const int64_t id = items[i]["coupon_id"].GetInt64();
    FUZZ_CHECK(out[i]["coupon_id"].GetInt64() == id, "predictions out of request order");
    FUZZ_CHECK(out[i]["customer_id"].GetInt64() == customer_id, "answered for another customer");
    asked.index_of[id] = i;
    asked.coupons.push_back({id, 0, 0, coupon::Category::kBoys});
  }
  std::vector<double> predictions;
  try {
    coupon::decode_scorer_response(answer, customer_id, asked, predictions);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("the plugin's client refuses the server's answer: ") + e.what());
  }
  return 0;
}

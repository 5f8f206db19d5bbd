#include "scorer_server.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <streamhost/json/bounded_parse.hpp>
#include <streamhost/net/bounded_body.hpp>
#include <string_view>
#include <unordered_set>

namespace streamhost::coupon {
namespace {

using web::http::http_request;
using web::http::methods;
using web::http::status_codes;

// Far above the largest department (~1,000 coupons are ~100 KB): a bigger body is refused unread.
constexpr size_t kMaxRequestBytes = 8u << 20;

std::string error_body(const std::string& reason) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.String(reason);
  writer.EndObject();
  return buffer.GetString();
}

// FastAPI's validation answer, which clients of the original prediction service already parse:
// {"detail":[{"type":..., "loc":["body", ...], "msg":...}]}.
std::string detail_body(const InvalidScorerRequest& e) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("detail");
  writer.StartArray();
  writer.StartObject();
  writer.Key("type");
  writer.String(e.type);
  writer.Key("loc");
  writer.StartArray();
  writer.String("body");
  for (const std::string& part : e.location) {
    const bool index = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos &&
                       part.size() < 10;
    if (index) {
      writer.Int(std::stoi(part));
    } else {
      writer.String(part);
    }
  }
  writer.EndArray();
  writer.Key("msg");
  writer.String(e.what());
  writer.EndObject();
  writer.EndArray();
  writer.EndObject();
  return buffer.GetString();
}

// pydantic's error type names for the JSON Schema keywords the request schema uses.
std::string error_type_of(const SchemaViolation& v, const rapidjson::Value& schema_doc) {
  if (v.keyword == "required") return "missing";
  if (v.keyword == "enum") return "enum";
  if (v.keyword != "type") return "value_error";
  // The expected type is the rule's; find it by walking the schema along the location.
  const rapidjson::Value* rule = &schema_doc;
  for (const std::string& part : v.location) {
    if (rule->HasMember("items")) {
      rule = &(*rule)["items"];
    } else if (rule->HasMember("properties") && (*rule)["properties"].HasMember(part.c_str())) {
      rule = &(*rule)["properties"][part.c_str()];
    } else {
      return "value_error";
    }
  }
  const std::string_view expected =
      rule->HasMember("type") && (*rule)["type"].IsString() ? (*rule)["type"].GetString() : "";
  if (expected == "integer") return "int_type";
  if (expected == "number") return "float_type";
  if (expected == "string") return "string_type";
  if (expected == "array") return "list_type";
  if (expected == "object") return "model_attributes_type";
  return "value_error";
}

const rapidjson::Document& request_schema_doc() {
  static const rapidjson::Document doc = [] {
    rapidjson::Document d;
    const std::string_view text = schema_text(SchemaId::kScorerRequest);
    d.Parse(text.data(), text.size());
    return d;
  }();
  return doc;
}

[[noreturn]] void invalid(const SchemaViolation& v) {
  throw InvalidScorerRequest(v.message, v.location, error_type_of(v, request_schema_doc()));
}

// The request schema without the rules for each coupon. Validating a 900-coupon request against
// the whole schema costs about 2.2 ms, several times the scoring itself, so the coupons are checked
// by coupon_conforms() below and only the rest of the request by this schema.
std::string envelope_schema_text() {
  rapidjson::Document full;
  full.CopyFrom(request_schema_doc(), full.GetAllocator());
  full["properties"]["coupons"].RemoveMember("items");
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  full.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

const JsonSchema& envelope_schema() {
  static const JsonSchema envelope(envelope_schema_text());
  return envelope;
}

// Exactly the rules of the request schema's coupon item: an object with the four required members
// (others are ignored), coupon_id an integer, the price and discount numbers, item_category one of
// the enum. Only decides; the full schema names the field on failure.
bool coupon_conforms(const rapidjson::Value& coupon) {
  if (!coupon.IsObject()) return false;
  const auto id = coupon.FindMember("coupon_id");
  const auto price = coupon.FindMember("item_selling_price");
  const auto discount = coupon.FindMember("coupon_discount");
  const auto category = coupon.FindMember("item_category");
  const auto end = coupon.MemberEnd();
  if (id == end || discount == end || price == end || category == end) return false;
  if (!(id->value.IsInt64() || id->value.IsUint64())) return false;
  if (!discount->value.IsNumber() || !price->value.IsNumber()) return false;
  if (!category->value.IsString()) return false;
  return parse_category({category->value.GetString(), category->value.GetStringLength()})
      .has_value();
}

void check_request(const rapidjson::Document& doc) {
  if (auto v = envelope_schema().violation(doc)) invalid(*v);
  for (const auto& coupon : doc["coupons"].GetArray()) {
    if (coupon_conforms(coupon)) continue;
    if (auto v = schema(SchemaId::kScorerRequest).violation(doc)) invalid(*v);
    throw InvalidScorerRequest("coupons: an item does not conform to the request schema",
                               {"coupons"}, "value_error");
  }
}

}  // namespace

std::string score_request_json(const Model& model, std::string_view request_body) {
  rapidjson::Document doc;
  if (const json::ParseError e = json::parse_bounded(doc, request_body)) {
    throw InvalidScorerRequest("JSON decode error: " + e.message, {std::to_string(e.offset)},
                               "json_invalid");
  }
  check_request(doc);
  if (!doc["customer"]["customer_id"].IsInt64()) {
    throw InvalidScorerRequest("customer.customer_id: out of range", {"customer", "customer_id"},
                               "int_parsing");
  }
  const CustomerInfo customer = customer_from_json(doc["customer"]);

  const auto& items = doc["coupons"];
  std::vector<CouponFeatures> coupons;
  coupons.reserve(items.Size());
  std::unordered_set<int64_t> seen;
  for (rapidjson::SizeType i = 0; i < items.Size(); ++i) {
    const auto& c = items[i];
    const std::string at = std::to_string(i);
    if (!c["coupon_id"].IsInt64()) {
      throw InvalidScorerRequest("coupons." + at + ".coupon_id: out of range",
                                 {"coupons", at, "coupon_id"}, "int_parsing");
    }
    const int64_t id = c["coupon_id"].GetInt64();
    if (!seen.insert(id).second) {
      // The original would score a repeated coupon twice; an answer cannot tell the two apart.
      throw InvalidScorerRequest(
          "coupons." + at + ".coupon_id: " + std::to_string(id) + " appears twice",
          {"coupons", at, "coupon_id"}, "value_error");
    }
    // coupon_conforms() admitted only known categories.
    const auto category = parse_category(c["item_category"].GetString());
    coupons.push_back(CouponFeatures{id, c["coupon_discount"].GetDouble(),
                                     c["item_selling_price"].GetDouble(), *category});
  }
  std::vector<double> predictions;
  model.score(customer, model.make_table(coupons), predictions);

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartArray();
  for (size_t i = 0; i < coupons.size(); ++i) {
    writer.StartObject();
    writer.Key("coupon_id");
    writer.Int64(coupons[i].coupon_id);
    writer.Key("customer_id");
    writer.Int64(customer.customer_id);
    writer.Key("prediction");
    writer.Double(predictions[i]);
    writer.EndObject();
  }
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

ScorerServer::ScorerServer(std::shared_ptr<const Model> model, std::string address, int port)
    : model_(std::move(model)), address_(std::move(address)), port_(port) {}

ScorerServer::~ScorerServer() {
  stop();
}

std::string ScorerServer::url() const {
  return "http://" + address_ + ":" + std::to_string(port_);
}

void ScorerServer::start() {
  listener_ = std::make_unique<web::http::experimental::listener::http_listener>(
      utility::conversions::to_string_t(url()));
  listener_->support([this](http_request request) { handle(std::move(request)); });
  listener_->open().wait();
}

void ScorerServer::stop() {
  if (!listener_) return;
  try {
    listener_->close().wait();
  } catch (const std::exception&) {
    // Already closed or never opened: nothing left to release.
  }
  listener_.reset();
}

namespace {

void reply_if_connected(http_request& request, web::http::status_code status,
                        const std::string& body) {
  try {
    request.reply(status, body, "application/json");
  } catch (...) {
    // The client is gone: nobody is left to answer.
  }
}

// Every exception is caught here: an exception left in a pplx task terminates the process.
void answer_score(const Model& model, http_request& request, pplx::task<std::string>& body) {
  try {
    reply_if_connected(request, status_codes::OK, score_request_json(model, body.get()));
  } catch (const net::BodyTooLarge&) {
    reply_if_connected(
        request, status_codes::RequestEntityTooLarge,
        error_body("request body over " + std::to_string(kMaxRequestBytes) + " bytes"));
  } catch (const InvalidScorerRequest& e) {
    reply_if_connected(request, status_codes::UnprocessableEntity, detail_body(e));
  } catch (const std::exception& e) {
    reply_if_connected(request, status_codes::InternalError, error_body(e.what()));
  }
}

}  // namespace

void ScorerServer::handle(http_request request) {
  const std::string path = utility::conversions::to_utf8string(request.relative_uri().path());
  const auto method = request.method();
  // Only a score request reads its body; any other is dropped as it arrives, since cpprestsdk's
  // listener would hold all of it before answering.
  const bool scoring = path == "/score" && method == methods::POST;
  if (!scoring) net::discard_body(request.body());
  try {
    if (path == "/healthcheck" && method == methods::GET) {
      request.reply(status_codes::OK, "OK", "text/plain; charset=utf-8");
      return;
    }
    if (scoring) {
      // Read as it arrives, never blocking a pool thread; over the limit (announced or chunked)
      // it is dropped as it arrives and answered 413 at its end, since cpprestsdk answers only
      // once the request is read. The original recommendation service posts without a
      // Content-Type: the body is read as UTF-8 JSON whatever the header says.
      net::read_body(request.body(), kMaxRequestBytes, net::Overflow::kDrain)
          .then([model = model_, request](pplx::task<std::string> body) mutable {
            answer_score(*model, request, body);
          });
      return;
    }
    const bool known = path == "/healthcheck" || path == "/score";
    request.reply(known ? status_codes::MethodNotAllowed : status_codes::NotFound,
                  error_body(known ? "method not allowed" : "not found: " + path),
                  "application/json");
  } catch (const std::exception& e) {
    request.reply(status_codes::InternalError, error_body(e.what()), "application/json");
  }
}

}  // namespace streamhost::coupon

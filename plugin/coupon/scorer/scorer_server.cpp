#include "scorer_server.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <string_view>
#include <unordered_set>

namespace streamhost::coupon {
namespace {

using web::http::http_request;
using web::http::methods;
using web::http::status_codes;

std::string error_body(const std::string& reason) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.String(reason);
  writer.EndObject();
  return buffer.GetString();
}

// The request schema without the rules for each coupon. Validating a 900-coupon request against
// the whole schema costs about 2.2 ms, several times the scoring itself, so the coupons are checked
// by coupon_conforms() below and only the rest of the request by this schema.
std::string envelope_schema_text() {
  rapidjson::Document full;
  const std::string_view text = schema_text(SchemaId::kScorerRequest);
  full.Parse(text.data(), text.size());
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
// and no other (four members, each required one found), coupon_id an integer >= 0, the means
// numbers, category one of the enum. Only decides; the full schema names the field on failure.
bool coupon_conforms(const rapidjson::Value& coupon) {
  if (!coupon.IsObject() || coupon.MemberCount() != 4) return false;
  const auto id = coupon.FindMember("coupon_id");
  const auto discount = coupon.FindMember("mean_coupon_discount");
  const auto price = coupon.FindMember("mean_item_price");
  const auto category = coupon.FindMember("category");
  const auto end = coupon.MemberEnd();
  if (id == end || discount == end || price == end || category == end) return false;
  const bool id_ok = id->value.IsUint64() || (id->value.IsInt64() && id->value.GetInt64() >= 0);
  if (!id_ok || !discount->value.IsNumber() || !price->value.IsNumber()) return false;
  if (!category->value.IsString()) return false;
  const std::string_view name(category->value.GetString(), category->value.GetStringLength());
  return name == "Boys" || name == "Girls" || name == "Men" || name == "Sport" || name == "Women";
}

void check_request(const rapidjson::Document& doc) {
  if (auto why = envelope_schema().check(doc)) throw RejectError(*why);
  for (const auto& coupon : doc["coupons"].GetArray()) {
    if (coupon_conforms(coupon)) continue;
    if (auto why = schema(SchemaId::kScorerRequest).check(doc)) throw RejectError(*why);
    throw RejectError("coupons: an item does not conform to the request schema");
  }
}

}  // namespace

std::string score_request_json(const Model& model, std::string_view request_body) {
  rapidjson::Document doc;
  doc.Parse(request_body.data(), request_body.size());
  if (doc.HasParseError()) {
    throw RejectError("malformed JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  }
  check_request(doc);
  if (!doc["customer"]["customer_id"].IsInt64())
    throw RejectError("customer.customer_id: out of range");
  const CustomerInfo customer = customer_from_json(doc["customer"]);

  const auto& items = doc["coupons"];
  std::vector<CouponFeatures> coupons;
  coupons.reserve(items.Size());
  std::unordered_set<int64_t> seen;
  for (rapidjson::SizeType i = 0; i < items.Size(); ++i) {
    const auto& c = items[i];
    if (!c["coupon_id"].IsInt64())
      throw RejectError("coupons." + std::to_string(i) + ".coupon_id: out of range");
    const int64_t id = c["coupon_id"].GetInt64();
    if (!seen.insert(id).second) {
      throw RejectError("coupons." + std::to_string(i) + ".coupon_id: " + std::to_string(id) +
                        " appears twice");
    }
    // The schema's enum admits only known categories.
    const auto category = parse_category(c["category"].GetString());
    coupons.push_back(CouponFeatures{id, c["mean_coupon_discount"].GetDouble(),
                                     c["mean_item_price"].GetDouble(), *category});
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

void ScorerServer::handle(http_request request) {
  const std::string path = utility::conversions::to_utf8string(request.relative_uri().path());
  const auto method = request.method();
  try {
    if (path == "/healthcheck" && method == methods::GET) {
      request.reply(status_codes::OK, "{\"status\":\"ok\"}", "application/json");
      return;
    }
    if (path == "/score" && method == methods::POST) {
      const std::string body = request.extract_utf8string(true).get();
      try {
        request.reply(status_codes::OK, score_request_json(*model_, body), "application/json");
      } catch (const RejectError& e) {
        request.reply(status_codes::BadRequest, error_body(e.what()), "application/json");
      }
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

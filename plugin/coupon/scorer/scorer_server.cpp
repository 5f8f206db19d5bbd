#include "scorer_server.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <streamhost/http_server/bounded_http_server.hpp>
#include <streamhost/json/bounded_parse.hpp>
#include <string_view>
#include <thread>
#include <unordered_set>

namespace streamhost::coupon {
namespace {

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

namespace {

using http_server::HttpRequest;
using http_server::HttpResponder;
using http_server::HttpResponse;

constexpr const char* kJson = "application/json";

// The answer to one POST /score body.
HttpResponse answer_score(const Model& model, const std::string& body) {
  try {
    return {200, kJson, score_request_json(model, body), {}};
  } catch (const InvalidScorerRequest& e) {
    return {422, kJson, detail_body(e), {}};
  } catch (const std::exception& e) {
    return {500, kJson, error_body(e.what()), {}};
  }
}

// Scores on threads of their own, so the server thread only moves bytes. The queue holds at most
// one request per connection (a connection sends its next request only after its answer).
class ScoringPool {
 public:
  explicit ScoringPool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { run(); });
  }
  ~ScoringPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
  }
  ScoringPool(const ScoringPool&) = delete;
  ScoringPool& operator=(const ScoringPool&) = delete;

  void submit(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Queued requests still run on stop; their answers go nowhere once the server stopped.
      if (queue_.empty()) return;
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

http_server::HttpLimits scorer_limits() {
  http_server::HttpLimits limits;
  limits.max_body_bytes = kMaxRequestBytes;
  // Longer than the 30 s after which cpprestsdk's client (the plugin's) drops an idle pooled
  // connection itself, so the server never closes one the client is about to reuse.
  limits.idle_timeout = std::chrono::seconds(60);
  return limits;
}

}  // namespace

class ScorerServer::Impl {
 public:
  explicit Impl(std::shared_ptr<const Model> model)
      : model_(std::move(model)),
        server_(scorer_limits(), {[](const HttpRequest& head) {
                                    return head.method == "POST" && path_of(head) == "/score";
                                  },
                                  [this](HttpRequest request, HttpResponder respond) {
                                    handle(std::move(request), std::move(respond));
                                  },
                                  [](int status, const std::string& reason) {
                                    return HttpResponse{status, kJson, error_body(reason), {}};
                                  },
                                  {}}) {}  // a failed callback is reported on stderr

  http_server::BoundedHttpServer& server() { return server_; }

 private:
  static std::string path_of(const HttpRequest& request) {
    return request.target.substr(0, request.target.find('?'));
  }

  void handle(HttpRequest request, HttpResponder respond) {
    const std::string path = path_of(request);
    const bool post = request.method == "POST";
    if (path == "/healthcheck" && request.method == "GET") {
      return respond({200, "text/plain; charset=utf-8", "OK", {}});
    }
    if (path == "/score" && post) {
      if (request.body_too_large) {
        return respond(
            {413,
             kJson,
             error_body("request body over " + std::to_string(kMaxRequestBytes) + " bytes"),
             {}});
      }
      // The original recommendation service posts without a Content-Type: the body is read as
      // UTF-8 JSON whatever the header says.
      pool_.submit([model = model_, body = std::move(request.body), respond] {
        respond(answer_score(*model, body));
      });
      return;
    }
    const bool known = path == "/healthcheck" || path == "/score";
    respond({known ? 405 : 404,
             kJson,
             error_body(known ? "method not allowed" : "not found: " + path),
             {}});
  }

  std::shared_ptr<const Model> model_;
  http_server::BoundedHttpServer server_;
  // Declared after the server, so destroyed (joined) before it.
  ScoringPool pool_{std::max(2u, std::thread::hardware_concurrency())};
};

ScorerServer::ScorerServer(std::shared_ptr<const Model> model, std::string address, int port)
    : impl_(std::make_unique<Impl>(std::move(model))), address_(std::move(address)), port_(port) {}

ScorerServer::~ScorerServer() {
  stop();
}

std::string ScorerServer::url() const {
  return "http://" + address_ + ":" + std::to_string(port_);
}

void ScorerServer::start() {
  impl_->server().start(address_, static_cast<uint16_t>(port_));
}

void ScorerServer::stop() {
  impl_->server().stop();
}

}  // namespace streamhost::coupon

// A minimal in-memory consumer side of a REST proxy for the fake-proxy tests: instances,
// subscriptions, queued record batches and commits, answering in the Confluent or Strimzi dialect.
#pragma once

#include <rapidjson/document.h>

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>

#include "fake_proxy.hpp"

namespace streamhost::testing {

class FakeConsumerProxy {
 public:
  explicit FakeConsumerProxy(connector::Dialect dialect) : dialect_(dialect) {}

  // Consulted first; returning a reply overrides the default behaviour for that request.
  std::function<std::optional<FakeReply>(const RecordedRequest&)> fault;

  void queue_batch(std::string json_array) {
    std::lock_guard lock(mutex_);
    batches_.push_back(std::move(json_array));
  }
  // Forgets an instance, as the proxy does when it expires or restarts.
  void expire(const std::string& instance) {
    std::lock_guard lock(mutex_);
    live_.erase(instance);
  }
  // An instance someone else created (a dead predecessor's, or a live twin's).
  void adopt(const std::string& instance) {
    std::lock_guard lock(mutex_);
    live_.insert(instance);
  }
  std::set<std::string> live() const {
    std::lock_guard lock(mutex_);
    return live_;
  }

  FakeReply operator()(const RecordedRequest& r) {
    if (fault) {
      if (auto reply = fault(r)) return *reply;
    }
    std::lock_guard lock(mutex_);
    const size_t at = r.path.find("/instances/");
    if (r.method == "POST" && at == std::string::npos && r.path.rfind("/consumers/", 0) == 0) {
      rapidjson::Document body;
      body.Parse(r.body.c_str());
      const std::string name = body.IsObject() && body.HasMember("name") && body["name"].IsString()
                                   ? body["name"].GetString()
                                   : "generated";
      // Both proxies refuse a name that is taken (Confluent 40902, Strimzi 409).
      if (live_.count(name)) {
        return dialect_ == connector::Dialect::kConfluent
                   ? FakeReply{409, R"({"error_code":40902,"message":"Consumer instance with the specified name already exists."})"}
                   : FakeReply{409, R"({"error_code":409,"message":"A consumer instance with the specified name already exists in the Kafka Bridge."})"};
      }
      live_.insert(name);
      return {200, R"({"instance_id":")" + name + R"(","base_uri":"http://elsewhere.invalid:1)" +
                       r.path + "/instances/" + name + "\"}"};
    }
    if (at == std::string::npos) return {404, R"({"error_code":404,"message":"no route"})"};
    std::string instance = r.path.substr(at + 11);
    instance = instance.substr(0, instance.find('/'));
    if (!live_.count(instance)) return gone();
    if (r.method == "DELETE") {
      live_.erase(instance);
      return {204, ""};
    }
    if (r.path.ends_with("/subscription") || r.path.ends_with("/positions")) return {204, ""};
    if (r.path.ends_with("/offsets")) {
      return dialect_ == connector::Dialect::kConfluent ? FakeReply{200, "[]"} : FakeReply{204, ""};
    }
    if (r.path.ends_with("/records")) {
      std::string batch = "[]";
      if (!batches_.empty()) {
        batch = batches_.front();
        batches_.pop_front();
      }
      return {200, batch, "application/vnd.kafka.binary.v2+json"};
    }
    return {404, R"({"error_code":404,"message":"no route"})"};
  }

  FakeReply gone() const {
    return dialect_ == connector::Dialect::kConfluent
               ? FakeReply{404, R"({"error_code":40403,"message":"Consumer instance not found."})"}
               : FakeReply{
                     404,
                     R"({"error_code":404,"message":"The specified consumer instance was not found."})"};
  }

 private:
  connector::Dialect dialect_;
  mutable std::mutex mutex_;
  std::set<std::string> live_;
  std::deque<std::string> batches_;
};

}  // namespace streamhost::testing

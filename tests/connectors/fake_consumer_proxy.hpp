// A minimal in-memory consumer side of a REST proxy for the fake-proxy tests: instances,
// subscriptions, queued record batches and commits, answering in the Confluent or Strimzi dialect.
// With serve_log() it serves one partition's log by position instead, seeks included, and can keep
// the records its consumer fetched ahead across a seek (see PartitionLog).
#pragma once

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
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

  // One partition whose records (key "k<offset>", value "v<offset>", binary format) are served from
  // a position, as the Kafka consumer behind a proxy does. That consumer fetches `read_ahead`
  // records past what a read returned. A Confluent REST Proxy can keep such records across a seek
  // and return them before the records at the seek target (`keep_fetched_on_seek`); the Strimzi
  // bridge's consumer discards them. Neither real proxy does either on demand, hence the fake.
  struct PartitionLog {
    std::string topic;
    int32_t partition = 0;
    int64_t end = 0;  // offsets 0..end-1 exist
    size_t max_per_read = 10;
    int64_t read_ahead = 0;
    bool keep_fetched_on_seek = false;
  };
  void serve_log(PartitionLog log) {
    std::lock_guard lock(mutex_);
    log_ = std::move(log);
  }
  // While this answers true, reads return nothing (the consumer is still fetching). Called, with
  // the proxy's lock held, with the number of reads before this one and of seeks so far.
  std::function<bool(size_t reads_before, size_t seeks)> reads_stall;

  // What the host did to the log's partition, in order: the seek targets and the committed next
  // offsets (in Kafka's convention whatever the dialect).
  std::vector<int64_t> seeks() const {
    std::lock_guard lock(mutex_);
    return seeks_;
  }
  std::vector<int64_t> commits() const {
    std::lock_guard lock(mutex_);
    return commits_;
  }

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
    last_used_[instance] = clock();
    most_live_ = std::max(most_live_, live_.size());
  }
  std::set<std::string> live() const {
    std::lock_guard lock(mutex_);
    return live_;
  }
  // The most instances held at once since the start.
  size_t most_live() const {
    std::lock_guard lock(mutex_);
    return most_live_;
  }

  // A topic Kafka does not have: GET /topics/{t} answers 404 (40401 "Topic not found." on
  // Confluent, 404 on Strimzi), and reads of an instance subscribed to it answer as
  // `unknown_topic_read` says.
  void set_topic_missing(const std::string& topic, bool missing) {
    std::lock_guard lock(mutex_);
    if (missing) {
      missing_topics_.insert(topic);
    } else {
      missing_topics_.erase(topic);
    }
  }
  // How a read answers while the instance is subscribed to a missing topic. The Java consumer
  // behind the Confluent REST Proxy and the Strimzi bridge returns nothing (kEmpty). Karapace
  // answers 404 40403 "Unknown topic or partition: ..." (kKarapace), the code it also uses for an
  // unknown instance. kRestUtils is the 40403 rest-utils gives Kafka's
  // UnknownTopicOrPartitionException; kInstanceNotFound says only "Consumer instance not found."
  // while the instance is alive, so nothing but a topic lookup tells it apart. The real proxies
  // cannot be made to answer these on demand (the local stack runs the Strimzi bridge), hence the
  // fake.
  enum class UnknownTopicRead { kEmpty, kKarapace, kRestUtils, kInstanceNotFound };
  UnknownTopicRead unknown_topic_read = UnknownTopicRead::kEmpty;

  // Confluent's expiry: an instance unused for longer than `idle_expiry` on `clock` is forgotten
  // (consumer.instance.timeout.ms; Karapace never expires one). Zero: never.
  std::chrono::milliseconds idle_expiry{0};
  std::function<std::chrono::steady_clock::time_point()> clock = [] {
    return std::chrono::steady_clock::now();
  };

  FakeReply operator()(const RecordedRequest& r) {
    if (fault) {
      if (auto reply = fault(r)) return *reply;
    }
    std::lock_guard lock(mutex_);
    expire_idle();
    const size_t at = r.path.find("/instances/");
    if (r.method == "GET" && r.path.rfind("/topics/", 0) == 0)
      return topic_metadata(r.path.substr(8));
    if (r.method == "POST" && at == std::string::npos && r.path.rfind("/consumers/", 0) == 0) {
      rapidjson::Document body;
      body.Parse(r.body.c_str());
      const std::string name = body.IsObject() && body.HasMember("name") && body["name"].IsString()
                                   ? body["name"].GetString()
                                   : "generated";
      // Both proxies refuse a name that is taken (Confluent 40902, Strimzi 409).
      if (live_.count(name)) {
        return dialect_ == connector::Dialect::kConfluent
                   ? FakeReply{409,
                               R"({"error_code":40902,"message":"Consumer instance with the specified name already exists."})"}
                   : FakeReply{
                         409,
                         R"({"error_code":409,"message":"A consumer instance with the specified name already exists in the Kafka Bridge."})"};
      }
      live_.insert(name);
      last_used_[name] = clock();
      most_live_ = std::max(most_live_, live_.size());
      return {200, R"({"instance_id":")" + name + R"(","base_uri":"http://elsewhere.invalid:1)" +
                       r.path + "/instances/" + name + "\"}"};
    }
    if (at == std::string::npos) return {404, R"({"error_code":404,"message":"no route"})"};
    std::string instance = r.path.substr(at + 11);
    instance = instance.substr(0, instance.find('/'));
    if (!live_.count(instance)) return gone();
    last_used_[instance] = clock();
    if (r.method == "DELETE") {
      live_.erase(instance);
      subscribed_.erase(instance);
      return {204, ""};
    }
    if (r.method == "POST" && r.path.ends_with("/subscription")) {
      subscribed_[instance] = topics_in(r.body);
    }
    if (r.method == "GET" && r.path.ends_with("/records")) {
      if (auto reply = read_of_missing_topic(instance)) return *reply;
    }
    if (log_) {
      if (auto reply = serve_from_log(r)) return *reply;
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

  FakeReply topic_metadata(const std::string& topic) const {
    if (!missing_topics_.count(topic)) {
      return {200, R"({"name":")" + topic + R"(","configs":{},"partitions":[]})"};
    }
    return dialect_ == connector::Dialect::kConfluent
               ? FakeReply{404, R"({"error_code":40401,"message":"Topic not found."})"}
               : FakeReply{
                     404,
                     R"({"error_code":404,"message":"This server does not host this topic-partition."})"};
  }

  FakeReply gone() const {
    return dialect_ == connector::Dialect::kConfluent
               ? FakeReply{404, R"({"error_code":40403,"message":"Consumer instance not found."})"}
               : FakeReply{
                     404,
                     R"({"error_code":404,"message":"The specified consumer instance was not found."})"};
  }

 private:
  static std::string base64(const std::string& bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
      uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
      if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
      if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
      out += kAlphabet[(n >> 18) & 63];
      out += kAlphabet[(n >> 12) & 63];
      out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
      out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
    }
    return out;
  }

  // Called with the mutex held.
  void expire_idle() {
    if (idle_expiry.count() == 0) return;
    const auto now = clock();
    for (auto it = live_.begin(); it != live_.end();) {
      if (now - last_used_[*it] > idle_expiry) {
        subscribed_.erase(*it);
        it = live_.erase(it);
      } else {
        ++it;
      }
    }
  }

  static std::vector<std::string> topics_in(const std::string& body) {
    std::vector<std::string> out;
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    if (!doc.IsObject() || !doc.HasMember("topics") || !doc["topics"].IsArray()) return out;
    for (const auto& t : doc["topics"].GetArray()) {
      if (t.IsString()) out.push_back(t.GetString());
    }
    return out;
  }

  // Called with the mutex held.
  std::optional<FakeReply> read_of_missing_topic(const std::string& instance) const {
    auto it = subscribed_.find(instance);
    if (it == subscribed_.end()) return std::nullopt;
    for (const std::string& topic : it->second) {
      if (!missing_topics_.count(topic)) continue;
      switch (unknown_topic_read) {
        case UnknownTopicRead::kEmpty:
          return FakeReply{200, "[]", "application/vnd.kafka.binary.v2+json"};
        case UnknownTopicRead::kKarapace:
          return FakeReply{
              404,
              R"({"error_code":40403,"message":"Unknown topic or partition: KafkaError{code=UNKNOWN_TOPIC_OR_PART,val=3,str=\"Subscribed topic not available: )" +
                  topic + R"(: Broker: Unknown topic or partition\"}"})"};
        case UnknownTopicRead::kRestUtils:
          return FakeReply{
              404,
              R"({"error_code":40403,"message":"This server does not host this topic-partition."})"};
        case UnknownTopicRead::kInstanceNotFound:
          return gone();
      }
    }
    return std::nullopt;
  }

  std::string record_json(int64_t offset) const {
    const std::string o = std::to_string(offset);
    return R"({"topic":")" + log_->topic + R"(","key":")" + base64("k" + o) + R"(","value":")" +
           base64("v" + o) + R"(","partition":)" + std::to_string(log_->partition) +
           R"(,"offset":)" + o + "}";
  }

  // The offsets of a commit or seek body for the log's partition.
  std::vector<int64_t> offsets_in(const std::string& body) const {
    std::vector<int64_t> out;
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    if (!doc.IsObject() || !doc.HasMember("offsets") || !doc["offsets"].IsArray()) return out;
    for (const auto& o : doc["offsets"].GetArray()) {
      if (o.IsObject() && o["topic"].GetString() == log_->topic &&
          o["partition"].GetInt() == log_->partition) {
        out.push_back(o["offset"].GetInt64());
      }
    }
    return out;
  }

  // The log's routes; nullopt for the others. Called with the mutex held.
  std::optional<FakeReply> serve_from_log(const RecordedRequest& r) {
    PartitionLog& log = *log_;
    if (r.method == "GET" &&
        (r.path.ends_with("/subscription") || r.path.ends_with("/assignments"))) {
      const std::string p = std::to_string(log.partition);
      return dialect_ == connector::Dialect::kConfluent
                 ? FakeReply{200, R"({"partitions":[{"topic":")" + log.topic + R"(","partition":)" +
                                      p + "}]}"}
                 : FakeReply{200, R"({"topics":[")" + log.topic + R"("],"partitions":[{")" +
                                      log.topic + R"(":[)" + p + "]}]}"};
    }
    if (r.method == "POST" && r.path.ends_with("/positions")) {
      for (int64_t target : offsets_in(r.body)) {
        seeks_.push_back(target);
        if (log.keep_fetched_on_seek) {
          for (int64_t o = position_; o < fetched_; ++o) stale_.push_back(o);
        }
        position_ = fetched_ = target;
      }
      return FakeReply{204, ""};
    }
    if (r.method == "POST" && r.path.ends_with("/offsets")) {
      // Confluent commits the offset sent plus one; Strimzi commits it as sent.
      const int64_t plus = dialect_ == connector::Dialect::kConfluent ? 1 : 0;
      for (int64_t o : offsets_in(r.body)) commits_.push_back(o + plus);
      return dialect_ == connector::Dialect::kConfluent ? FakeReply{200, "[]"} : FakeReply{204, ""};
    }
    if (r.method == "GET" && r.path.ends_with("/records")) {
      std::string body = "[";
      auto add = [&](int64_t offset) {
        body += (body.size() > 1 ? "," : "") + record_json(offset);
      };
      const size_t before = reads_++;
      if (!(reads_stall && reads_stall(before, seeks_.size()))) {
        for (int64_t o : stale_) add(o);
        stale_.clear();
        for (size_t n = 0; position_ < log.end && n < log.max_per_read; ++n) add(position_++);
        fetched_ = std::min(log.end, std::max(fetched_, position_ + log.read_ahead));
      }
      return FakeReply{200, body + "]", "application/vnd.kafka.binary.v2+json"};
    }
    return std::nullopt;
  }

  connector::Dialect dialect_;
  mutable std::mutex mutex_;
  std::set<std::string> live_;
  size_t most_live_ = 0;
  std::map<std::string, std::chrono::steady_clock::time_point> last_used_;
  std::map<std::string, std::vector<std::string>> subscribed_;
  std::set<std::string> missing_topics_;
  std::deque<std::string> batches_;
  std::optional<PartitionLog> log_;
  int64_t position_ = 0;        // the next offset a read returns
  int64_t fetched_ = 0;         // the consumer has fetched up to here (position_ <= fetched_)
  std::vector<int64_t> stale_;  // fetched before a seek, returned first after it
  std::vector<int64_t> seeks_;
  std::vector<int64_t> commits_;
  size_t reads_ = 0;
};

}  // namespace streamhost::testing

// The Source: one consumer instance at a time (a stable name, or a random one; auto-commit off),
// polled with the embedded format's exact Accept, committed with explicit per-partition offsets,
// recreated when the proxy has lost it. Delivery then restarts from the committed offsets (Kafka's
// doing).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <random>
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/rest_proxy.hpp>

#include "dialect.hpp"
#include "missing_topics.hpp"
#include "proxy_http.hpp"
#include "record_codec.hpp"

namespace streamhost::connector {
namespace {

using detail::HttpRequest;
using detail::HttpResponse;
using detail::kKafkaV2Json;
using Clock = std::chrono::steady_clock;

std::string random_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(rng()));
  return text;
}

class RestProxySource final : public Source {
 public:
  RestProxySource(const RestProxyOptions& options, const ConsumerOptions& consumer)
      : http_(options), consumer_(consumer) {
    if (consumer_.group.empty()) throw std::invalid_argument("consumer group must not be empty");
    // Validates extra_properties_json now rather than at the first subscribe.
    detail::create_consumer_body(http_.options().dialect, "probe", consumer_);
  }

  ~RestProxySource() override { close(); }

  void subscribe(const std::vector<std::string>& topics) override {
    topics_ = topics;
    subscribed_ = true;
    if (instance_url_.empty() || instance_lost_) {
      recreate_instance();
      return;
    }
    post_subscription();
  }

  std::vector<ConsumedRecord> poll(std::chrono::milliseconds timeout) override {
    require_instance("poll");
    if (instance_lost_ || instance_url_.empty()) recreate_instance();
    // The HTTP request must finish within the client's request timeout, so the proxy-side wait
    // is at most half of it; a shorter wait only means an earlier empty batch.
    const auto wait =
        std::clamp(timeout, std::chrono::milliseconds(0), http_.options().request_timeout / 2);
    const auto deadline = Clock::now() + timeout + http_.options().request_timeout;
    HttpResponse response = poll_once(wait, deadline);
    if (instance_gone(response)) {
      // A proxy that says the topic is unknown still holds this instance (Karapace's 40403).
      if (detail::names_unknown_topic(detail::parse_proxy_error(response.body))) {
        throw_if_topics_missing(response);
      }
      recreate_instance();  // deletes the old instance first: a proxy may still hold it
      response = poll_once(wait, deadline);
      if (instance_gone(response)) {
        // The same answer from a brand-new instance: a missing topic, whatever the message says.
        throw_if_topics_missing(response);
        instance_lost_ = true;
        throw TransientError(http_.describe_failure(last_poll_, response) +
                             " (right after the instance was recreated)");
      }
    }
    if (response.status != 200) throw PermanentError(http_.describe_failure(last_poll_, response));
    try {
      std::vector<ConsumedRecord> records = detail::decode_records(response.body, consumer_.format);
      http_.count_records(records.size());
      return records;
    } catch (const detail::MalformedReply& e) {
      // The proxy's position already moved past whatever this reply held; a fresh instance
      // re-reads from the committed offsets, so nothing is lost.
      instance_lost_ = true;
      throw TransientError(http_.redact("GET " + std::string(detail::url_path(last_poll_.url)) +
                                        ": malformed reply: " + e.what() +
                                        "; the consumer instance will be recreated"));
    }
  }

  void commit(const std::vector<PartitionOffset>& offsets) override {
    require_instance("commit");
    std::vector<PartitionOffset> translated;
    for (const auto& o : offsets) {
      if (auto offset = detail::commit_offset_for(http_.options().dialect, o.next_offset)) {
        translated.push_back({o.partition, *offset});
      }
    }
    if (translated.empty()) return;
    if (instance_lost_ || instance_url_.empty()) {
      throw TransientError(
          "consumer instance lost; offsets not committed (recreated on next poll)");
    }
    HttpRequest request{"POST", instance_url_ + "/offsets", detail::encode_offsets_body(translated),
                        std::string(kKafkaV2Json), std::string(kKafkaV2Json)};
    HttpResponse response = http_.send(request, http_.default_policy());
    if (response.status == 200 || response.status == 204) return;
    if (instance_gone(response)) {
      instance_lost_ = true;
      throw TransientError(http_.describe_failure(request, response) +
                           " (offsets not committed; the instance is recreated on next poll)");
    }
    throw PermanentError(http_.describe_failure(request, response));
  }

  void seek(const TopicPartition& partition, int64_t next_offset) override {
    require_instance("seek");
    if (instance_lost_ || instance_url_.empty())
      return;  // the next poll recreates it and resumes from committed offsets
    HttpRequest request{"POST", instance_url_ + "/positions",
                        detail::encode_offsets_body({{partition, next_offset}}),
                        std::string(kKafkaV2Json), std::string(kKafkaV2Json)};
    HttpResponse response = http_.send(request, http_.default_policy());
    if (response.status == 204 || response.status == 200) return;
    if (instance_gone(response)) {
      // A new instance resumes from the committed offsets, which are never past `next_offset`.
      instance_lost_ = true;
      return;
    }
    if (response.status == 404 || response.status == 409) {
      return;  // the partition was revoked; its new owner resumes from the committed offset
    }
    throw PermanentError(http_.describe_failure(request, response));
  }

  std::optional<std::vector<TopicPartition>> assignment() override {
    require_instance("assignment");
    if (instance_lost_ || instance_url_.empty()) {
      throw TransientError("consumer instance lost; assignment unknown until it is recreated");
    }
    const Dialect dialect = http_.options().dialect;
    // Strimzi has no GET .../assignments; its subscription listing is built from the assignment.
    HttpRequest request{
        "GET", instance_url_ + (dialect == Dialect::kStrimzi ? "/subscription" : "/assignments"),
        "", "", std::string(kKafkaV2Json)};
    HttpResponse response = http_.send(request, http_.default_policy());
    if (response.status != 200) {
      if (instance_gone(response)) instance_lost_ = true;
      throw TransientError(http_.describe_failure(request, response));
    }
    try {
      return detail::decode_assignment(response.body, dialect);
    } catch (const detail::MalformedReply& e) {
      throw TransientError(
          http_.redact("GET " + std::string(detail::url_path(request.url)) + ": " + e.what()));
    }
  }

  void close() noexcept override {
    subscribed_ = false;
    if (instance_url_.empty()) return;
    if (!instance_lost_) delete_instance();
    instance_url_.clear();
  }

  uint64_t generation() const override { return generation_.load(); }

  ConnectorStats stats() const override {
    ConnectorStats stats = http_.stats();
    std::lock_guard lock(warning_mutex_);
    stats.warning = fallback_reason_;
    return stats;
  }

 private:
  void require_instance(const char* call) const {
    if (!subscribed_) {
      throw PermanentError(std::string(call) + " called before subscribe (or after close)");
    }
  }

  bool instance_gone(const HttpResponse& response) const {
    return response.status == 404 &&
           detail::is_instance_gone(http_.options().dialect, response.status,
                                    detail::parse_proxy_error(response.body));
  }

  // Throws TransientError naming the subscribed topics the proxy does not have, if any, leaving
  // the instance as it is; returns when every topic exists (or none could be looked up).
  void throw_if_topics_missing(const HttpResponse& read) {
    const auto missing = detail::find_missing_topics(http_, topics_);
    if (missing.empty()) return;
    throw TransientError(
        detail::missing_topics_message(missing, http_.describe_failure(last_poll_, read)));
  }

  HttpResponse poll_once(std::chrono::milliseconds wait, Clock::time_point deadline) {
    // max_bytes is never sent: Strimzi drops the polled batch with a 422 when it is exceeded.
    last_poll_ =
        HttpRequest{"GET", instance_url_ + "/records?timeout=" + std::to_string(wait.count()), "",
                    "", std::string(detail::embedded_content_type(consumer_.format))};
    return http_.send(last_poll_,
                      detail::RetryPolicy::retries(http_.options().max_retries, deadline));
  }

  std::string group_url() const {
    return http_.base_url() + "/consumers/" + detail::encode_path_segment(consumer_.group);
  }

  // A restarted replica's predecessor may have died without deleting its instance; its Kafka
  // consumer then holds partitions until the proxy expires it. Deleting it by its stable name makes
  // a restart cost seconds, not minutes. Best effort: 404 (nothing left behind) is the usual
  // answer.
  void delete_predecessor() noexcept {
    delete_url(group_url() + "/instances/" + detail::encode_path_segment(consumer_.instance_name));
  }

  // The name for the next instance: the stable one while nobody else holds it.
  std::string next_name(bool stable_taken) const {
    if (consumer_.instance_name.empty()) return consumer_.instance_prefix + "-" + random_suffix();
    if (stable_taken) return consumer_.instance_name + "-" + random_suffix();
    return consumer_.instance_name;
  }

  // `replacing_own`: this host's own instance under the stable name was just lost or refused.
  void create_instance(bool replacing_own) {
    const std::string group_url = this->group_url();
    bool stable_taken = stable_name_taken_;
    bool deleted_own = false;
    for (int clash = 0;; ++clash) {
      const std::string name = next_name(stable_taken);
      HttpRequest request{"POST", group_url,
                          detail::create_consumer_body(http_.options().dialect, name, consumer_),
                          std::string(kKafkaV2Json), std::string(kKafkaV2Json)};
      HttpResponse response = http_.send(request, http_.default_policy());
      if (response.status == 409 && clash < 3) {
        if (!consumer_.instance_name.empty() && !stable_taken) {
          if (replacing_own && !deleted_own) {
            // Right after this host's own loss the name is most likely still its own instance
            // (the delete before this create failed, or the proxy answered a read of a live
            // instance with "not found"): delete it by name and take the name again.
            deleted_own = true;
            delete_predecessor();
            continue;
          }
          // Held by a live process configured like this one (a dead one's instance was deleted
          // at start, and ours just now): take a random name instead of deleting it again, which
          // would only make the two take each other's partitions in turn.
          stable_taken = stable_name_taken_ = true;
          std::lock_guard lock(warning_mutex_);
          fallback_reason_ =
              "consumer instance name \"" + consumer_.instance_name + "\" is held by another " +
              "live consumer in group \"" + consumer_.group + "\"" +
              (deleted_own ? " (still taken after this host deleted its own instance of that name)"
                           : "") +
              "; give each replica its own consumer.instance_name";
        }
        continue;
      }
      if (response.status != 200) throw PermanentError(http_.describe_failure(request, response));
      detail::CreatedInstance created;
      try {
        created = detail::decode_created_instance(response.body);
      } catch (const detail::MalformedReply& e) {
        throw TransientError(http_.redact(
            std::string("POST ") + std::string(detail::url_path(group_url)) + ": " + e.what()));
      }
      instance_url_ =
          http_.options().follow_base_uri
              ? created.base_uri
              : group_url + "/instances/" + detail::encode_path_segment(created.instance_id);
      while (!instance_url_.empty() && instance_url_.back() == '/') instance_url_.pop_back();
      instance_lost_ = false;
      return;
    }
  }

  void post_subscription() {
    HttpRequest request{"POST", instance_url_ + "/subscription",
                        detail::encode_topics_body(topics_), std::string(kKafkaV2Json),
                        std::string(kKafkaV2Json)};
    HttpResponse response = http_.send(request, http_.default_policy());
    if (response.status == 204 || response.status == 200) return;
    if (instance_gone(response)) {
      instance_lost_ = true;
      throw TransientError(http_.describe_failure(request, response));
    }
    throw PermanentError(http_.describe_failure(request, response));
  }

  // Best effort: the old instance may already be gone, or the proxy down. One attempt, bounded
  // by delete_timeout, so a slow proxy cannot hold shutdown longer.
  void delete_url(const std::string& url) noexcept {
    try {
      http_.send(HttpRequest{"DELETE", url, "", "", std::string(kKafkaV2Json)},
                 detail::RetryPolicy::single(http_.options().delete_timeout));
    } catch (...) {
    }
  }

  void delete_instance() noexcept { delete_url(instance_url_); }

  // Creates the first instance, or replaces one the proxy lost or answered garbage for. The old
  // one is deleted first (best effort: a 404 is the normal answer) so the proxy holds no orphan,
  // even when its "not found" was about something else (a proxy that conflates a missing topic
  // with a lost instance, a request that reached a replica not holding the instance).
  void recreate_instance() {
    const bool replacing = generation_.load() > 0;
    if (!instance_url_.empty()) delete_instance();
    instance_url_.clear();
    if (!replacing && !consumer_.instance_name.empty()) delete_predecessor();
    create_instance(replacing);
    try {
      post_subscription();
    } catch (...) {
      instance_lost_ = true;  // an unsubscribed instance is replaced on the next call
      throw;
    }
    ++generation_;
    if (replacing) http_.count_recreation();
  }

  detail::ProxyHttp http_;
  ConsumerOptions consumer_;
  std::vector<std::string> topics_;
  std::string instance_url_;
  bool instance_lost_ = false;
  bool subscribed_ = false;
  bool stable_name_taken_ = false;    // a live twin holds instance_name: use random suffixes
  mutable std::mutex warning_mutex_;  // stats() runs on other threads
  std::string fallback_reason_;       // why, for stats().warning
  std::atomic<uint64_t> generation_{0};
  HttpRequest last_poll_;
};

}  // namespace

std::unique_ptr<Source> make_rest_proxy_source(const RestProxyOptions& proxy,
                                               const ConsumerOptions& consumer) {
  return std::make_unique<RestProxySource>(proxy, consumer);
}

}  // namespace streamhost::connector

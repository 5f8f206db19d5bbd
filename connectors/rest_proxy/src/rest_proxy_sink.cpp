// The Sink: POST /topics/{topic}, one result per record read from the reply's offsets array (HTTP
// 200 says nothing about single records), retrying only what failed transiently.
#include <algorithm>
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/rest_proxy.hpp>

#include "dialect.hpp"
#include "proxy_http.hpp"
#include "record_codec.hpp"

namespace streamhost::connector {
namespace {

using detail::HttpRequest;
using detail::HttpResponse;

class RestProxySink final : public Sink {
 public:
  RestProxySink(const RestProxyOptions& options, EmbeddedFormat format)
      : http_(options), format_(format) {}

  std::vector<DeliveryResult> produce(const std::string& topic,
                                      const std::vector<OutgoingRecord>& records) override {
    std::vector<DeliveryResult> results(records.size());
    const size_t chunk = std::max<size_t>(1, http_.options().max_records_per_request);
    for (size_t begin = 0; begin < records.size(); begin += chunk) {
      std::vector<size_t> indices;
      for (size_t i = begin; i < std::min(records.size(), begin + chunk); ++i) indices.push_back(i);
      produce_chunk(topic, records, std::move(indices), results);
    }
    return results;
  }

  ConnectorStats stats() const override { return http_.stats(); }

 private:
  static void fail(DeliveryResult& result, bool retriable, std::string error) {
    result.ok = false;
    result.retriable = retriable;
    result.error = std::move(error);
  }

  // Sends `pending` until each record is acknowledged, failed for good, or out of retries.
  void produce_chunk(const std::string& topic, const std::vector<OutgoingRecord>& records,
                     std::vector<size_t> pending, std::vector<DeliveryResult>& results) {
    HttpRequest request{"POST", http_.base_url() + "/topics/" + detail::encode_path_segment(topic),
                        "", std::string(detail::embedded_content_type(format_)),
                        std::string(detail::kKafkaV2Json)};
    for (int attempt = 0; !pending.empty(); ++attempt) {
      std::vector<std::pair<size_t, std::string>> invalid;
      detail::ProduceBody body =
          detail::encode_produce_body(records, pending, format_, invalid, http_.options().dialect);
      for (auto& [index, error] : invalid) fail(results[index], false, std::move(error));
      if (body.sent.empty()) return;
      request.body = std::move(body.json);

      HttpResponse response;
      try {
        response = http_.send(request, http_.default_policy());
      } catch (const TransientError& e) {
        for (size_t i : body.sent) fail(results[i], true, e.what());
        return;
      }
      std::vector<size_t> retry;
      std::string retry_reason;
      // Confluent answers 401/403 when a record failed authorization, still with per-record
      // entries.
      const bool per_record_body =
          response.status == 200 || response.status == 401 || response.status == 403;
      std::vector<detail::RecordAck> acks;
      if (per_record_body) {
        try {
          acks = detail::decode_produce_reply(response.body, body.sent.size());
        } catch (const detail::MalformedReply& e) {
          if (response.status == 200) {
            // The records may or may not be written: producing them again risks duplicates, never
            // loss.
            retry = body.sent;
            retry_reason = http_.redact("POST " + std::string(detail::url_path(request.url)) +
                                        ": malformed reply: " + e.what());
          }
        }
      }
      if (acks.empty() && retry.empty()) {
        const std::string error = http_.describe_failure(request, response);
        for (size_t i : body.sent) fail(results[i], false, error);
        return;
      }
      uint64_t acknowledged = 0;
      for (size_t k = 0; k < acks.size(); ++k) {
        const size_t i = body.sent[k];
        const detail::RecordAck& ack = acks[k];
        if (!ack.error_code) {
          results[i] = DeliveryResult{true, false, ack.partition, ack.offset, ""};
          ++acknowledged;
        } else if (detail::is_retriable_record_error(*ack.error_code)) {
          fail(results[i], true, http_.redact(ack.error));
          retry.push_back(i);
        } else {
          fail(results[i], false, http_.redact(ack.error));
        }
      }
      http_.count_records(acknowledged);
      if (!retry_reason.empty()) {
        for (size_t i : retry) fail(results[i], true, retry_reason);
      }
      if (retry.empty() || attempt >= http_.options().max_retries) return;
      http_.backoff(attempt);
      http_.count_retry();
      pending = std::move(retry);
    }
  }

  detail::ProxyHttp http_;
  EmbeddedFormat format_;
};

}  // namespace

std::unique_ptr<Sink> make_rest_proxy_sink(const RestProxyOptions& proxy, EmbeddedFormat format) {
  return std::make_unique<RestProxySink>(proxy, format);
}

}  // namespace streamhost::connector

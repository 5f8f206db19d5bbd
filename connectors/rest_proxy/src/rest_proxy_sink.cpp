// The Sink: POST /topics/{topic}, one result per record read from the reply's offsets array (HTTP
// 200 says nothing about single records); a record that failed transiently comes back retriable.
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

  // Sends the records of `indices` once and reads one result per record. ProxyHttp::send retries
  // the request itself on transport failures, 429 and 5xx (bounded by rest_proxy.retries); a
  // record that still failed transiently comes back retriable, and producing it again is the
  // host's decision (one owner of the policy after the request: the runtime's backoff).
  void produce_chunk(const std::string& topic, const std::vector<OutgoingRecord>& records,
                     const std::vector<size_t>& indices, std::vector<DeliveryResult>& results) {
    std::vector<std::pair<size_t, std::string>> invalid;
    detail::ProduceBody body =
        detail::encode_produce_body(records, indices, format_, invalid, http_.options().dialect);
    for (auto& [index, error] : invalid) fail(results[index], false, std::move(error));
    if (body.sent.empty()) return;
    HttpRequest request{"POST", http_.base_url() + "/topics/" + detail::encode_path_segment(topic),
                        std::move(body.json), std::string(detail::embedded_content_type(format_)),
                        std::string(detail::kKafkaV2Json)};

    HttpResponse response;
    try {
      response = http_.send(request, http_.default_policy());
    } catch (const TransientError& e) {
      for (size_t i : body.sent) fail(results[i], true, e.what());
      return;
    }
    // Confluent answers 401/403 when a record failed authorization, still with per-record entries.
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
          const std::string reason =
              http_.redact("POST " + std::string(detail::url_path(request.url)) +
                           ": malformed reply: " + e.what());
          for (size_t i : body.sent) fail(results[i], true, reason);
          return;
        }
      }
    }
    if (acks.empty()) {
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
      } else {
        fail(results[i], detail::is_retriable_record_error(*ack.error_code),
             http_.redact(ack.error));
      }
    }
    http_.count_records(acknowledged);
  }

  detail::ProxyHttp http_;
  EmbeddedFormat format_;
};

}  // namespace

std::unique_ptr<Sink> make_rest_proxy_sink(const RestProxyOptions& proxy, EmbeddedFormat format) {
  return std::make_unique<RestProxySink>(proxy, format);
}

}  // namespace streamhost::connector

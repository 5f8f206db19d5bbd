// Log-end offsets for lag figures: GET /topics/{t}/partitions/{p}/offsets ->
// {"beginning_offset":N,"end_offset":M} on both the Confluent REST Proxy v2 and the Strimzi bridge.
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/rest_proxy.hpp>

#include "dialect.hpp"
#include "proxy_http.hpp"
#include "record_codec.hpp"

namespace streamhost::connector {
namespace {

using detail::HttpRequest;
using detail::HttpResponse;

class RestProxyLogOffsetsReader final : public LogOffsetsReader {
 public:
  RestProxyLogOffsetsReader(const RestProxyOptions& options, std::chrono::milliseconds timeout)
      : http_(options), timeout_(timeout) {}

  LogOffsets read(const TopicPartition& partition) override {
    HttpRequest request{"GET",
                        http_.base_url() + "/topics/" +
                            detail::encode_path_segment(partition.topic) + "/partitions/" +
                            std::to_string(partition.partition) + "/offsets",
                        "", "", std::string(detail::kKafkaV2Json)};
    HttpResponse response = http_.send(request, detail::RetryPolicy::single(timeout_));
    if (response.status != 200) throw PermanentError(http_.describe_failure(request, response));
    try {
      return detail::decode_log_offsets(response.body);
    } catch (const detail::MalformedReply& e) {
      throw PermanentError(
          http_.redact("GET " + std::string(detail::url_path(request.url)) + ": " + e.what()));
    }
  }

 private:
  detail::ProxyHttp http_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<LogOffsetsReader> make_rest_proxy_log_offsets_reader(
    const RestProxyOptions& proxy, std::chrono::milliseconds timeout) {
  return std::make_unique<RestProxyLogOffsetsReader>(proxy, timeout);
}

}  // namespace streamhost::connector

// Log-end offsets for lag figures: GET /topics/{t}/partitions/{p}/offsets ->
// {"beginning_offset":N,"end_offset":M} on both the Confluent REST Proxy v2 and the Strimzi bridge.
#include <rapidjson/document.h>

#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/rest_proxy.hpp>
#include <streamhost/json/bounded_parse.hpp>

#include "dialect.hpp"
#include "proxy_http.hpp"

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
    rapidjson::Document doc;
    const bool parsed = !json::parse_bounded(doc, response.body);  // the proxy's bytes: bounded
    auto offset = [&](const char* name) -> int64_t {
      if (!parsed || !doc.IsObject() || !doc.HasMember(name) || !doc[name].IsInt64()) {
        throw PermanentError(http_.redact("GET " + std::string(detail::url_path(request.url)) +
                                          ": the reply has no integer " + name));
      }
      return doc[name].GetInt64();
    };
    return {offset("beginning_offset"), offset("end_offset")};
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

#include "missing_topics.hpp"

#include <streamhost/connector/errors.hpp>

#include "dialect.hpp"

namespace streamhost::connector::detail {

std::vector<MissingTopic> find_missing_topics(ProxyHttp& http,
                                              const std::vector<std::string>& topics) {
  std::vector<MissingTopic> missing;
  for (const std::string& topic : topics) {
    HttpRequest request{"GET", http.base_url() + "/topics/" + encode_path_segment(topic), "", "",
                        std::string(kKafkaV2Json)};
    try {
      HttpResponse response = http.send(request, RetryPolicy::retries(0));
      if (response.status == 404) {
        missing.push_back({topic, http.describe_failure(request, response)});
      }
    } catch (const TransientError&) {
      // Unknown either way; the caller treats the topic as present.
    }
  }
  return missing;
}

std::string missing_topics_message(const std::vector<MissingTopic>& missing,
                                   const std::string& read_failure) {
  std::string names;
  for (const auto& m : missing) names += (names.empty() ? "\"" : ", \"") + m.name + "\"";
  std::string text = (missing.size() == 1 ? "subscribed topic " : "subscribed topics ") + names +
                     (missing.size() == 1 ? " does not exist" : " do not exist") + " (" +
                     missing.front().proxy_answer + "); the proxy answered the read with " +
                     read_failure +
                     ", which here means the missing topic, not a lost consumer instance. Create "
                     "the topic through Kafka (kafka-topics.sh --create --topic " +
                     missing.front().name +
                     ") or correct the pipeline's source topic; the consumer instance is kept and "
                     "read again";
  return text;
}

}  // namespace streamhost::connector::detail

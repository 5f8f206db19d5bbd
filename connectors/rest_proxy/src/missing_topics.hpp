// Tells a subscribed topic that does not exist apart from a lost consumer instance. Both answer a
// read with 404 on some proxies (Karapace's 40403 for either), and the cure differs: a lost
// instance is recreated, a missing topic is created by an operator. The topic routes
// (GET /topics/{t}) are the same in both dialects and answer 404 for a topic Kafka does not have.
#pragma once

#include <string>
#include <vector>

#include "proxy_http.hpp"

namespace streamhost::connector::detail {

struct MissingTopic {
  std::string name;
  std::string proxy_answer;  // "GET /topics/x: HTTP 404 (error_code 40401): Topic not found."
};

// The topics of `topics` the proxy says do not exist, one request each, one attempt each. A topic
// whose lookup fails otherwise (unreachable, 5xx, 401) is not reported: only a 404 is evidence.
std::vector<MissingTopic> find_missing_topics(ProxyHttp& http,
                                              const std::vector<std::string>& topics);

// The operator's message: which topics are missing, what the proxy said to the read, and the fix.
std::string missing_topics_message(const std::vector<MissingTopic>& missing,
                                   const std::string& read_failure);

}  // namespace streamhost::connector::detail

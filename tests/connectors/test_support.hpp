// Helpers shared by the connector tests: quick-retry options and JSON field access.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>

namespace streamhost::testing {

// Options that retry fast so fault tests take milliseconds, not the production backoff.
inline connector::RestProxyOptions quick_options(const std::string& url,
                                                 connector::Dialect dialect) {
  connector::RestProxyOptions o;
  o.base_url = url;
  o.dialect = dialect;
  o.request_timeout = std::chrono::milliseconds(3000);
  o.max_retries = 3;
  o.retry_backoff_initial = std::chrono::milliseconds(5);
  o.retry_backoff_max = std::chrono::milliseconds(40);
  o.http_threads = 4;
  return o;
}

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  return doc;
}

}  // namespace streamhost::testing

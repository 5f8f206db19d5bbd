#include "admin_probe.hpp"

#include <cpprest/http_client.h>

#include <sstream>

namespace streamhost::e2e {

HttpAnswer http_call(int port, const std::string& method, const std::string& path,
                     const std::string& body, const std::string& content_type) {
  try {
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(10));
    web::http::client::http_client client("http://127.0.0.1:" + std::to_string(port), config);
    web::http::http_request request(method);
    request.set_request_uri(path);
    if (!body.empty() || method == "POST") request.set_body(body, content_type);
    auto response = client.request(request).get();
    return {response.status_code(), response.extract_utf8string(true).get()};
  } catch (const std::exception&) {
    return {};
  }
}

double sum_samples(const std::string& text, const std::string& name,
                   const std::vector<std::string>& label_filters) {
  double total = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#' || line.compare(0, name.size(), name) != 0) continue;
    const char next = line.size() > name.size() ? line[name.size()] : '\0';
    if (next != '{' && next != ' ') continue;  // another metric sharing the prefix
    const size_t value_at = line.find_last_of(' ');
    const std::string labels = line.substr(name.size(), value_at - name.size());
    bool selected = true;
    for (const auto& filter : label_filters)
      selected = selected && labels.find(filter) != std::string::npos;
    if (!selected) continue;
    total += std::stod(line.substr(value_at + 1));
  }
  return total;
}

double AdminProbe::metric(const std::string& name,
                          const std::vector<std::string>& label_filters) const {
  const HttpAnswer a = http_call(port_, "GET", "/metrics");
  if (a.status != 200) return 0;
  return sum_samples(a.body, name, label_filters);
}

}  // namespace streamhost::e2e

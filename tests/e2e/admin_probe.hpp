// Talks to one streamhost process's admin endpoint (127.0.0.1:<port>): readiness, Prometheus
// metrics, and the inject paths of testing mode.
#pragma once

#include <string>
#include <vector>

namespace streamhost::e2e {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, timeout)
  std::string body;
};

// One request to http://127.0.0.1:<port><path>; never throws.
HttpAnswer http_call(int port, const std::string& method, const std::string& path,
                     const std::string& body = {},
                     const std::string& content_type = "application/json");

class AdminProbe {
 public:
  explicit AdminProbe(int port) : port_(port) {}
  int port() const { return port_; }

  bool alive() const { return http_call(port_, "GET", "/healthz").status == 200; }
  HttpAnswer readyz() const { return http_call(port_, "GET", "/readyz"); }
  bool ready() const { return readyz().status == 200; }
  std::string metrics_text() const { return http_call(port_, "GET", "/metrics").body; }

  // The sum of every sample of `name` whose labels contain each of `label_filters` (e.g.
  // `route="focus"`; none for all). 0 when the metric has no sample yet or the endpoint does not
  // answer.
  double metric(const std::string& name, const std::vector<std::string>& label_filters = {}) const;
  double metric(const std::string& name, const std::string& label_filter) const {
    return metric(name, std::vector<std::string>{label_filter});
  }

 private:
  int port_;
};

// Parses Prometheus text: the sum described at AdminProbe::metric.
double sum_samples(const std::string& text, const std::string& name,
                   const std::vector<std::string>& label_filters);

}  // namespace streamhost::e2e

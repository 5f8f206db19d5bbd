#include "metrics/connector_stats.hpp"

namespace streamhost::host::metrics {

void mirror_connector_stats(Registry& registry, const std::string& role,
                            std::function<connector::ConnectorStats()> stats) {
  Labels labels{{"connector", role}};
  auto& requests = registry.counter("streamhost_connector_requests_total",
                                    "HTTP requests sent to the REST proxy", labels);
  auto& transient = registry.counter("streamhost_connector_transient_errors_total",
                                     "Connection failures, timeouts, 5xx and 429 answers", labels);
  auto& retries = registry.counter("streamhost_connector_retries_total",
                                   "Requests sent again after a transient error", labels);
  auto& recreations =
      registry.counter("streamhost_connector_instance_recreations_total",
                       "Consumer instances recreated after the proxy lost them", labels);
  auto& records = registry.counter("streamhost_connector_records_total",
                                   "Records consumed (source) or acknowledged (sink)", labels);
  auto& reachable = registry.gauge("streamhost_connector_reachable",
                                   "1 when the last request reached the proxy", labels);
  registry.add_collect_hook(
      [=, &requests, &transient, &retries, &recreations, &records, &reachable] {
        auto s = stats();
        requests.set(s.requests);
        transient.set(s.transient_errors);
        retries.set(s.retries);
        recreations.set(s.instance_recreations);
        records.set(s.records);
        reachable.set(s.reachable ? 1.0 : 0.0);
      });
}

}  // namespace streamhost::host::metrics

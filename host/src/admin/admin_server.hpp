// The admin HTTP endpoint (over BoundedHttpServer: every head, body, wait and connection has a
// limit, AdminOptions::limits), bound to 127.0.0.1 unless the manifest says otherwise:
//   GET  /healthz      200 while the pipeline is alive; 503 with the reason once it is stopping,
//                      failed or wedged (see set_liveness)
//   GET  each of AdminOptions::health_paths: the same answer as /healthz
//   GET  /readyz       200 when every readiness check passes, else 503; JSON body either way
//   GET  /metrics      Prometheus text exposition format 0.0.4
//   /pipeline...       the management API (management_api.hpp), once set_management() was called
//   POST /inject/{route}[?key=K] and each alias path (testing mode only; 404 otherwise):
//        200 {"status":"ok","emitted":[{"topic":..,"key":..,"value":..}]}, 422 for REJECT,
//        503 for RETRY, 500 for FATAL, 404 for an unknown route.
// Requests are served on the server's one thread and never block it: readiness is read from memory
// (ReadinessMonitor), injects run on a thread of their own. With a token configured, every POST
// (management mutations, injects) needs "Authorization: Bearer <token>", checked on the request
// head before any body is read; GETs stay open for probes and scrapers. Only an authorized inject
// reads a body (up to limits.max_body_bytes, a record's limit); any other is dropped unread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <streamhost/http_server/bounded_http_server.hpp>
#include <string>
#include <vector>

#include "admin/management_api.hpp"
#include "admin/readiness.hpp"
#include "metrics/registry.hpp"
#include "runtime/inject.hpp"

namespace streamhost::host::admin {

using http_server::HttpLimits;

struct AdminOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 18080;
  bool testing = false;                        // serves the inject paths
  std::map<std::string, std::string> aliases;  // extra path -> route name (testing mode only)
  std::vector<std::string> health_paths;       // extra paths answered like /healthz
  std::optional<std::string> token;  // the bearer token POSTs need; nullopt: none (loopback only)
  HttpLimits limits;                 // max_body_bytes is also an injected record's limit
};

class AdminServer {
 public:
  // `injector` may be null (then inject paths answer 404 even in testing mode).
  AdminServer(AdminOptions options, metrics::Registry& registry,
              std::function<ReadinessReport()> readiness, const runtime::Injector* injector);
  ~AdminServer();

  // What /healthz reports: nullopt while alive, else why not. Called on the server thread: it must
  // only read memory. Set before start().
  void set_liveness(std::function<std::optional<std::string>()> liveness);

  // Serves the management API under /pipeline. `api` must outlive the server. Set before start().
  void set_management(const ManagementApi* api);

  // Binds and starts serving. Throws std::runtime_error naming the address when it cannot bind.
  void start();
  // Closes every connection and joins the server thread. Idempotent; the destructor calls it.
  void stop() noexcept;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The JSON answer of an inject request and its HTTP status (exposed for tests).
struct InjectAnswer {
  int http_status = 200;
  std::string body;
};
InjectAnswer format_inject_answer(const runtime::InjectResult& result, const std::string& route);

}  // namespace streamhost::host::admin

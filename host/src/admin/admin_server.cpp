#include "admin/admin_server.hpp"

#include <cpprest/http_listener.h>
#include <cpprest/uri.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <streamhost/json/bounded_parse.hpp>
#include <streamhost/net/bounded_body.hpp>
#include <string_view>

#include "admin/admin_token.hpp"
#include "admin/serial_executor.hpp"
#include "runtime/log.hpp"

namespace streamhost::host::admin {
namespace {

namespace http = web::http;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr const char* kJson = "application/json";
constexpr std::string_view kInjectPrefix = "/inject/";
// Records through the inject endpoints: testing mode's tool, not a bulk path.
constexpr size_t kMaxInjectBytes = 4u << 20;
constexpr size_t kMaxQueuedInjects = 64;

// An emitted value goes back as JSON when it parses as JSON, otherwise as a string.
void write_value(JsonWriter& w, const std::string& value) {
  rapidjson::Document doc;
  // Bounded: Accept() below recurses once per level of whatever the handler emitted.
  if (!json::parse_bounded(doc, value)) {
    doc.Accept(w);
  } else {
    w.String(value);
  }
}

}  // namespace

InjectAnswer format_inject_answer(const runtime::InjectResult& result, const std::string& route) {
  if (!result.route_found) return {404, error_body("not_found", "no route named " + route)};
  const auto& h = result.handler;
  if (h.status != SH_STATUS_OK) {
    int code = h.status == SH_STATUS_REJECT ? 422 : h.status == SH_STATUS_RETRY ? 503 : 500;
    return {code, error_body(sh_status_name(h.status), h.reason)};
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("status");
  w.String("ok");
  w.Key("emitted");
  w.StartArray();
  for (const auto& out : h.outputs) {
    w.StartObject();
    w.Key("topic");
    w.String(out.topic);
    w.Key("key");
    if (out.key) {
      w.String(*out.key);
    } else {
      w.Null();
    }
    w.Key("value");
    write_value(w, out.value);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {200, buf.GetString()};
}

class AdminServer::Impl {
 public:
  Impl(AdminOptions options, metrics::Registry& registry,
       std::function<ReadinessReport()> readiness, const runtime::Injector* injector)
      : options_(std::move(options)),
        registry_(registry),
        readiness_(std::move(readiness)),
        injector_(injector) {}

  void start() {
    web::uri_builder uri;
    uri.set_scheme("http").set_host(options_.bind).set_port(options_.port).set_path("/");
    listener_ = std::make_unique<http::experimental::listener::http_listener>(uri.to_uri());
    listener_->support([this](http::http_request request) { serve(std::move(request)); });
    try {
      listener_->open().wait();
    } catch (const std::exception& e) {
      listener_.reset();
      throw std::runtime_error("admin endpoint cannot listen on " + options_.bind + ":" +
                               std::to_string(options_.port) + ": " + e.what());
    }
    log::info("admin", "admin endpoint listening",
              {{"address", options_.bind + ":" + std::to_string(options_.port)},
               {"testing", options_.testing ? "true" : "false"}});
  }

  void set_liveness(std::function<std::optional<std::string>()> liveness) {
    liveness_ = std::move(liveness);
  }

  void set_management(const ManagementApi* api) { management_ = api; }

  void stop() noexcept {
    if (!listener_) return;
    try {
      listener_->close().wait();
    } catch (const std::exception& e) {
      log::warn("admin", "closing the admin endpoint failed", {{"error", e.what()}});
    }
    listener_.reset();
  }

 private:
  void serve(http::http_request request) {
    try {
      const std::string path = web::uri::decode(request.relative_uri().path());
      const auto method = request.method();
      const bool allowed = method != http::methods::POST || authorized(request);
      const auto route = inject_route(path);
      // Only an inject reads its body; any other is dropped as it arrives, since cpprestsdk's
      // listener would hold all of it before answering.
      if (!(allowed && route && method == http::methods::POST)) net::discard_body(request.body());
      if (!allowed) {
        log::warn("admin", "refused a request without the admin token", {{"path", path}});
        return reply_unauthorized(request);
      }
      if (management_ != nullptr) {
        if (auto answer = management_->handle(method, path)) {
          return reply(request, answer->http_status, answer->body, kJson);
        }
      }
      if (method == http::methods::GET) {
        if (path == "/healthz" || is_health_path(path)) {
          const std::optional<std::string> why = liveness_ ? liveness_() : std::nullopt;
          if (!why) return reply(request, 200, R"({"status":"alive"})", kJson);
          return reply(request, 503, error_body("not_alive", *why), kJson);
        }
        if (path == "/readyz") {
          auto report = readiness_ ? readiness_() : ReadinessReport{};
          return reply(request, report.ready() ? 200 : 503, report.to_json(), kJson);
        }
        if (path == "/metrics") {
          return reply(request, 200, registry_.render(),
                       "text/plain; version=0.0.4; charset=utf-8");
        }
      }
      if (route) {
        if (method != http::methods::POST) {
          return reply(request, 405, error_body("method_not_allowed", "use POST"), kJson);
        }
        return inject(request, *route);
      }
      reply(request, 404, error_body("not_found", "no such endpoint: " + path), kJson);
    } catch (const std::exception& e) {
      log::error("admin", "request failed", {{"error", e.what()}});
      try {
        reply(request, 500, error_body("error", e.what()), kJson);
      } catch (...) {
      }
    }
  }

  bool is_health_path(const std::string& path) const {
    return std::find(options_.health_paths.begin(), options_.health_paths.end(), path) !=
           options_.health_paths.end();
  }

  bool authorized(const http::http_request& request) const {
    if (!options_.token) return true;
    const auto& headers = request.headers();
    auto it = headers.find(http::header_names::authorization);
    return it != headers.end() && bearer_allows(options_.token, it->second);
  }

  static void reply_unauthorized(http::http_request& request) {
    http::http_response response(http::status_codes::Unauthorized);
    response.headers().add(http::header_names::www_authenticate, "Bearer");
    response.set_body(
        error_body("unauthorized",
                   "this request needs the admin token: Authorization: Bearer <token>"),
        kJson);
    request.reply(response);
  }

  // The route an inject request targets, or nullopt when the path is not an inject path (always
  // nullopt outside testing mode, so those paths answer 404).
  std::optional<std::string> inject_route(const std::string& path) const {
    if (!options_.testing || injector_ == nullptr) return std::nullopt;
    if (path.size() > kInjectPrefix.size() &&
        path.compare(0, kInjectPrefix.size(), kInjectPrefix) == 0) {
      return path.substr(kInjectPrefix.size());
    }
    auto alias = options_.aliases.find(path);
    if (alias != options_.aliases.end()) return alias->second;
    return std::nullopt;
  }

  // Never blocks the pool thread: the body is read asynchronously and the handler runs on the
  // inject executor; the answer is sent from there. A body over the limit is read to its end and
  // dropped as it arrives (even when its Content-Length says so at once: cpprestsdk answers only
  // once the request is read, and would hold what nobody reads), then answered 413.
  void inject(http::http_request& request, const std::string& route) {
    std::optional<std::string> key;
    auto query = web::uri::split_query(request.relative_uri().query());
    if (auto k = query.find("key"); k != query.end()) key = web::uri::decode(k->second);
    // Every exception is caught here: an exception left in a pplx task terminates the process.
    net::read_body(request.body(), kMaxInjectBytes, net::Overflow::kDrain)
        .then([this, request, route, key](pplx::task<std::string> body) mutable {
          try {
            queue_inject(request, route, key, body.get());
          } catch (const net::BodyTooLarge&) {
            reply_if_connected(
                request, 413,
                error_body("too_large",
                           "a record is at most " + std::to_string(kMaxInjectBytes) + " bytes"));
          } catch (const std::exception& e) {
            reply_if_connected(request, 400, error_body("bad_request", e.what()));
          }
        });
  }

  void reply_if_connected(http::http_request& request, int status, const std::string& body) {
    try {
      reply(request, status, body, kJson);
    } catch (...) {
      // The client is gone: nobody is left to answer.
    }
  }

  void queue_inject(http::http_request& request, const std::string& route,
                    const std::optional<std::string>& key, std::string value) {
    const bool queued =
        inject_executor_.submit([this, request, route, key, value = std::move(value)]() mutable {
          try {
            auto answer = format_inject_answer(injector_->inject(route, key, value), route);
            reply(request, answer.http_status, answer.body, kJson);
          } catch (const std::exception& e) {
            try {
              reply(request, 500, error_body("error", e.what()), kJson);
            } catch (...) {
              // The connection is gone (the server is closing): nobody is left to answer.
            }
          }
        });
    if (!queued) reply(request, 503, error_body("busy", "too many injects in progress"), kJson);
  }

  static void reply(http::http_request& request, int status, const std::string& body,
                    const std::string& content_type) {
    // Not waited on: the reply completes on its own and the pool thread goes back to work.
    request.reply(static_cast<http::status_code>(status), body, content_type);
  }

  AdminOptions options_;
  metrics::Registry& registry_;
  std::function<ReadinessReport()> readiness_;
  const runtime::Injector* injector_;
  std::function<std::optional<std::string>()> liveness_;
  const ManagementApi* management_ = nullptr;
  SerialExecutor inject_executor_{kMaxQueuedInjects};
  std::unique_ptr<http::experimental::listener::http_listener> listener_;
};

AdminServer::AdminServer(AdminOptions options, metrics::Registry& registry,
                         std::function<ReadinessReport()> readiness,
                         const runtime::Injector* injector)
    : impl_(std::make_unique<Impl>(std::move(options), registry, std::move(readiness), injector)) {}

AdminServer::~AdminServer() {
  stop();
}

void AdminServer::set_liveness(std::function<std::optional<std::string>()> liveness) {
  impl_->set_liveness(std::move(liveness));
}

void AdminServer::set_management(const ManagementApi* api) {
  impl_->set_management(api);
}

void AdminServer::start() {
  impl_->start();
}
void AdminServer::stop() noexcept {
  impl_->stop();
}

}  // namespace streamhost::host::admin

#include "admin/admin_server.hpp"

#include <cpprest/uri.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <streamhost/json/bounded_parse.hpp>
#include <string_view>

#include "admin/admin_token.hpp"
#include "admin/serial_executor.hpp"
#include "runtime/log.hpp"

namespace streamhost::host::admin {
namespace {

using http_server::BoundedHttpServer;
using http_server::HttpHandlers;
using http_server::HttpRequest;
using http_server::HttpResponder;
using http_server::HttpResponse;

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr const char* kJson = "application/json";
constexpr std::string_view kInjectPrefix = "/inject/";
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
        injector_(injector),
        server_(
            options_.limits,
            HttpHandlers{[this](const HttpRequest& head) { return wants_body(head); },
                         [this](HttpRequest request, HttpResponder respond) {
                           serve(std::move(request), std::move(respond));
                         },
                         [](int status, const std::string& reason) {
                           return HttpResponse{status,
                                               kJson,
                                               error_body(status == 431   ? "too_large"
                                                          : status == 500 ? "error"
                                                                          : "bad_request",
                                                          reason),
                                               {}};
                         },
                         [](const std::string& what) {
                           log::error("admin", "admin endpoint callback failed", {{"error", what}});
                         }}) {}

  void start() {
    try {
      server_.start(options_.bind, options_.port);
    } catch (const std::exception& e) {
      throw std::runtime_error("admin endpoint " + std::string(e.what()));
    }
    log::info("admin", "admin endpoint listening",
              {{"address", options_.bind + ":" + std::to_string(server_.port())},
               {"testing", options_.testing ? "true" : "false"}});
  }

  void set_liveness(std::function<std::optional<std::string>()> liveness) {
    liveness_ = std::move(liveness);
  }

  void set_management(const ManagementApi* api) { management_ = api; }

  void stop() noexcept { server_.stop(); }

 private:
  struct Target {
    std::string path;  // percent-decoded
    std::string query;
  };

  // Throws std::invalid_argument when the target is not an origin-form path or its escapes are
  // broken.
  static Target split_target(const std::string& target) {
    if (target.empty() || target.front() != '/') {
      throw std::invalid_argument("the request target must be a path starting with /");
    }
    const size_t question = target.find('?');
    try {
      return {web::uri::decode(target.substr(0, question)),
              question == std::string::npos ? "" : target.substr(question + 1)};
    } catch (const web::uri_exception&) {
      throw std::invalid_argument("the request path has a broken %-escape");
    }
  }

  // Only an authorized inject reads its body; every other body is dropped as it arrives.
  bool wants_body(const HttpRequest& head) const {
    if (head.method != "POST" || !authorized(head)) return false;
    try {
      return inject_route(split_target(head.target).path).has_value();
    } catch (const std::invalid_argument&) {
      return false;
    }
  }

  void serve(HttpRequest request, HttpResponder respond) {
    try {
      Target target;
      try {
        target = split_target(request.target);
      } catch (const std::invalid_argument& e) {
        return respond({400, kJson, error_body("bad_request", e.what()), {}});
      }
      const std::string& path = target.path;
      const std::string& method = request.method;
      // Before anything that could change state: a POST without the token goes no further.
      if (method == "POST" && !authorized(request)) {
        log_refusal(request, path);
        return respond({401,
                        kJson,
                        error_body("unauthorized",
                                   "this request needs the admin token: Authorization: Bearer "
                                   "<token>"),
                        {{"WWW-Authenticate", "Bearer"}}});
      }
      if (management_ != nullptr) {
        if (auto answer = management_->handle(method, path)) {
          return respond({answer->http_status, kJson, answer->body, {}});
        }
      }
      // HEAD: GET's answer; the server sends it without the body.
      if (method == "GET" || method == "HEAD") {
        if (path == "/healthz" || is_health_path(path)) {
          const std::optional<std::string> why = liveness_ ? liveness_() : std::nullopt;
          if (!why) return respond({200, kJson, R"({"status":"alive"})", {}});
          return respond({503, kJson, error_body("not_alive", *why), {}});
        }
        if (path == "/readyz") {
          auto report = readiness_ ? readiness_() : ReadinessReport{};
          return respond({report.ready() ? 200 : 503, kJson, report.to_json(), {}});
        }
        if (path == "/metrics") {
          return respond({200, "text/plain; version=0.0.4; charset=utf-8", registry_.render(), {}});
        }
      }
      if (auto route = inject_route(path)) {
        if (method != "POST") {
          return respond({405, kJson, error_body("method_not_allowed", "use POST"), {}});
        }
        if (request.body_too_large) {
          return respond({413,
                          kJson,
                          error_body("too_large",
                                     "a record is at most " +
                                         std::to_string(options_.limits.max_body_bytes) + " bytes"),
                          {}});
        }
        return queue_inject(std::move(respond), *route, inject_key(target.query),
                            std::move(request.body));
      }
      respond({404, kJson, error_body("not_found", "no such endpoint: " + path), {}});
    } catch (const std::exception& e) {
      log::error("admin", "request failed", {{"error", e.what()}});
      respond({500, kJson, error_body("error", e.what()), {}});
    }
  }

  bool is_health_path(const std::string& path) const {
    return std::find(options_.health_paths.begin(), options_.health_paths.end(), path) !=
           options_.health_paths.end();
  }

  // One warning a second at most: a client sending POSTs without the token as fast as it can
  // would otherwise flood the log. The next warning says how many were not logged in between.
  void log_refusal(const HttpRequest& request, const std::string& path) {
    const auto now = std::chrono::steady_clock::now();
    if (last_refusal_logged_ && now - *last_refusal_logged_ < std::chrono::seconds(1)) {
      ++refusals_not_logged_;
      return;
    }
    const bool missing = !request.header("Authorization").has_value();
    log::warn("admin",
              missing ? "refused a request without the admin token"
                      : "refused a request with a wrong admin token",
              {{"path", path}, {"refusals_not_logged", std::to_string(refusals_not_logged_)}});
    last_refusal_logged_ = now;
    refusals_not_logged_ = 0;
  }

  bool authorized(const HttpRequest& request) const {
    if (!options_.token) return true;
    const auto authorization = request.header("Authorization");
    return authorization && bearer_allows(options_.token, *authorization);
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

  static std::optional<std::string> inject_key(const std::string& query) {
    auto fields = web::uri::split_query(query);
    if (auto k = fields.find("key"); k != fields.end()) return web::uri::decode(k->second);
    return std::nullopt;
  }

  // The handler may block (a database call): it runs on the inject executor, never on the
  // server thread, and answers from there.
  void queue_inject(HttpResponder respond, const std::string& route,
                    const std::optional<std::string>& key, std::string value) {
    const bool queued =
        inject_executor_.submit([this, respond, route, key, value = std::move(value)]() {
          try {
            auto answer = format_inject_answer(injector_->inject(route, key, value), route);
            respond({answer.http_status, kJson, answer.body, {}});
          } catch (const std::exception& e) {
            respond({500, kJson, error_body("error", e.what()), {}});
          }
        });
    if (!queued) respond({503, kJson, error_body("busy", "too many injects in progress"), {}});
  }

  AdminOptions options_;
  metrics::Registry& registry_;
  std::function<ReadinessReport()> readiness_;
  const runtime::Injector* injector_;
  std::function<std::optional<std::string>()> liveness_;
  const ManagementApi* management_ = nullptr;
  // log_refusal's state; the server thread alone touches it.
  std::optional<std::chrono::steady_clock::time_point> last_refusal_logged_;
  uint64_t refusals_not_logged_ = 0;
  BoundedHttpServer server_;
  // Declared after the server, so destroyed before it: queued injects still answer (their
  // responders do nothing once the server has stopped).
  SerialExecutor inject_executor_{kMaxQueuedInjects};
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

// A scriptable HTTP server standing in for a REST proxy. It exists only for what the real Strimzi
// bridge of the local stack cannot be made to do on demand: speak the Confluent dialect, expire an
// instance with 40403, answer a read of a missing topic with 40403 as Karapace does, fail single
// records inside an HTTP 200, answer 429/503, reply too slowly or with broken JSON, and check
// Basic auth. Everything else is tested against the real bridge.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <streamhost/testing/free_port.hpp>
#include <string>
#include <thread>
#include <vector>

namespace streamhost::testing {

struct RecordedRequest {
  std::string method;
  std::string path;                            // decoded path without query
  std::string query;                           // raw query string, no '?'
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

struct FakeReply {
  FakeReply() = default;
  FakeReply(int status_, std::string body_,
            std::string content_type_ = "application/vnd.kafka.v2+json",
            std::map<std::string, std::string> headers_ = {},
            std::chrono::milliseconds delay_ = std::chrono::milliseconds(0))
      : status(status_),
        body(std::move(body_)),
        content_type(std::move(content_type_)),
        headers(std::move(headers_)),
        delay(delay_) {}

  int status = 200;
  std::string body;
  std::string content_type = "application/vnd.kafka.v2+json";
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds delay{0};  // reply this late (from another thread)
};

// Binds 127.0.0.1 on a free port. The handler runs on cpprestsdk's pool; it must not block.
class FakeProxy {
 public:
  using Handler = std::function<FakeReply(const RecordedRequest&)>;

  explicit FakeProxy(Handler handler);
  // Serves https with this PEM certificate and key instead of plain http.
  FakeProxy(Handler handler, const std::string& cert_file, const std::string& key_file);
  ~FakeProxy();
  FakeProxy(const FakeProxy&) = delete;
  FakeProxy& operator=(const FakeProxy&) = delete;

  std::string url() const { return url_; }
  std::vector<RecordedRequest> requests() const;
  // Requests whose method matches and whose path ends with `suffix`.
  std::vector<RecordedRequest> requests_to(const std::string& method,
                                           const std::string& suffix) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string url_;
};

// A port nobody listens on right now (bound to port 0 then released).
inline int free_local_port() {
  return free_loopback_port();
}

}  // namespace streamhost::testing

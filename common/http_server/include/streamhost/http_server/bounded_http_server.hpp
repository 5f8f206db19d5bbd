// An HTTP/1.1 server (Boost.Beast over Asio) that bounds everything a client can make it hold
// before any handler sees a request: the head's size, a body's size (counted as it arrives,
// chunked or not), the wait for a request, the time a request may take to arrive, and the number
// of connections. The admin endpoint's and the coupon scorer's transport; it knows no routes.
//
// Threading: one server thread runs every connection. Handlers are called on it and must not
// block: work that may block goes elsewhere and answers through its HttpResponder, which may be
// called from any thread. stop() closes every connection and joins the thread; nothing outlives it.
//
// What a client can hold, at most: max_connections x (max_header_bytes + 64 KiB of read buffer),
// plus max_body_bytes for each request whose body a handler asked for.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streamhost::http_server {

struct HttpLimits {
  size_t max_header_bytes = 16 * 1024;  // the request line and headers together: 431 beyond
  size_t max_header_count = 100;        // header fields in one head: 431 beyond
  size_t max_body_bytes = 4u << 20;     // a body a handler asked for: dropped and 413 beyond
  // How long a connection may wait for the first byte of a request (new or kept alive).
  std::chrono::milliseconds idle_timeout{30000};
  // From a request's first byte to its last; also the time an answer may take to be written.
  std::chrono::milliseconds request_timeout{10000};
  // An answer whose write has not finished after this long is stalled (the client is not
  // reading): its connection may be displaced at the cap, like an idle one. While an answer is
  // unwritten no further (pipelined) request is read, so a client that never reads holds one
  // answer and at most one buffer of requests.
  std::chrono::milliseconds write_stall_timeout{1000};
  // Open connections. At the cap, a new connection closes the oldest one that is waiting for (or
  // still receiving) a request head, or whose answer's write is stalled, so idle, trickling or
  // non-reading clients cannot lock out a probe; when every connection is busy with a request,
  // the new one is closed instead.
  size_t max_connections = 64;
};

struct HttpRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // as sent: path and query, not decoded
  std::vector<std::pair<std::string, std::string>> headers;
  // Empty unless HttpHandlers::wants_body said yes for this head and the body fit.
  std::string body;
  // The body was wanted but passed HttpLimits::max_body_bytes: it was dropped (answer 413).
  bool body_too_large = false;

  // The first header of that name (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

// Sends one request's answer. Thread-safe; call it once (later calls are ignored). It may outlive
// the server: once the server stopped, calling it does nothing. Destroying every copy of it
// without calling it answers 500 (through HttpHandlers::refusal), so the connection is not held.
// A HEAD request's answer is sent without its body (Content-Length still says its size).
using HttpResponder = std::function<void(HttpResponse)>;

struct HttpHandlers {
  // Called on the server thread once a request's head is in: whether to read its body for
  // `handle`. A body not asked for is never read: the answer goes out at once, then the connection
  // drops what still arrives, for up to request_timeout, and closes.
  std::function<bool(const HttpRequest&)> wants_body;
  // Called on the server thread with the whole request; must answer through the responder.
  std::function<void(HttpRequest, HttpResponder)> handle;
  // The answer to a request the server refuses itself (400 unparsable or a Transfer-Encoding
  // that does not end in chunked, 431 head too large or too many headers, 500 when a handler
  // dropped its responder without answering).
  std::function<HttpResponse(int status, const std::string& reason)> refusal;
  // Told of an exception that escaped a callback on the server thread (which then goes on).
  // Optional: without it the message goes to stderr.
  std::function<void(const std::string& what)> on_error;
};

class BoundedHttpServer {
 public:
  BoundedHttpServer(HttpLimits limits, HttpHandlers handlers);
  ~BoundedHttpServer();
  BoundedHttpServer(const BoundedHttpServer&) = delete;
  BoundedHttpServer& operator=(const BoundedHttpServer&) = delete;

  // Binds `host` (an address or a name that resolves to one) and starts the server thread. Throws
  // std::runtime_error naming the address when it cannot. Called once.
  void start(const std::string& host, uint16_t port);
  // The port bound (the one the OS chose when start() was given 0).
  uint16_t port() const;
  // Closes the listener and every connection and joins the server thread. Idempotent.
  void stop() noexcept;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamhost::http_server

// The bounded HTTP server (the admin endpoint's transport) against handlers that misbehave, over
// real sockets on 127.0.0.1: one that drops its responder without answering, one whose refusal
// answer throws. The handlers are the test's own, since the admin endpoint's do neither on demand.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <streamhost/http_server/bounded_http_server.hpp>
#include <streamhost/testing/loopback_socket.hpp>
#include <string>
#include <vector>

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;
using http_server::BoundedHttpServer;
using http_server::HttpHandlers;
using http_server::HttpRequest;
using http_server::HttpResponder;
using http_server::HttpResponse;

// Sends `request` on a fresh connection and reads until the server closes it (or 5 s of silence).
struct Exchange {
  std::string reply;
  bool closed = false;
};

Exchange exchange(uint16_t port, const std::string& request) {
  const int fd = streamhost::testing::connect_to_loopback(port, "http server callbacks test");
  Exchange result;
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  char buffer[4096];
  for (;;) {
    pollfd in{fd, POLLIN, 0};
    if (::poll(&in, 1, 5000) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      result.closed = true;
      break;
    }
    result.reply.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return result;
}

class HttpServerCallbacks : public ::testing::Test {
 protected:
  void start(HttpHandlers handlers) {
    handlers.on_error = [this](const std::string& what) {
      std::lock_guard lock(mutex_);
      errors_.push_back(what);
    };
    http_server::HttpLimits limits;
    limits.request_timeout = 30s;  // far beyond the 5 s a reply is waited for
    server_ = std::make_unique<BoundedHttpServer>(limits, std::move(handlers));
    server_->start("127.0.0.1", 0);
  }

  std::vector<std::string> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }

  std::unique_ptr<BoundedHttpServer> server_;
  std::mutex mutex_;
  std::vector<std::string> errors_;
};

HttpResponse plain_refusal(int status, const std::string& reason) {
  return {status, "text/plain", reason, {}};
}

// A handler that lets its responder go unanswered: the client gets 500 and the connection closes
// at once, instead of the slot being held until request_timeout (30 s here).
TEST_F(HttpServerCallbacks, AResponderDroppedUnansweredAnswers500) {
  start({[](const HttpRequest&) { return false; },
         [](HttpRequest request, HttpResponder respond) {
           if (request.target == "/answered") respond({200, "text/plain", "yes", {}});
           // else: `respond` is destroyed here, never called
         },
         plain_refusal,
         {}});
  const Exchange dropped =
      exchange(server_->port(), "GET /dropped HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(dropped.reply.rfind("HTTP/1.1 500", 0), 0u) << dropped.reply;
  EXPECT_NE(dropped.reply.find("dropped without an answer"), std::string::npos) << dropped.reply;
  EXPECT_TRUE(dropped.closed);
  const Exchange answered = exchange(
      server_->port(), "GET /answered HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answered.reply.rfind("HTTP/1.1 200", 0), 0u) << answered.reply;
}

// A refusal handler that throws: the refusal still goes out (plain text), the failure is reported,
// and the server thread (and this process) goes on serving.
TEST_F(HttpServerCallbacks, AThrowingRefusalHandlerIsReportedAndTheServerGoesOn) {
  start({[](const HttpRequest&) { return false; },
         [](HttpRequest, HttpResponder respond) {
           respond({200, "text/plain", "ok", {}});
         },
         [](int, const std::string&) -> HttpResponse { throw std::runtime_error("refusal broke"); },
         {}});
  const Exchange refused = exchange(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(refused.reply.rfind("HTTP/1.1 400", 0), 0u) << refused.reply;
  EXPECT_TRUE(refused.closed);
  const std::vector<std::string> reported = errors();
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_NE(reported[0].find("refusal broke"), std::string::npos) << reported[0];
  const Exchange next =
      exchange(server_->port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(next.reply.rfind("HTTP/1.1 200", 0), 0u) << next.reply;
}

}  // namespace
}  // namespace streamhost::host::testing

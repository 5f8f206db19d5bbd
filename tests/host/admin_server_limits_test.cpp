// The admin endpoint's limits against clients that try to exhaust it before any token check, over
// real sockets on 127.0.0.1: bytes trickled (slowloris), a 1 MiB head, a chunked body without end,
// a thousand idle connections, an idle connection. In each case the endpoint answers a normal
// request meanwhile, and this process (the server's) stays within a memory bound that holding
// what the clients send would break. The clients are written at the byte level: no real client
// misbehaves on demand.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <streamhost/testing/free_port.hpp>
#include <streamhost/testing/loopback_socket.hpp>
#include <streamhost/testing/peak_rss.hpp>
#include <string>
#include <thread>
#include <vector>

#include "admin/admin_server.hpp"
#include "runtime/inject.hpp"
#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using namespace std::chrono_literals;
using streamhost::testing::connect_to_loopback;
using streamhost::testing::kResidentSetIsMeaningful;
using streamhost::testing::PeakRss;

constexpr const char* kToken = "limits-test-token-0123456789";

// A client socket whose sends give up after 5 s, so a server that stops reading fails the test
// instead of hanging it.
int client_socket(int port) {
  const int fd = connect_to_loopback(port, "admin limits test");
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

struct Received {
  std::string bytes;
  bool closed = false;  // the server closed the connection (else nothing came for `quiet`)
};

// Reads until the server closes the connection or nothing arrives for `quiet`.
Received read_until_closed(int fd, std::chrono::milliseconds quiet = 5s) {
  Received received;
  char buffer[4096];
  for (;;) {
    pollfd in{fd, POLLIN, 0};
    if (::poll(&in, 1, static_cast<int>(quiet.count())) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      received.closed = true;
      break;
    }
    received.bytes.append(buffer, static_cast<size_t>(n));
  }
  return received;
}

// Whether the server has closed `fd` (an end of stream or a reset is waiting), without blocking.
bool closed_by_server(int fd) {
  pollfd in{fd, POLLIN, 0};
  if (::poll(&in, 1, 0) <= 0) return false;
  char byte;
  const ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

std::string chunk_of(size_t size, char fill) {
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", size);
  return size_line + std::string(size, fill) + "\r\n";
}

struct OpenSockets {
  std::vector<int> fds;
  ~OpenSockets() {
    for (int fd : fds) ::close(fd);
  }
};

class AdminServerLimits : public ::testing::Test {
 protected:
  void start(admin::HttpLimits limits) {
    port_ = static_cast<uint16_t>(streamhost::testing::free_loopback_port());
    admin::AdminOptions options;
    options.port = port_;
    options.testing = true;
    options.token = kToken;
    options.limits = limits;
    admin::PipelineInfo info;
    info.name = "limits";
    info.redacted_config_json = "{}";
    api_ = std::make_unique<admin::ManagementApi>(
        info, admin::PipelineAccess{[] { return runtime::PipelineStatus{}; },
                                    {},
                                    [this](const std::optional<std::string>&) {
                                      ++pauses_;
                                      return true;
                                    },
                                    [](const std::optional<std::string>&) { return true; }});
    server_ = std::make_unique<admin::AdminServer>(
        options, registry_, [] { return admin::ReadinessReport{}; }, &injector_);
    server_->set_management(api_.get());
    server_->start();
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  // What a probe gets for GET /healthz on a fresh connection.
  std::string probe() const {
    const int fd = client_socket(port_);
    send_all(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    std::string reply = read_until_closed(fd).bytes;
    ::close(fd);
    return reply;
  }

  void expect_probe_answered() const {
    const std::string reply = probe();
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << "the endpoint stopped answering: " << reply;
    EXPECT_NE(reply.find(R"({"status":"alive"})"), std::string::npos) << reply;
  }

  TestPluginInstance plugin_{[](const sp::Record&, sp::Emitter&) { return sp::Outcome::ok(); }};
  std::vector<runtime::Route> routes_{plugin_.route("entry", "entry-topic", "out")};
  runtime::Injector injector_{routes_};
  metrics::Registry registry_;
  std::unique_ptr<admin::ManagementApi> api_;
  std::unique_ptr<admin::AdminServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> pauses_{0};
};

// 100 clients each send the start of a head, then one byte every 50 ms: none ever completes it.
// Past the cap (64) new ones displace the oldest; the rest are cut at request_timeout (1 s here),
// long before their trickle would have ended (6 s).
TEST_F(AdminServerLimits, TrickledHeadsAreCutAtTheRequestDeadline) {
  admin::HttpLimits limits;
  limits.request_timeout = 1s;
  start(limits);
  PeakRss rss;
  OpenSockets clients;
  for (int i = 0; i < 100; ++i) {
    clients.fds.push_back(client_socket(port_));
    send_all(clients.fds.back(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  }
  std::vector<bool> cut(clients.fds.size(), false);
  size_t still_open = clients.fds.size();
  bool probed = false;
  const auto trickle_ends = std::chrono::steady_clock::now() + 6s;
  while (still_open > 0 && std::chrono::steady_clock::now() < trickle_ends) {
    for (size_t i = 0; i < clients.fds.size(); ++i) {
      if (cut[i]) continue;
      if (closed_by_server(clients.fds[i]) ||
          ::send(clients.fds[i], "a", 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
        cut[i] = true;
        --still_open;
      }
    }
    if (!probed) {
      expect_probe_answered();  // while all of them are still trickling
      probed = true;
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(still_open, 0u) << "trickling clients outlived the request deadline";
  expect_probe_answered();
  const size_t growth = rss.growth();
  RecordProperty("peak_rss_growth_bytes", std::to_string(growth));
  if (kResidentSetIsMeaningful) {
    EXPECT_LT(growth, size_t{16} << 20);
  }
}

// 32 clients at once each send a 1 MiB head (cpprestsdk's listener held each whole: 32 MiB). The
// server reads 16 KiB of each, answers 431 and drops the rest as it arrives.
TEST_F(AdminServerLimits, AOneMebibyteHeadIsRefusedWithoutBeingHeld) {
  start({});
  PeakRss rss;
  OpenSockets clients;
  const std::string huge_header = "X-Big: " + std::string(size_t{1} << 20, 'a') + "\r\n\r\n";
  for (int i = 0; i < 32; ++i) {
    clients.fds.push_back(client_socket(port_));
    ASSERT_TRUE(send_all(clients.fds.back(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    // All of it goes: the server keeps reading (and dropping) after its answer.
    EXPECT_TRUE(send_all(clients.fds.back(), huge_header)) << "client " << i;
  }
  expect_probe_answered();
  for (int fd : clients.fds) {
    const std::string reply = read_until_closed(fd).bytes;
    EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply.substr(0, 200);
    EXPECT_NE(reply.find("exceeds 16384 bytes"), std::string::npos) << reply.substr(0, 400);
  }
  const size_t growth = rss.growth();
  RecordProperty("peak_rss_growth_bytes", std::to_string(growth));
  if (kResidentSetIsMeaningful) {
    EXPECT_LT(growth, size_t{16} << 20) << "the server held the heads";
  }
}

// Sends chunks to `path` for up to 10 s without reading any answer; returns whether the server
// closed the connection before that (a send failed).
bool send_chunks_until_cut(int port, const std::string& path, const std::string& authorization) {
  const int fd = client_socket(port);
  std::string head = "POST " + path +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n";
  if (!authorization.empty()) head += "Authorization: " + authorization + "\r\n";
  head += "\r\n";
  bool cut = !send_all(fd, head);
  const std::string chunk = chunk_of(64 * 1024, '[');
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!cut && std::chrono::steady_clock::now() < give_up) cut = !send_all(fd, chunk);
  ::close(fd);
  return cut;
}

// A chunked body never ends, and its sender never reads the answer. Without the token it is
// answered 401 from the head alone and pauses nothing; with it, an inject reads 4 MiB and answers
// 413. Either way the body is dropped as it arrives and the connection closed at request_timeout.
TEST_F(AdminServerLimits, AnEndlessChunkedBodyIsDroppedAndCutOff) {
  admin::HttpLimits limits;
  limits.request_timeout = 1s;
  start(limits);
  PeakRss rss;
  std::atomic<bool> pause_cut{false}, inject_cut{false};
  std::thread unauthorized(
      [&] { pause_cut = send_chunks_until_cut(port_, "/pipeline/pause", ""); });
  std::thread authorized([&] {
    inject_cut = send_chunks_until_cut(port_, "/inject/entry", std::string("Bearer ") + kToken);
  });
  std::this_thread::sleep_for(200ms);
  expect_probe_answered();  // while both bodies pour in
  unauthorized.join();
  authorized.join();
  EXPECT_TRUE(pause_cut) << "an endless body without the token was read for 10 s";
  EXPECT_TRUE(inject_cut) << "an endless inject body was read for 10 s";
  EXPECT_EQ(pauses_, 0) << "a request without the token reached the pipeline";
  expect_probe_answered();
  const size_t growth = rss.growth();
  RecordProperty("peak_rss_growth_bytes", std::to_string(growth));
  if (kResidentSetIsMeaningful) {
    EXPECT_LT(growth, size_t{32} << 20) << "the server held a body";
  }
}

// Makes sure this process may open `needed` descriptors (the machine's soft limit may be 1024).
void raise_open_file_limit(rlim_t needed) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur >= needed) return;
  ASSERT_GE(limit.rlim_max, needed) << "the hard open-file limit (ulimit -Hn) is below " << needed;
  limit.rlim_cur = needed;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
}

// A thousand connections that never send a byte. The server keeps at most max_connections (64)
// of them, each new one displacing the oldest idle one, so a probe still gets in and answered.
TEST_F(AdminServerLimits, AThousandIdleConnectionsDoNotLockOutAProbe) {
  raise_open_file_limit(1400);  // 1,000 clients, up to 64 server sides, the test's own
  start({});
  PeakRss rss;
  OpenSockets idle;
  for (int i = 0; i < 1000; ++i) idle.fds.push_back(client_socket(port_));
  expect_probe_answered();
  // The probe came after all of them (one backlog, in order): every one has been accepted, and
  // all but the newest 63 displaced.
  size_t closed = 0;
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  do {
    closed = 0;
    for (int fd : idle.fds) closed += closed_by_server(fd) ? 1 : 0;
  } while (closed < 1000 - 64 && std::chrono::steady_clock::now() < give_up &&
           (std::this_thread::sleep_for(20ms), true));
  EXPECT_GE(closed, 1000u - 64u) << "the server held more connections than its cap";
  const size_t growth = rss.growth();
  RecordProperty("peak_rss_growth_bytes", std::to_string(growth));
  if (kResidentSetIsMeaningful) {
    EXPECT_LT(growth, size_t{16} << 20);
  }
}

// A connection kept alive serves several requests, then is closed once idle_timeout passes with
// no new request.
TEST_F(AdminServerLimits, AKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  admin::HttpLimits limits;
  limits.idle_timeout = 300ms;
  start(limits);
  const int fd = client_socket(port_);
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_TRUE(send_all(fd, request + request));  // two, pipelined
  const Received received = read_until_closed(fd);
  ::close(fd);
  const std::string& replies = received.bytes;
  size_t answers = 0;
  for (size_t at = replies.find("HTTP/1.1 200"); at != std::string::npos;
       at = replies.find("HTTP/1.1 200", at + 1)) {
    ++answers;
  }
  EXPECT_EQ(answers, 2u) << replies;
  EXPECT_TRUE(received.closed) << "the idle connection was still open after 5 s of silence";
}

// A client that pipelines requests and never reads its answers, on a socket whose receive buffer
// is small: it sends, without blocking, until its send buffer and the server's receive buffer are
// full (the server reads no further request while an answer is unwritten), or 8 MiB are sent.
// That is thousands of requests: far more answers than the buffers between it and the server
// hold, so the server's write of one of them stalls.
int non_reading_pipeliner(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr = streamhost::testing::loopback_address(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fd;
  std::string requests;
  for (int i = 0; i < 1000; ++i) requests += "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  size_t sent_total = 0;
  while (sent_total < (size_t{8} << 20)) {
    const ssize_t n = ::send(fd, requests.data(), requests.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) break;  // full, or closed by the server
    sent_total += static_cast<size_t>(n);
  }
  return fd;
}

// 70 clients pipeline requests and never read: past the cap (8 here) every slot is a connection
// whose answer cannot be written. A stalled write (200 ms here) makes its connection displaceable,
// so a probe gets in and is answered long before request_timeout (30 s here) would free a slot.
TEST_F(AdminServerLimits, ClientsThatNeverReadDoNotLockOutAProbe) {
  // /metrics a few KiB long, so each stalled connection's buffers fill fast.
  for (int i = 0; i < 2000; ++i) {
    registry_.counter("limits_test_padding_" + std::to_string(i), "padding for a longer /metrics")
        .inc();
  }
  admin::HttpLimits limits;
  limits.write_stall_timeout = 200ms;
  limits.request_timeout = 30s;
  // A cap of 8, not 64: every slot's answer stalls once the kernel buffers between it and its
  // client are full (up to 4 MiB each on Linux), and filling 64 of them would take the server
  // seconds of rendering /metrics. The 70 clients still pass the cap many times over.
  limits.max_connections = 8;
  start(limits);
  OpenSockets pipeliners;
  for (int i = 0; i < 70; ++i) pipeliners.fds.push_back(non_reading_pipeliner(port_));
  // Keep them sending until the server takes no byte from any of them for 500 ms: every slot is
  // then a connection whose answer cannot be written (the server reads whenever it waits for a
  // request), the state in which probes used to be refused for request_timeout.
  const auto settle_limit = std::chrono::steady_clock::now() + 10s;
  std::vector<pollfd> writable;
  for (int fd : pipeliners.fds) writable.push_back({fd, POLLOUT, 0});
  const std::string more = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  while (std::chrono::steady_clock::now() < settle_limit &&
         ::poll(writable.data(), writable.size(), 500) > 0) {
    for (auto& entry : writable) {
      if (entry.revents & (POLLERR | POLLHUP)) entry.fd = -1;  // closed: poll ignores it now
      if (entry.fd >= 0 && (entry.revents & POLLOUT)) {
        while (::send(entry.fd, more.data(), more.size(), MSG_NOSIGNAL | MSG_DONTWAIT) > 0) {
        }
      }
    }
  }
  // A probe refused at the cap is closed at once; kubelet would try again, and so does this one,
  // for a quarter of the time a stalled connection would otherwise hold its slot.
  std::string reply;
  const auto give_up = std::chrono::steady_clock::now() + 7500ms;
  do {
    reply = probe();
  } while (reply.rfind("HTTP/1.1 200", 0) != 0 && std::chrono::steady_clock::now() < give_up &&
           (std::this_thread::sleep_for(50ms), true));
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << "no probe got in: " << reply;
  // Their answers sit unread, so an end of stream is not next to read: ask for the hang-up itself.
  size_t closed = 0;
  for (int fd : pipeliners.fds) {
    pollfd hangup{fd, POLLRDHUP, 0};
    closed +=
        ::poll(&hangup, 1, 0) > 0 && (hangup.revents & (POLLRDHUP | POLLHUP | POLLERR)) ? 1 : 0;
  }
  EXPECT_GE(closed, 1u) << "no stalled connection was displaced";
}

// HEAD is answered as GET is, without the body, and the connection stays usable: the next
// answer on it starts right where the previous head ended.
TEST_F(AdminServerLimits, HeadIsAnsweredWithoutABodyOnAKeptAliveConnection) {
  start({});
  const int fd = client_socket(port_);
  ASSERT_TRUE(send_all(fd,
                       "HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                       "HEAD /no-such-endpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                       "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  const Received received = read_until_closed(fd);
  ::close(fd);
  const std::string& replies = received.bytes;
  ASSERT_EQ(replies.rfind("HTTP/1.1 200", 0), 0u) << replies;
  const size_t first_end = replies.find("\r\n\r\n");
  ASSERT_NE(first_end, std::string::npos) << replies;
  const std::string first_head = replies.substr(0, first_end);
  EXPECT_NE(first_head.find("Content-Length: 18"), std::string::npos) << first_head;
  const size_t second = first_end + 4;
  ASSERT_EQ(replies.compare(second, 12, "HTTP/1.1 404"), 0) << replies;
  const size_t second_end = replies.find("\r\n\r\n", second);
  ASSERT_NE(second_end, std::string::npos) << replies;
  ASSERT_EQ(replies.compare(second_end + 4, 12, "HTTP/1.1 200"), 0) << replies;
  EXPECT_EQ(replies.substr(replies.size() - 18), R"({"status":"alive"})") << replies;
  EXPECT_TRUE(received.closed);
}

// A Transfer-Encoding that does not end in chunked (once) leaves a body's length to guesswork, the
// stuff of request smuggling: 400, and the connection closes.
TEST_F(AdminServerLimits, ATransferEncodingNotEndingInChunkedIsRefused) {
  start({});
  for (const char* codings : {"chunked, gzip", "gzip", "chunked, chunked", "identity",
                              "chunked\r\nTransfer-Encoding: gzip"}) {
    const int fd = client_socket(port_);
    send_all(fd, std::string("POST /inject/entry HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                             "Bearer ") +
                     kToken + "\r\nTransfer-Encoding: " + codings +
                     "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    const Received received = read_until_closed(fd);
    ::close(fd);
    EXPECT_EQ(received.bytes.rfind("HTTP/1.1 400", 0), 0u) << codings << ": " << received.bytes;
    EXPECT_TRUE(received.closed) << codings;
  }
  expect_probe_answered();
}

// 16 KiB of head could carry thousands of tiny headers: past 100, 431.
TEST_F(AdminServerLimits, MoreThanAHundredHeadersAreRefused) {
  start({});
  auto with_headers = [](int count) {
    std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (int i = 0; i < count; ++i) request += "X-" + std::to_string(i) + ": v\r\n";
    return request + "\r\n";
  };
  int fd = client_socket(port_);
  send_all(fd, with_headers(200));
  Received received = read_until_closed(fd);
  ::close(fd);
  EXPECT_EQ(received.bytes.rfind("HTTP/1.1 431", 0), 0u) << received.bytes;
  EXPECT_TRUE(received.closed);
  fd = client_socket(port_);
  send_all(fd, with_headers(90));  // 92 with Host and Connection
  received = read_until_closed(fd);
  ::close(fd);
  EXPECT_EQ(received.bytes.rfind("HTTP/1.1 200", 0), 0u) << received.bytes;
}

// POSTs refused for their token are logged at most once a second, a wrong token as wrong (not as
// missing), and the next line counts the ones not logged in between.
TEST_F(AdminServerLimits, TokenRefusalsAreLoggedAtMostOnceASecond) {
  start({});
  auto post = [this](const std::string& authorization) {
    const int fd = client_socket(port_);
    send_all(fd, "POST /pipeline/pause HTTP/1.1\r\nHost: 127.0.0.1\r\n" + authorization +
                     "Content-Length: 0\r\nConnection: close\r\n\r\n");
    const std::string reply = read_until_closed(fd).bytes;
    ::close(fd);
    return reply;
  };
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(post("Authorization: Bearer not-the-token-0123456789\r\n").rfind("HTTP/1.1 401", 0),
              0u);
  }
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(post("").rfind("HTTP/1.1 401", 0), 0u);
  const std::string log = ::testing::internal::GetCapturedStderr();
  auto count = [&log](const std::string& what) {
    size_t found = 0;
    for (size_t at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++found;
    return found;
  };
  EXPECT_EQ(count("refused a request"), 2u) << log;
  EXPECT_EQ(count("refused a request with a wrong admin token"), 1u) << log;
  EXPECT_EQ(count("refused a request without the admin token"), 1u) << log;
  EXPECT_NE(log.find("refusals_not_logged=4"), std::string::npos) << log;
  EXPECT_EQ(log.find("not-the-token"), std::string::npos) << "a token was logged: " << log;
  EXPECT_EQ(pauses_.load(), 0);
}

}  // namespace
}  // namespace streamhost::host::testing

// A peer that sends an HTTP body without end, chunked (no Content-Length to check up front), for
// the body limits of every HTTP read. No real server or client can be made to do this on demand.
//
// EndlessReplyServer answers every request with such a reply, until the client closes the
// connection, and counts what it sent: a client that keeps reading past its limit lets it send
// up to its cap. post_chunked() posts a chunked body of a given size (a server cannot answer
// before it has read the request).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include "streamhost/testing/loopback_socket.hpp"

namespace streamhost::testing {

namespace endless_detail {

inline bool send_all(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Sends 64 KiB chunks of `[` (the start of a JSON document nested without end) until the peer
// closes, a write stalls for `stall` (the peer stopped reading and its buffers are full), `cap`
// bytes were sent or, with `until_answer`, the peer has sent something. Returns the body bytes
// sent.
inline size_t send_chunks(int fd, size_t cap, std::chrono::milliseconds stall, bool until_answer) {
  const std::string payload(64 * 1024, '[');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", payload.size());
  const std::string chunk = size_line + payload + "\r\n";
  size_t sent = 0;
  while (sent < cap) {
    pollfd in{fd, POLLIN, 0};
    if (until_answer && ::poll(&in, 1, 0) > 0) break;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(stall.count())) <= 0 || (p.revents & POLLOUT) == 0) break;
    if (!send_all(fd, chunk)) break;
    sent += payload.size();
  }
  return sent;
}

}  // namespace endless_detail

class EndlessReplyServer {
 public:
  explicit EndlessReplyServer(size_t cap = 512u << 20) : cap_(cap) {
    listen_fd_ = listen_on_loopback(port_, 4, "EndlessReplyServer");
    thread_ = std::thread([this] { serve(); });
  }
  ~EndlessReplyServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Body bytes sent over every connection so far; final once replies_ended() counts them all.
  size_t body_bytes_sent() const { return sent_; }
  // The number of replies that ended (the client closed, or the cap or a stall was reached).
  int replies_ended() const { return ended_; }
  // Waits up to `limit` for `n` replies to have ended; whether they did.
  bool wait_for_replies_ended(int n, std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (ended_ < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return ended_ >= n;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      char head[8192];
      [[maybe_unused]] ssize_t ignored = ::recv(fd, head, sizeof head, 0);  // the request
      if (endless_detail::send_all(fd,
                                   "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n")) {
        sent_ += endless_detail::send_chunks(fd, cap_, std::chrono::seconds(10), false);
      }
      ::close(fd);
      ++ended_;
    }
  }

  size_t cap_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> sent_{0};
  std::atomic<int> ended_{0};
  std::thread thread_;
};

struct ChunkedRequestResult {
  size_t body_bytes_sent = 0;
  std::string reply;  // what the server answered, possibly empty
};

// POSTs a chunked body of `total` bytes to 127.0.0.1:`port` at `path`, unless the server answers
// or closes first, then reads the server's answer.
inline ChunkedRequestResult post_chunked(int port, const std::string& path, size_t total) {
  ChunkedRequestResult result;
  const int fd = connect_to_loopback(port, "post_chunked");
  const std::string head = "POST " + path +
                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n";
  if (endless_detail::send_all(fd, head)) {
    result.body_bytes_sent = endless_detail::send_chunks(fd, total, std::chrono::seconds(10), true);
    if (result.body_bytes_sent >= total) endless_detail::send_all(fd, "0\r\n\r\n");
  }
  char buffer[4096];
  for (;;) {
    pollfd in{fd, POLLIN, 0};
    if (::poll(&in, 1, 5000) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    result.reply.append(buffer, static_cast<size_t>(n));
    // Done once the head and as many bytes as its Content-Length are in.
    const size_t head_end = result.reply.find("\r\n\r\n");
    const size_t length_at = result.reply.find("Content-Length: ");
    if (head_end != std::string::npos && length_at != std::string::npos && length_at < head_end &&
        result.reply.size() >= head_end + 4 + std::stoul(result.reply.substr(length_at + 16))) {
      break;
    }
  }
  ::close(fd);
  return result;
}

}  // namespace streamhost::testing

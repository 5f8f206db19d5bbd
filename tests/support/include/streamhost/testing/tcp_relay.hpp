// A loopback TCP relay in front of a real server, for what the server cannot be made to do on
// demand without stopping it for every other test: freeze() stops moving bytes in both directions
// while keeping every connection open, as a stopped process (SIGSTOP) or a network partition does
// to its peers; thaw() moves them again. Not a stand-in: the bytes are the real server's.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "streamhost/testing/loopback_socket.hpp"

namespace streamhost::testing {

class TcpRelay {
 public:
  explicit TcpRelay(int target_port) : target_port_(target_port) {
    listen_fd_ = listen_on_loopback(port_, 16, "TcpRelay");
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~TcpRelay() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    accept_thread_.join();
    ::close(listen_fd_);
    std::lock_guard lock(mutex_);
    for (auto& t : pumps_) t.join();
  }

  int port() const { return port_; }
  void freeze() { frozen_ = true; }
  void thaw() { frozen_ = false; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) continue;
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr = loopback_address(target_port_);
      if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(client);
        if (server >= 0) ::close(server);
        continue;
      }
      std::lock_guard lock(mutex_);
      pumps_.emplace_back([this, client, server] { pump(client, server); });
    }
  }

  // Copies bytes both ways until either side closes or the relay stops; holds them while frozen.
  void pump(int a, int b) {
    char buffer[16384];
    while (!stop_) {
      if (frozen_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      bool closed = false;
      for (int i = 0; i < 2 && !closed; ++i) {
        if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const ssize_t n = ::read(p[i].fd, buffer, sizeof buffer);
        closed = n <= 0 || !write_all(p[1 - i].fd, buffer, static_cast<size_t>(n));
      }
      if (closed) break;
    }
    ::close(a);
    ::close(b);
  }

  static bool write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
      const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);  // no SIGPIPE
      if (n <= 0) return false;
      data += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> frozen_{false};
  std::mutex mutex_;
  std::vector<std::thread> pumps_;
  std::thread accept_thread_;
};

}  // namespace streamhost::testing

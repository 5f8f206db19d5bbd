// Plain sockets on 127.0.0.1 for the test peers written at the byte level (a relay, an endless
// body), where no real server can be made to do what a test needs.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace streamhost::testing {

inline sockaddr_in loopback_address(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

// A socket listening on a free loopback port; `port` receives the port. Throws naming `who`.
inline int listen_on_loopback(int& port, int backlog, const std::string& who) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback_address(0);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(who + ": cannot listen on loopback");
  }
  port = ntohs(addr.sin_port);
  return fd;
}

// A socket connected to 127.0.0.1:`port`. Throws naming `who`.
inline int connect_to_loopback(int port, const std::string& who) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback_address(port);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(who + ": cannot connect to port " + std::to_string(port));
  }
  return fd;
}

}  // namespace streamhost::testing

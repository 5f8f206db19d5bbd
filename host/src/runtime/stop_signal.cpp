#include "runtime/stop_signal.hpp"

#include <csignal>

namespace streamhost::host::runtime {
namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) {
  g_stop = 1;
}

}  // namespace

void install_stop_signal_handlers() {
  g_stop = 0;
  struct sigaction action {};
  action.sa_handler = &on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

bool stop_signal_received() {
  return g_stop != 0;
}

}  // namespace streamhost::host::runtime

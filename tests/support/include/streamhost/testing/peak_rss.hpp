// Samples this process's resident set every few milliseconds on a thread of its own and keeps the
// highest, for tests that bound the memory an operation takes while it runs (freed memory may
// go back to the system before the operation ends, so a before/after difference can miss it).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace streamhost::testing {

// ASan keeps freed memory in quarantine and TSan maps shadow memory: under them the resident set
// says little about what the code under test holds.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kResidentSetIsMeaningful = false;
#else
inline constexpr bool kResidentSetIsMeaningful = true;
#endif

inline size_t resident_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(resident) * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

class PeakRss {
 public:
  PeakRss() : start_(resident_bytes()), peak_(start_) {
    thread_ = std::thread([this] {
      while (!stop_) {
        size_t now = resident_bytes();
        size_t seen = peak_.load();
        while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  ~PeakRss() { stop(); }
  PeakRss(const PeakRss&) = delete;
  PeakRss& operator=(const PeakRss&) = delete;

  // The highest resident set seen above the one at construction, in bytes.
  size_t growth() {
    stop();
    return peak_.load() - std::min(start_, peak_.load());
  }

 private:
  void stop() {
    if (thread_.joinable()) {
      stop_ = true;
      thread_.join();
    }
  }

  size_t start_;
  std::atomic<size_t> peak_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace streamhost::testing

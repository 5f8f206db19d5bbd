// Whether the REST proxy still answers the poll thread: when the last poll succeeded, and which
// call to the Source (poll, commit, seek, ...) is waiting for an answer and since when.
//
// A frozen proxy (a stopped process, a full accept queue, a dead peer behind a load balancer)
// fails nothing: its connections are accepted and its answers never come, so each call just waits
// for the connector's request timeout. Errors cannot show that; the age of the waiting call can.
//
// Threads: the poll thread calls begin() and polled(); any thread may call read().
#pragma once

#include <atomic>
#include <chrono>
#include <optional>

namespace streamhost::host::runtime {

class SourceCallWatch {
 public:
  struct Reading {
    // Real time since the last poll that returned without an error; since start-up before one.
    std::chrono::steady_clock::duration since_poll_ok{};
    bool polled_ok = false;  // a poll has succeeded since start-up
    // The call waiting for the proxy ("poll", "commit", ...) and for how long; nullptr when none.
    const char* waiting_call = nullptr;
    std::chrono::steady_clock::duration waiting_for{};
  };

  // Marks one call as waiting until the guard goes out of scope. `call` must be a string literal.
  class Call {
   public:
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;
    ~Call() { watch_.started_.store(0); }

   private:
    friend class SourceCallWatch;
    explicit Call(SourceCallWatch& watch) : watch_(watch) {}
    SourceCallWatch& watch_;
  };

  [[nodiscard]] Call begin(const char* call);
  void polled();  // a poll returned without an error
  Reading read() const;

 private:
  static std::chrono::steady_clock::rep now_rep();

  const std::chrono::steady_clock::rep created_ = now_rep();
  std::atomic<std::chrono::steady_clock::rep> last_poll_ok_{0};  // 0: none yet
  std::atomic<std::chrono::steady_clock::rep> started_{0};       // 0: no call waiting
  std::atomic<const char*> call_{nullptr};
};

}  // namespace streamhost::host::runtime

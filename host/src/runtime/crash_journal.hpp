// Crash containment: which records were in handlers when a handler crashed the process, kept in a
// state directory across restarts, so that a record that keeps crashing the host is dead-lettered
// instead of stopping its partition for good (docs/runtime.md, "Crash containment").
//
// While the host runs, each worker publishes the record it hands to a handler in a slot of its own
// (a seqlock of atomics: no lock, no allocation) and clears it when the call returns. On SIGSEGV,
// SIGBUS, SIGFPE, SIGILL or SIGABRT the signal handler formats the busy slots into a buffer
// allocated at start and appends it to <state_dir>/crash-journal with open, write and close only,
// then restores the signal's default action and raises it again, so the process still ends by
// that signal and a supervisor sees the crash. When several workers crash at once, the first writes
// the crash with every busy slot and each later one appends its own record (see on_crash_signal).
// On the next start the journal is read, logged and folded into per-record totals; a record whose
// handler crashed the host `max_crashes` times is then dead-lettered without calling the handler.
//
// Threads: the constructor, bind_routes and install_signal_handlers run on one thread before any
// worker starts; attach_worker, detach_worker, enter and leave on worker `slot`'s own thread only
// (WorkerAttachment pairs the first two); quarantined from any thread (the totals never change
// after construction).
#pragma once

#include <signal.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <streamhost/connector/record.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "runtime/crash_history.hpp"
#include "runtime/route.hpp"

namespace streamhost::host::runtime {

class CrashJournal {
 public:
  static constexpr const char* kFileName = "crash-journal";
  static constexpr int kDefaultMaxCrashes = 2;

  // Reads <state_dir>/crash-journal as earlier runs left it, logs every crash found there once,
  // and rewrites the file with the folded totals (which also proves the folder writable). Throws
  // std::runtime_error naming state_dir and the cause when the folder is missing or the file cannot
  // be read or written; a rewrite that fails part-way (a full disk) leaves the old file as it was.
  // Maps one alternate signal stack per slot (a guard page below each), or throws when it cannot.
  // `workers` is the number of slots; `max_crashes` >= 1.
  CrashJournal(const std::string& state_dir, int max_crashes, size_t workers);
  // Uninstalls the signal handlers (the previous actions come back) and unmaps the alternate
  // stacks; every attached worker must have detached (its thread joined) by then.
  ~CrashJournal();
  CrashJournal(const CrashJournal&) = delete;
  CrashJournal& operator=(const CrashJournal&) = delete;

  // Renders each route's names for the signal handler. `routes` must outlive every enter() call.
  void bind_routes(const std::vector<Route>& routes);
  // Installs the crash signal handlers, process-wide; one journal at a time. Throws
  // std::logic_error when another journal is installed.
  void install_signal_handlers();

  // On worker `slot`'s thread when it starts: its thread id (to tell the crashing thread's record
  // from the others) and the slot's alternate signal stack (so a stack overflow is recorded too).
  void attach_worker(size_t slot) noexcept;
  // On the same thread before it ends: puts back the alternate stack it had before attach_worker.
  // Needed because a thread's exit (ASan's, for one) may unmap whatever alternate stack is
  // installed; ours are unmapped by the destructor instead.
  void detach_worker(size_t slot) noexcept;
  // Around each handler call on worker `slot`; `route` is one of the bound routes.
  void enter(size_t slot, const Route& route, int32_t partition, int64_t offset) noexcept;
  void leave(size_t slot) noexcept;

  // The record's totals when its handler crashed the host max_crashes times or more; nullptr
  // otherwise (the common case costs one emptiness check).
  const CrashedRecord* quarantined(const connector::ConsumedRecord& record) const;

  // What the signal handler does: appends one crash (`signal`, the busy slots) to the file.
  // Async-signal-safe. Public for the tests, which call it without crashing.
  void write_crash(int signal) noexcept;
  // What the signal handler does on a thread that crashed after another one had written the crash:
  // appends a crash of its own naming only the calling thread's record as the culprit.
  // Async-signal-safe.
  void write_own_crash(int signal) noexcept;

  int max_crashes() const { return max_crashes_; }
  const std::string& path() const { return path_; }

 private:
  struct AltStack {
    void* mapping = nullptr;  // guard page + stack, from mmap
    size_t mapped_bytes = 0;
    stack_t previous{};  // the attached thread's alternate stack before attach_worker
    bool attached = false;
  };
  struct alignas(64) Slot {
    std::atomic<uint32_t> seq{0};    // odd while the worker rewrites the fields below
    std::atomic<int32_t> route{-1};  // index into routes_, -1: no handler running
    std::atomic<int32_t> partition{0};
    std::atomic<int64_t> offset{0};
    std::atomic<int32_t> tid{0};  // the worker thread's kernel id, 0 until attached
  };
  // One route's names, rendered at bind time so the signal handler only copies bytes.
  struct RouteText {
    std::string topic;  // for the journal line, control characters replaced
    std::string names;  // "\t<route>\t<plugin>/<handler>\n"
    std::string log;    // " route=... handler=... topic=..." (logfmt, quoted)
  };
  using RecordKey = std::tuple<std::string, int32_t, int64_t>;

  void log_previous_crashes(const CrashHistory& history) const;
  int32_t route_index(const Route& route) const;
  size_t format_crash(int signal, bool own_only, char* out, size_t capacity) const noexcept;
  void append_crash(int signal, bool own_only) noexcept;
  size_t format_log_line(int signal, char* out, size_t capacity) const noexcept;

  std::string path_;
  int max_crashes_;
  std::unique_ptr<Slot[]> slots_;
  size_t slot_count_;
  const Route* routes_base_ = nullptr;
  std::vector<RouteText> route_text_;
  std::unique_ptr<char[]> buffer_;  // the signal handler's output, sized at bind time
  size_t buffer_size_ = 0;
  std::unique_ptr<AltStack[]> alt_stacks_;  // one per slot; only that worker's thread touches it
  std::map<RecordKey, CrashedRecord, std::less<>> quarantine_;
  bool installed_ = false;
  std::array<struct sigaction, 5> previous_{};
};

// Attaches the calling thread to `journal`'s slot for its lifetime and detaches it at scope exit
// (also when the thread's body throws). A null journal does nothing.
class WorkerAttachment {
 public:
  WorkerAttachment(CrashJournal* journal, size_t slot) : journal_(journal), slot_(slot) {
    if (journal_ != nullptr) journal_->attach_worker(slot_);
  }
  ~WorkerAttachment() {
    if (journal_ != nullptr) journal_->detach_worker(slot_);
  }
  WorkerAttachment(const WorkerAttachment&) = delete;
  WorkerAttachment& operator=(const WorkerAttachment&) = delete;

 private:
  CrashJournal* journal_;
  size_t slot_;
};

}  // namespace streamhost::host::runtime

// The crash journal's file, as text: what the crash signal handler appends when a handler crashes
// the host (runtime/crash_journal.hpp), and the per-record totals the next start folds it into.
// One line per record, tab-separated, so an operator can read it, and a damaged line (a crash
// inside the crash handler, an edit by hand) costs that line alone. The format is documented in
// docs/runtime.md ("Crash containment"); change both together.
//
//   crash      SIGSEGV 1765152000                      one crash, then the records in handlers:
//   culprit    SIGSEGV 1765152000 1 <topic> <partition> <offset> <route> <plugin/handler>
//   bystander  SIGSEGV 1765152000 0 <topic> <partition> <offset> <route> <plugin/handler>
//   total      SIGSEGV 1765152000 2 <topic> <partition> <offset> <route> <plugin/handler>
//
// A culprit's handler was running on the thread the signal hit; a bystander's on another worker
// (recorded, never counted). `total` lines are the folded counts (crashes so far, the last crash's
// signal and time). Lines starting with '#' are comments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::host::runtime {

// The most of the file the host reads; the rest is ignored with a warning. A line is at most about
// 900 bytes (a topic of 249, names of 255), so the folded file's kMaxCrashedRecords lines plus one
// crash of 256 workers stay well below it.
inline constexpr size_t kMaxJournalBytes = size_t{4} << 20;
inline constexpr size_t kMaxJournalLineBytes = 4096;
inline constexpr size_t kMaxCrashedRecords = 1000;
// A route's or plugin/handler's name in the file; the signal handler writes at most this much.
inline constexpr size_t kMaxJournalNameBytes = 255;

struct CrashedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t crashes = 0;  // times its handler crashed the host (0 for a bystander)
  std::string signal;   // of the last crash, e.g. "SIGSEGV"
  int64_t time = 0;     // of the last crash, seconds since the epoch
  std::string route;    // as the crashed run's manifest named it
  std::string handler;  // "plugin/handler"
};

// One crash as the signal handler wrote it.
struct CrashEvent {
  std::string signal;
  int64_t time = 0;
  std::vector<CrashedRecord> culprits;    // at most one: the handler on the crashing thread
  std::vector<CrashedRecord> bystanders;  // in handlers on other workers at that moment
};

struct CrashHistory {
  std::vector<CrashEvent> new_crashes;  // written since the file was last folded, oldest first
  // Per record (topic, partition, offset): the folded totals plus the new culprits, most recent
  // crash first.
  std::vector<CrashedRecord> totals;
  std::vector<std::string> warnings;  // lines skipped, each with its line number and why
};

// Reads the file's text (at most kMaxJournalBytes of it). Never throws on bad input: a line it
// cannot read is skipped and named in `warnings`.
CrashHistory parse_crash_journal(std::string_view text);

// The folded file: a header comment and one `total` line per record of `totals`, the `keep` most
// recent (by the time of their last crash) only.
std::string render_crash_totals(const std::vector<CrashedRecord>& totals,
                                size_t keep = kMaxCrashedRecords);

// The line kinds and the crash signals' names, shared with the signal handler's writer.
inline constexpr std::string_view kCrashLine = "crash";
inline constexpr std::string_view kCulpritLine = "culprit";
inline constexpr std::string_view kBystanderLine = "bystander";
inline constexpr std::string_view kTotalLine = "total";

// "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL" or "SIGABRT"; nullptr for any other signal (the journal
// is written for these five only). Async-signal-safe.
const char* crash_signal_name(int signal);

}  // namespace streamhost::host::runtime

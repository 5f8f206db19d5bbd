#include "runtime/crash_journal.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "runtime/log.hpp"

namespace streamhost::host::runtime {
namespace {

constexpr std::array<int, 5> kCrashSignals = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
// Enough for the handler's own frame and the kernel's signal frame (AVX-512 state included).
constexpr size_t kAltStackBytes = 32 * 1024;
// The longest line besides the names: kind, signal, time, count, partition, offset, tabs.
constexpr size_t kLineOverhead = 128;

static_assert(std::atomic<int64_t>::is_always_lock_free &&
                  std::atomic<int32_t>::is_always_lock_free &&
                  std::atomic<uint32_t>::is_always_lock_free,
              "the crash signal handler reads the slots: their atomics must be lock-free");

std::atomic<CrashJournal*> g_journal{nullptr};
// The signal handler's state, all lock-free atomics (see on_crash_signal).
std::atomic<int32_t> g_first_tid{0};   // the thread that wrote the crash; 0: no crash yet
std::atomic<int32_t> g_writer_tid{0};  // the thread appending to the journal now; 0: nobody
std::atomic<int> g_inside{0};          // threads in the handler that have not written yet
// How long a crashing thread waits for another one (to finish writing, or to begin): bounded, in
// case that thread is stuck, so the process always ends.
constexpr long kWaitStepNanos = 1'000'000;  // 1 ms
constexpr int kMaxWaitSteps = 2000;         // 2 s

int32_t current_tid() noexcept {
  return static_cast<int32_t>(::syscall(SYS_gettid));
}

// Bytes safe in one tab-separated field of one line, at most kMaxJournalNameBytes of them.
std::string field_text(std::string_view text) {
  std::string out(text.substr(0, kMaxJournalNameBytes));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// A logfmt value as log.cpp writes it: quoted when it holds spaces, quotes, '=' or control bytes.
std::string log_value(std::string_view text) {
  std::string v = field_text(text);
  bool quote = v.empty();
  for (char c : v) quote = quote || c == ' ' || c == '"' || c == '=';
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Appends to a fixed buffer, silently dropping what does not fit. Async-signal-safe.
class Appender {
 public:
  Appender(char* out, size_t capacity) : out_(out), capacity_(capacity) {}
  Appender& text(std::string_view s) noexcept {
    const size_t n = s.size() < capacity_ - size_ ? s.size() : capacity_ - size_;
    std::memcpy(out_ + size_, s.data(), n);
    size_ += n;
    return *this;
  }
  Appender& number(int64_t value) noexcept {
    char digits[24];
    size_t n = 0;
    const bool negative = value < 0;
    uint64_t v = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    if (negative) digits[n++] = '-';
    char ordered[24];
    for (size_t i = 0; i < n; ++i) ordered[i] = digits[n - 1 - i];
    return text({ordered, n});
  }
  // Zero-padded to `width` digits, for the time stamp.
  Appender& padded(int64_t value, size_t width) noexcept {
    char digits[8];
    for (size_t i = width; i > 0; --i) {
      digits[i - 1] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    return text({digits, width});
  }
  size_t size() const noexcept { return size_; }

 private:
  char* out_;
  size_t capacity_;
  size_t size_ = 0;
};

// `seconds` since the epoch as 2026-01-01T10:00:00Z (Howard Hinnant's civil_from_days), for the
// log line's ts; the C library's formatting is not async-signal-safe.
void append_utc(Appender& out, int64_t seconds, int64_t millis) noexcept {
  int64_t days = seconds / 86400, rest = seconds % 86400;
  days += 719468;
  const int64_t era = days / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  out.padded(year, 4).text("-").padded(month, 2).text("-").padded(day, 2).text("T");
  out.padded(rest / 3600, 2).text(":").padded(rest / 60 % 60, 2).text(":").padded(rest % 60, 2);
  out.text(".").padded(millis, 3).text("Z");
}

// Writes all of `data` to `fd`, through partial writes and interruptions; false (errno set) when
// a write fails or writes nothing (a full disk). Async-signal-safe.
bool write_all(int fd, const char* data, size_t size) noexcept {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {
      errno = ENOSPC;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void sleep_one_step() noexcept {
  timespec step{0, kWaitStepNanos};
  ::nanosleep(&step, nullptr);
}

// The signal's default action, now: the process ends by the same signal, as it would have without
// this handler (SA_NODEFER lets the raised signal act inside the handler).
[[noreturn]] void die_by(int signal) noexcept {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ::sigaction(signal, &default_action, nullptr);
  ::raise(signal);
  ::_exit(128 + signal);  // only if the signal was blocked after all
}

// A signal sent by another process (`kill -SEGV`), not raised by a fault or by this process
// (abort() raises SIGABRT itself): no handler's record is to blame for it.
bool sent_from_outside(const siginfo_t* info) noexcept {
  return info != nullptr && info->si_code <= 0 && info->si_pid != ::getpid();
}

// Several workers may crash at once (the same bad input on two partitions). Each crashing thread
// is recorded: the first writes the crash with every busy slot, each later one a crash naming its
// own record; the appends are serialised by g_writer_tid, and no thread ends the process before
// every thread already in here has written (bounded waits, so a stuck writer cannot hang it). A
// thread that faults inside this handler (it finds its own id in g_writer_tid or g_first_tid) ends
// the process at once instead of recursing.
extern "C" void on_crash_signal(int signal, siginfo_t* info, void*) {
  const int saved_errno = errno;
  const int32_t tid = current_tid();
  if (g_writer_tid.load() == tid || g_first_tid.load() == tid) die_by(signal);
  if (sent_from_outside(info)) {
    static constexpr char kNote[] =
        "level=warn component=crash msg=\"crash signal sent by another process; not recorded in "
        "the crash journal\"\n";
    (void)write_all(STDERR_FILENO, kNote, sizeof kNote - 1);
    die_by(signal);
  }
  g_inside.fetch_add(1);
  int32_t expected = 0;
  for (int step = 0; step < kMaxWaitSteps; ++step, expected = 0) {
    if (g_writer_tid.compare_exchange_strong(expected, tid)) break;
    sleep_one_step();
  }
  if (g_writer_tid.load() == tid) {
    int32_t no_crash_yet = 0;
    CrashJournal* journal = g_journal.load();
    if (g_first_tid.compare_exchange_strong(no_crash_yet, tid)) {
      if (journal != nullptr) journal->write_crash(signal);
    } else if (journal != nullptr) {
      journal->write_own_crash(signal);
    }
    g_writer_tid.store(0);
  }
  g_inside.fetch_sub(1);
  for (int step = 0; step < kMaxWaitSteps && g_inside.load() > 0; ++step) sleep_one_step();
  errno = saved_errno;
  die_by(signal);
}

// One alternate signal stack, with an inaccessible guard page below it so an overflow of the stack
// itself faults instead of writing over the neighbouring memory.
void* map_alt_stack(size_t page, size_t bytes) {
  void* mapping = ::mmap(nullptr, page + bytes, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED) return nullptr;
  if (::mprotect(mapping, page, PROT_NONE) != 0) {
    ::munmap(mapping, page + bytes);
    return nullptr;
  }
  return mapping;
}

// Replaces the journal at `path` by `text` through a temporary file and a rename, so a crash or a
// full disk now leaves the old file or the new one, never a cut one; the folder is synced so the
// rename survives a power cut. Throws naming state_dir and the cause.
void replace_with_totals(const std::string& state_dir, const std::string& path,
                         const std::string& text) {
  const std::string temporary = path + ".tmp";
  auto fail = [&](const std::string& what, int error) {
    ::unlink(temporary.c_str());
    throw std::runtime_error("state_dir " + state_dir + ": cannot " + what + ": " +
                             strerror(error) + "; " + path + " is kept as it was");
  };
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("write " + temporary, errno);
  if (!write_all(fd, text.data(), text.size()) || ::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("write " + temporary, error);
  }
  if (::close(fd) != 0) fail("write " + temporary, errno);
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail("replace " + path, errno);
  const int dir = ::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);  // best effort: the new file is in place either way
    ::close(dir);
  }
}

}  // namespace

CrashJournal::CrashJournal(const std::string& state_dir, int max_crashes, size_t workers)
    : path_((std::filesystem::path(state_dir) / kFileName).string()),
      max_crashes_(max_crashes < 1 ? 1 : max_crashes),
      slots_(std::make_unique<Slot[]>(workers == 0 ? 1 : workers)),
      slot_count_(workers == 0 ? 1 : workers),
      alt_stacks_(std::make_unique<AltStack[]>(slot_count_)) {
  std::error_code ec;
  if (!std::filesystem::is_directory(state_dir, ec)) {
    throw std::runtime_error("state_dir " + state_dir + " is not a folder" +
                             (ec ? " (" + ec.message() + ")" : std::string()) +
                             ": create it, or remove state_dir to run without crash containment");
  }
  std::string text;
  if (std::filesystem::exists(path_, ec)) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw std::runtime_error("state_dir: cannot read " + path_ + ": " + strerror(errno));
    text.resize(kMaxJournalBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
  }
  CrashHistory history = parse_crash_journal(text);
  for (const std::string& w : history.warnings) {
    log::warn("crash", "crash journal: " + w, {{"file", path_}});
  }
  log_previous_crashes(history);

  replace_with_totals(state_dir, path_, render_crash_totals(history.totals));
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  for (size_t i = 0; i < slot_count_; ++i) {
    alt_stacks_[i].mapping = map_alt_stack(page, kAltStackBytes);
    if (alt_stacks_[i].mapping == nullptr) {
      const std::string why = strerror(errno);
      for (size_t j = 0; j < i; ++j) ::munmap(alt_stacks_[j].mapping, page + kAltStackBytes);
      throw std::runtime_error("crash containment: cannot map a signal stack for worker " +
                               std::to_string(i) + ": " + why);
    }
    alt_stacks_[i].mapped_bytes = page + kAltStackBytes;
  }
  for (const CrashedRecord& r : history.totals) {
    if (r.crashes >= max_crashes_)
      quarantine_.emplace(RecordKey{r.topic, r.partition, r.offset}, r);
  }
  if (!quarantine_.empty()) {
    log::warn("crash",
              "records that crashed the host max_crashes times will be dead-lettered without "
              "calling their handler",
              {{"records", std::to_string(quarantine_.size())},
               {"max_crashes", std::to_string(max_crashes_)},
               {"file", path_}});
  }
}

CrashJournal::~CrashJournal() {
  if (installed_) {
    for (size_t i = 0; i < kCrashSignals.size(); ++i) {
      ::sigaction(kCrashSignals[i], &previous_[i], nullptr);
    }
    g_journal.store(nullptr);
  }
  for (size_t i = 0; i < slot_count_; ++i) {
    if (alt_stacks_[i].mapping != nullptr)
      ::munmap(alt_stacks_[i].mapping, alt_stacks_[i].mapped_bytes);
  }
}

void CrashJournal::log_previous_crashes(const CrashHistory& history) const {
  auto record_fields = [](const CrashedRecord& r) {
    return log::Fields{{"route", r.route},
                       {"handler", r.handler},
                       {"topic", r.topic},
                       {"partition", std::to_string(r.partition)},
                       {"offset", std::to_string(r.offset)}};
  };
  auto total_of = [&](const CrashedRecord& r) -> int64_t {
    for (const CrashedRecord& t : history.totals) {
      if (t.topic == r.topic && t.partition == r.partition && t.offset == r.offset)
        return t.crashes;
    }
    return r.crashes;
  };
  for (const CrashEvent& crash : history.new_crashes) {
    if (crash.culprits.empty()) {
      log::error(
          "crash", "the previous run crashed outside any handler call; no record is blamed",
          {{"signal", crash.signal}, {"in_handlers", std::to_string(crash.bystanders.size())}});
    }
    for (const CrashedRecord& r : crash.culprits) {
      log::Fields fields = record_fields(r);
      fields.push_back({"signal", crash.signal});
      fields.push_back({"crashes", std::to_string(total_of(r))});
      fields.push_back({"max_crashes", std::to_string(max_crashes_)});
      log::error("crash", "the previous run crashed in a handler on this record", fields);
    }
    for (const CrashedRecord& r : crash.bystanders) {
      log::Fields fields = record_fields(r);
      fields.push_back({"signal", crash.signal});
      log::warn("crash",
                "this record was in a handler on another worker when the previous run crashed "
                "(not blamed)",
                fields);
    }
  }
}

void CrashJournal::bind_routes(const std::vector<Route>& routes) {
  routes_base_ = routes.data();
  route_text_.clear();
  size_t longest = 0, longest_log = 0;
  for (const Route& r : routes) {
    RouteText t;
    t.topic = field_text(r.source_topic);
    const std::string handler = r.plugin_name() + "/" + r.handler_name();
    t.names = "\t" + field_text(r.name) + "\t" + field_text(handler) + "\n";
    t.log = " route=" + log_value(r.name) + " handler=" + log_value(handler) +
            " topic=" + log_value(r.source_topic);
    longest = std::max(longest, t.topic.size() + t.names.size());
    longest_log = std::max(longest_log, t.log.size());
    route_text_.push_back(std::move(t));
  }
  // One crash line, one line per slot, and the log line for the culprit.
  buffer_size_ = kLineOverhead + slot_count_ * (kLineOverhead + longest) + kLineOverhead * 2 +
                 longest_log + path_.size();
  buffer_ = std::make_unique<char[]>(buffer_size_);
}

void CrashJournal::install_signal_handlers() {
  if (installed_) return;
  CrashJournal* expected = nullptr;
  if (!g_journal.compare_exchange_strong(expected, this)) {
    throw std::logic_error("another crash journal is installed");
  }
  g_first_tid.store(0);
  g_writer_tid.store(0);
  g_inside.store(0);
  struct sigaction action {};
  action.sa_sigaction = &on_crash_signal;
  // No SA_RESETHAND: a second thread crashing while the first writes must reach the handler too
  // (on_crash_signal restores the default action itself before raising).
  action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < kCrashSignals.size(); ++i) {
    ::sigaction(kCrashSignals[i], &action, &previous_[i]);
  }
  installed_ = true;
}

void CrashJournal::attach_worker(size_t slot) noexcept {
  if (slot >= slot_count_) return;
  slots_[slot].tid.store(current_tid());
  AltStack& alt = alt_stacks_[slot];
  stack_t stack{};
  stack.ss_sp = static_cast<char*>(alt.mapping) + (alt.mapped_bytes - kAltStackBytes);
  stack.ss_size = kAltStackBytes;
  alt.attached = ::sigaltstack(&stack, &alt.previous) == 0;
}

void CrashJournal::detach_worker(size_t slot) noexcept {
  if (slot >= slot_count_) return;
  slots_[slot].tid.store(0);
  AltStack& alt = alt_stacks_[slot];
  if (!alt.attached) return;
  // The thread's previous stack comes back (none, or one its runtime installed and will free).
  ::sigaltstack(&alt.previous, nullptr);
  alt.attached = false;
}

int32_t CrashJournal::route_index(const Route& route) const {
  if (routes_base_ == nullptr) return -1;
  const std::ptrdiff_t i = &route - routes_base_;
  return i >= 0 && static_cast<size_t>(i) < route_text_.size() ? static_cast<int32_t>(i) : -1;
}

void CrashJournal::enter(size_t slot, const Route& route, int32_t partition,
                         int64_t offset) noexcept {
  if (slot >= slot_count_) return;
  Slot& s = slots_[slot];
  const uint32_t seq = s.seq.load(std::memory_order_relaxed);
  s.seq.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  s.route.store(route_index(route), std::memory_order_relaxed);
  s.partition.store(partition, std::memory_order_relaxed);
  s.offset.store(offset, std::memory_order_relaxed);
  s.seq.store(seq + 2, std::memory_order_release);
}

void CrashJournal::leave(size_t slot) noexcept {
  if (slot >= slot_count_) return;
  Slot& s = slots_[slot];
  const uint32_t seq = s.seq.load(std::memory_order_relaxed);
  s.seq.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  s.route.store(-1, std::memory_order_relaxed);
  s.seq.store(seq + 2, std::memory_order_release);
}

const CrashedRecord* CrashJournal::quarantined(const connector::ConsumedRecord& record) const {
  if (quarantine_.empty()) return nullptr;
  const auto it = quarantine_.find(std::tuple<std::string_view, int32_t, int64_t>{
      record.topic, record.partition, record.offset});
  return it == quarantine_.end() ? nullptr : &it->second;
}

size_t CrashJournal::format_crash(int signal, bool own_only, char* out,
                                  size_t capacity) const noexcept {
  const char* name = crash_signal_name(signal);
  if (name == nullptr) name = "SIGUNKNOWN";
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int32_t tid = current_tid();
  Appender a(out, capacity);
  a.text(kCrashLine).text("\t").text(name).text("\t").number(now.tv_sec).text("\n");
  for (size_t i = 0; i < slot_count_; ++i) {
    const Slot& s = slots_[i];
    if (own_only && s.tid.load(std::memory_order_relaxed) != tid) continue;
    // A seqlock read: a worker may be between records right now; a few tries, then skip it.
    for (int attempt = 0; attempt < 8; ++attempt) {
      const uint32_t before = s.seq.load(std::memory_order_acquire);
      if (before % 2 != 0) continue;
      const int32_t route = s.route.load(std::memory_order_relaxed);
      const int32_t partition = s.partition.load(std::memory_order_relaxed);
      const int64_t offset = s.offset.load(std::memory_order_relaxed);
      const bool culprit = s.tid.load(std::memory_order_relaxed) == tid;
      std::atomic_thread_fence(std::memory_order_acquire);
      if (s.seq.load(std::memory_order_relaxed) != before) continue;
      if (route < 0 || static_cast<size_t>(route) >= route_text_.size()) break;
      const RouteText& text = route_text_[static_cast<size_t>(route)];
      a.text(culprit ? kCulpritLine : kBystanderLine).text("\t").text(name).text("\t");
      a.number(now.tv_sec).text(culprit ? "\t1\t" : "\t0\t").text(text.topic).text("\t");
      a.number(partition).text("\t").number(offset).text(text.names);
      break;
    }
  }
  return a.size();
}

size_t CrashJournal::format_log_line(int signal, char* out, size_t capacity) const noexcept {
  const char* name = crash_signal_name(signal);
  if (name == nullptr) name = "SIGUNKNOWN";
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int32_t tid = current_tid();
  Appender a(out, capacity);
  a.text("ts=");
  append_utc(a, now.tv_sec, now.tv_nsec / 1000000);
  a.text(" level=error component=crash msg=\"the process crashed; recorded in the crash journal\"");
  a.text(" signal=").text(name);
  for (size_t i = 0; i < slot_count_; ++i) {
    const Slot& s = slots_[i];
    if (s.tid.load(std::memory_order_relaxed) != tid) continue;
    const int32_t route = s.route.load(std::memory_order_relaxed);  // this thread's own slot
    if (route < 0 || static_cast<size_t>(route) >= route_text_.size()) break;
    a.text(route_text_[static_cast<size_t>(route)].log);
    a.text(" partition=").number(s.partition.load(std::memory_order_relaxed));
    a.text(" offset=").number(s.offset.load(std::memory_order_relaxed));
  }
  a.text(" journal=").text(path_).text("\n");
  return a.size();
}

void CrashJournal::write_crash(int signal) noexcept {
  append_crash(signal, false);
}

void CrashJournal::write_own_crash(int signal) noexcept {
  append_crash(signal, true);
}

void CrashJournal::append_crash(int signal, bool own_only) noexcept {
  if (buffer_ == nullptr) return;  // bind_routes never ran: no handler was ever called
  const size_t journal_bytes = format_crash(signal, own_only, buffer_.get(), buffer_size_);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    (void)write_all(fd, buffer_.get(), journal_bytes);  // nothing better to do in a signal handler
    ::close(fd);
  }
  const size_t log_bytes = format_log_line(signal, buffer_.get(), buffer_size_);
  (void)write_all(STDERR_FILENO, buffer_.get(), log_bytes);
}

}  // namespace streamhost::host::runtime

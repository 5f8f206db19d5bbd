// Crash containment: the crash journal's file format, the slots workers publish in, the signal
// handler (in forked children that really crash, so the exit status is checked too), and a
// pipeline that dead-letters a record whose handler crashed the host max_crashes times.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <latch>
#include <sstream>
#include <thread>

#include "runtime/crash_history.hpp"
#include "runtime/crash_journal.hpp"
#include "runtime/dead_letter.hpp"
#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

using runtime::CrashedRecord;
using runtime::CrashJournal;
using runtime::WorkerAttachment;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// An unmapped address the compiler cannot see through, so the write below is a real SIGSEGV: not
// null, which UBSan (the ASan build's -fno-sanitize-recover) would turn into exit code 1, and not
// provably invalid, which may be compiled into a trap instruction (SIGILL).
int* volatile g_unmapped = reinterpret_cast<int*>(uintptr_t{16});

[[noreturn]] void segfault() {
  *g_unmapped = 1;
  std::abort();  // never reached
}

// Recurses until the thread's stack runs out (SIGSEGV on the guard page): the signal handler can
// only run on the worker's alternate stack.
volatile bool g_deeper = true;  // always true; the compiler cannot know it

int overflow_stack(int depth) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  if (!g_deeper) return frame[0];
  return overflow_stack(depth + 1) + frame[0];
}

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "streamhost-crash-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string journal() const { return path_ + "/" + CrashJournal::kFileName; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// No core files from the children that crash on purpose: writing them slows a loaded machine.
void no_core_dumps() {
  const rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
}

// Runs `body` in a forked child with its stderr in `stderr_path`; returns the wait status.
// The tests fork while this process is single-threaded (every thread a test starts is joined before
// it returns), so the child's copied locks are all free, and TSan accepts the fork.
int run_in_child(const std::function<void()>& body, const std::string& stderr_path) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    no_core_dumps();
    const int fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    body();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

ConsumedRecord record_at(const std::string& topic, int32_t partition, int64_t offset) {
  return make_record(topic, partition, offset, "k", "v");
}

TEST(RuntimeCrashJournalFile, SumsEachRecordsCrashesAndKeepsBystandersApart) {
  const auto history = runtime::parse_crash_journal(
      "# a comment\n"
      "total\tSIGABRT\t100\t1\tin\t0\t5\tentry\tp/h\n"
      "crash\tSIGSEGV\t200\n"
      "culprit\tSIGSEGV\t200\t1\tin\t0\t5\tentry\tp/h\n"
      "bystander\tSIGSEGV\t200\t0\tin\t1\t9\tentry\tp/h\n"
      "crash\tSIGBUS\t300\n");
  EXPECT_THAT(history.warnings, ElementsAre());
  ASSERT_EQ(history.new_crashes.size(), 2u);
  EXPECT_EQ(history.new_crashes[0].signal, "SIGSEGV");
  ASSERT_EQ(history.new_crashes[0].culprits.size(), 1u);
  ASSERT_EQ(history.new_crashes[0].bystanders.size(), 1u);
  EXPECT_EQ(history.new_crashes[0].bystanders[0].offset, 9);
  EXPECT_EQ(history.new_crashes[1].signal, "SIGBUS");
  EXPECT_TRUE(history.new_crashes[1].culprits.empty());  // a crash outside any handler
  // The bystander is not counted; the culprit's crash adds to its earlier total, and the last
  // crash names the signal.
  ASSERT_EQ(history.totals.size(), 1u);
  const CrashedRecord& total = history.totals[0];
  EXPECT_EQ(total.topic, "in");
  EXPECT_EQ(total.partition, 0);
  EXPECT_EQ(total.offset, 5);
  EXPECT_EQ(total.crashes, 2);
  EXPECT_EQ(total.signal, "SIGSEGV");
  EXPECT_EQ(total.time, 200);
  EXPECT_EQ(total.route, "entry");
  EXPECT_EQ(total.handler, "p/h");
}

TEST(RuntimeCrashJournalFile, SkipsEachDamagedLineNamingItAndKeepsTheRest) {
  const auto history = runtime::parse_crash_journal(
      "total\tSIGSEGV\t100\t1\tin\t0\t5\tentry\tp/h\n"
      "total\tSIGSEGV\t100\t1\tin\t-1\t5\tentry\tp/h\n"
      "total\tSIGSEGV\t100\tmany\tin\t0\t6\tentry\tp/h\n"
      "total\tSIGSEGV\t100\t1\tin\t0\t7\n"
      "later\tSIGSEGV\t100\t1\tin\t0\t8\tentry\tp/h\n"
      "total\tSEGV\t100\t1\tin\t0\t9\tentry\tp/h\n" +
      std::string("total\tSIGSEGV\t100\t1\t") + std::string(5000, 't') + "\t0\t1\tr\th\n" +
      "culprit\tSIGSEGV\t200\t1\tin\t0\t5\tentry\tp");  // cut off mid-line by a crash
  EXPECT_THAT(
      history.warnings,
      ElementsAre(HasSubstr("line 2: the partition"), HasSubstr("line 3: the crash count"),
                  HasSubstr("line 4: expected 9 tab-separated fields, found 7"),
                  HasSubstr("line 5: unknown kind \"later\""),
                  HasSubstr("line 6: not a signal name"),
                  HasSubstr("line 7: longer than 4096 bytes"), HasSubstr("line 8: unfinished")));
  ASSERT_EQ(history.totals.size(), 1u);
  EXPECT_EQ(history.totals[0].offset, 5);
  EXPECT_EQ(history.totals[0].crashes, 1);

  const auto huge = runtime::parse_crash_journal(std::string(runtime::kMaxJournalBytes + 10, '#'));
  EXPECT_THAT(huge.warnings, ElementsAre(HasSubstr("only its beginning was read")));
}

TEST(RuntimeCrashJournalFile, TheFoldedFileKeepsTheMostRecentRecordsAndReadsBack) {
  std::vector<CrashedRecord> totals;
  for (int64_t i = 0; i < 5; ++i) {
    totals.push_back({"in", 0, i, i + 1, "SIGSEGV", 1000 + i, "entry", "p/h"});
  }
  const std::string folded = runtime::render_crash_totals(totals, 3);
  const auto back = runtime::parse_crash_journal(folded);
  EXPECT_THAT(back.warnings, ElementsAre());
  EXPECT_TRUE(back.new_crashes.empty());
  ASSERT_EQ(back.totals.size(), 3u);
  EXPECT_EQ(back.totals[0].offset, 4);  // most recent first
  EXPECT_EQ(back.totals[0].crashes, 5);
  EXPECT_EQ(back.totals[2].offset, 2);
}

class RuntimeCrashJournal : public ::testing::Test {
 protected:
  TestPluginInstance plugin{[](const sp::Record&, sp::Emitter&) { return sp::Outcome::ok(); }};
  std::vector<runtime::Route> routes{plugin.route("entry", "in", "out")};
  TempDir dir;
};

TEST_F(RuntimeCrashJournal, OnlyTheRecordOnTheCrashingThreadCountsTowardsMaxCrashes) {
  for (int run = 1; run <= 2; ++run) {
    CrashJournal journal(dir.path(), 2, 2);
    journal.bind_routes(routes);
    EXPECT_EQ(journal.quarantined(record_at("in", 3, 42)), nullptr) << "run " << run;
    // Worker 1 is in a handler on another record while worker 0's handler crashes.
    std::latch entered(1), written(1);
    std::thread bystander([&] {
      const WorkerAttachment attached(&journal, 1);
      journal.enter(1, routes[0], 1, 7);
      entered.count_down();
      written.wait();
      journal.leave(1);
    });
    std::thread culprit([&] {
      const WorkerAttachment attached(&journal, 0);
      journal.enter(0, routes[0], 3, 42);
      entered.wait();
      journal.write_crash(SIGSEGV);
      written.count_down();
    });
    culprit.join();
    bystander.join();
  }
  const std::string text = read_file(dir.journal());
  EXPECT_THAT(text, HasSubstr("\t1\tin\t3\t42\tentry\ttestplugin/handle\n"));  // folded: 1
  EXPECT_THAT(text, HasSubstr("culprit\tSIGSEGV\t"));
  EXPECT_THAT(text, HasSubstr("bystander\tSIGSEGV\t"));

  CrashJournal third(dir.path(), 2, 2);
  const CrashedRecord* crashed = third.quarantined(record_at("in", 3, 42));
  ASSERT_NE(crashed, nullptr);
  EXPECT_EQ(crashed->crashes, 2);
  EXPECT_EQ(crashed->signal, "SIGSEGV");
  EXPECT_EQ(third.quarantined(record_at("in", 1, 7)), nullptr) << "a bystander is never blamed";
  EXPECT_EQ(third.quarantined(record_at("in", 3, 43)), nullptr);
  // Folded at start: the counts stay, the crash lines were read once and are gone.
  const std::string folded = read_file(dir.journal());
  EXPECT_THAT(folded, HasSubstr("total\tSIGSEGV\t"));
  EXPECT_THAT(folded, HasSubstr("\t2\tin\t3\t42\tentry\ttestplugin/handle\n"));
  EXPECT_EQ(folded.find("culprit"), std::string::npos) << folded;
  EXPECT_EQ(folded.find("bystander"), std::string::npos) << folded;
}

TEST_F(RuntimeCrashJournal, AWorkerBetweenRecordsIsNotInTheJournal) {
  {
    CrashJournal journal(dir.path(), 1, 1);
    journal.bind_routes(routes);
    std::thread worker([&] {
      const WorkerAttachment attached(&journal, 0);
      journal.enter(0, routes[0], 0, 1);
      journal.leave(0);
      journal.write_crash(SIGFPE);
    });
    worker.join();
  }
  const std::string text = read_file(dir.journal());
  EXPECT_THAT(text, HasSubstr("crash\tSIGFPE\t"));
  EXPECT_EQ(text.find("culprit"), std::string::npos) << text;
  CrashJournal next(dir.path(), 1, 1);
  EXPECT_EQ(next.quarantined(record_at("in", 0, 1)), nullptr);
}

TEST_F(RuntimeCrashJournal, AStateDirThatIsNotAFolderStopsStartUpNamingTheSetting) {
  try {
    CrashJournal journal(dir.path() + "/missing", 2, 1);
    FAIL() << "accepted a missing folder";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("state_dir " + dir.path() + "/missing is not a folder"));
  }
}

// The real signal path: a handler thread crashes (an invalid write, abort(), a stack overflow); the
// journal names its record, the log line says so, and the process still ends by the same signal.
TEST_F(RuntimeCrashJournal, ACrashingHandlerIsRecordedAndTheProcessStillEndsByItsSignal) {
  const std::string log = dir.path() + "/stderr";
  const struct {
    int signal;
    std::function<void()> crash;
  } cases[] = {{SIGSEGV, [] { segfault(); }}, {SIGABRT, [] { std::abort(); }}, {SIGSEGV, [] {
                                                                                  overflow_stack(0);
                                                                                }}};
  int64_t offset = 10;
  for (const auto& c : cases) {
    const int status = run_in_child(
        [&] {
          CrashJournal journal(dir.path(), 2, 1);
          journal.bind_routes(routes);
          journal.install_signal_handlers();
          std::thread worker([&] {
            const WorkerAttachment attached(&journal, 0);
            journal.enter(0, routes[0], 2, offset);
            c.crash();
          });
          worker.join();
        },
        log);
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
    EXPECT_EQ(WTERMSIG(status), c.signal);
    const std::string name = runtime::crash_signal_name(c.signal);
    EXPECT_THAT(read_file(log),
                HasSubstr("level=error component=crash msg=\"the process crashed; recorded in the "
                          "crash journal\" signal=" +
                          name +
                          " route=entry handler=testplugin/handle topic=in partition=2 "
                          "offset=" +
                          std::to_string(offset) + " journal=" + dir.journal()));
    CrashJournal after(dir.path(), 1, 1);
    const CrashedRecord* crashed = after.quarantined(record_at("in", 2, offset));
    ASSERT_NE(crashed, nullptr) << read_file(dir.journal());
    EXPECT_EQ(crashed->signal, name);
    EXPECT_EQ(crashed->crashes, 1);
    ++offset;
  }
}

// A worker's alternate signal stack is its own mapping, and detaching puts back the stack the
// thread had: a thread's exit (ASan's runtime) may unmap whatever alternate stack is installed,
// which must never be a piece of the journal's memory.
TEST_F(RuntimeCrashJournal, EachWorkerHasItsOwnAlternateStackAndDetachingRestoresTheOldOne) {
  CrashJournal journal(dir.path(), 2, 2);
  constexpr size_t kOwnBytes = 64 * 1024;
  void* own =
      ::mmap(nullptr, kOwnBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(own, MAP_FAILED);
  stack_t seen[2][3]{};
  auto worker = [&](size_t slot) {
    stack_t mine{};
    mine.ss_sp = static_cast<char*>(own) + slot * (kOwnBytes / 2);
    mine.ss_size = kOwnBytes / 2;
    ::sigaltstack(&mine, nullptr);
    ::sigaltstack(nullptr, &seen[slot][0]);
    {
      const WorkerAttachment attached(&journal, slot);
      ::sigaltstack(nullptr, &seen[slot][1]);
    }
    ::sigaltstack(nullptr, &seen[slot][2]);
    stack_t none{};
    none.ss_flags = SS_DISABLE;
    ::sigaltstack(&none, nullptr);
  };
  std::thread first(worker, 0), second(worker, 1);
  first.join();
  second.join();
  ::munmap(own, kOwnBytes);
  for (size_t slot = 0; slot < 2; ++slot) {
    EXPECT_NE(seen[slot][1].ss_sp, seen[slot][0].ss_sp) << "slot " << slot;
    EXPECT_EQ(seen[slot][2].ss_sp, seen[slot][0].ss_sp) << "slot " << slot << ": not restored";
    EXPECT_EQ(seen[slot][2].ss_size, seen[slot][0].ss_size) << "slot " << slot;
  }
  // Separate mappings, neither one inside the other's guard page or stack.
  const auto a = reinterpret_cast<uintptr_t>(seen[0][1].ss_sp);
  const auto b = reinterpret_cast<uintptr_t>(seen[1][1].ss_sp);
  EXPECT_GE(a > b ? a - b : b - a, seen[0][1].ss_size + static_cast<size_t>(::getpagesize()));
  // The page below each stack is the guard: inaccessible (mincore still finds it mapped).
  unsigned char resident = 0;
  const auto page = static_cast<size_t>(::getpagesize());
  EXPECT_EQ(::mincore(reinterpret_cast<void*>(a - page), page, &resident), 0)
      << "the guard page is mapped";
}

// A second worker that crashes while the first one's crash is being written gets its own crash in
// the journal, its record blamed too: both records count.
TEST_F(RuntimeCrashJournal, ALaterCrashOnAnotherWorkerIsAppendedWithItsOwnRecord) {
  {
    CrashJournal journal(dir.path(), 1, 2);
    journal.bind_routes(routes);
    std::latch entered(2), first_written(1);
    std::thread first([&] {
      const WorkerAttachment attached(&journal, 0);
      journal.enter(0, routes[0], 0, 5);
      entered.arrive_and_wait();
      journal.write_crash(SIGSEGV);
      first_written.count_down();
    });
    std::thread second([&] {
      const WorkerAttachment attached(&journal, 1);
      journal.enter(1, routes[0], 1, 9);
      entered.arrive_and_wait();
      first_written.wait();
      journal.write_own_crash(SIGBUS);
    });
    first.join();
    second.join();
  }
  const auto history = runtime::parse_crash_journal(read_file(dir.journal()));
  ASSERT_EQ(history.new_crashes.size(), 2u) << read_file(dir.journal());
  EXPECT_EQ(history.new_crashes[0].culprits.size(), 1u);
  EXPECT_EQ(history.new_crashes[0].bystanders.size(), 1u);
  ASSERT_EQ(history.new_crashes[1].culprits.size(), 1u);
  EXPECT_EQ(history.new_crashes[1].culprits[0].offset, 9);
  EXPECT_EQ(history.new_crashes[1].signal, "SIGBUS");
  EXPECT_TRUE(history.new_crashes[1].bystanders.empty());
  CrashJournal next(dir.path(), 1, 2);
  EXPECT_NE(next.quarantined(record_at("in", 0, 5)), nullptr);
  EXPECT_NE(next.quarantined(record_at("in", 1, 9)), nullptr);
}

// Two workers crash by the same signal at the same moment, really: the journal always has the crash
// (the second signal used to end the process at once, sometimes before the first was written), and
// the process ends by that signal. Timing differs per run, so several runs.
TEST_F(RuntimeCrashJournal, TwoWorkersCrashingAtOnceAreRecordedBeforeTheProcessEnds) {
  const std::string log = dir.path() + "/stderr";
  for (int run = 0; run < 10; ++run) {
    std::filesystem::remove(dir.journal());
    const int status = run_in_child(
        [&] {
          CrashJournal journal(dir.path(), 2, 2);
          journal.bind_routes(routes);
          journal.install_signal_handlers();
          std::latch both(2);
          auto crash = [&](size_t slot) {
            const WorkerAttachment attached(&journal, slot);
            journal.enter(slot, routes[0], static_cast<int32_t>(slot), 100 + run);
            both.arrive_and_wait();
            segfault();
          };
          std::thread first(crash, 0), second(crash, 1);
          first.join();
          second.join();
        },
        log);
    ASSERT_TRUE(WIFSIGNALED(status)) << "run " << run << ": exit status " << status;
    EXPECT_EQ(WTERMSIG(status), SIGSEGV);
    const std::string text = read_file(dir.journal());
    const auto history = runtime::parse_crash_journal(text);
    size_t culprits = 0;
    for (const auto& crash : history.new_crashes) culprits += crash.culprits.size();
    // (A worker that faults just as the first one ends the process may leave a cut line, which
    // the reader skips: not asserted.)
    EXPECT_GE(culprits, 1u) << "run " << run << ": " << text;
  }
}

// A crash signal another process sends (`kill -SEGV`) ends the host as before but blames no record.
TEST_F(RuntimeCrashJournal, ASignalSentByAnotherProcessBlamesNoRecord) {
  const std::string log = dir.path() + "/stderr";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    no_core_dumps();
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    CrashJournal journal(dir.path(), 1, 1);
    journal.bind_routes(routes);
    journal.install_signal_handlers();
    // Only the worker can take the signal, so without the check its record would be blamed.
    sigset_t crash;
    sigemptyset(&crash);
    sigaddset(&crash, SIGSEGV);
    std::thread worker([&] {
      const WorkerAttachment attached(&journal, 0);
      journal.enter(0, routes[0], 4, 44);
      const char byte = 1;
      (void)::write(ready[1], &byte, 1);
      for (;;) ::pause();
    });
    ::pthread_sigmask(SIG_BLOCK, &crash, nullptr);
    worker.join();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_EQ(::kill(pid, SIGSEGV), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  EXPECT_THAT(read_file(log), HasSubstr("crash signal sent by another process"));
  EXPECT_EQ(read_file(dir.journal()).find("culprit"), std::string::npos)
      << read_file(dir.journal());
  CrashJournal after(dir.path(), 1, 1);
  EXPECT_EQ(after.quarantined(record_at("in", 4, 44)), nullptr);
}

// A rewrite at start-up that fails part-way (here the file size limit, as a full disk would) stops
// start-up naming state_dir, and the journal it read is kept whole: no crash count is lost.
TEST_F(RuntimeCrashJournal, AFailedRewriteAtStartKeepsTheOldJournal) {
  std::vector<CrashedRecord> totals;
  for (int64_t offset = 0; offset < 100; ++offset) {
    totals.push_back(CrashedRecord{"in", 0, offset, 1, "SIGSEGV", 1765152000 + offset, "entry",
                                   "testplugin/handle"});
  }
  const std::string before = runtime::render_crash_totals(totals);
  ASSERT_GT(before.size(), 4096u);
  {
    std::ofstream out(dir.journal(), std::ios::binary);
    out << before;
  }
  const std::string log = dir.path() + "/stderr";
  const int status = run_in_child(
      [&] {
        ::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of ending the child
        const rlimit small{1024, 1024};
        ::setrlimit(RLIMIT_FSIZE, &small);
        try {
          CrashJournal journal(dir.path(), 2, 1);
          ::_exit(2);
        } catch (const std::runtime_error& e) {
          const std::string what = e.what();
          (void)::write(STDERR_FILENO, what.data(), what.size());
          ::_exit(3);
        }
      },
      log);
  ASSERT_TRUE(WIFEXITED(status)) << "exit status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 3) << "start-up went on with a cut journal";
  EXPECT_THAT(read_file(log), HasSubstr("state_dir " + dir.path() + ": cannot write"));
  EXPECT_THAT(read_file(log), HasSubstr("is kept as it was"));
  EXPECT_EQ(read_file(dir.journal()), before);
  EXPECT_FALSE(std::filesystem::exists(dir.journal() + ".tmp"));
}

// The worker's hooks: a pipeline whose handler crashes on one record leaves that record in the
// journal, and the next pipeline, once max_crashes is reached, dead-letters it with the signal
// named, never calls the handler on it, and commits past it.
TEST(RuntimeCrashContainment, APipelineDeadLettersARecordThatCrashedTheHostMaxCrashesTimes) {
  // The crashing runs are forked before this process starts a pipeline of its own: it is
  // single-threaded at each fork, so the child inherits no lock another thread held, and TSan
  // (which cannot follow a fork from a multi-threaded parent) has nothing to report.
  TempDir dir;
  const std::string log = dir.path() + "/stderr";
  auto records = [] {
    return std::vector<ConsumedRecord>{make_record("in", 0, 0, "a", "fine"),
                                       make_record("in", 0, 1, "b", "poison"),
                                       make_record("in", 0, 2, "c", "fine")};
  };
  for (int run = 1; run <= 2; ++run) {
    const int status = run_in_child(
        [&] {
          TestPluginInstance plugin([](const sp::Record& in, sp::Emitter& out) {
            if (in.value() == "poison") segfault();
            out.emit(in.value(), in.key());
            return sp::Outcome::ok();
          });
          CrashJournal journal(dir.path(), 2, 2);
          PipelineHarness h;
          auto options = h.options(2);
          options.crash_journal = &journal;
          h.start({plugin.route("entry", "in", "out")}, options);
          // As `streamhost run` does: installed once the pipeline bound its routes, before any
          // record reaches a handler.
          journal.install_signal_handlers();
          h.source.append(records());
          eventually([] { return false; });  // the crash ends the process first
        },
        log);
    ASSERT_TRUE(WIFSIGNALED(status)) << "run " << run << ": exit status " << status;
    EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  }

  std::atomic<int> poison_calls{0};
  TestPluginInstance plugin([&](const sp::Record& in, sp::Emitter& out) {
    if (in.value() == "poison") ++poison_calls;
    out.emit(in.value(), in.key());
    return sp::Outcome::ok();
  });
  CrashJournal journal(dir.path(), 2, 2);
  PipelineHarness h;
  h.source.append(records());
  auto options = h.options(2);
  options.crash_journal = &journal;
  h.start({plugin.route("entry", "in", "out")}, options);
  ASSERT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 3; }));
  EXPECT_EQ(h.stop().exit_code, 0);
  EXPECT_EQ(poison_calls.load(), 0);
  EXPECT_EQ(h.sink.produced_to("out").size(), 2u);
  const auto dlq = h.sink.produced_to("dlq");
  ASSERT_EQ(dlq.size(), 1u);
  EXPECT_EQ(dlq[0].key, std::optional<std::string>("b"));
  rapidjson::Document env;
  env.Parse(dlq[0].value.c_str());
  ASSERT_FALSE(env.HasParseError()) << dlq[0].value;
  EXPECT_STREQ(env["status"].GetString(), "crash");
  EXPECT_STREQ(env["signal"].GetString(), "SIGSEGV");
  EXPECT_EQ(env["crashes"].GetInt64(), 2);
  EXPECT_STREQ(env["value"].GetString(), "poison");
  EXPECT_EQ(env["offset"].GetInt64(), 1);
  EXPECT_STREQ(env["route"].GetString(), "entry");
  EXPECT_STREQ(env["handler"].GetString(), "handle");
  EXPECT_STREQ(env["plugin"].GetString(), "testplugin");
  EXPECT_THAT(env["reason"].GetString(),
              HasSubstr("the handler crashed the host with SIGSEGV 2 times on this record "
                        "(max_crashes 2)"));
  EXPECT_EQ(h.registry.counter_value("streamhost_crash_quarantined_total", {{"route", "entry"}}),
            1u);
  EXPECT_EQ(h.registry.counter_value("streamhost_dead_letters_total", {{"route", "entry"}}), 1u);
}

}  // namespace
}  // namespace streamhost::host::testing

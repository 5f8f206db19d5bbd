// What crash containment costs each handler call: a worker publishing its record in its crash
// journal slot before the call and clearing it after (runtime/crash_journal.hpp), and the
// quarantine lookup before it, with an empty and with a 1,000-record quarantine. Single-threaded:
// each slot has one writer, so there is no contention to measure.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "runtime/crash_journal.hpp"
#include "runtime_test_doubles.hpp"

namespace {

namespace rt = streamhost::host::runtime;
using streamhost::host::testing::make_record;
using streamhost::host::testing::TestPluginInstance;
namespace sp = streamhost::plugin;

struct Journal {
  explicit Journal(int quarantined) {
    dir = std::filesystem::temp_directory_path() /
          ("streamhost-crash-bench-" + std::to_string(quarantined));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string text;
    for (int i = 0; i < quarantined; ++i) {
      text += "total\tSIGSEGV\t1\t2\tin\t0\t" + std::to_string(i * 2) + "\tentry\tp/h\n";
    }
    std::ofstream(dir / rt::CrashJournal::kFileName) << text;
    journal = std::make_unique<rt::CrashJournal>(dir.string(), 2, 1);
    journal->bind_routes(routes);
    journal->attach_worker(0);
  }
  ~Journal() { std::filesystem::remove_all(dir); }

  TestPluginInstance plugin{[](const sp::Record&, sp::Emitter&) { return sp::Outcome::ok(); }};
  std::vector<rt::Route> routes{plugin.route("entry", "in", "out")};
  std::filesystem::path dir;
  std::unique_ptr<rt::CrashJournal> journal;
};

void BM_CrashJournalEnterLeave(benchmark::State& state) {
  Journal j(0);
  int64_t offset = 0;
  for (auto _ : state) {
    j.journal->enter(0, j.routes[0], 0, ++offset);
    benchmark::ClobberMemory();
    j.journal->leave(0);
  }
}
BENCHMARK(BM_CrashJournalEnterLeave);

// The lookup every record pays before its handler call; odd offsets are never quarantined.
void BM_CrashJournalQuarantineLookup(benchmark::State& state) {
  Journal j(static_cast<int>(state.range(0)));
  const auto record = make_record("in", 0, 1001, "k", "v");
  for (auto _ : state) benchmark::DoNotOptimize(j.journal->quarantined(record));
}
BENCHMARK(BM_CrashJournalQuarantineLookup)->Arg(0)->Arg(1000)->ArgName("quarantined");

}  // namespace

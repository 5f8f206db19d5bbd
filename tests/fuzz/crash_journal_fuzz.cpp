// The crash journal's file (host/src/runtime/crash_history.cpp): read at every start from a state
// directory an operator may edit, and appended to by a signal handler that may be cut off.
//
// Input: the file's bytes.
//
// Invariants: parsing never throws and bounds what it reads; every total is one record (topic,
// partition, offset) with a count of at least the culprits it saw this time; and the folded file
// written from the totals reads back with no warning, no new crash and exactly the same totals.
#include <algorithm>
#include <map>
#include <tuple>

#include "fuzz_support.hpp"
#include "runtime/crash_history.hpp"

namespace {

namespace rt = streamhost::host::runtime;
using Key = std::tuple<std::string, int32_t, int64_t>;

std::map<Key, rt::CrashedRecord> by_record(const std::vector<rt::CrashedRecord>& totals) {
  std::map<Key, rt::CrashedRecord> out;
  for (const auto& t : totals) {
    FUZZ_CHECK(out.emplace(Key{t.topic, t.partition, t.offset}, t).second,
               "two totals for one record: " + t.topic);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = streamhost::fuzz::as_text(data, size);
  const rt::CrashHistory history = rt::parse_crash_journal(input);
  const auto totals = by_record(history.totals);

  std::map<Key, int64_t> culprits;
  for (const auto& crash : history.new_crashes) {
    FUZZ_CHECK(crash.culprits.size() <= 1 || !crash.signal.empty(), "a crash without a signal");
    for (const auto& c : crash.culprits) culprits[Key{c.topic, c.partition, c.offset}] += c.crashes;
    for (const auto& b : crash.bystanders) FUZZ_CHECK(b.crashes == 0, "a bystander was counted");
  }
  for (const auto& [key, crashes] : culprits) {
    const auto it = totals.find(key);
    FUZZ_CHECK(it != totals.end(), "a culprit has no total");
    FUZZ_CHECK(it->second.crashes >= std::min<int64_t>(crashes, 1000000000),
               "a total counts fewer crashes than its culprits");
  }

  // Folded as the host folds it at start: the kMaxCrashedRecords most recent records.
  const std::string folded = rt::render_crash_totals(history.totals);
  const rt::CrashHistory again = rt::parse_crash_journal(folded);
  FUZZ_CHECK(again.warnings.empty(), "the folded file has a damaged line: " + again.warnings[0]);
  FUZZ_CHECK(again.new_crashes.empty(), "the folded file has a crash line");
  const auto back = by_record(again.totals);
  FUZZ_CHECK(back.size() == std::min(totals.size(), rt::kMaxCrashedRecords),
             "the folded file lost or gained a record");
  for (const auto& [key, b] : back) {
    const auto it = totals.find(key);
    FUZZ_CHECK(it != totals.end(), "the folded file made up a record of " + b.topic);
    const auto& t = it->second;
    FUZZ_CHECK(b.crashes == t.crashes && b.signal == t.signal && b.time == t.time &&
                   b.route == t.route && b.handler == t.handler,
               "the folded file changed a record of " + t.topic);
  }
  return 0;
}

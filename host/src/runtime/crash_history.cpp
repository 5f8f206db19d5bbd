#include "runtime/crash_history.hpp"

#include <algorithm>
#include <charconv>
#include <csignal>
#include <limits>
#include <map>
#include <tuple>

namespace streamhost::host::runtime {
namespace {

constexpr size_t kMaxTopicBytes = 249;  // Kafka's own limit on a topic name
constexpr int64_t kMaxCrashes = 1000000000;

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

template <typename Int>
bool read_int(std::string_view text, Int min, Int max, Int& out) {
  if (text.empty() || text.size() > 20) return false;
  Int value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return false;
  out = value;
  return true;
}

bool valid_signal(std::string_view name) {
  return name.size() > 3 && name.size() <= 16 && name.starts_with("SIG");
}

// A culprit, bystander or total line's fields after the kind; an empty string when they are
// valid, else why not.
std::string read_record(const std::vector<std::string_view>& f, CrashedRecord& r) {
  if (f.size() != 9) return "expected 9 tab-separated fields, found " + std::to_string(f.size());
  if (!valid_signal(f[1])) return "not a signal name";
  r.signal = f[1];
  if (!read_int<int64_t>(f[2], 0, std::numeric_limits<int64_t>::max(), r.time))
    return "the time is not a number of seconds";
  if (!read_int<int64_t>(f[3], 0, kMaxCrashes, r.crashes)) return "the crash count is not a count";
  if (f[4].empty() || f[4].size() > kMaxTopicBytes) return "the topic is empty or too long";
  r.topic = f[4];
  if (!read_int<int32_t>(f[5], 0, std::numeric_limits<int32_t>::max(), r.partition))
    return "the partition is not a partition number";
  if (!read_int<int64_t>(f[6], 0, std::numeric_limits<int64_t>::max(), r.offset))
    return "the offset is not an offset";
  if (f[7].size() > kMaxJournalNameBytes || f[8].size() > kMaxJournalNameBytes)
    return "a name is too long";
  r.route = f[7];
  r.handler = f[8];
  return {};
}

using RecordKey = std::tuple<std::string, int32_t, int64_t>;

// Adds `r`'s crashes to its record's total; the most recent crash names the signal and route.
void add_to(std::map<RecordKey, CrashedRecord>& totals, const CrashedRecord& r) {
  auto [it, inserted] = totals.try_emplace(RecordKey{r.topic, r.partition, r.offset}, r);
  if (inserted) return;
  CrashedRecord& total = it->second;
  const int64_t crashes = std::min(total.crashes + r.crashes, kMaxCrashes);
  if (r.time >= total.time) total = r;
  total.crashes = crashes;
}

}  // namespace

const char* crash_signal_name(int signal) {
  switch (signal) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGABRT:
      return "SIGABRT";
    default:
      return nullptr;
  }
}

CrashHistory parse_crash_journal(std::string_view text) {
  CrashHistory history;
  if (text.size() > kMaxJournalBytes) {
    history.warnings.push_back("the file is larger than " + std::to_string(kMaxJournalBytes) +
                               " bytes; only its beginning was read");
    text = text.substr(0, kMaxJournalBytes);
  }
  std::map<RecordKey, CrashedRecord> totals;
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool complete = end != std::string_view::npos;
    if (!complete) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    auto skip = [&](const std::string& why) {
      history.warnings.push_back("line " + std::to_string(line_number) + ": " + why +
                                 "; line skipped");
    };
    if (line.empty() || line.front() == '#') continue;
    if (!complete) {
      skip("unfinished (the writer was interrupted)");
      continue;
    }
    if (line.size() > kMaxJournalLineBytes) {
      skip("longer than " + std::to_string(kMaxJournalLineBytes) + " bytes");
      continue;
    }
    const std::vector<std::string_view> f = split_tabs(line);
    if (f[0] == kCrashLine) {
      CrashEvent event;
      if (f.size() != 3 || !valid_signal(f[1]) ||
          !read_int<int64_t>(f[2], 0, std::numeric_limits<int64_t>::max(), event.time)) {
        skip("expected: crash, a signal name and a time");
        continue;
      }
      event.signal = f[1];
      history.new_crashes.push_back(std::move(event));
      continue;
    }
    const bool culprit = f[0] == kCulpritLine, bystander = f[0] == kBystanderLine;
    if (!culprit && !bystander && f[0] != kTotalLine) {
      skip("unknown kind \"" + std::string(f[0].substr(0, 32)) + "\"");
      continue;
    }
    CrashedRecord record;
    if (std::string why = read_record(f, record); !why.empty()) {
      skip(why);
      continue;
    }
    if (f[0] == kTotalLine) {
      add_to(totals, record);
      continue;
    }
    // A record line belongs to the crash line before it; one without (cut by hand) stands alone.
    if (history.new_crashes.empty() || history.new_crashes.back().signal != record.signal ||
        history.new_crashes.back().time != record.time) {
      history.new_crashes.push_back(CrashEvent{record.signal, record.time, {}, {}});
    }
    if (culprit) {
      add_to(totals, record);
      history.new_crashes.back().culprits.push_back(std::move(record));
    } else {
      record.crashes = 0;
      history.new_crashes.back().bystanders.push_back(std::move(record));
    }
  }
  for (auto& [key, record] : totals) history.totals.push_back(std::move(record));
  std::stable_sort(history.totals.begin(), history.totals.end(),
                   [](const CrashedRecord& a, const CrashedRecord& b) { return a.time > b.time; });
  return history;
}

std::string render_crash_totals(const std::vector<CrashedRecord>& totals, size_t keep) {
  std::vector<const CrashedRecord*> kept;
  for (const auto& r : totals) kept.push_back(&r);
  std::stable_sort(kept.begin(), kept.end(), [](const CrashedRecord* a, const CrashedRecord* b) {
    return a->time > b->time;
  });
  if (kept.size() > keep) kept.resize(keep);
  std::string out =
      "# streamhost crash journal: records whose handler crashed the host (docs/runtime.md, "
      "\"Crash containment\").\n"
      "# Delete this file to give every record a fresh start, e.g. after deploying a fixed "
      "plugin.\n";
  for (const CrashedRecord* r : kept) {
    out.append(kTotalLine)
        .append("\t" + r->signal + "\t" + std::to_string(r->time) + "\t" +
                std::to_string(r->crashes) + "\t" + r->topic + "\t" + std::to_string(r->partition) +
                "\t" + std::to_string(r->offset) + "\t" + r->route + "\t" + r->handler + "\n");
  }
  return out;
}

}  // namespace streamhost::host::runtime

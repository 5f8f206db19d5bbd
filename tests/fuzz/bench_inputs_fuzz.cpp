// The files `streamhost bench`, `replay` and `bench --compare` read (host/src/bench/): recorded
// traffic as JSONL (record_file.cpp) and a bench report (bench_report.cpp, read_round_medians).
// A traffic file may come from anyone's topic, and a report from anyone's run.
//
// The input is read whole as a JSONL file, and as a report.
//
// Invariants: only RecordFileError (JSONL) and CompareError (report and statistics) escape; every
// record read writes back as one line (no line break inside) that reads back as the same record;
// a report's medians are finite, and the ratio of its two halves lies inside its own interval.
#include <cmath>
#include <sstream>

#include "bench/bench_report.hpp"
#include "bench/record_file.hpp"

namespace {

using streamhost::connector::ConsumedRecord;

bool same(const ConsumedRecord& a, const ConsumedRecord& b) {
  if (a.topic != b.topic || a.partition != b.partition || a.offset != b.offset ||
      a.timestamp_ms != b.timestamp_ms || a.key != b.key || a.value != b.value ||
      a.headers.size() != b.headers.size()) {
    return false;
  }
  for (size_t i = 0; i < a.headers.size(); ++i) {
    if (a.headers[i].key != b.headers[i].key || a.headers[i].value != b.headers[i].value) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  namespace bench = streamhost::host::bench;
  try {
    std::istringstream in(input);
    for (const ConsumedRecord& record : bench::read_record_file(in, "fuzz.jsonl", 1000, 1 << 20)) {
      const std::string line = bench::format_record_line(record);
      if (line.find('\n') != std::string::npos) __builtin_trap();
      if (!same(bench::parse_record_line(line), record)) __builtin_trap();
    }
  } catch (const bench::RecordFileError&) {
  }
  try {
    std::string route;
    const std::vector<double> medians = bench::read_round_medians(input, "", route);
    for (double median : medians) {
      if (!std::isfinite(median)) __builtin_trap();
    }
    // The statistics on whatever a report holds: an answer or a CompareError, never a crash.
    const std::vector<double> a(medians.begin(), medians.begin() + medians.size() / 2);
    const std::vector<double> b(medians.begin() + medians.size() / 2, medians.end());
    const bench::RatioEstimate e = bench::unpaired_ratio(a, b);
    if (!(e.low <= e.ratio && e.ratio <= e.high)) __builtin_trap();
  } catch (const bench::CompareError&) {
  }
  return 0;
}

// `streamhost record` and `streamhost replay`: a slice of a topic to a JSONL file through the REST
// proxy, and a JSONL file back to a topic (bench/record_file.hpp has the format). record never
// commits an offset: it reads with a consumer group of its own, made up per run, which holds no
// committed offset afterwards, so it disturbs no pipeline's group.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bench/record_file.hpp"
#include "cli/cli.hpp"
#include "connection/connector_options.hpp"
#include "manifest/manifest_loader.hpp"

namespace streamhost::host {
namespace {

using Clock = std::chrono::steady_clock;

// A file to replay is held in memory whole.
constexpr size_t kMaxReplayRecords = 5'000'000;

struct ProxyArgs {
  std::string manifest;
  std::string url;
  std::string dialect;
};

// Takes -f / --proxy / --dialect from `args` at `i`; true when it did.
bool take_proxy_flag(const std::vector<std::string>& args, size_t& i, ProxyArgs& p,
                     std::string& error) {
  const std::string& flag = args[i];
  if (flag != "-f" && flag != "--file" && flag != "--proxy" && flag != "--dialect") return false;
  if (i + 1 >= args.size()) {
    error = flag + " needs a value";
    return true;
  }
  const std::string& value = args[++i];
  if (flag == "--proxy") {
    p.url = value;
  } else if (flag == "--dialect") {
    if (value != "strimzi" && value != "confluent") {
      error = "--dialect must be strimzi or confluent, not \"" + value + "\"";
    }
    p.dialect = value;
  } else {
    p.manifest = value;
  }
  return true;
}

// The proxy's settings: a manifest's rest_proxy section (URL, dialect, auth, TLS), with --proxy
// and --dialect taking precedence; or --proxy alone (dialect strimzi, the local stack's).
connector::RestProxyOptions proxy_options(const ProxyArgs& p) {
  connector::RestProxyOptions options;
  if (!p.manifest.empty()) options = connector_options(load_manifest(p.manifest)).proxy;
  if (!p.url.empty()) options.base_url = p.url;
  if (p.manifest.empty() && p.dialect.empty()) options.dialect = connector::Dialect::kStrimzi;
  if (p.dialect == "strimzi") options.dialect = connector::Dialect::kStrimzi;
  if (p.dialect == "confluent") options.dialect = connector::Dialect::kConfluent;
  return options;
}

bool parse_int(const std::string& text, int64_t& out) {
  try {
    size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size() && out >= 0;
  } catch (const std::exception&) {
    return false;
  }
}

bool parse_double(const std::string& text, double& out) {
  try {
    size_t used = 0;
    out = std::stod(text, &used);
    return used == text.size() && out > 0;
  } catch (const std::exception&) {
    return false;
  }
}

std::string random_suffix() {
  std::random_device device;
  return std::to_string(getpid()) + "-" + std::to_string(device() % 1000000);
}

struct RecordArgs {
  ProxyArgs proxy;
  std::string topic;
  std::set<int32_t> partitions;  // empty: all
  int64_t from_offset = 0;
  std::optional<int64_t> to_offset;  // exclusive
  std::optional<int64_t> from_time, to_time;
  int64_t max_records = 10000;
  double idle_s = 5;
  std::string output;  // empty: standard output
};

std::string parse_record_args(const std::vector<std::string>& args, RecordArgs& a) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string error;
    if (take_proxy_flag(args, i, a.proxy, error)) {
      if (!error.empty()) return error;
      continue;
    }
    const std::string& flag = args[i];
    if (i + 1 >= args.size()) return "unexpected argument \"" + flag + "\"";
    const std::string& v = args[++i];
    int64_t n = 0;
    if (flag == "--topic") {
      a.topic = v;
    } else if (flag == "-o" || flag == "--output") {
      a.output = v;
    } else if (flag == "--partitions") {
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        std::string part = v.substr(start, comma == std::string::npos ? comma : comma - start);
        if (!parse_int(part, n) || n > INT32_MAX) {
          return "--partitions: \"" + part + "\" is not a partition number";
        }
        a.partitions.insert(static_cast<int32_t>(n));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (flag == "--idle-timeout") {
      if (!parse_double(v, a.idle_s)) return "--idle-timeout: \"" + v + "\" is not a number of s";
    } else if (flag == "--from-offset" || flag == "--to-offset" || flag == "--from-time" ||
               flag == "--to-time" || flag == "--max-records") {
      if (!parse_int(v, n)) return flag + ": \"" + v + "\" is not a whole number";
      if (flag == "--from-offset") a.from_offset = n;
      if (flag == "--to-offset") a.to_offset = n;
      if (flag == "--from-time") a.from_time = n;
      if (flag == "--to-time") a.to_time = n;
      if (flag == "--max-records") a.max_records = n;
    } else {
      return "unexpected argument \"" + flag + "\"";
    }
  }
  if (a.proxy.manifest.empty() && a.proxy.url.empty()) return "give -f MANIFEST or --proxy URL";
  if (a.topic.empty()) return "missing --topic";
  if (a.max_records == 0) return "--max-records must be at least 1";
  if (a.to_offset && a.partitions.empty()) {
    return "--to-offset needs --partitions: the partitions whose end it marks (offsets are per "
           "partition)";
  }
  return {};
}

struct ReplayArgs {
  ProxyArgs proxy;
  std::string input;
  std::string topic;  // empty: each record's own
  double speed = 0;   // 1: the recorded pace
  double rate = 0;    // records per second
  bool keep_partitions = false;
  size_t batch = 100;
};

std::string parse_replay_args(const std::vector<std::string>& args, ReplayArgs& a) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string error;
    if (take_proxy_flag(args, i, a.proxy, error)) {
      if (!error.empty()) return error;
      continue;
    }
    const std::string& flag = args[i];
    if (flag == "--keep-partitions") {
      a.keep_partitions = true;
      continue;
    }
    if (i + 1 >= args.size()) return "unexpected argument \"" + flag + "\"";
    const std::string& v = args[++i];
    int64_t n = 0;
    if (flag == "--input") {
      a.input = v;
    } else if (flag == "--topic") {
      a.topic = v;
    } else if (flag == "--speed") {
      if (!parse_double(v, a.speed)) return "--speed: \"" + v + "\" is not a positive number";
    } else if (flag == "--rate") {
      if (!parse_double(v, a.rate)) return "--rate: \"" + v + "\" is not a positive number";
    } else if (flag == "--batch") {
      if (!parse_int(v, n) || n < 1 || n > 10000) return "--batch must be from 1 to 10000";
      a.batch = static_cast<size_t>(n);
    } else {
      return "unexpected argument \"" + flag + "\"";
    }
  }
  if (a.proxy.manifest.empty() && a.proxy.url.empty()) return "give -f MANIFEST or --proxy URL";
  if (a.input.empty()) return "missing --input FILE.jsonl";
  if (a.speed > 0 && a.rate > 0) return "give --speed or --rate, not both";
  return {};
}

}  // namespace

int record_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  RecordArgs a;
  if (std::string error = parse_record_args(args, a); !error.empty()) {
    err << "streamhost: " << error << "\n\n" << record_help();
    return kExitUsage;
  }
  std::ofstream file;
  if (!a.output.empty()) {
    file.open(a.output);
    if (!file) {
      err << "streamhost record: cannot write " << a.output << "\n";
      return kExitUsage;
    }
  }
  std::ostream& sink = a.output.empty() ? out : file;
  const auto started = Clock::now();
  int64_t written = 0;
  try {
    const connector::RestProxyOptions proxy = proxy_options(a.proxy);
    connector::ConsumerOptions consumer;
    consumer.group = "streamhost-record-" + random_suffix();
    consumer.auto_offset_reset = "earliest";
    consumer.instance_prefix = "streamhost-record";
    // Where each listed partition ends now (or --to-offset, if sooner): reaching every end stops
    // the recording without waiting for the idle timeout.
    std::map<int32_t, int64_t> ends;
    if (!a.partitions.empty()) {
      auto reader = connector::make_rest_proxy_log_offsets_reader(proxy, proxy.request_timeout);
      for (int32_t p : a.partitions) {
        int64_t end = reader->read({a.topic, p}).end;
        ends[p] = a.to_offset ? std::min(end, *a.to_offset) : end;
      }
    }
    auto source = connector::make_rest_proxy_source(proxy, consumer);
    source->subscribe({a.topic});
    auto last_progress = Clock::now();
    std::map<int32_t, int64_t> next;       // per partition: the offset after the last one taken
    std::map<int32_t, int64_t> sought_to;  // per partition: the last seek's target
    auto reached_ends = [&] {
      if (ends.empty()) return false;
      for (const auto& [p, end] : ends) {
        auto it = next.find(p);
        if (end > std::max(a.from_offset, it == next.end() ? int64_t{0} : it->second)) {
          return false;
        }
      }
      return true;
    };
    bool done = reached_ends();
    while (!done && written < a.max_records) {
      for (const auto& r : source->poll(std::chrono::milliseconds(500))) {
        if (!a.partitions.empty() && !a.partitions.contains(r.partition)) continue;
        // Below --from-offset, or read again after the proxy recreated its consumer (which,
        // with nothing committed, starts over from the earliest offset): skip ahead.
        const int64_t wanted = std::max(a.from_offset, next[r.partition]);
        if (r.offset < wanted) {
          if (sought_to[r.partition] != wanted) {
            source->seek({r.topic, r.partition}, wanted);
            sought_to[r.partition] = wanted;
          }
          continue;
        }
        next[r.partition] = r.offset + 1;
        if ((a.from_time || a.to_time) && r.timestamp_ms < 0) {
          throw connector::PermanentError(
              "the proxy gives no record timestamps (the Confluent v2 API does not), so "
              "--from-time/--to-time cannot apply; use --from-offset/--to-offset");
        }
        // Past the window: no progress, so a live topic cannot keep the recording open.
        if (a.to_offset && r.offset >= *a.to_offset) continue;
        if (a.to_time && r.timestamp_ms >= *a.to_time) continue;
        last_progress = Clock::now();
        if (a.from_time && r.timestamp_ms < *a.from_time) continue;
        sink << bench::format_record_line(r) << "\n";
        if (++written == a.max_records) break;
      }
      done =
          reached_ends() || Clock::now() - last_progress > std::chrono::duration<double>(a.idle_s);
    }
    source->close();
    sink.flush();
    err << "streamhost record: " << written << " records of " << a.topic << " in "
        << std::chrono::duration<double>(Clock::now() - started).count() << " s"
        << (a.output.empty() ? "" : " to " + a.output) << " (no offset committed)\n";
    return kExitOk;
  } catch (const ManifestError& e) {
    err << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    sink.flush();
    err << "streamhost record: " << e.what() << " (" << written << " records written before it"
        << (a.output.empty() ? "" : ", to " + a.output) << ")\n";
    return kExitRuntimeFailure;
  }
}

int replay_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ReplayArgs a;
  if (std::string error = parse_replay_args(args, a); !error.empty()) {
    err << "streamhost: " << error << "\n\n" << replay_help();
    return kExitUsage;
  }
  std::vector<connector::ConsumedRecord> records;
  try {
    std::ifstream in(a.input);
    if (!in) {
      err << "streamhost replay: cannot read " << a.input << "\n";
      return kExitUsage;
    }
    records = bench::read_record_file(in, a.input, kMaxReplayRecords);
  } catch (const bench::RecordFileError& e) {
    err << "streamhost replay: " << e.what() << "\n";
    return kExitUsage;
  }
  if (records.empty()) {
    err << "streamhost replay: " << a.input << " holds no record\n";
    return kExitUsage;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    if (a.topic.empty() && records[i].topic.empty()) {
      err << "streamhost replay: record " << i + 1 << " has no topic; give --topic\n";
      return kExitUsage;
    }
    if (!records[i].value) {
      err << "streamhost replay: record " << i + 1
          << " has a null value, which the proxies cannot produce\n";
      return kExitUsage;
    }
    if (a.speed > 0 && records[i].timestamp_ms < 0) {
      err << "streamhost replay: --speed needs timestamps; record " << i + 1 << " has none\n";
      return kExitUsage;
    }
  }
  try {
    auto sink = connector::make_rest_proxy_sink(proxy_options(a.proxy));
    const auto start = Clock::now();
    const int64_t first_ts = records.empty() ? 0 : records.front().timestamp_ms;
    auto due = [&](size_t i) {
      double s = 0;
      if (a.rate > 0) s = static_cast<double>(i) / a.rate;
      if (a.speed > 0) s = std::max<double>(0, records[i].timestamp_ms - first_ts) / 1e3 / a.speed;
      return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
    };
    size_t sent = 0, failed = 0;
    std::string first_error;
    for (size_t i = 0; i < records.size();) {
      std::this_thread::sleep_until(due(i));
      const std::string& topic = a.topic.empty() ? records[i].topic : a.topic;
      std::vector<connector::OutgoingRecord> batch;
      // Everything already due for the same topic goes in one request.
      while (i < records.size() && batch.size() < a.batch &&
             (a.topic.empty() ? records[i].topic : a.topic) == topic && due(i) <= Clock::now()) {
        connector::OutgoingRecord o{records[i].key, *records[i].value, std::nullopt};
        if (a.keep_partitions) o.partition = records[i].partition;
        batch.push_back(std::move(o));
        ++i;
      }
      std::vector<connector::DeliveryResult> results;
      try {
        results = sink->produce(topic, batch);
      } catch (const std::exception& e) {
        // The proxy failed past its own retries: say how far the file got, so a rerun can
        // start there (--input with the lines after the acknowledged ones).
        err << "streamhost replay: " << e.what() << "; " << sent << " of " << records.size()
            << " records were acknowledged before it, " << failed << " refused\n";
        return kExitRuntimeFailure;
      }
      for (const auto& result : results) {
        if (result.ok) {
          ++sent;
        } else if (failed++ == 0) {
          first_error = result.error;
        }
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    out << "streamhost replay: " << sent << " of " << records.size() << " records acknowledged in "
        << seconds << " s"
        << (failed ? "; " + std::to_string(failed) + " failed, the first: " + first_error : "")
        << "\n";
    return failed ? kExitRuntimeFailure : kExitOk;
  } catch (const ManifestError& e) {
    err << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    err << "streamhost replay: " << e.what() << "\n";
    return kExitRuntimeFailure;
  }
}

std::string record_help() {
  return R"(Usage: streamhost record (-f MANIFEST | --proxy URL [--dialect D]) --topic T [options]

Reads a slice of topic T through the REST proxy into JSONL, one record a line (key, value,
headers, topic, partition, offset, timestamp), for `streamhost bench --input` and `streamhost
replay`. It never commits an offset: it reads with a consumer group of its own, named
streamhost-record-<pid>-<n>, from the earliest offset, and deletes its consumer at the end.

  -f MANIFEST                  the proxy settings of a manifest (URL, dialect, auth, TLS)
  --proxy URL, --dialect D     or these (dialect strimzi or confluent; default strimzi)
  --topic T                    the topic to read
  --partitions 0,2             only these partitions; recording stops once each reaches its
                               current end (or --to-offset)
  --from-offset N              from offset N of each partition (seeks there)
  --to-offset N                up to, not including, offset N (with --partitions)
  --from-time MS, --to-time MS a window of record timestamps, ms since the epoch (not with the
                               Confluent v2 API, which gives no timestamps)
  --max-records N              at most N records (10000)
  --idle-timeout S             stop when no record arrived for S seconds (5)
  -o FILE.jsonl                write here (standard output otherwise)
Exit codes: 0 recorded, 1 the proxy failed, 2 usage or configuration error.
)";
}

std::string replay_help() {
  return R"(Usage: streamhost replay (-f MANIFEST | --proxy URL [--dialect D]) --input FILE.jsonl [options]

Produces the records of a JSONL file (as `streamhost record` writes them) through the REST proxy,
each to its own topic or to --topic, as fast as possible unless paced. Only acknowledged records
count as sent; a record Kafka refused is reported and the exit code is 1. Headers are not
replayed (the proxies' produce APIs as streamhost uses them carry keys and values only).

  -f MANIFEST                  the proxy settings of a manifest (URL, dialect, auth, TLS)
  --proxy URL, --dialect D     or these (dialect strimzi or confluent; default strimzi)
  --topic T                    every record to T
  --speed X                    the recorded pace (from the records' timestamps) times X:
                               1 as recorded, 10 ten times faster
  --rate R                     a fixed R records per second
  --keep-partitions            each record to its recorded partition (default: by key)
  --batch N                    at most N records per produce request (100)
Exit codes: 0 every record acknowledged, 1 a record was refused or the proxy failed, 2 usage or
configuration error.
)";
}

}  // namespace streamhost::host

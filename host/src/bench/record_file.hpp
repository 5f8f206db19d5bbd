// Recorded traffic: one Kafka record per line of a JSONL file, the format `streamhost record`
// writes and `streamhost bench` and `streamhost replay` read.
//
//   {"topic":"focus","partition":3,"offset":1207,"timestamp":1765100000123,
//    "key":"42","value":"{\"event_type\":...}","headers":[{"key":"trace","value":"ab12"}]}
//
// key and value are the record's bytes as text when they are UTF-8, else "key_base64" /
// "value_base64" (standard base64) carry them; a missing or null key or value is a null one.
// topic, partition, offset and timestamp are optional on input (bench routes a record without a
// topic to --route; replay sends it to --topic), so a hand-written file needs only "value".
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <streamhost/connector/record.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::host::bench {

// A line longer than this is refused: a recorded value is at most Kafka's message.max.bytes
// (1 MiB by default), which base64 and JSON escaping grow by at most 6x.
inline constexpr size_t kMaxRecordLineBytes = size_t{8} << 20;

struct RecordFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One line to a record. Throws RecordFileError naming the problem (not the line number: the
// reader below adds it). A field of the wrong type is an error, unknown fields are ignored.
connector::ConsumedRecord parse_record_line(std::string_view line);

// The record as one line, without the newline. Round-trips through parse_record_line exactly.
std::string format_record_line(const connector::ConsumedRecord& record);

// A file is held in memory whole: past this many bytes, sample it first.
inline constexpr size_t kMaxRecordFileBytes = size_t{1} << 30;

// Every record of a JSONL stream; blank lines are skipped. Throws RecordFileError
// "<name>:<line>: <problem>". Stops with an error past `max_records` records or `max_bytes`
// bytes.
std::vector<connector::ConsumedRecord> read_record_file(std::istream& in, const std::string& name,
                                                        size_t max_records,
                                                        size_t max_bytes = kMaxRecordFileBytes);

}  // namespace streamhost::host::bench

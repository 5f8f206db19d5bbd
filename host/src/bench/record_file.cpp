#include "bench/record_file.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <streamhost/json/bounded_parse.hpp>
#include <streamhost/text/base64.hpp>

#include "manifest/utf8.hpp"

namespace streamhost::host::bench {
namespace {

using rapidjson::Value;

// Records nest no deeper than the headers array of objects.
constexpr unsigned kMaxDepth = 4;

std::optional<std::string> read_bytes(const Value& object, const char* name) {
  const std::string text_name = name;
  const std::string b64_name = text_name + "_base64";
  auto text = object.FindMember(text_name.c_str());
  auto b64 = object.FindMember(b64_name.c_str());
  const bool has_text = text != object.MemberEnd() && !text->value.IsNull();
  const bool has_b64 = b64 != object.MemberEnd() && !b64->value.IsNull();
  if (has_text && has_b64) {
    throw RecordFileError("both \"" + text_name + "\" and \"" + b64_name + "\" are set");
  }
  if (has_text) {
    if (!text->value.IsString()) {
      throw RecordFileError("\"" + text_name + "\" must be a string or null");
    }
    return std::string(text->value.GetString(), text->value.GetStringLength());
  }
  if (has_b64) {
    if (!b64->value.IsString()) throw RecordFileError("\"" + b64_name + "\" must be a string");
    auto bytes = text::base64_decode({b64->value.GetString(), b64->value.GetStringLength()});
    if (!bytes) throw RecordFileError("\"" + b64_name + "\" is not valid base64");
    return bytes;
  }
  return std::nullopt;
}

int64_t read_integer(const Value& object, const char* name, int64_t fallback, int64_t min,
                     int64_t max) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return fallback;
  if (!it->value.IsInt64() || it->value.GetInt64() < min || it->value.GetInt64() > max) {
    throw RecordFileError("\"" + std::string(name) + "\" must be an integer from " +
                          std::to_string(min) + " to " + std::to_string(max));
  }
  return it->value.GetInt64();
}

template <typename Writer>
void write_bytes(Writer& w, const char* name, const std::optional<std::string>& bytes) {
  if (!bytes) return;
  if (!first_non_utf8(*bytes)) {
    w.Key(name);
    w.String(bytes->data(), static_cast<rapidjson::SizeType>(bytes->size()));
  } else {
    w.Key((std::string(name) + "_base64").c_str());
    w.String(text::base64_encode(*bytes));
  }
}

// std::getline with a bound: a file of one endless line must not be read into memory whole.
// False at the end of the stream.
bool read_line(std::istream& in, std::string& line, size_t max_bytes) {
  line.clear();
  char c = 0;
  bool any = false;
  while (in.get(c)) {
    any = true;
    if (c == '\n') return true;
    if (line.size() == max_bytes) {
      throw RecordFileError("line longer than " + std::to_string(max_bytes) + " bytes");
    }
    line.push_back(c);
  }
  return any;
}

}  // namespace

connector::ConsumedRecord parse_record_line(std::string_view line) {
  if (line.size() > kMaxRecordLineBytes) {
    throw RecordFileError("line longer than " + std::to_string(kMaxRecordLineBytes) + " bytes");
  }
  rapidjson::Document doc;
  if (auto error = json::parse_bounded(doc, line, kMaxDepth)) {
    throw RecordFileError("not JSON: " + error.message + " at byte " +
                          std::to_string(error.offset));
  }
  if (!doc.IsObject()) throw RecordFileError("a record line must be a JSON object");
  connector::ConsumedRecord record;
  if (auto topic = doc.FindMember("topic"); topic != doc.MemberEnd() && !topic->value.IsNull()) {
    if (!topic->value.IsString()) throw RecordFileError("\"topic\" must be a string");
    record.topic.assign(topic->value.GetString(), topic->value.GetStringLength());
  }
  record.partition = static_cast<int32_t>(read_integer(doc, "partition", 0, 0, INT32_MAX));
  record.offset = read_integer(doc, "offset", 0, 0, INT64_MAX);
  record.timestamp_ms = read_integer(doc, "timestamp", -1, -1, INT64_MAX);
  record.key = read_bytes(doc, "key");
  record.value = read_bytes(doc, "value");
  if (auto headers = doc.FindMember("headers");
      headers != doc.MemberEnd() && !headers->value.IsNull()) {
    if (!headers->value.IsArray()) throw RecordFileError("\"headers\" must be an array");
    for (const Value& h : headers->value.GetArray()) {
      if (!h.IsObject()) throw RecordFileError("each header must be an object");
      auto key = h.FindMember("key");
      if (key == h.MemberEnd() || !key->value.IsString()) {
        throw RecordFileError("each header needs a string \"key\"");
      }
      record.headers.push_back({std::string(key->value.GetString(), key->value.GetStringLength()),
                                read_bytes(h, "value").value_or("")});
    }
  }
  return record;
}

std::string format_record_line(const connector::ConsumedRecord& record) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("topic");
  w.String(record.topic);
  w.Key("partition");
  w.Int(record.partition);
  w.Key("offset");
  w.Int64(record.offset);
  if (record.timestamp_ms >= 0) {
    w.Key("timestamp");
    w.Int64(record.timestamp_ms);
  }
  write_bytes(w, "key", record.key);
  write_bytes(w, "value", record.value);
  if (!record.headers.empty()) {
    w.Key("headers");
    w.StartArray();
    for (const auto& h : record.headers) {
      w.StartObject();
      w.Key("key");
      w.String(h.key);
      write_bytes(w, "value", std::optional<std::string>(h.value));
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::vector<connector::ConsumedRecord> read_record_file(std::istream& in, const std::string& name,
                                                        size_t max_records, size_t max_bytes) {
  size_t bytes = 0;
  std::vector<connector::ConsumedRecord> records;
  std::string line;
  size_t number = 0;
  for (;;) {
    ++number;
    try {
      if (!read_line(in, line, kMaxRecordLineBytes)) break;
    } catch (const RecordFileError& e) {
      throw RecordFileError(name + ":" + std::to_string(number) + ": " + e.what());
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (records.size() == max_records) {
      throw RecordFileError(name + ":" + std::to_string(number) + ": more than " +
                            std::to_string(max_records) + " records");
    }
    bytes += line.size() + 1;
    if (bytes > max_bytes) {
      throw RecordFileError(name + ":" + std::to_string(number) + ": more than " +
                            std::to_string(max_bytes >> 20) + " MiB of records");
    }
    try {
      records.push_back(parse_record_line(line));
    } catch (const RecordFileError& e) {
      throw RecordFileError(name + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  return records;
}

}  // namespace streamhost::host::bench

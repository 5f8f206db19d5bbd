#include "record_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <streamhost/json/bounded_parse.hpp>

#include "base64.hpp"

namespace streamhost::connector::detail {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// A reply nests 3 levels plus, in the json embedded format, the records' own values: room for any
// sensible record while a hostile one cannot overflow the stack when its value is re-serialised.
constexpr unsigned kMaxReplyDepth = 256;

rapidjson::Document parse_reply(std::string_view body, const char* what) {
  rapidjson::Document doc;
  if (const json::ParseError e = json::parse_bounded(doc, body, kMaxReplyDepth)) {
    throw MalformedReply(std::string(what) + " reply is not valid JSON (" + e.message +
                         " at byte " + std::to_string(e.offset) + " of " +
                         std::to_string(body.size()) + ")");
  }
  return doc;
}

std::string to_json_text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// A key or value of a consumed record: null, base64 (binary) or any JSON (json format).
std::optional<std::string> decode_payload(const rapidjson::Value& value, EmbeddedFormat format,
                                          const char* field, size_t index) {
  if (value.IsNull()) return std::nullopt;
  if (format == EmbeddedFormat::kJson) return to_json_text(value);
  if (!value.IsString()) {
    throw MalformedReply("record " + std::to_string(index) + ": " + field +
                         " is not a base64 string");
  }
  auto bytes = base64_decode(std::string_view(value.GetString(), value.GetStringLength()));
  if (!bytes) {
    throw MalformedReply("record " + std::to_string(index) + ": " + field + " is not valid base64");
  }
  return bytes;
}

bool is_json_text(const std::string& text) {
  rapidjson::Reader reader;
  rapidjson::StringStream stream(text.c_str());
  rapidjson::BaseReaderHandler<> ignore;
  // Iterative: the text is a handler's output, which may nest arbitrarily deep.
  return !reader.Parse<rapidjson::kParseIterativeFlag>(stream, ignore).IsError() &&
         stream.Tell() == text.size();
}

void write_payload(Writer& w, const std::string& bytes, EmbeddedFormat format) {
  if (format == EmbeddedFormat::kJson) {
    w.RawValue(bytes.data(), bytes.size(), rapidjson::kObjectType);
  } else {
    w.String(base64_encode(bytes));
  }
}

}  // namespace

std::vector<ConsumedRecord> decode_records(std::string_view body, EmbeddedFormat format) {
  const rapidjson::Document doc = parse_reply(body, "records");
  if (!doc.IsArray()) throw MalformedReply("records reply is not a JSON array");
  std::vector<ConsumedRecord> records;
  records.reserve(doc.Size());
  size_t index = 0;
  for (const auto& item : doc.GetArray()) {
    if (!item.IsObject())
      throw MalformedReply("record " + std::to_string(index) + " is not an object");
    auto topic = item.FindMember("topic");
    auto partition = item.FindMember("partition");
    auto offset = item.FindMember("offset");
    if (topic == item.MemberEnd() || !topic->value.IsString() || partition == item.MemberEnd() ||
        !partition->value.IsInt() || offset == item.MemberEnd() || !offset->value.IsInt64()) {
      throw MalformedReply("record " + std::to_string(index) + " lacks topic, partition or offset");
    }
    ConsumedRecord record;
    record.topic.assign(topic->value.GetString(), topic->value.GetStringLength());
    record.partition = partition->value.GetInt();
    record.offset = offset->value.GetInt64();
    if (auto key = item.FindMember("key"); key != item.MemberEnd()) {
      record.key = decode_payload(key->value, format, "key", index);
    }
    if (auto value = item.FindMember("value"); value != item.MemberEnd()) {
      record.value = decode_payload(value->value, format, "value", index);
    }
    // Strimzi only: Confluent v2 has neither timestamps nor headers.
    if (auto ts = item.FindMember("timestamp"); ts != item.MemberEnd() && ts->value.IsInt64()) {
      record.timestamp_ms = ts->value.GetInt64();
    }
    if (auto headers = item.FindMember("headers");
        headers != item.MemberEnd() && headers->value.IsArray()) {
      for (const auto& h : headers->value.GetArray()) {
        if (!h.IsObject()) continue;
        auto hk = h.FindMember("key");
        auto hv = h.FindMember("value");
        if (hk == h.MemberEnd() || !hk->value.IsString()) continue;
        // Whole strings (with their length): a JSON string may hold \u0000.
        Header header{std::string(hk->value.GetString(), hk->value.GetStringLength()), ""};
        if (hv != h.MemberEnd() && hv->value.IsString()) {
          auto bytes =
              base64_decode(std::string_view(hv->value.GetString(), hv->value.GetStringLength()));
          if (!bytes) {
            throw MalformedReply("record " + std::to_string(index) + ": header " + header.key +
                                 " is not valid base64");
          }
          header.value = std::move(*bytes);
        }
        record.headers.push_back(std::move(header));
      }
    }
    records.push_back(std::move(record));
    ++index;
  }
  return records;
}

namespace {

// The first character of JSON text (already known to be valid JSON), or '\0'.
char json_lead(const std::string& text) {
  const size_t at = text.find_first_not_of(" \t\r\n");
  return at == std::string::npos ? '\0' : text[at];
}

bool is_json_null(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  const size_t end = text.find_last_not_of(" \t\r\n");
  return begin != std::string::npos && text.compare(begin, end - begin + 1, "null") == 0;
}

// The Strimzi bridge's request schema (RecordValue in its openapi.json) takes only an object, an
// array, a string or null as a json-format value; a number or a boolean gets a 400 for the whole
// request, failing every record in it. Such a record is failed here instead, with the reason.
// Confluent takes any JSON value. Returns the refused value's kind, or nullptr.
const char* strimzi_refused_value(const std::string& text) {
  switch (json_lead(text)) {
    case '{':
    case '[':
    case '"':
    case 'n':
      return nullptr;
    case 't':
    case 'f':
      return "a boolean";
    default:
      return "a number";
  }
}

}  // namespace

ProduceBody encode_produce_body(const std::vector<OutgoingRecord>& records,
                                const std::vector<size_t>& indices, EmbeddedFormat format,
                                std::vector<std::pair<size_t, std::string>>& invalid,
                                Dialect dialect) {
  ProduceBody body;
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("records");
  w.StartArray();
  for (size_t i : indices) {
    const OutgoingRecord& record = records[i];
    if (format == EmbeddedFormat::kJson) {
      if (!is_json_text(record.value)) {
        invalid.emplace_back(i, "value is not JSON text (the sink uses the json embedded format)");
        continue;
      }
      if (record.key && !is_json_text(*record.key)) {
        invalid.emplace_back(i, "key is not JSON text (the sink uses the json embedded format)");
        continue;
      }
      if (dialect == Dialect::kStrimzi) {
        if (const char* kind = strimzi_refused_value(record.value)) {
          invalid.emplace_back(i, std::string("value is ") + kind +
                                      ", which the Strimzi bridge's json embedded format refuses "
                                      "(it takes an object, an array, a string or null)");
          continue;
        }
        // A JSON null key is left out below; any other key is held to the value's rule minus null.
        if (record.key && !is_json_null(*record.key)) {
          if (const char* kind = strimzi_refused_value(*record.key)) {
            invalid.emplace_back(i, std::string("key is ") + kind +
                                        ", which the Strimzi bridge's json embedded format refuses "
                                        "(it takes an object, an array or a string)");
            continue;
          }
        }
      }
    }
    // In json format a JSON null key is no key, which the key field left out says on both proxies
    // (Strimzi refuses "key":null); omitting it avoids relying on null being accepted.
    const bool has_key =
        record.key && !(format == EmbeddedFormat::kJson && is_json_null(*record.key));
    w.StartObject();
    if (has_key) w.Key("key"), write_payload(w, *record.key, format);
    w.Key("value");
    write_payload(w, record.value, format);
    if (record.partition) w.Key("partition"), w.Int(*record.partition);
    w.EndObject();
    body.sent.push_back(i);
  }
  w.EndArray();
  w.EndObject();
  body.json.assign(buffer.GetString(), buffer.GetSize());
  return body;
}

std::vector<RecordAck> decode_produce_reply(std::string_view body, size_t expected) {
  const rapidjson::Document doc = parse_reply(body, "produce");
  if (!doc.IsObject()) throw MalformedReply("produce reply is not a JSON object");
  auto offsets = doc.FindMember("offsets");
  if (offsets == doc.MemberEnd() || !offsets->value.IsArray()) {
    throw MalformedReply("produce reply has no offsets array");
  }
  if (offsets->value.Size() != expected) {
    throw MalformedReply("produce reply has " + std::to_string(offsets->value.Size()) +
                         " offsets for " + std::to_string(expected) + " records");
  }
  std::vector<RecordAck> acks;
  acks.reserve(expected);
  for (const auto& entry : offsets->value.GetArray()) {
    RecordAck ack;
    if (!entry.IsObject()) throw MalformedReply("produce reply offset entry is not an object");
    auto code = entry.FindMember("error_code");
    if (code != entry.MemberEnd() && !code->value.IsNull()) {
      ack.error_code = code->value.IsInt64() ? code->value.GetInt64() : 0;
      for (const char* field : {"error", "message"}) {
        auto text = entry.FindMember(field);
        if (text != entry.MemberEnd() && text->value.IsString()) {
          ack.error = text->value.GetString();
          break;
        }
      }
      if (ack.error.empty()) ack.error = "error_code " + std::to_string(*ack.error_code);
    } else {
      auto partition = entry.FindMember("partition");
      auto offset = entry.FindMember("offset");
      if (partition == entry.MemberEnd() || !partition->value.IsInt() ||
          offset == entry.MemberEnd() || !offset->value.IsInt64()) {
        throw MalformedReply("produce reply entry has neither an error nor partition/offset");
      }
      ack.partition = partition->value.GetInt();
      ack.offset = offset->value.GetInt64();
    }
    acks.push_back(std::move(ack));
  }
  return acks;
}

std::string encode_offsets_body(const std::vector<PartitionOffset>& offsets) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("offsets");
  w.StartArray();
  for (const auto& o : offsets) {
    w.StartObject();
    w.Key("topic");
    w.String(o.partition.topic);
    w.Key("partition");
    w.Int(o.partition.partition);
    w.Key("offset");
    w.Int64(o.next_offset);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string encode_topics_body(const std::vector<std::string>& topics) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("topics");
  w.StartArray();
  for (const auto& t : topics) w.String(t);
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

CreatedInstance decode_created_instance(std::string_view body) {
  const rapidjson::Document doc = parse_reply(body, "create consumer");
  // MemberEnd() is only defined for an object (RapidJSON asserts it).
  if (!doc.IsObject()) throw MalformedReply("create consumer reply lacks instance_id or base_uri");
  auto id = doc.FindMember("instance_id");
  auto uri = doc.FindMember("base_uri");
  if (id == doc.MemberEnd() || !id->value.IsString() || uri == doc.MemberEnd() ||
      !uri->value.IsString()) {
    throw MalformedReply("create consumer reply lacks instance_id or base_uri");
  }
  return {std::string(id->value.GetString(), id->value.GetStringLength()),
          std::string(uri->value.GetString(), uri->value.GetStringLength())};
}

LogOffsets decode_log_offsets(std::string_view body) {
  const rapidjson::Document doc = parse_reply(body, "log offsets");
  auto offset = [&doc](const char* name) -> int64_t {
    if (!doc.IsObject() || !doc.HasMember(name) || !doc[name].IsInt64() ||
        doc[name].GetInt64() < 0) {
      throw MalformedReply(std::string("log offsets reply has no offset ") + name +
                           " (a non-negative integer)");
    }
    return doc[name].GetInt64();
  };
  const LogOffsets offsets{offset("beginning_offset"), offset("end_offset")};
  if (offsets.beginning > offsets.end) {
    throw MalformedReply("log offsets reply has beginning_offset " +
                         std::to_string(offsets.beginning) + " past end_offset " +
                         std::to_string(offsets.end));
  }
  return offsets;
}

namespace {

int32_t partition_number(const rapidjson::Value& v) {
  if (!v.IsInt() || v.GetInt() < 0) throw MalformedReply("assignment lists a bad partition number");
  return v.GetInt();
}

}  // namespace

std::vector<TopicPartition> decode_assignment(std::string_view body, Dialect dialect) {
  const rapidjson::Document doc = parse_reply(body, "assignment");
  if (!doc.IsObject()) throw MalformedReply("assignment reply is not an object");
  auto list = doc.FindMember("partitions");
  if (list == doc.MemberEnd()) {
    // Strimzi leaves "partitions" out while nothing is assigned.
    if (dialect == Dialect::kStrimzi) return {};
    throw MalformedReply("assignment reply lacks partitions");
  }
  if (!list->value.IsArray()) throw MalformedReply("assignment partitions is not an array");
  std::vector<TopicPartition> out;
  for (const auto& item : list->value.GetArray()) {
    if (!item.IsObject()) throw MalformedReply("assignment entry is not an object");
    if (dialect == Dialect::kConfluent) {
      auto topic = item.FindMember("topic");
      auto partition = item.FindMember("partition");
      if (topic == item.MemberEnd() || !topic->value.IsString() || partition == item.MemberEnd()) {
        throw MalformedReply("assignment entry lacks topic or partition");
      }
      out.push_back({std::string(topic->value.GetString(), topic->value.GetStringLength()),
                     partition_number(partition->value)});
      continue;
    }
    for (const auto& member : item.GetObject()) {
      if (!member.value.IsArray()) throw MalformedReply("assignment partitions is not an array");
      const std::string topic(member.name.GetString(), member.name.GetStringLength());
      for (const auto& p : member.value.GetArray()) out.push_back({topic, partition_number(p)});
    }
  }
  return out;
}

}  // namespace streamhost::connector::detail

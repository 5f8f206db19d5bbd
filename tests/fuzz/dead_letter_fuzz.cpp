// The dead-letter envelope (host/src/runtime/dead_letter.cpp) for arbitrary record bytes: the one
// place a poison record's bytes must survive exactly, so an operator can read and replay it.
//
// Input: [flags] [max_bytes: 2 bytes] [key length] [reason length] key reason value...
//   flags bit 0: null key, bit 1: null value, bit 2: no timestamp, bit 3: a size limit of
//   200 + max_bytes bytes (otherwise unlimited); the value is the rest of the input.
//
// Invariants: the envelope is strict JSON (UTF-8 validated) and an object; decoding `value` and
// `key` by their `*_encoding` (utf8 or base64) gives the original bytes exactly, or, only when
// `*_truncated` says so, a prefix of them with `*_bytes` the original size; null stays null with a
// null encoding; the reason is the plugin's when it is UTF-8; topic, partition, offset, timestamp,
// route, handler, plugin, status and time are the record's. With a limit, the envelope fits it
// unless every field that can be cut was cut to nothing.
#include <streamhost/plugin_api.h>

#include "fuzz_support.hpp"
#include "runtime/dead_letter.hpp"

namespace {

using namespace streamhost;
using streamhost::fuzz::printable;
namespace rt = streamhost::host::runtime;

sh_status no_op(void*, const sh_record*, const sh_emitter*, char*, size_t) {
  return SH_STATUS_OK;
}

const sh_handler_def kHandler{
    .name = "focus", .description = "fuzz", .process = &no_op, .emits = SH_EMITS_TO_OUTPUT_TOPIC};

class FakePlugin final : public host::PluginInstance {
 public:
  FakePlugin() {
    descriptor_.name = "coupon";
    descriptor_.version = "1.2.3";
  }
  const std::string& name() const override { return name_; }
  const sh_plugin_descriptor& descriptor() const override { return descriptor_; }
  void* instance() const override { return nullptr; }
  const sh_handler_def* find_handler(const std::string&) const override { return &kHandler; }
  bool ready(std::string&) const override { return true; }

 private:
  std::string name_ = "coupon";
  sh_plugin_descriptor descriptor_{};
};

const rt::Route& route() {
  static const FakePlugin plugin;
  static const rt::Route r = [] {
    rt::Route x;
    x.name = "focus";
    x.source_topic = "customer-focus";
    x.handler = host::HandlerRef{&plugin, &kHandler};
    return x;
  }();
  return r;
}

std::string_view text_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

const rapidjson::Value& member(const rapidjson::Value& doc, const std::string& name) {
  auto it = doc.FindMember(name.c_str());
  FUZZ_CHECK(it != doc.MemberEnd(), "the envelope has no \"" + name + "\"");
  return it->value;
}

// The bytes a field decodes to; sets `truncated` from the envelope's own say-so.
std::optional<std::string> decode_field(const rapidjson::Document& doc, const std::string& name,
                                        bool& truncated, uint64_t& original_size) {
  const auto& value = member(doc, name);
  const auto& encoding = member(doc, name + "_encoding");
  auto cut = doc.FindMember((name + "_truncated").c_str());
  truncated = cut != doc.MemberEnd();
  if (truncated) {
    FUZZ_CHECK(cut->value.IsTrue(), name + "_truncated is not true");
    const auto& bytes = member(doc, name + "_bytes");
    FUZZ_CHECK(bytes.IsUint64(), name + "_bytes is not a count");
    original_size = bytes.GetUint64();
  }
  if (value.IsNull()) {
    FUZZ_CHECK(encoding.IsNull(), name + " is null but its encoding is not");
    FUZZ_CHECK(!truncated, "a null " + name + " is truncated");
    return std::nullopt;
  }
  FUZZ_CHECK(value.IsString() && encoding.IsString(), name + " is neither null nor a string");
  const std::string_view how = text_of(encoding);
  if (how == "utf8") return std::string(text_of(value));
  FUZZ_CHECK(how == "base64", name + "_encoding is \"" + printable(how) + "\"");
  auto bytes = fuzz::reference_base64_decode(text_of(value));
  FUZZ_CHECK(bytes.has_value(), name + " is not base64: " + printable(text_of(value)));
  return bytes;
}

// Whether `got` is `original` (whole) or a declared prefix of it.
void check_bytes(const char* name, const std::optional<std::string>& original,
                 const std::optional<std::string>& got, bool truncated, uint64_t original_size) {
  FUZZ_CHECK(original.has_value() == got.has_value(), std::string(name) + ": null changed");
  if (!original) return;
  if (!truncated) {
    FUZZ_CHECK(*got == *original, std::string(name) + ": " + printable(*original) +
                                      " came back as " + printable(*got));
    return;
  }
  FUZZ_CHECK(original_size == original->size(), std::string(name) + "_bytes is wrong");
  FUZZ_CHECK(got->size() < original->size() && original->compare(0, got->size(), *got) == 0,
             std::string(name) + ": the truncated bytes are not a prefix of the original");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Reader in(data, size);
  const uint8_t flags = in.byte();
  const size_t max_bytes = (flags & 8) ? 200 + in.u16() : rt::kUnlimitedEnvelope;
  const size_t key_size = in.byte();
  const size_t reason_size = in.byte();
  connector::ConsumedRecord record;
  record.topic = "customer-focus";
  record.partition = flags >> 4;
  record.offset = 1841 + static_cast<int64_t>(size);
  record.timestamp_ms = (flags & 4) ? -1 : 1700000001841;
  std::string_view key = in.take(key_size);
  const std::string reason(in.take(reason_size));
  std::string_view value = in.rest();
  if (!(flags & 1)) record.key = std::string(key);
  if (!(flags & 2)) record.value = std::string(value);

  const std::string time = "2026-11-28T23:41:10.123Z";
  std::string envelope;
  try {
    envelope = rt::dead_letter_envelope(route(), record, SH_STATUS_REJECT, reason, time, max_bytes);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("dead_letter_envelope threw: ") + e.what());
  }

  FUZZ_CHECK(fuzz::is_strict_json(envelope), "the envelope is not JSON: " + printable(envelope));
  rapidjson::Document doc;
  doc.Parse(envelope.data(), envelope.size());
  FUZZ_CHECK(doc.IsObject(), "the envelope is not an object");

  bool key_cut = false, value_cut = false;
  uint64_t key_size_said = 0, value_size_said = 0;
  const auto key_back = decode_field(doc, "key", key_cut, key_size_said);
  const auto value_back = decode_field(doc, "value", value_cut, value_size_said);
  check_bytes("key", record.key, key_back, key_cut, key_size_said);
  check_bytes("value", record.value, value_back, value_cut, value_size_said);

  const auto& why = member(doc, "reason");
  FUZZ_CHECK(why.IsString(), "reason is not a string");
  const bool reason_cut = doc.HasMember("reason_truncated");
  if (fuzz::strict_utf8(reason)) {
    if (reason_cut) {
      FUZZ_CHECK(reason.compare(0, why.GetStringLength(), text_of(why)) == 0,
                 "the truncated reason is not a prefix");
    } else {
      FUZZ_CHECK(text_of(why) == reason,
                 "reason " + printable(reason) + " came back as " + printable(text_of(why)));
    }
  }

  FUZZ_CHECK(text_of(member(doc, "topic")) == record.topic, "topic");
  FUZZ_CHECK(member(doc, "partition").GetInt() == record.partition, "partition");
  FUZZ_CHECK(member(doc, "offset").GetInt64() == record.offset, "offset");
  const auto& ts = member(doc, "timestamp");
  FUZZ_CHECK(record.timestamp_ms < 0 ? ts.IsNull() : ts.GetInt64() == record.timestamp_ms,
             "timestamp");
  FUZZ_CHECK(text_of(member(doc, "route")) == "focus", "route");
  FUZZ_CHECK(text_of(member(doc, "handler")) == "focus", "handler");
  FUZZ_CHECK(text_of(member(doc, "plugin")) == "coupon", "plugin");
  FUZZ_CHECK(text_of(member(doc, "plugin_version")) == "1.2.3", "plugin_version");
  FUZZ_CHECK(text_of(member(doc, "status")) == "reject", "status");
  FUZZ_CHECK(text_of(member(doc, "time")) == time, "time");

  if (max_bytes != rt::kUnlimitedEnvelope && envelope.size() > max_bytes) {
    const bool all_cut =
        (!record.key || record.key->empty() || (key_cut && key_back->empty())) &&
        (!record.value || record.value->empty() || (value_cut && value_back->empty())) &&
        (reason.empty() || (reason_cut && why.GetStringLength() == 0));
    FUZZ_CHECK(all_cut, "a " + std::to_string(envelope.size()) + "-byte envelope for a limit of " +
                            std::to_string(max_bytes) + " with bytes left to cut");
  }
  if (max_bytes == rt::kUnlimitedEnvelope) {
    FUZZ_CHECK(!key_cut && !value_cut && !reason_cut, "cut without a limit");
  }
  return 0;
}

// REST proxy produce replies (connectors/rest_proxy/src/record_codec.cpp, decode_produce_reply):
// the body of POST /topics/{t}, whose "offsets" array says what happened to each record sent.
//
// Invariants: only MalformedReply escapes; a reply is accepted only for the number of records it
// has entries for (the same body with one record more or less is refused); each accepted entry is
// either a failure (error_code set, a non-empty message) or an acknowledgement with the entry's
// own partition and offset; never both, never neither.
#include "fuzz_support.hpp"
#include "record_codec.hpp"

namespace {

using namespace streamhost;
using connector::detail::MalformedReply;
using connector::detail::RecordAck;
using streamhost::fuzz::printable;

// nullopt when refused.
std::optional<std::vector<RecordAck>> decode(std::string_view body, size_t expected) {
  try {
    return connector::detail::decode_produce_reply(body, expected);
  } catch (const MalformedReply& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "an empty MalformedReply message");
    return std::nullopt;
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("decode_produce_reply let through: ") + e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = fuzz::as_text(data, size);
  // How many entries the body has, read independently; the decoder is asked for that many.
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(),
                                                                                    body.size());
  size_t entries = 1;
  const rapidjson::Value* offsets = nullptr;
  if (!doc.HasParseError() && doc.IsObject()) {
    auto it = doc.FindMember("offsets");
    if (it != doc.MemberEnd() && it->value.IsArray()) {
      offsets = &it->value;
      entries = offsets->Size();
    }
  }

  const auto acks = decode(body, entries);
  FUZZ_CHECK(!decode(body, entries + 1), "accepted for one record more than it answers");
  if (entries > 0) FUZZ_CHECK(!decode(body, entries - 1), "accepted for one record fewer");
  if (!acks) return 0;

  FUZZ_CHECK(fuzz::is_strict_json(body) && offsets != nullptr,
             "accepted a reply without an offsets array: " + printable(body));
  FUZZ_CHECK(acks->size() == entries,
             "acks for " + std::to_string(entries) + " entries: " + std::to_string(acks->size()));
  for (size_t i = 0; i < entries; ++i) {
    const auto& entry = (*offsets)[static_cast<rapidjson::SizeType>(i)];
    const RecordAck& ack = (*acks)[i];
    FUZZ_CHECK(entry.IsObject(), "accepted a non-object entry");
    auto code = entry.FindMember("error_code");
    const bool failed = code != entry.MemberEnd() && !code->value.IsNull();
    FUZZ_CHECK(failed == ack.error_code.has_value(),
               "entry " + std::to_string(i) + " failure misread: " + printable(body));
    if (failed) {
      FUZZ_CHECK(!ack.error.empty(), "a failed entry without a message");
      FUZZ_CHECK(fuzz::strict_utf8(ack.error), "error message not UTF-8: " + printable(ack.error));
      if (code->value.IsInt64())
        FUZZ_CHECK(*ack.error_code == code->value.GetInt64(), "error_code");
    } else {
      auto partition = entry.FindMember("partition");
      auto offset = entry.FindMember("offset");
      FUZZ_CHECK(partition != entry.MemberEnd() && partition->value.IsInt() &&
                     partition->value.GetInt() == ack.partition,
                 "partition " + std::to_string(ack.partition));
      FUZZ_CHECK(offset != entry.MemberEnd() && offset->value.IsInt64() &&
                     offset->value.GetInt64() == ack.offset,
                 "offset " + std::to_string(ack.offset));
    }
  }
  return 0;
}

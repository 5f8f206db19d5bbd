// REST proxy records replies (connectors/rest_proxy/src/record_codec.cpp, decode_records): the body
// of GET .../records, decoded in both embedded formats.
//
// Invariants: only MalformedReply escapes; an accepted body is strict JSON, an array with one
// record per item, each with the item's topic, partition and offset; in the binary format the key,
// value and header values are exactly the base64 decoding of the item's whole strings (checked
// with an independent decoder) and header keys are the whole key strings; in the json format the
// key and value are JSON text equal to the item's values (numbers as correctly rounded doubles).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "fuzz_support.hpp"
#include "record_codec.hpp"

namespace {

using namespace streamhost;
using connector::EmbeddedFormat;
using connector::detail::MalformedReply;
using streamhost::fuzz::printable;

// The reference values come from fuzz::reference_parse: numbers read by strtod, correctly rounded.
// RapidJSON's default conversion is not, and reads "-59223372036854779000.0", its own writer's text
// for the double nearest -59223372036854775807.5, as its neighbour, so comparing through it failed
// on a faithful decoding.
std::string_view text_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

std::string written(const rapidjson::Value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

void check_payload(const rapidjson::Value* item, const std::optional<std::string>& decoded,
                   EmbeddedFormat format, const char* field, size_t index) {
  const std::string what = std::string("record ") + std::to_string(index) + " " + field;
  if (item == nullptr || item->IsNull()) {
    FUZZ_CHECK(!decoded, what + ": absent or null, decoded as " + printable(*decoded));
    return;
  }
  FUZZ_CHECK(decoded.has_value(), what + ": present but decoded as null");
  if (format == EmbeddedFormat::kBinary) {
    FUZZ_CHECK(item->IsString(), what + ": accepted a non-string in the binary format");
    const auto expected = fuzz::reference_base64_decode(text_of(*item));
    FUZZ_CHECK(expected && *expected == *decoded,
               what + ": " + printable(text_of(*item)) + " decoded as " + printable(*decoded));
  } else {
    rapidjson::Document again;
    FUZZ_CHECK(fuzz::reference_parse(again, *decoded),
               what + ": json text does not parse: " + printable(*decoded));
    // Compared as written text, which keeps member order and duplicate names (Value::operator==
    // matches members by name, so it cannot tell {"a":1,"a":2} from {"a":2,"a":1}).
    FUZZ_CHECK(written(again) == written(*item),
               what + ": json text differs from the item: " + printable(*decoded));
  }
}

const rapidjson::Value* find(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

void decode_and_check(std::string_view body, EmbeddedFormat format) {
  std::vector<connector::ConsumedRecord> records;
  try {
    records = connector::detail::decode_records(body, format);
  } catch (const MalformedReply& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "an empty MalformedReply message");
    return;
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("decode_records let through: ") + e.what());
  }

  FUZZ_CHECK(fuzz::is_strict_json(body), "accepted a body that is not JSON: " + printable(body));
  rapidjson::Document doc;
  fuzz::reference_parse(doc, body);
  FUZZ_CHECK(doc.IsArray(), "accepted a non-array: " + printable(body));
  FUZZ_CHECK(records.size() == doc.Size(), std::to_string(doc.Size()) + " items gave " +
                                               std::to_string(records.size()) + " records");
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& item = doc[static_cast<rapidjson::SizeType>(i)];
    const auto& r = records[i];
    FUZZ_CHECK(item.IsObject(), "accepted a non-object item");
    const auto* topic = find(item, "topic");
    const auto* partition = find(item, "partition");
    const auto* offset = find(item, "offset");
    FUZZ_CHECK(topic && topic->IsString() && text_of(*topic) == r.topic,
               "topic " + printable(r.topic));
    FUZZ_CHECK(partition && partition->IsInt() && partition->GetInt() == r.partition,
               "partition " + std::to_string(r.partition));
    FUZZ_CHECK(offset && offset->IsInt64() && offset->GetInt64() == r.offset,
               "offset " + std::to_string(r.offset));
    check_payload(find(item, "key"), r.key, format, "key", i);
    check_payload(find(item, "value"), r.value, format, "value", i);

    // Headers (Strimzi): objects with a string key, and a base64 value or none.
    std::vector<connector::Header> expected;
    if (const auto* headers = find(item, "headers"); headers && headers->IsArray()) {
      for (const auto& h : headers->GetArray()) {
        if (!h.IsObject()) continue;
        const auto* hk = find(h, "key");
        if (hk == nullptr || !hk->IsString()) continue;
        connector::Header header{std::string(text_of(*hk)), ""};
        if (const auto* hv = find(h, "value"); hv && hv->IsString()) {
          const auto bytes = fuzz::reference_base64_decode(text_of(*hv));
          FUZZ_CHECK(bytes.has_value(),
                     "accepted header " + printable(header.key) +
                         " whose value is not base64: " + printable(text_of(*hv)));
          header.value = *bytes;
        }
        expected.push_back(std::move(header));
      }
    }
    FUZZ_CHECK(expected.size() == r.headers.size(), std::to_string(expected.size()) +
                                                        " headers decoded as " +
                                                        std::to_string(r.headers.size()));
    for (size_t h = 0; h < expected.size(); ++h) {
      FUZZ_CHECK(expected[h].key == r.headers[h].key, "header key " + printable(expected[h].key) +
                                                          " decoded as " +
                                                          printable(r.headers[h].key));
      FUZZ_CHECK(expected[h].value == r.headers[h].value, "header " + printable(expected[h].key) +
                                                              " value decoded as " +
                                                              printable(r.headers[h].value));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = fuzz::as_text(data, size);
  decode_and_check(body, EmbeddedFormat::kBinary);
  decode_and_check(body, EmbeddedFormat::kJson);
  return 0;
}

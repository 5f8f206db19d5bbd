// A partition's offsets from the REST proxy (connectors/rest_proxy/src/record_codec.cpp,
// decode_log_offsets): GET /topics/{t}/partitions/{p}/offsets, read for lag figures and metrics.
//
// Invariants: only MalformedReply escapes, with a message; a decoded reply is strict JSON, an
// object whose beginning_offset and end_offset are the integers decoded (read independently by
// fuzz::reference_parse), with 0 <= beginning <= end; a reply that holds such integers and is
// strict JSON of at most 256 levels is decoded.
#include "fuzz_support.hpp"
#include "record_codec.hpp"

namespace {

using namespace streamhost;
using streamhost::fuzz::printable;

// The two offsets as the reply states them, or nullopt when it does not hold a valid pair.
std::optional<connector::LogOffsets> expected_offsets(std::string_view body) {
  if (!fuzz::is_strict_json(body) || fuzz::json_depth(body) > 256) return std::nullopt;
  rapidjson::Document doc;
  if (!fuzz::reference_parse(doc, body) || !doc.IsObject()) return std::nullopt;
  auto read = [&doc](const char* name) -> std::optional<int64_t> {
    auto it = doc.FindMember(name);
    if (it == doc.MemberEnd() || !it->value.IsInt64() || it->value.GetInt64() < 0) {
      return std::nullopt;
    }
    return it->value.GetInt64();
  };
  const auto beginning = read("beginning_offset");
  const auto end = read("end_offset");
  if (!beginning || !end || *beginning > *end) return std::nullopt;
  return connector::LogOffsets{*beginning, *end};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const std::optional<connector::LogOffsets> expected = expected_offsets(body);
  connector::LogOffsets got;
  try {
    got = connector::detail::decode_log_offsets(body);
  } catch (const connector::detail::MalformedReply& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "an empty MalformedReply message");
    FUZZ_CHECK(!expected,
               "refused a valid reply (" + std::string(e.what()) + "): " + printable(body));
    return 0;
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("decode_log_offsets let through: ") + e.what());
  }
  FUZZ_CHECK(expected.has_value(), "accepted " + printable(body));
  FUZZ_CHECK(got.beginning == expected->beginning && got.end == expected->end,
             "read " + std::to_string(got.beginning) + ".." + std::to_string(got.end) + " from " +
                 printable(body));
  return 0;
}

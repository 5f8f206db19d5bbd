// JSON bodies of the records, produce and commit calls, built and read with RapidJSON: replies
// arrive as strings (the vnd.kafka types are not JSON to cpprestsdk) and a batch of hundreds of
// records parses several times faster than through web::json::value, with a precise error offset.
#pragma once

#include <optional>
#include <stdexcept>
#include <streamhost/connector/record.hpp>
#include <streamhost/connector/rest_proxy.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::connector::detail {

// A 2xx reply whose body is not what the API promises (truncated, not JSON, wrong shape).
struct MalformedReply : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// GET .../records reply → records; key/value decoded from base64 (binary) or kept as JSON text.
std::vector<ConsumedRecord> decode_records(std::string_view body, EmbeddedFormat format);

// {"records":[...]} for records[indices[i]]. A json-format value must be JSON text; a record whose
// key or value is not JSON, or (Strimzi) is a JSON number or boolean, which that bridge refuses for
// the whole request, gets its error in invalid[i] and is left out of the body. A json-format key
// that is JSON null is left out (no key).
struct ProduceBody {
  std::string json;
  std::vector<size_t> sent;  // indices of the records in the body, in body order
};
ProduceBody encode_produce_body(const std::vector<OutgoingRecord>& records,
                                const std::vector<size_t>& indices, EmbeddedFormat format,
                                std::vector<std::pair<size_t, std::string>>& invalid,
                                Dialect dialect = Dialect::kConfluent);

// One entry of a produce reply's "offsets" array.
struct RecordAck {
  std::optional<int64_t> error_code;  // set: this record failed
  std::string error;                  // "error" (Confluent) or "message" (Strimzi)
  int32_t partition = -1;
  int64_t offset = -1;
};
// Throws MalformedReply unless the reply holds exactly `expected` entries.
std::vector<RecordAck> decode_produce_reply(std::string_view body, size_t expected);

// {"offsets":[{"topic","partition","offset"}]} with offsets already in the dialect's convention.
std::string encode_offsets_body(const std::vector<PartitionOffset>& offsets);

// {"topics":[...]}
std::string encode_topics_body(const std::vector<std::string>& topics);

// The instance_id and base_uri of a create-consumer reply; throws MalformedReply.
struct CreatedInstance {
  std::string instance_id;
  std::string base_uri;
};
CreatedInstance decode_created_instance(std::string_view body);

// A partition's offsets, GET /topics/{t}/partitions/{p}/offsets ->
// {"beginning_offset":N,"end_offset":M} in both dialects. Throws MalformedReply unless both are
// integers with 0 <= N <= M: they become lag figures and metrics.
LogOffsets decode_log_offsets(std::string_view body);

// The partitions assigned to a consumer instance. Confluent: GET .../assignments,
// {"partitions":[{"topic":"t","partition":0}]}. Strimzi: GET .../subscription,
// {"topics":[...],"partitions":[{"t":[0,1]}]} (built from the consumer's assignment). Throws
// MalformedReply.
std::vector<TopicPartition> decode_assignment(std::string_view body, Dialect dialect);

}  // namespace streamhost::connector::detail

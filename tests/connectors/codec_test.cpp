// The pure parts of the connectors: base64, the dialect table, record and reply codecs.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdlib>

#include "base64.hpp"
#include "dialect.hpp"
#include "proxy_http.hpp"
#include "record_codec.hpp"

namespace streamhost::connector::detail {
namespace {

TEST(Base64, RoundTripsEveryByteAndLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= bytes.size(); n += 7) {
    const std::string slice = bytes.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(slice)), slice) << n;
  }
  EXPECT_EQ(base64_encode("Man"), "TWFu");
  EXPECT_EQ(base64_encode("Ma"), "TWE=");
  EXPECT_EQ(base64_encode("M"), "TQ==");
}

TEST(Base64, RejectsMalformedText) {
  EXPECT_FALSE(base64_decode("TWF"));
  EXPECT_FALSE(base64_decode("TW=u"));
  EXPECT_FALSE(base64_decode("T!Fu"));
  EXPECT_FALSE(base64_decode("TQ==TQ=="));
}

// The Strimzi bridge's answer to a Confluent-dialect consumer creation, as seen on the local stack:
// "HTTP 400 (error_code 400): Validation error on: Schema validation error".
TEST(Dialect, ASchemaComplaintLooksLikeTheWrongDialectAndOtherErrorsDoNot) {
  EXPECT_TRUE(looks_like_dialect_mismatch(400, "Validation error on: Schema validation error"));
  EXPECT_TRUE(looks_like_dialect_mismatch(422, "Unrecognized field: auto.commit.enable"));
  EXPECT_TRUE(looks_like_dialect_mismatch(415, ""));
  EXPECT_FALSE(looks_like_dialect_mismatch(404, "Schema validation error"));
  EXPECT_FALSE(looks_like_dialect_mismatch(400, "Topic not found"));
  EXPECT_FALSE(looks_like_dialect_mismatch(409, "Consumer instance already exists"));
}

TEST(Dialect, CreateBodyUsesEachDialectsOwnAutoCommitKeyAndType) {
  ConsumerOptions consumer;
  consumer.group = "g";
  consumer.auto_offset_reset = "earliest";
  rapidjson::Document confluent;
  confluent.Parse(create_consumer_body(Dialect::kConfluent, "n1", consumer).c_str());
  ASSERT_TRUE(confluent.IsObject());
  ASSERT_TRUE(confluent["auto.commit.enable"].IsString());
  EXPECT_STREQ(confluent["auto.commit.enable"].GetString(), "false");
  EXPECT_FALSE(confluent.HasMember("enable.auto.commit"));
  EXPECT_STREQ(confluent["format"].GetString(), "binary");
  EXPECT_STREQ(confluent["name"].GetString(), "n1");
  EXPECT_STREQ(confluent["auto.offset.reset"].GetString(), "earliest");

  consumer.format = EmbeddedFormat::kJson;
  consumer.extra_properties_json = R"({"fetch.min.bytes": 1})";
  rapidjson::Document strimzi;
  strimzi.Parse(create_consumer_body(Dialect::kStrimzi, "n2", consumer).c_str());
  ASSERT_TRUE(strimzi["enable.auto.commit"].IsBool());
  EXPECT_FALSE(strimzi["enable.auto.commit"].GetBool());
  EXPECT_FALSE(strimzi.HasMember("auto.commit.enable"));
  EXPECT_STREQ(strimzi["format"].GetString(), "json");
  EXPECT_EQ(strimzi["fetch.min.bytes"].GetInt(), 1);
}

TEST(Dialect, RejectsExtraPropertiesThatAreNotAnObject) {
  ConsumerOptions consumer;
  consumer.extra_properties_json = "[1]";
  EXPECT_THROW(create_consumer_body(Dialect::kStrimzi, "n", consumer), std::invalid_argument);
  consumer.extra_properties_json = "{\"a\":";
  EXPECT_THROW(create_consumer_body(Dialect::kStrimzi, "n", consumer), std::invalid_argument);
}

TEST(Dialect, CommitOffsetTranslation) {
  EXPECT_EQ(commit_offset_for(Dialect::kConfluent, 10), 9);  // Confluent adds 1 itself
  EXPECT_EQ(commit_offset_for(Dialect::kConfluent, 0), std::nullopt);
  EXPECT_EQ(commit_offset_for(Dialect::kStrimzi, 10), 10);
  EXPECT_EQ(commit_offset_for(Dialect::kStrimzi, 0), 0);
}

TEST(Dialect, InstanceGoneDetection) {
  EXPECT_TRUE(is_instance_gone(Dialect::kConfluent, 404, {40403, "Consumer instance not found."}));
  EXPECT_FALSE(is_instance_gone(Dialect::kConfluent, 404, {40401, "Topic not found."}));
  EXPECT_TRUE(is_instance_gone(Dialect::kStrimzi, 404,
                               {404, "The specified consumer instance was not found."}));
  EXPECT_FALSE(
      is_instance_gone(Dialect::kStrimzi, 404, {404, "No current assignment for partition t-0"}));
  EXPECT_FALSE(is_instance_gone(Dialect::kStrimzi, 500, {500, "x"}));
}

// Karapace's and rest-utils' 40403 for a missing topic name it; their "instance not found" texts
// do not, even when a group is called "topics".
TEST(Dialect, A404AboutATopicIsToldApartByItsMessage) {
  EXPECT_TRUE(names_unknown_topic(
      {40403, "Unknown topic or partition: KafkaError{code=UNKNOWN_TOPIC_OR_PART,val=3}"}));
  EXPECT_TRUE(names_unknown_topic({40403, "This server does not host this topic-partition."}));
  EXPECT_FALSE(names_unknown_topic({40403, "Consumer instance not found."}));
  EXPECT_FALSE(names_unknown_topic(
      {40403, "Consumer for ('topics', 'a') not found among [('topics', 'b')]"}));
}

TEST(Dialect, ErrorEnvelopeAndPlainText) {
  auto json =
      parse_proxy_error(R"({"error_code":42204,"message":"Invalid consumer configuration"})");
  EXPECT_EQ(json.error_code, 42204);
  EXPECT_EQ(json.message, "Invalid consumer configuration");
  auto text = parse_proxy_error("Unrecognized field \"id\" (class X)\n");
  EXPECT_FALSE(text.error_code);
  EXPECT_EQ(text.message, "Unrecognized field \"id\" (class X)");
}

TEST(RecordCodec, DecodesBinaryRecordsWithNullsTimestampsAndHeaders) {
  const std::string body =
      R"([{"topic":"t","key":null,"value":"AAH/","partition":1,"offset":7},)"
      R"({"topic":"t","key":"aw==","value":null,"partition":0,"offset":8,"timestamp":123,)"
      R"("headers":[{"key":"h","value":"dg=="}]}])";
  auto records = decode_records(body, EmbeddedFormat::kBinary);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].key);
  EXPECT_EQ(*records[0].value, std::string("\x00\x01\xff", 3));
  EXPECT_EQ(records[0].timestamp_ms, -1);
  EXPECT_EQ(records[1].key, "k");
  EXPECT_FALSE(records[1].value);
  EXPECT_EQ(records[1].timestamp_ms, 123);
  ASSERT_EQ(records[1].headers.size(), 1u);
  EXPECT_EQ(records[1].headers[0].value, "v");
}

// Found by fuzzing (tests/fuzz/corpus/proxy_records/json-number-read-back-as-its-neighbour, and
// .../zero-with-a-large-exponent): RapidJSON's default number conversion is not correctly rounded,
// so a json-format record's number reached the handler as a neighbouring double, and its
// full-precision one reads 0e40 as 2.18e40. Each number must come out as text that any
// correctly rounding reader (strtod here) reads as the same double as the proxy's text.
TEST(RecordCodec, JsonFormatNumbersKeepTheirValue) {
  for (const char* number :
       {"0.30000000000000007", "3.0000000000000006", "123456789012345678901234567890",
        "-59223372036854775807.5", "-59223372036854779000.0", "2.2250738585072011e-308", "1e307",
        "0e40", "-0.0e99", "1e-400", "18446744073709551616"}) {
    const std::string body = std::string(R"([{"topic":"t","partition":0,"offset":0,"key":[)") +
                             number + R"(],"value":)" + number + "}]";
    const auto records = decode_records(body, EmbeddedFormat::kJson);
    ASSERT_EQ(records.size(), 1u);
    ASSERT_TRUE(records[0].value && records[0].key) << number;
    const std::string& key = *records[0].key;
    ASSERT_TRUE(key.size() > 2 && key.front() == '[' && key.back() == ']') << key;
    EXPECT_EQ(std::strtod(records[0].value->c_str(), nullptr), std::strtod(number, nullptr))
        << number << " came out as " << *records[0].value;
    EXPECT_EQ(std::strtod(key.substr(1, key.size() - 2).c_str(), nullptr),
              std::strtod(number, nullptr))
        << number << " came out as " << key;
  }
}

TEST(RecordCodec, MalformedRepliesGiveAClearError) {
  for (const char* body : {R"([{"topic":"t","partition":0,"offset":1,"value":"AA)", "{}",
                           R"([{"topic":"t","partition":0,"offset":1,"value":"@@@@"}])",
                           R"([{"partition":0,"offset":1}])", R"([1])"}) {
    EXPECT_THROW(decode_records(body, EmbeddedFormat::kBinary), MalformedReply) << body;
  }
  EXPECT_THROW(decode_produce_reply(R"({"offsets":[{"partition":0,"offset":1}]})", 2),
               MalformedReply);
  EXPECT_THROW(decode_produce_reply(R"({"offsets":[{"partition":0,"off)", 1), MalformedReply);
}

TEST(RecordCodec, ProduceReplyReadsBothDialectsErrorFields) {
  auto acks = decode_produce_reply(
      R"({"offsets":[{"partition":2,"offset":5,"error_code":null,"error":null},)"
      R"({"partition":null,"offset":null,"error_code":40301,"error":"Not authorized"},)"
      R"({"error_code":500,"message":"Broker down"}]})",
      3);
  EXPECT_FALSE(acks[0].error_code);
  EXPECT_EQ(acks[0].partition, 2);
  EXPECT_EQ(acks[0].offset, 5);
  EXPECT_EQ(acks[1].error, "Not authorized");
  EXPECT_EQ(acks[2].error, "Broker down");
  EXPECT_FALSE(is_retriable_record_error(40301));
  EXPECT_TRUE(is_retriable_record_error(50003));
  EXPECT_TRUE(is_retriable_record_error(500));
}

TEST(RecordCodec, JsonFormatRejectsNonJsonRecordsLocally) {
  std::vector<OutgoingRecord> records{{std::nullopt, R"({"a":1})", std::nullopt},
                                      {std::string("\"k\""), "not json", std::nullopt},
                                      {std::nullopt, "[1] 2", 3}};
  std::vector<std::pair<size_t, std::string>> invalid;
  auto body = encode_produce_body(records, {0, 1, 2}, EmbeddedFormat::kJson, invalid);
  EXPECT_EQ(body.sent, std::vector<size_t>{0});
  ASSERT_EQ(invalid.size(), 2u);
  EXPECT_EQ(body.json, R"({"records":[{"value":{"a":1}}]})");
}

// The real Strimzi bridge answers 400 for the whole request when one json value is a number or a
// boolean (its RecordValue schema); Confluent takes them. A JSON null key is left out on both.
TEST(RecordCodec, JsonFormatOnStrimziFailsNumbersAndBooleansLocallyAndDropsNullKeys) {
  std::vector<OutgoingRecord> records{{std::nullopt, "42", std::nullopt},
                                      {std::nullopt, " true", std::nullopt},
                                      {std::string("null"), R"("s")", std::nullopt},
                                      {std::string("7"), "[1]", std::nullopt},
                                      {std::string(R"({"k":1})"), "null", std::nullopt}};
  std::vector<std::pair<size_t, std::string>> invalid;
  auto strimzi = encode_produce_body(records, {0, 1, 2, 3, 4}, EmbeddedFormat::kJson, invalid,
                                     Dialect::kStrimzi);
  EXPECT_EQ(strimzi.sent, (std::vector<size_t>{2, 4}));
  EXPECT_EQ(strimzi.json, R"({"records":[{"value":"s"},{"key":{"k":1},"value":null}]})");
  ASSERT_EQ(invalid.size(), 3u);
  EXPECT_EQ(invalid[0].first, 0u);
  EXPECT_NE(invalid[0].second.find("value is a number"), std::string::npos) << invalid[0].second;
  EXPECT_NE(invalid[1].second.find("value is a boolean"), std::string::npos) << invalid[1].second;
  EXPECT_EQ(invalid[2].first, 3u);
  EXPECT_NE(invalid[2].second.find("key is a number"), std::string::npos) << invalid[2].second;

  invalid.clear();
  auto confluent = encode_produce_body(records, {0, 1, 2, 3, 4}, EmbeddedFormat::kJson, invalid,
                                       Dialect::kConfluent);
  EXPECT_TRUE(invalid.empty());
  EXPECT_EQ(confluent.sent, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(confluent.json,
            R"({"records":[{"value":42},{"value": true},{"value":"s"},{"key":7,"value":[1]},)"
            R"({"key":{"k":1},"value":null}]})");
}

TEST(RecordCodec, AssignmentRepliesOfBothDialects) {
  using connector::Dialect;
  using connector::TopicPartition;
  using detail::decode_assignment;
  EXPECT_EQ(decode_assignment(R"({"partitions":[{"topic":"t","partition":0},)"
                              R"({"topic":"u","partition":3}]})",
                              Dialect::kConfluent),
            (std::vector<TopicPartition>{{"t", 0}, {"u", 3}}));
  EXPECT_EQ(decode_assignment(R"({"topics":["t","u"],"partitions":[{"t":[0,1]},{"u":[3]}]})",
                              Dialect::kStrimzi),
            (std::vector<TopicPartition>{{"t", 0}, {"t", 1}, {"u", 3}}));
  EXPECT_TRUE(decode_assignment(R"({"topics":[]})", Dialect::kStrimzi).empty());
  for (const char* bad : {"", "[]", R"({"partitions":{}})", R"({"partitions":[{"topic":"t"}]})",
                          R"({"partitions":[{"topic":"t","partition":-1}]})"}) {
    EXPECT_THROW(decode_assignment(bad, Dialect::kConfluent), detail::MalformedReply) << bad;
  }
  EXPECT_THROW(decode_assignment(R"({"partitions":[{"t":0}]})", Dialect::kStrimzi),
               detail::MalformedReply);
}

}  // namespace
}  // namespace streamhost::connector::detail

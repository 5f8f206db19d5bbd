// REST proxy error bodies and create-consumer replies (connectors/rest_proxy/src/dialect.cpp,
// parse_proxy_error and is_instance_gone; record_codec.cpp, decode_created_instance): what a
// proxy answers on a 4xx/5xx, and on POST /consumers/{group}.
//
// Invariants: parse_proxy_error never throws, and its message is readable, bounded text (it goes
// into exceptions, logs and the /readyz JSON): valid UTF-8, at most 300 bytes plus "..." when the
// body is not a JSON error envelope; a JSON envelope's error_code and message are read exactly.
// is_instance_gone never throws, is false for any status but 404, and for Confluent true only
// for error_code 40403. decode_created_instance throws only MalformedReply and returns the
// reply's whole instance_id and base_uri strings. decode_assignment (both dialects) throws only
// MalformedReply and accepts only strict JSON.
#include "dialect.hpp"
#include "fuzz_support.hpp"
#include "record_codec.hpp"

namespace {

using namespace streamhost;
using connector::Dialect;
using streamhost::fuzz::printable;

std::string_view text_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

void check_proxy_error(std::string_view body) {
  connector::detail::ProxyError error;
  try {
    error = connector::detail::parse_proxy_error(body);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("parse_proxy_error threw: ") + e.what());
  }
  FUZZ_CHECK(fuzz::strict_utf8(error.message),
             "message is not UTF-8: " + printable(error.message) + " from " + printable(body));

  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(),
                                                                                    body.size());
  bool envelope = false;
  // parse_proxy_error reads strict JSON of at most 64 levels (bounded_parse.hpp); else plain text.
  if (!doc.HasParseError() && doc.IsObject() && fuzz::is_strict_json(body) &&
      fuzz::json_depth(body) <= 64) {
    auto code = doc.FindMember("error_code");
    auto message = doc.FindMember("message");
    auto alt = doc.FindMember("error");
    const bool has_code = code != doc.MemberEnd() && code->value.IsInt64();
    std::string_view text;
    if (message != doc.MemberEnd() && message->value.IsString()) text = text_of(message->value);
    if (text.empty() && alt != doc.MemberEnd() && alt->value.IsString()) text = text_of(alt->value);
    envelope = has_code || !text.empty();
    if (envelope) {
      if (has_code) {
        FUZZ_CHECK(error.error_code == code->value.GetInt64(),
                   "error_code misread from " + printable(body));
      }
      FUZZ_CHECK(error.message == text,
                 "message " + printable(error.message) + " for " + printable(text));
    }
  }
  if (!envelope) {
    FUZZ_CHECK(error.message.size() <= 303,
               std::to_string(error.message.size()) + "-byte message from a non-JSON body");
  }

  for (Dialect d : {Dialect::kConfluent, Dialect::kStrimzi}) {
    for (int status : {200, 400, 404, 500}) {
      bool gone = false;
      try {
        gone = connector::detail::is_instance_gone(d, status, error);
      } catch (const std::exception& e) {
        FUZZ_CHECK(false, std::string("is_instance_gone threw: ") + e.what());
      }
      if (status != 404) FUZZ_CHECK(!gone, "instance gone on HTTP " + std::to_string(status));
      if (d == Dialect::kConfluent && gone) {
        FUZZ_CHECK(error.error_code == 40403, "Confluent instance gone without 40403");
      }
    }
  }
}

void check_created_instance(std::string_view body) {
  connector::detail::CreatedInstance created;
  try {
    created = connector::detail::decode_created_instance(body);
  } catch (const connector::detail::MalformedReply& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "an empty MalformedReply message");
    return;
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("decode_created_instance let through: ") + e.what());
  }
  FUZZ_CHECK(fuzz::is_strict_json(body), "accepted a non-JSON reply: " + printable(body));
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  FUZZ_CHECK(doc.IsObject(), "accepted a non-object");
  auto id = doc.FindMember("instance_id");
  auto uri = doc.FindMember("base_uri");
  FUZZ_CHECK(id != doc.MemberEnd() && id->value.IsString() && uri != doc.MemberEnd() &&
                 uri->value.IsString(),
             "accepted without instance_id and base_uri");
  FUZZ_CHECK(created.instance_id == text_of(id->value),
             "instance_id " + printable(text_of(id->value)) + " read as " +
                 printable(created.instance_id));
  FUZZ_CHECK(
      created.base_uri == text_of(uri->value),
      "base_uri " + printable(text_of(uri->value)) + " read as " + printable(created.base_uri));
}

// decode_assignment: throws only MalformedReply, and what it returns comes from a strict JSON
// reply.
void check_assignment(std::string_view body) {
  for (Dialect d : {Dialect::kConfluent, Dialect::kStrimzi}) {
    std::vector<connector::TopicPartition> assigned;
    try {
      assigned = connector::detail::decode_assignment(body, d);
    } catch (const connector::detail::MalformedReply& e) {
      FUZZ_CHECK(e.what()[0] != '\0', "an empty MalformedReply message");
      continue;
    } catch (const std::exception& e) {
      FUZZ_CHECK(false, std::string("decode_assignment let through: ") + e.what());
    }
    FUZZ_CHECK(fuzz::is_strict_json(body), "accepted a non-JSON assignment: " + printable(body));
    for (const auto& tp : assigned) {
      FUZZ_CHECK(tp.partition >= 0, "a negative partition from " + printable(body));
      FUZZ_CHECK(body.find(tp.topic) != std::string_view::npos || tp.topic.empty() ||
                     !fuzz::strict_utf8(tp.topic) || body.find('\\') != std::string_view::npos,
                 "topic " + printable(tp.topic) + " is not in " + printable(body));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body = fuzz::as_text(data, size);
  check_proxy_error(body);
  check_created_instance(body);
  check_assignment(body);
  return 0;
}

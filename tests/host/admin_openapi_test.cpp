// The management API's answers against its published contract, schema/admin-api.openapi.json:
// the OpenAPI component schemas (nullable turned into JSON Schema's type lists) validate what
// the API renders, so the document and the code cannot drift apart unnoticed.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <sstream>

#include "admin/management_api.hpp"

namespace streamhost::host::admin {
namespace {

using rapidjson::Value;

// OpenAPI 3.0's {"type": T, "nullable": true} is JSON Schema's {"type": [T, "null"]}.
void nullable_to_type_list(Value& v, rapidjson::Document::AllocatorType& a) {
  if (v.IsObject()) {
    if (v.HasMember("nullable") && v["nullable"].IsBool() && v["nullable"].GetBool() &&
        v.HasMember("type") && v["type"].IsString()) {
      Value types(rapidjson::kArrayType);
      types.PushBack(Value(v["type"], a), a).PushBack("null", a);
      v["type"] = types;
    }
    v.RemoveMember("nullable");
    for (auto& m : v.GetObject()) nullable_to_type_list(m.value, a);
  } else if (v.IsArray()) {
    for (auto& item : v.GetArray()) nullable_to_type_list(item, a);
  }
}

// Validates `json` against components/schemas/<name> of the OpenAPI document.
::testing::AssertionResult conforms(const std::string& json, const std::string& name) {
  std::ifstream in(STREAMHOST_ADMIN_OPENAPI);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document openapi;
  openapi.Parse(text.str().c_str());
  if (openapi.HasParseError()) return ::testing::AssertionFailure() << "the OpenAPI is not JSON";
  auto& a = openapi.GetAllocator();
  nullable_to_type_list(openapi, a);
  openapi.AddMember("$ref", Value(("#/components/schemas/" + name).c_str(), a), a);
  rapidjson::SchemaDocument schema(openapi);
  rapidjson::SchemaValidator validator(schema);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError()) return ::testing::AssertionFailure() << "not JSON: " << json;
  if (doc.Accept(validator)) return ::testing::AssertionSuccess();
  rapidjson::StringBuffer where;
  validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
  return ::testing::AssertionFailure()
         << name << ": " << json << " fails \"" << validator.GetInvalidSchemaKeyword() << "\" at "
         << where.GetString();
}

TEST(AdminOpenApi, TheApisAnswersMatchTheirPublishedSchemas) {
  runtime::PipelineStatus status;
  status.state = {runtime::PipelineState::kRetrying, "1 partition waits on a handler RETRY"};
  status.paused_routes = {"entry"};
  runtime::PartitionStatus known;
  known.partition = {"customer-focus", 0};
  known.route = "focus";
  known.committed = 40;
  known.last_dispatched = 44;
  known.in_flight = 3;
  known.paused_because = {"handler RETRY"};
  runtime::PartitionStatus unknown;
  unknown.partition = {"customer-entry", 0};
  unknown.route = "entry";
  status.partitions = {known, unknown};
  std::map<connector::TopicPartition, LogEnd> ends;
  ends[{"customer-focus", 0}] = LogEnd{52, {}, ""};
  ends[{"customer-entry", 0}] = LogEnd{std::nullopt, {}, "timed out"};

  PipelineInfo info;
  info.name = "coupon";
  info.workers = 2;
  info.routes = {{"entry", "customer-entry", "coupon/entry", std::nullopt},
                 {"focus", "customer-focus", "coupon/focus", "predictions"}};
  info.plugins = {{"coupon", "coupon", "1.0.0", "1.1", "/lib/libstreamhost_coupon.so"}};
  ManagementApi api(info, PipelineAccess{[&] { return status; }, [&] { return ends; },
                                         [](const std::optional<std::string>&) { return true; },
                                         [](const std::optional<std::string>&) { return true; }});

  EXPECT_TRUE(conforms(api.pipeline_json(), "Pipeline"));
  rapidjson::Document partitions;
  const std::string list = api.partitions_json();
  partitions.Parse(list.c_str());
  ASSERT_TRUE(partitions.IsObject() && partitions.HasMember("partitions"));
  for (const auto& p : partitions["partitions"].GetArray()) {
    rapidjson::StringBuffer one;
    rapidjson::Writer<rapidjson::StringBuffer> w(one);
    p.Accept(w);
    EXPECT_TRUE(conforms(one.GetString(), "Partition"));
  }
  // The check can fail: a field the contract does not have is refused.
  EXPECT_FALSE(conforms(R"({"topic":"t","partition":0,"surprise":1})", "Partition"));
  EXPECT_TRUE(conforms(api.handle("GET", "/pipeline/nothing")->body, "Error"));
}

}  // namespace
}  // namespace streamhost::host::admin

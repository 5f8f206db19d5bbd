// The manifest schema is the operator's reference: every field documented, no open objects.
#include "manifest/manifest_schema.hpp"

#include <gtest/gtest.h>

#include <string>

namespace streamhost::host {
namespace {

// Walks every subschema reachable through properties, additionalProperties and items.
void check(const rapidjson::Value& schema, const std::string& path) {
  ASSERT_TRUE(schema.IsObject()) << path;
  EXPECT_TRUE(schema.HasMember("description") && schema["description"].IsString() &&
              schema["description"].GetStringLength() > 0)
      << path << " has no description";
  EXPECT_TRUE(schema.HasMember("type")) << path << " has no type";
  if (schema.HasMember("properties")) {
    EXPECT_TRUE(schema.HasMember("additionalProperties") &&
                schema["additionalProperties"].IsFalse())
        << path << " accepts unknown keys";
    for (const auto& p : schema["properties"].GetObject()) {
      check(p.value, path + "." + p.name.GetString());
    }
  }
  if (schema.HasMember("additionalProperties") && schema["additionalProperties"].IsObject()) {
    check(schema["additionalProperties"], path + ".*");
  }
  if (schema.HasMember("items")) check(schema["items"], path + "[]");
}

TEST(ManifestSchema, EveryFieldIsTypedAndDescribedAndUnknownKeysAreRefused) {
  check(manifest_schema_json(), "(root)");
}

}  // namespace
}  // namespace streamhost::host

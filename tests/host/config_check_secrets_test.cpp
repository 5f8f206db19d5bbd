// Diagnostics never repeat a secret: under a secret key the offending value is withheld, elsewhere
// it is redacted (docs/security.md, "Redaction"). Both of config_check's passes are covered: the
// conversion walk and RapidJSON's validator.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "config_check/schema_conform.hpp"

namespace streamhost::host {
namespace {

rapidjson::Document json(const char* text) {
  rapidjson::Document d;
  d.Parse(text);
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

TEST(ConfigCheckSecrets, AConversionErrorAtASecretKeyWithholdsTheValue) {
  rapidjson::Document schema = json(R"({"type": "object", "properties": {
      "x-api-key": {"type": "integer"}, "retries": {"type": "integer"}}})");
  rapidjson::Document value = json(R"({"x-api-key": "S1secret", "retries": "many"})");
  std::vector<Diagnostic> errors;
  conform_to_schema(value, schema, value.GetAllocator(), "config", nullptr, errors);
  ASSERT_EQ(errors.size(), 2u);
  std::string all;
  for (const Diagnostic& d : errors) all += d.path + ": " + d.message + "\n";
  EXPECT_EQ(all.find("S1secret"), std::string::npos) << all;
  EXPECT_NE(all.find("not shown"), std::string::npos) << all;
  EXPECT_NE(all.find("\"many\""), std::string::npos)
      << "a value that is no secret is shown: " << all;
}

TEST(ConfigCheckSecrets, AValidatorErrorWithholdsOrRedacts) {
  rapidjson::Document schema_json = json(R"({"type": "object", "properties": {
      "auth": {"type": "object", "properties": {"token": {"type": "string", "pattern": "^[a-f0-9]+$"}}},
      "url": {"type": "string", "pattern": "^https?://"}}})");
  rapidjson::SchemaDocument schema(schema_json);

  auto message = [&](const char* text) {
    rapidjson::Document value = json(text);
    auto d = validate_against_schema(value, schema_json, schema, "config", nullptr);
    EXPECT_TRUE(d.has_value()) << text;
    return d ? d->message : std::string();
  };
  const std::string token = message(R"({"auth": {"token": "ZZ-S2secret"}})");
  EXPECT_EQ(token.find("S2secret"), std::string::npos) << token;
  EXPECT_NE(token.find("pattern"), std::string::npos) << token;
  const std::string url = message(R"({"url": "ftp://u:S3secret@h/p"})");
  EXPECT_EQ(url.find("S3secret"), std::string::npos) << url;
  EXPECT_NE(url.find("ftp://u:[redacted]@h/p"), std::string::npos) << url;
}

}  // namespace
}  // namespace streamhost::host

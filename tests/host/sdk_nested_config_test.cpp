// Typed config with nested structs, lists and maps of structs and optional structs, through the
// SDK harness: the generated schema, the values reaching the instance, every problem reported at
// its own key path, and a check_config reporting several problems through ConfigErrors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <streamhost/plugin_testing.hpp>
#include <string>

namespace {

using streamhost::plugin::testing::PluginHarness;
using ::testing::HasSubstr;

constexpr const char* kTwoZones = R"({"zones": [
    {"name": "bakery", "center": {"lat": 52.5, "lon": 13.4}, "radius_m": 30},
    {"name": "lot", "center": {"lat": 1, "lon": 2}, "kind": "parking", "tags": ["a"]}]})";

class NestedConfig : public ::testing::Test {
 protected:
  PluginHarness nested_{STREAMHOST_FIXTURE_NESTED_CONFIG};
};

TEST_F(NestedConfig, ListsOfStructsReachTheInstance) {
  nested_.configure(R"({"zones": [{"name": "bakery", "center": {"lat": 52.5, "lon": 13.4},
                                   "radius_m": 30},
                                  {"name": "lot", "center": {"lat": 1, "lon": 2},
                                   "kind": "parking"}],
                        "quiet": {"from_hour": 23},
                        "aliases": {"b": {"name": "bakery2"}},
                        "grid": [[1, 2], [3]]})");
  auto r = nested_.call("describe", "");
  ASSERT_EQ(r.emitted.size(), 1u) << r.reason;
  EXPECT_EQ(r.emitted[0].value,
            "bakery@52.500000,13.400000r30:store;lot@1.000000,2.000000r50:parking;quiet 23-6;"
            "b=bakery2;2;1");
}

TEST_F(NestedConfig, AnAbsentOrNullOptionalStructIsNullopt) {
  nested_.configure(kTwoZones);
  EXPECT_THAT(nested_.call("describe", "").emitted.at(0).value, HasSubstr("loud"));
  nested_.configure(R"({"zones": [{"name": "z"}], "quiet": null})");
  EXPECT_THAT(nested_.call("describe", "").emitted.at(0).value, HasSubstr("loud"));
}

TEST_F(NestedConfig, TheSchemaDescribesEveryLevel) {
  const std::string schema = nested_.descriptor().config_schema_json;
  EXPECT_THAT(schema, HasSubstr(R"("zones": {"type": "array", "items": {"type": "object", )"
                                R"("additionalProperties": false, "required": ["name"], )"));
  EXPECT_THAT(schema, HasSubstr(R"("radius_m": {"type": "number", "minimum": 1, "description": )"
                                R"("radius in metres", "default": 50})"));
  EXPECT_THAT(schema, HasSubstr(R"("kind": {"type": "string", "enum": ["store", "parking"], )"));
  EXPECT_THAT(schema, HasSubstr(R"("quiet": {"type": ["object", "null"], )"));
  EXPECT_THAT(schema, HasSubstr(R"("from_hour": {"type": "integer", "minimum": 0, "maximum": 23)"));
  EXPECT_THAT(schema, HasSubstr(R"("aliases": {"type": "object", "additionalProperties": )"
                                R"({"type": "object", "additionalProperties": false)"));
  EXPECT_THAT(schema, HasSubstr(R"("grid": {"type": "array", "items": {"type": "array", )"
                                R"("items": {"type": "integer", "minimum": -2147483648)"));
}

TEST_F(NestedConfig, EveryWrongFieldIsReportedAtItsPath) {
  EXPECT_EQ(nested_.config_error(R"({"zones": [
      {"name": "a", "radius": 3},
      {"name": "b", "radius_m": 0, "kind": "shop", "center": {"lat": 91, "lon": "x"}},
      {"center": {"lat": 1, "lon": 1}}],
      "quiet": {"from_hour": 24}, "aliases": {"x": {"name": ["n"]}}})"),
            "plugins.nested.config.zones[0]: unknown key \"radius\" (did you mean \"radius_m\"?)\n"
            "plugins.nested.config.zones[1].radius_m: 0 is below the minimum 1\n"
            "plugins.nested.config.zones[1].kind: \"shop\" is not one of \"store\", \"parking\"\n"
            "plugins.nested.config.zones[1].center.lat: 91 is above the maximum 90\n"
            "plugins.nested.config.zones[1].center.lon: expected a number, got \"x\"\n"
            "plugins.nested.config.zones[2]: missing required key \"name\"\n"
            "plugins.nested.config.quiet.from_hour: 24 is above the maximum 23\n"
            "plugins.nested.config.aliases.x.name: expected a string, got a list");
}

TEST_F(NestedConfig, ChecksOfThePluginReportEachProblemAtItsPath) {
  EXPECT_EQ(nested_.config_error(R"({"max_radius_m": 100, "zones": [
      {"name": "a", "radius_m": 300}, {"name": "b"}, {"name": "a", "radius_m": 101}]})"),
            "plugins.nested.config.zones[0].radius_m: is larger than max_radius_m\n"
            "plugins.nested.config.zones[2].radius_m: is larger than max_radius_m\n"
            "plugins.nested.config.zones[2].name: repeats zones[0].name");
  EXPECT_EQ(nested_.config_error(R"({"zones": []})"),
            "plugins.nested.config: needs at least one zone");
}

}  // namespace

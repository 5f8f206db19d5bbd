// A plugin's config in a manifest is checked like the manifest itself: each problem, from the
// plugin's schema or from its own check_config, names the file, the line, the full key path and the
// ${VAR} the value came from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "manifest/manifest_loader.hpp"
#include "manifest/plugin_set.hpp"

namespace streamhost::host {
namespace {

using testing::fake_env;

std::string load_error(const std::string& zones_yaml, std::map<std::string, std::string> env = {}) {
  env["NESTED"] = STREAMHOST_FIXTURE_NESTED_CONFIG;
  const std::string yaml =
      "pipeline: p\n"                             // 1
      "rest_proxy: {url: http://127.0.0.1:1}\n"   // 2
      "consumer: {group: g}\n"                    // 3
      "plugins:\n"                                // 4
      "  geofence:\n"                             // 5
      "    library: ${NESTED}\n"                  // 6
      "    config:\n"                             // 7
      "      max_radius_m: ${MAX_RADIUS:-500}\n"  // 8
      "      zones:\n" +                          // 9
      zones_yaml +                                // 10...
      "routes:\n  - {topic: a, handler: geofence/describe, output_topic: b}\n"
      "dead_letter_topic: dlq\n";
  try {
    load_manifest_plugins(parse_manifest(yaml, "m9.yaml", fake_env(env)));
  } catch (const PluginError& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(ManifestPluginConfig, AListOfZoneObjectsValidates) {
  EXPECT_EQ(load_error("        - name: bakery\n"
                       "          center: {lat: 52.5, lon: 13.4}\n"
                       "          radius_m: 30\n"
                       "        - {name: lot, kind: parking}\n"),
            "(loaded)");
}

TEST(ManifestPluginConfig, EachWrongZoneFieldHasItsPathAndLine) {
  EXPECT_EQ(load_error("        - name: bakery\n"  // 10
                       "          radius: 30\n"    // 11
                       "        - name: lot\n"     // 12
                       "          radius_m: 0\n"   // 13
                       "          kind: shop\n"    // 14
                       "          center:\n"       // 15
                       "            lat: north\n"  // 16
                       "            lon: 2\n"),    // 17
            "m9.yaml:11: plugins.geofence.config.zones[0]: unknown key \"radius\" (did you mean "
            "\"radius_m\"?)\n"
            "m9.yaml:13: plugins.geofence.config.zones[1].radius_m: 0 is below the minimum 1\n"
            "m9.yaml:14: plugins.geofence.config.zones[1].kind: \"shop\" is not one of "
            "\"store\", \"parking\"\n"
            "m9.yaml:16: plugins.geofence.config.zones[1].center.lat: expected a number, got "
            "\"north\"");
}

TEST(ManifestPluginConfig, AValueFromAVariableNamesIt) {
  EXPECT_EQ(load_error("        - {name: a}\n", {{"MAX_RADIUS", "abc"}}),
            "m9.yaml:8: plugins.geofence.config.max_radius_m: expected a number, got \"abc\" "
            "(from ${MAX_RADIUS:-500})");
}

TEST(ManifestPluginConfig, ThePluginsOwnChecksAreLocatedToo) {
  EXPECT_EQ(load_error("        - {name: a, radius_m: 300}\n"  // 10
                       "        - name: b\n"                   // 11
                       "        - name: a\n"                   // 12
                       "          radius_m: ${RADIUS}\n",      // 13
                       {{"MAX_RADIUS", "100"}, {"RADIUS", "120"}}),
            "m9.yaml:10: plugins.geofence.config.zones[0].radius_m: is larger than max_radius_m\n"
            "m9.yaml:13: plugins.geofence.config.zones[2].radius_m: is larger than max_radius_m "
            "(from ${RADIUS})\n"
            "m9.yaml:12: plugins.geofence.config.zones[2].name: repeats zones[0].name");
}

}  // namespace
}  // namespace streamhost::host

// A manifest's plugins loaded together: config checks, route resolution and instance creation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "manifest/manifest_loader.hpp"
#include "manifest/plugin_set.hpp"
#include "metrics/registry.hpp"
#include "runtime/plugin_host_services.hpp"

namespace streamhost::host {
namespace {

using testing::fake_env;

Manifest manifest_with(const std::string& plugins, const std::string& routes) {
  std::string yaml =
      "pipeline: p\nrest_proxy: {url: http://127.0.0.1:1}\nconsumer: {group: g}\n"
      "plugins:\n" +
      plugins + "routes:\n" + routes + "dead_letter_topic: dlq\n";
  return parse_manifest(yaml, "m.yaml",
                        fake_env({{"STATUSES", STREAMHOST_FIXTURE_STATUSES},
                                  {"REFUSER", STREAMHOST_FIXTURE_CREATE_FAILS},
                                  {"NOT_A_PLUGIN", STREAMHOST_FIXTURE_NO_SYMBOL}}));
}

const std::string kStatuses = "  st:\n    library: ${STATUSES}\n    config: {prefix: p}\n";

std::string load_error(const Manifest& m) {
  try {
    load_manifest_plugins(m);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(RouteResolution, ResolvesEveryRouteToItsHandler) {
  Manifest m = manifest_with(kStatuses,
                             "  - {topic: a, handler: st/ok, output_topic: out}\n"
                             "  - {topic: b, handler: st/reject, output_topic: out}\n");
  metrics::Registry registry;
  runtime::PluginHostServices services(registry);
  PluginSet set = create_plugins(m, load_manifest_plugins(m), services);
  ASSERT_EQ(set.instances.size(), 1u);
  ASSERT_EQ(set.route_handlers.size(), 2u);
  EXPECT_EQ(set.route_handlers[0].plugin, set.instances[0].get());
  EXPECT_STREQ(set.route_handlers[0].handler->name, "ok");
  EXPECT_STREQ(set.route_handlers[1].handler->name, "reject");
}

TEST(RouteResolution, AHandlerThatEmitsToTheOutputTopicNeedsARouteWithOne) {
  Manifest m = manifest_with(kStatuses,
                             "  - {topic: a, handler: st/retry}\n"  // emits nothing: fine
                             "  - {topic: b, handler: st/ok}\n");
  EXPECT_EQ(load_error(m),
            "m.yaml: routes[1]: handler st/ok emits to the route's output topic, but the route has "
            "no output_topic");
}

TEST(RouteResolution, APreviousMinorPluginIsNotCheckedForOutputTopics) {
  Manifest m = parse_manifest(
      "pipeline: p\nrest_proxy: {url: http://127.0.0.1:1}\nconsumer: {group: g}\n"
      "plugins:\n  old:\n    library: ${OLD}\nroutes:\n  - {topic: a, handler: old/echo}\n"
      "dead_letter_topic: dlq\n",
      "m.yaml", fake_env({{"OLD", STREAMHOST_FIXTURE_ABI_1_1}}));
  EXPECT_EQ(load_error(m), "(loaded)");  // its handlers do not say where they emit
}

TEST(RouteResolution, UnknownHandlerListsTheAvailableOnes) {
  Manifest m = manifest_with(kStatuses, "  - {topic: a, handler: st/okay}\n");
  EXPECT_EQ(load_error(m),
            "m.yaml: routes[0].handler: plugin \"st\" has no handler \"okay\" "
            "(its handlers: ok, retry, reject, fatal)");
}

TEST(RouteResolution, EveryBrokenPluginIsReportedOnce) {
  Manifest m = manifest_with(kStatuses + "  bad:\n    library: ${NOT_A_PLUGIN}\n",
                             "  - {topic: a, handler: bad/x}\n  - {topic: b, handler: st/nope}\n");
  std::string error = load_error(m);
  EXPECT_THAT(error, ::testing::StartsWith("m.yaml: " + std::string(STREAMHOST_FIXTURE_NO_SYMBOL) +
                                           ": no \"streamhost_plugin_descriptor\" symbol"));
  EXPECT_THAT(error,
              ::testing::EndsWith("\nm.yaml: routes[1].handler: plugin \"st\" has no handler "
                                  "\"nope\" (its handlers: ok, retry, reject, fatal)"));
}

TEST(RouteResolution, ConfigErrorsNameTheManifest) {
  Manifest m =
      manifest_with("  st:\n    library: ${STATUSES}\n", "  - {topic: a, handler: st/retry}\n");
  EXPECT_EQ(load_error(m), "m.yaml: plugins.st.config: missing required key \"prefix\"");
}

TEST(RouteResolution, CreateFailureNamesTheManifestAndPlugin) {
  Manifest m = manifest_with(kStatuses + "  refuser:\n    library: ${REFUSER}\n",
                             "  - {topic: a, handler: refuser/noop}\n");
  metrics::Registry registry;
  runtime::PluginHostServices services(registry);
  try {
    create_plugins(m, load_manifest_plugins(m), services);
    FAIL();
  } catch (const PluginError& e) {
    EXPECT_EQ(std::string(e.what()), "m.yaml: plugin \"refuser\" (" +
                                         std::string(STREAMHOST_FIXTURE_CREATE_FAILS) +
                                         "): instance_create failed: cannot reach the scorer at "
                                         "http://127.0.0.1:1");
  }
}

}  // namespace
}  // namespace streamhost::host

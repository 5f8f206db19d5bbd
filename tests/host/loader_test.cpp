// Loads each fixture library in tests/fixtures and checks the loader's exact verdict.
#include "plugin/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <streamhost/plugin_testing.hpp>

#include "metrics/registry.hpp"
#include "runtime/plugin_host_services.hpp"

namespace streamhost::host {
namespace {

using plugin::testing::HarnessError;
using plugin::testing::PluginHarness;
using ::testing::HasSubstr;

std::string load_error(const std::string& path) {
  try {
    load_plugin_library(path);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(Loader, MissingFileNamesThePathOnce) {
  EXPECT_EQ(load_error("/nonexistent/libx.so"),
            "/nonexistent/libx.so: cannot load the library: cannot open shared object file: No "
            "such file or directory");
}

TEST(Loader, NoDescriptorSymbol) {
  const std::string path = STREAMHOST_FIXTURE_NO_SYMBOL;
  EXPECT_EQ(load_error(path),
            path +
                ": no \"streamhost_plugin_descriptor\" symbol, so not a streamhost plugin "
                "(declare one with STREAMHOST_PLUGIN and build it with streamhost_add_plugin)");
}

TEST(Loader, NullDescriptor) {
  const std::string path = STREAMHOST_FIXTURE_NULL_DESCRIPTOR;
  EXPECT_EQ(load_error(path), path + ": streamhost_plugin_descriptor() returned NULL");
}

TEST(Loader, AbiMajorMismatchNamesBothVersions) {
  const std::string path = STREAMHOST_FIXTURE_ABI_MAJOR;
  EXPECT_EQ(load_error(path), path +
                                  ": plugin built against ABI 2.0, host supports 1.3 (rebuild "
                                  "the plugin against this host's plugin_api.h)");
}

TEST(Loader, NewerMinorNamesBothVersions) {
  const std::string path = STREAMHOST_FIXTURE_ABI_NEWER_MINOR;
  EXPECT_EQ(load_error(path),
            path +
                ": plugin built against ABI 1.4, host supports 1.3 (upgrade the host, or "
                "rebuild the plugin against this host's plugin_api.h)");
}

TEST(Loader, StructTooSmall) {
  const std::string path = STREAMHOST_FIXTURE_STRUCT_TOO_SMALL;
  EXPECT_EQ(load_error(path),
            path + ": descriptor struct_size is " +
                std::to_string(offsetof(sh_plugin_descriptor, handlers)) +
                " bytes, ABI 1.3 needs at least " +
                std::to_string(offsetof(sh_plugin_descriptor, handler_def_size) + sizeof(size_t)));
}

TEST(Loader, LoadsAValidPluginWithoutCreatingAnInstance) {
  PluginLibrary lib = load_plugin_library(STREAMHOST_FIXTURE_STATUSES);
  ASSERT_NE(lib.descriptor, nullptr);
  EXPECT_STREQ(lib.descriptor->name, "statuses");
  EXPECT_STREQ(lib.descriptor->version, "2.1.0");
  EXPECT_EQ(lib.descriptor->handler_count, 4u);
}

TEST(Loader, LoadingTwiceGivesTheSameDescriptor) {
  EXPECT_EQ(load_plugin_library(STREAMHOST_FIXTURE_STATUSES).descriptor,
            load_plugin_library(STREAMHOST_FIXTURE_STATUSES).descriptor);
}

TEST(Loader, CreateFailureCarriesThePluginsMessage) {
  const std::string path = STREAMHOST_FIXTURE_CREATE_FAILS;
  PluginHarness harness(path);
  try {
    harness.configure("{}");
    FAIL() << "created";
  } catch (const HarnessError& e) {
    EXPECT_EQ(std::string(e.what()), "plugin \"refuser\" (" + path +
                                         "): instance_create failed: cannot reach the scorer at "
                                         "http://127.0.0.1:1");
  }
}

TEST(LoaderConfig, InvalidConfigSchemaNamesThePlugin) {
  const std::string path = STREAMHOST_FIXTURE_BAD_SCHEMA;
  PluginLibrary lib = load_plugin_library(path);
  try {
    validate_plugin_config(lib, "bad", "{}");
    FAIL() << "accepted";
  } catch (const PluginError& e) {
    EXPECT_EQ(std::string(e.what()), "plugin \"bad\" (" + path +
                                         "): its config schema is not valid JSON: Missing a name "
                                         "for object member. (offset 19)");
  }
}

std::string config_error(const std::string& config) {
  PluginLibrary lib = load_plugin_library(STREAMHOST_FIXTURE_STATUSES);
  try {
    validate_plugin_config(lib, "st", config);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "(valid)";
}

TEST(LoaderConfig, ConfigIsCheckedAgainstThePluginSchema) {
  EXPECT_EQ(config_error("{}"), "plugins.st.config: missing required key \"prefix\"");
  EXPECT_EQ(config_error(R"({"prefix": "a", "colour": 1})"),
            "plugins.st.config: unknown key \"colour\"");
  EXPECT_EQ(config_error(R"({"prefix": "a", "copies": "many"})"),
            "plugins.st.config.copies: expected an integer, got \"many\"");
  EXPECT_EQ(config_error(R"({"prefix": "a", "copies": 0})"),
            "plugins.st.config.copies: 0 is below the minimum 1");
  EXPECT_EQ(config_error("[1]"), "plugins.st.config: the config must be a JSON object");
}

TEST(LoaderConfig, ConfigScalarsAreConvertedToTheSchemaTypes) {
  PluginLibrary lib = load_plugin_library(STREAMHOST_FIXTURE_STATUSES);
  EXPECT_EQ(validate_plugin_config(lib, "st", R"({"prefix": 7, "copies": "3"})"),
            R"({"prefix":"7","copies":3})");
}

TEST(LoaderInstance, CreatesAnInstanceWithHostServices) {
  PluginLibrary lib = load_plugin_library(STREAMHOST_FIXTURE_STATUSES);
  metrics::Registry registry;
  runtime::PluginHostServices services(registry);
  auto instance = create_plugin_instance(lib, "st", R"({"prefix":"p"})", services);
  EXPECT_EQ(instance->name(), "st");
  EXPECT_NE(instance->instance(), nullptr);
  EXPECT_EQ(&instance->descriptor(), lib.descriptor);
  EXPECT_NE(instance->find_handler("ok"), nullptr);
  EXPECT_EQ(instance->find_handler("nope"), nullptr);
  std::string why;
  EXPECT_TRUE(instance->ready(why));
  PluginHarness harness(STREAMHOST_FIXTURE_STATUSES);
  harness.configure(R"({"prefix":"p"})");
  EXPECT_EQ(harness.logs(), std::vector<std::string>{"statuses created"});
}

class HandlerStatuses : public ::testing::Test {
 protected:
  void SetUp() override { harness_.configure(R"({"prefix":"p"})"); }
  plugin::testing::Result call(const std::string& handler, const std::string& value) {
    return harness_.call(handler, value, "k1");
  }

  PluginHarness harness_{STREAMHOST_FIXTURE_STATUSES};
};

TEST_F(HandlerStatuses, OkEmitsRecordsTheHostCopies) {
  auto r = call("ok", "v");
  EXPECT_EQ(r.status, SH_STATUS_OK);
  ASSERT_EQ(r.emitted.size(), 3u);
  EXPECT_EQ(r.emitted[0].value, R"({"prefix":"p"}|v)");
  EXPECT_EQ(r.emitted[0].key, "k1");
  EXPECT_EQ(r.emitted[0].topic, "output");
  EXPECT_EQ(r.emitted[2].topic, "side");
  EXPECT_EQ(r.emitted[2].key, std::nullopt);
}

TEST_F(HandlerStatuses, RetryRejectAndFatalCarryReasons) {
  auto retry = call("retry", "v");
  EXPECT_EQ(retry.status, SH_STATUS_RETRY);
  EXPECT_EQ(retry.reason, "database unavailable");
  auto reject = call("reject", "{oops");
  EXPECT_EQ(reject.status, SH_STATUS_REJECT);
  EXPECT_EQ(reject.reason, "malformed event: {oops");
  EXPECT_TRUE(reject.emitted.empty());  // emitted, and discarded as the host does
  auto fatal = call("fatal", "v");
  EXPECT_EQ(fatal.status, SH_STATUS_FATAL);
  EXPECT_EQ(fatal.reason, "disk full");
}

TEST(HandlerThrows, AnUncaughtExceptionBecomesReject) {
  PluginHarness harness(STREAMHOST_FIXTURE_THROWING_HANDLER);
  harness.configure("{}");
  auto r = harness.call("boom", "x");
  EXPECT_EQ(r.status, SH_STATUS_REJECT);
  EXPECT_EQ(r.reason, "uncaught exception: index 7 past the end");
}

}  // namespace
}  // namespace streamhost::host

// The field_mapper example plugin, loaded through the real loader like any pipeline would.
#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "plugin/loader.hpp"

namespace streamhost::host {
namespace {

using testing::call_handler;
using testing::RecordingHostServices;

class FieldMapperPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = load_plugin_library(STREAMHOST_FIELD_MAPPER_PLUGIN);
    std::string config =
        validate_plugin_config(lib_, "fm",
                               R"({"require": ["order_id"], "rename": {"cust": "customer_id"},
            "copy": {"order_id": "id"}, "drop": ["internal_note"]})");
    instance_ = create_plugin_instance(lib_, "fm", config, services_);
  }
  testing::HandlerResult map(const std::string& value) {
    return call_handler(*instance_->find_handler("map"), instance_->instance(), "c-7", value);
  }

  PluginLibrary lib_;
  RecordingHostServices services_;
  std::unique_ptr<PluginInstance> instance_;
};

TEST_F(FieldMapperPlugin, ReshapesTheEventAndKeepsTheKey) {
  auto r = map(R"({"order_id": 5, "cust": "c-7", "internal_note": "x", "total": 9.5})");
  ASSERT_EQ(r.status, SH_STATUS_OK) << r.reason;
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(r.emitted[0].value, R"({"order_id":5,"total":9.5,"customer_id":"c-7","id":5})");
  EXPECT_EQ(r.emitted[0].key, "c-7");
  EXPECT_EQ(r.emitted[0].topic, "");
}

TEST_F(FieldMapperPlugin, RejectsWhatItCannotMap) {
  auto not_json = map("order 5");
  EXPECT_EQ(not_json.status, SH_STATUS_REJECT);
  EXPECT_EQ(not_json.reason, "value is not a JSON object");
  auto missing = map(R"({"cust": "c-7"})");
  EXPECT_EQ(missing.status, SH_STATUS_REJECT);
  EXPECT_EQ(missing.reason, "missing required field \"order_id\"");
  EXPECT_TRUE(missing.emitted.empty());
}

TEST_F(FieldMapperPlugin, RefusesUnknownConfigKeys) {
  try {
    validate_plugin_config(lib_, "fm", R"({"renames": {}})");
    FAIL();
  } catch (const PluginError& e) {
    EXPECT_STREQ(e.what(), "plugins.fm.config: unknown key \"renames\" (did you mean \"rename\"?)");
  }
}

}  // namespace
}  // namespace streamhost::host

// The partition hooks (ABI 1.3) through the harness: a stateful plugin's per-partition state
// follows assign and revoke, a failing hook is reported, and plugins built against 1.1 and 1.2
// (without hooks) still load and run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <streamhost/plugin_testing.hpp>
#include <string>

namespace {

using streamhost::plugin::testing::HarnessError;
using streamhost::plugin::testing::Input;
using streamhost::plugin::testing::PluginHarness;
using ::testing::HasSubstr;

std::string count(PluginHarness& plugin, int32_t partition) {
  Input in;
  in.partition = partition;
  auto r = plugin.call("count", in);
  return r.ok() ? r.emitted.at(0).value : r.reason;
}

TEST(PartitionHooks, StateFollowsAssignAndRevoke) {
  PluginHarness plugin(STREAMHOST_FIXTURE_PARTITION_STATE);
  plugin.configure();
  EXPECT_EQ(count(plugin, 0), "partition input-0 was not assigned");
  plugin.assign({{"input", 0}, {"input", 1}});
  EXPECT_EQ(count(plugin, 0), "input-0:1");
  EXPECT_EQ(count(plugin, 0), "input-0:2");
  EXPECT_EQ(count(plugin, 1), "input-1:1");
  plugin.revoke({{"input", 0}});
  EXPECT_EQ(count(plugin, 0), "partition input-0 was not assigned");
  EXPECT_EQ(count(plugin, 1), "input-1:2");
  EXPECT_EQ(plugin.call("events", "").emitted.at(0).value, "+input-0 +input-1 -input-0 ");
}

TEST(PartitionHooks, AFailingHookIsReportedWithTheReason) {
  PluginHarness plugin(STREAMHOST_FIXTURE_PARTITION_STATE);
  plugin.configure(R"({"fail": "assigned"})");
  try {
    plugin.assign({{"input", 0}});
    FAIL() << "the hook's failure was not reported";
  } catch (const HarnessError& e) {
    EXPECT_STREQ(e.what(),
                 "plugin \"partition_state\": partitions_assigned failed: cannot load the state");
  }
}

TEST(PartitionHooks, PluginsOfEarlierMinorsHaveNoneAndStillRun) {
  for (const char* path :
       {STREAMHOST_FIXTURE_ABI_1_2, STREAMHOST_FIXTURE_ABI_1_1, STREAMHOST_FIXTURE_ABI_1_0}) {
    PluginHarness previous(path);
    previous.configure("{}");
    EXPECT_NO_THROW(previous.assign({{"input", 0}})) << path;
    EXPECT_NO_THROW(previous.revoke({{"input", 0}})) << path;
    auto r = previous.call("echo", "v", "k");
    ASSERT_EQ(r.status, SH_STATUS_OK) << path << ": " << r.reason;
    EXPECT_THAT(r.emitted.at(0).value, HasSubstr("v")) << path;
  }
}

}  // namespace

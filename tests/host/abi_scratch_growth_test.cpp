// Compiled against a scratch plugin_api.h in which every ABI struct has a field appended and the
// minor version is one higher (tests/host/CMakeLists.txt generates it): the host of the next minor.
// Plugins built against today's header, and against the frozen 1.1 and 1.0 layouts, must load and
// run in it unchanged; that is the promise a minor bump makes.
#include <gtest/gtest.h>

#include <streamhost/plugin_testing.hpp>
#include <string>

namespace {

using streamhost::plugin::testing::Input;
using streamhost::plugin::testing::PluginHarness;

static_assert(SH_PLUGIN_ABI_MINOR == STREAMHOST_SCRATCH_ABI_MINOR,
              "this suite must be compiled against the scratch header");
static_assert(sizeof(sh_handler_def) == 40 && sizeof(sh_plugin_descriptor) == 128 &&
                  sizeof(sh_header) == 40 && sizeof(sh_host_api) == 56,
              "every struct of the scratch header has a field appended");

Input with_headers(std::string value) {
  Input in;
  in.value = std::move(value);
  in.key = "k";
  in.headers = {{"a", "1"}, {"b", "2"}};
  return in;
}

TEST(AbiScratchGrowth, APluginOfTheCurrentMinorRunsInTheNextMinorsHost) {
  PluginHarness statuses(STREAMHOST_FIXTURE_STATUSES);
  statuses.configure(R"({"prefix": "p"})");
  auto ok = statuses.call("ok", "v", "k1");
  ASSERT_EQ(ok.status, SH_STATUS_OK) << ok.reason;
  ASSERT_EQ(ok.emitted.size(), 3u);
  EXPECT_EQ(ok.emitted[2].topic, "side");
  EXPECT_EQ(statuses.call("retry", "v").reason, "database unavailable");
  EXPECT_EQ(statuses.emits("fatal"), static_cast<uint32_t>(SH_EMITS_NOTHING));
}

TEST(AbiScratchGrowth, ACurrentPluginWalksTheLargerHeadersByTheHostsStride) {
  PluginHarness forms(STREAMHOST_FIXTURE_HANDLER_FORMS);
  forms.configure(R"({"required_name": "n"})");
  auto r = forms.call("headers", with_headers("v"));
  ASSERT_EQ(r.status, SH_STATUS_OK) << r.reason;
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(r.emitted[0].value, "2|b=2");
  forms.advance_clock(std::chrono::seconds(3));
  EXPECT_EQ(forms.call("clock", "x").emitted.at(0).value, "3000000000");
}

TEST(AbiScratchGrowth, PreviousMinorPluginsGetHeadersInTheirOwnLayout) {
  for (const char* path : {STREAMHOST_FIXTURE_ABI_1_1, STREAMHOST_FIXTURE_ABI_1_0}) {
    PluginHarness previous(path);
    previous.configure("{}");
    auto r = previous.call("second", with_headers("v"));
    ASSERT_EQ(r.status, SH_STATUS_OK) << path << ": " << r.reason;
    ASSERT_EQ(r.emitted.size(), 1u) << path;
    EXPECT_EQ(r.emitted[0].value, "v|2|b=2") << path;
    EXPECT_EQ(r.emitted[0].topic, "output") << path;
  }
}

TEST(AbiScratchGrowth, LargerPluginStructsAreWalkedByTheirDeclaredSizes) {
  PluginHarness extended(STREAMHOST_FIXTURE_ABI_EXTENDED_STRUCTS);
  extended.configure("{}");
  auto r = extended.call("named", "v", "k");
  ASSERT_EQ(r.status, SH_STATUS_OK) << r.reason;
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(r.emitted[0].topic, "side");
}

}  // namespace

// The SDK's plugin harness (plugin_testing.hpp) over the real loader: handler forms, typed config,
// declared emits, the fake clock, and plugins built against the previous ABI minor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <iostream>
#include <sstream>
#include <streamhost/plugin_testing.hpp>
#include <string>

namespace {

using streamhost::plugin::testing::HarnessError;
using streamhost::plugin::testing::Input;
using streamhost::plugin::testing::PluginHarness;
using ::testing::HasSubstr;

class HandlerForms : public ::testing::Test {
 protected:
  void SetUp() override { forms_.configure(R"({"required_name": "n"})"); }
  PluginHarness forms_{STREAMHOST_FIXTURE_HANDLER_FORMS};
};

TEST_F(HandlerForms, AConstMemberFunctionUsesTheConfigDefaults) {
  auto r = forms_.call("greet", "world", "k");
  ASSERT_EQ(r.status, SH_STATUS_OK) << r.reason;
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(r.emitted[0].value, "hello world");
  EXPECT_EQ(r.emitted[0].key, "k");
  EXPECT_EQ(r.emitted[0].topic, "output");
}

TEST_F(HandlerForms, TypedConfigValuesReachTheInstance) {
  forms_.configure(R"({"required_name": "n", "greeting": "hi", "repeat": "2", "shout": true,
                       "ratio": 0.25, "tags": ["a", "b"], "labels": {"x": "1"}})");
  auto greet = forms_.call("greet", "you");
  ASSERT_EQ(greet.emitted.size(), 2u);  // "repeat": "2" was converted by the host, as in run
  EXPECT_EQ(greet.emitted[1].value, "HI you");
  auto described = forms_.call("describe", "");
  ASSERT_EQ(described.emitted.size(), 1u);
  EXPECT_EQ(described.emitted[0].value, "n|0.250000|a,b,|x=1,");
}

TEST_F(HandlerForms, TheGeneratedSchemaRefusesWhatTheTypesCannotHold) {
  EXPECT_EQ(forms_.config_error(R"({"required_name": "n", "repeat": 3})"), "");
  EXPECT_EQ(forms_.config_error("{}"),
            "plugins.forms.config: missing required key \"required_name\"");
  EXPECT_EQ(forms_.config_error(R"({"required_name": "n", "greting": "x"})"),
            "plugins.forms.config: unknown key \"greting\" (did you mean \"greeting\"?)");
  EXPECT_EQ(forms_.config_error(R"({"required_name": "n", "tags": "a"})"),
            "plugins.forms.config.tags: expected a list, got \"a\"");
  const std::string schema = forms_.descriptor().config_schema_json;
  EXPECT_THAT(schema, HasSubstr(R"("greeting": {"type": "string", "description": "what every )"
                                R"(greeting says", "default": "hello"})"));
  EXPECT_THAT(schema, HasSubstr(R"("required": ["required_name"])"));
}

TEST_F(HandlerForms, FreeFunctionsAndLambdasAreHandlers) {
  auto with_instance = forms_.call("with_instance", "x");
  ASSERT_EQ(with_instance.emitted.size(), 1u);
  EXPECT_EQ(with_instance.emitted[0].topic, "greetings");
  EXPECT_EQ(with_instance.emitted[0].value, "hello");
  EXPECT_EQ(forms_.call("stateless", "fine").status, SH_STATUS_OK);
  auto bad = forms_.call("stateless", "bad");
  EXPECT_EQ(bad.status, SH_STATUS_REJECT);
  EXPECT_EQ(bad.reason, "bad input");
  auto lambda = forms_.call("lambda", "v", "k");
  ASSERT_EQ(lambda.emitted.size(), 1u);
  EXPECT_EQ(lambda.emitted[0].topic, "lambda-out");
}

TEST_F(HandlerForms, AnEmitTheDeclarationDoesNotAllowIsRefused) {
  auto liar = forms_.call("liar", "v");  // declared Emits::nothing
  EXPECT_EQ(liar.status, SH_STATUS_FATAL);
  EXPECT_EQ(liar.reason, "the host refused an emitted record");
  EXPECT_TRUE(liar.emitted.empty());
  forms_.output_topic(std::nullopt);  // a route without output_topic
  EXPECT_EQ(forms_.call("greet", "v").status, SH_STATUS_FATAL);
  EXPECT_EQ(forms_.call("lambda", "v").status, SH_STATUS_OK);  // names its topic
}

TEST_F(HandlerForms, AHandlerOfAnotherClassIsRefusedNotCalledOnTheWrongObject) {
  for (const char* name : {"wrong_class", "wrong_instance"}) {
    auto r = forms_.call(name, "v");
    EXPECT_EQ(r.status, SH_STATUS_FATAL) << name;
    EXPECT_THAT(r.reason, HasSubstr("declared on a class other than the plugin's instance type"))
        << name;
    EXPECT_TRUE(r.emitted.empty()) << name;
  }
}

TEST_F(HandlerForms, TheFakeClockMovesOnlyWhenTheTestSays) {
  EXPECT_EQ(forms_.call("clock", "").emitted.at(0).value, "0");
  forms_.advance_clock(std::chrono::milliseconds(1500));
  EXPECT_EQ(forms_.call("clock", "").emitted.at(0).value, "1500000000");
}

TEST_F(HandlerForms, HeadersArriveInOrder) {
  Input in;
  in.value = "v";
  in.headers = {{"trace", "abc"}, {"span", "7"}};
  EXPECT_EQ(forms_.call("headers", in).emitted.at(0).value, "2|span=7");
}

TEST(Harness, RefusesWhatTheLoaderRefuses) {
  try {
    PluginHarness harness(STREAMHOST_FIXTURE_ABI_NEWER_MINOR);
    FAIL() << "loaded";
  } catch (const HarnessError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin built against ABI 1.4, host supports 1.3"));
  }
  PluginHarness forms(STREAMHOST_FIXTURE_HANDLER_FORMS);
  EXPECT_THROW(forms.call("greet", "v"), HarnessError);  // not configured yet
  forms.configure(R"({"required_name": "n"})");
  try {
    forms.call("nope", "v");
    FAIL();
  } catch (const HarnessError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin \"forms\" has no handler \"nope\""));
  }
}

// A plugin built against the frozen previous-minor header (and its 1.0 variant) still loads,
// configures and runs, and reads its headers with its own, older layout.
TEST(PreviousMinor, PluginsBuiltAgainstTheOlderHeadersStillRun) {
  for (const char* path : {STREAMHOST_FIXTURE_ABI_1_1, STREAMHOST_FIXTURE_ABI_1_0}) {
    PluginHarness previous(path);
    EXPECT_EQ(previous.descriptor().abi_major, 1u);
    EXPECT_LT(previous.descriptor().abi_minor, 2u);
    EXPECT_EQ(previous.emits("echo"), static_cast<uint32_t>(SH_EMITS_UNDECLARED)) << path;
    previous.configure("{}");
    EXPECT_EQ(previous.logs(), std::vector<std::string>{"previous-minor plugin created"});
    Input in;
    in.value = "v";
    in.key = "k";
    in.headers = {{"a", "1"}, {"b", "2"}};
    auto r = previous.call("second", in);  // the second handler: found through the 1.1 stride
    ASSERT_EQ(r.status, SH_STATUS_OK) << path << ": " << r.reason;
    ASSERT_EQ(r.emitted.size(), 1u);
    EXPECT_EQ(r.emitted[0].value, "v|2|b=2");
    EXPECT_EQ(r.emitted[0].key, "k");
    EXPECT_EQ(previous.config_error(R"({"x": 1})"), "plugins.previous.config: unknown key \"x\"");
  }
}

TEST(ExtendedStructs, TrailingFieldsTheHostDoesNotKnowAreIgnored) {
  PluginHarness extended(STREAMHOST_FIXTURE_ABI_EXTENDED_STRUCTS);
  EXPECT_EQ(extended.emits("quiet"), static_cast<uint32_t>(SH_EMITS_NOTHING));
  EXPECT_EQ(extended.emits("named"), static_cast<uint32_t>(SH_EMITS_TO_NAMED_TOPICS));
  extended.configure("{}");
  auto r = extended.call("named", "v", "k");
  ASSERT_EQ(r.status, SH_STATUS_OK) << r.reason;
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(r.emitted[0].topic, "side");
  EXPECT_EQ(r.emitted[0].value, "second handler");
}

}  // namespace

namespace {

// Checks, the framework-free check list of the `plugins new` template, says what it got and what
// it wanted, so a failure is understood without a debugger.
TEST(HarnessChecks, AFailureShowsTheActualAndExpectedValues) {
  std::ostringstream captured;
  std::streambuf* previous = std::cerr.rdbuf(captured.rdbuf());
  streamhost::plugin::testing::Checks check;
  check.equal(std::string("hello!"), std::string("hello?"), "the value gets the suffix");
  check.equal(std::optional<std::string>(), std::optional<std::string>("k-1"), "the key is kept");
  check.equal(SH_STATUS_REJECT, SH_STATUS_OK, "append returns OK");
  check.equal(size_t{2}, size_t{1}, "one record");
  check.equal(1, 1, "passes");
  std::cerr.rdbuf(previous);
  EXPECT_EQ(check.exit_code(), 1);
  EXPECT_EQ(captured.str(),
            "FAILED: the value gets the suffix\n  actual:   \"hello!\"\n  expected: \"hello?\"\n"
            "FAILED: the key is kept\n  actual:   nullopt\n  expected: \"k-1\"\n"
            "FAILED: append returns OK\n  actual:   reject\n  expected: ok\n"
            "FAILED: one record\n  actual:   2\n  expected: 1\n");
}

}  // namespace

namespace {

// A handler that crashes the process on one record is shown as a result of call_isolated, and the
// harness (and the test) live on.
TEST(HarnessIsolatedCall, ACrashIsAResultNotTheEndOfTheTest) {
  PluginHarness crashing(STREAMHOST_FIXTURE_CRASHING);
  crashing.configure();
  Input fine;
  fine.value = "fine";
  fine.key = "k";
  auto ok = crashing.call_isolated("echo", fine);
  ASSERT_EQ(ok.status, SH_STATUS_OK) << ok.reason;
  ASSERT_EQ(ok.emitted.size(), 1u);
  EXPECT_EQ(ok.emitted[0].value, "fine");
  EXPECT_EQ(ok.emitted[0].key, "k");
  EXPECT_FALSE(ok.crash_signal);

  Input poison;
  poison.value = "poison";
  auto crashed = crashing.call_isolated("echo", poison);
  EXPECT_EQ(crashed.status, SH_STATUS_FATAL);
  EXPECT_EQ(crashed.crash_signal, SIGSEGV);
  EXPECT_THAT(crashed.reason, HasSubstr("the handler crashed the process with signal 11"));
  EXPECT_EQ(crashing.call("echo", "after").emitted.at(0).value, "after");  // still usable
}

}  // namespace

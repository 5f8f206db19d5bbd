// The command line in-process: exit codes, help, validate and inspect output.
#include "cli/cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <streamhost/testing/endless_body.hpp>

#include "cli/admin_client.hpp"
#include "host_test_support.hpp"

namespace streamhost::host {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempDir;

struct CliResult {
  int code;
  std::string out;
  std::string err;
  int runner_calls;
};

CliResult cli(std::vector<std::string> args, int runner_exit = 0) {
  std::vector<const char*> argv{"streamhost"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  int calls = 0;
  int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err,
                     [&](const Manifest&, const std::vector<LoadedPlugin>& plugins) {
                       ++calls;
                       // The plugins `run` resolved are handed on, so the runner loads nothing
                       // again.
                       EXPECT_EQ(plugins.size(), 1u);
                       return runner_exit;
                     });
  return {code, out.str(), err.str(), calls};
}

std::string valid_manifest(const TempDir& dir) {
  return dir.write("pipelines/ok.yaml",
                   "pipeline: demo\n"
                   "rest_proxy: {url: http://127.0.0.1:18082, dialect: strimzi}\n"
                   "consumer: {group: demo}\n"
                   "plugins:\n"
                   "  st:\n"
                   "    library: " STREAMHOST_FIXTURE_STATUSES
                   "\n"
                   "    config: {prefix: p, copies: 2}\n"
                   "routes:\n"
                   "  - {name: in, topic: demo-in, handler: st/ok, output_topic: demo-out}\n"
                   "dead_letter_topic: demo-dlq\n");
}

TEST(Cli, HelpAndVersionExitZero) {
  auto help = cli({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("Exit codes:"));
  EXPECT_THAT(help.out, HasSubstr("plugins inspect LIBRARY.so"));
  for (const char* command : {"run", "validate", "plugins"}) {
    auto sub = cli({command, "--help"});
    EXPECT_EQ(sub.code, 0) << command;
    EXPECT_THAT(sub.out, StartsWith("Usage: streamhost ")) << command;
  }
  auto version = cli({"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_THAT(version.out, HasSubstr("(plugin ABI 1.3)"));
}

TEST(Cli, UsageErrorsExitTwoWithAMessageOnStderr) {
  for (const auto& args : std::vector<std::vector<std::string>>{{},
                                                                {"frobnicate"},
                                                                {"run"},
                                                                {"validate", "-f"},
                                                                {"validate", "x.yaml"},
                                                                {"plugins"},
                                                                {"plugins", "list"},
                                                                {"plugins", "inspect"}}) {
    auto r = cli(args);
    EXPECT_EQ(r.code, 2) << ::testing::PrintToString(args);
    EXPECT_THAT(r.err, StartsWith("streamhost: ")) << ::testing::PrintToString(args);
    EXPECT_EQ(r.out, "");
  }
}

TEST(Cli, ValidatePrintsASummary) {
  TempDir dir;
  auto r = cli({"validate", "-f", valid_manifest(dir)});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("OK: pipeline \"demo\""));
  EXPECT_THAT(r.out, HasSubstr("route:   in: demo-in -> st/ok -> demo-out"));
  EXPECT_THAT(r.out, HasSubstr("plugin:  st = statuses 2.1.0 (ABI 1.3)"));
  EXPECT_EQ(r.err, "");
}

TEST(Cli, ValidateAcceptsLongFlagForms) {
  TempDir dir;
  std::string path = valid_manifest(dir);
  EXPECT_EQ(cli({"validate", "--file", path}).code, 0);
  EXPECT_EQ(cli({"validate", "--file=" + path}).code, 0);
}

TEST(Cli, ValidateReportsManifestErrorsWithExitTwo) {
  TempDir dir;
  std::string path =
      dir.write("bad.yaml", "pipeline: demo\nrest_proxy:\n  url: ${STREAMHOST_TEST_UNSET_VAR}\n");
  auto r = cli({"validate", "-f", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + ":3: rest_proxy.url: environment variable "
                                      "STREAMHOST_TEST_UNSET_VAR is not set"));
  EXPECT_THAT(r.err, HasSubstr(path + ":1: missing required key \"consumer\""));
  EXPECT_EQ(r.out, "");
}

// What `run` would refuse, or run for ever, fails validate too (issue: validate said OK to both).
TEST(Cli, ValidateRefusesAMissingAdminTokenFile) {
  TempDir dir;
  const std::string token_file = (dir.path() / "no-such-token").string();
  std::string path =
      dir.write("pipelines/token.yaml",
                "pipeline: demo\n"
                "rest_proxy: {url: http://127.0.0.1:18082, dialect: strimzi}\n"
                "consumer: {group: demo}\n"
                "plugins: {st: {library: " STREAMHOST_FIXTURE_STATUSES
                ", config: {prefix: p, copies: 2}}}\n"
                "routes: [{topic: demo-in, handler: st/ok, output_topic: demo-out}]\n"
                "dead_letter_topic: demo-dlq\n"
                "admin: {token_file: " +
                    token_file + "}\n");
  auto r = cli({"validate", "-f", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, path + ": admin.token_file " + token_file + ": cannot be read\n");
  EXPECT_EQ(r.out, "");
  // `run` refuses it the same way, before the pipeline starts (it used to exit 1 at start-up).
  auto run = cli({"run", "-f", path});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.runner_calls, 0);
  EXPECT_EQ(run.err, r.err);
  // With the file there, it validates; the token itself is never printed.
  dir.write("no-such-token", "s3cret-token-value\n");
  auto fine = cli({"validate", "-f", path});
  EXPECT_EQ(fine.code, 0) << fine.err;
  EXPECT_EQ(fine.out.find("s3cret-token-value"), std::string::npos);
}

// A token `run` would refuse as too short fails validate too, and both exit 2 with one message.
TEST(Cli, ValidateAndRunRefuseAShortAdminTokenAlike) {
  TempDir dir;
  const std::string token_file = dir.write("short-token", "fifteen-chars-x\n");
  std::string path =
      dir.write("pipelines/token.yaml",
                "pipeline: demo\n"
                "rest_proxy: {url: http://127.0.0.1:18082, dialect: strimzi}\n"
                "consumer: {group: demo}\n"
                "plugins: {st: {library: " STREAMHOST_FIXTURE_STATUSES
                ", config: {prefix: p, copies: 2}}}\n"
                "routes: [{topic: demo-in, handler: st/ok, output_topic: demo-out}]\n"
                "dead_letter_topic: demo-dlq\n"
                "admin: {token_file: " +
                    token_file + "}\n");
  auto r = cli({"validate", "-f", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, path + ": the admin token from admin.token_file " + token_file +
                       " is 15 characters; use at least 16 (for example `openssl rand -hex 32`)\n");
  EXPECT_EQ(r.err.find("fifteen-chars-x"), std::string::npos);
  EXPECT_EQ(r.out, "");
  auto run = cli({"run", "-f", path});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.runner_calls, 0);
  EXPECT_EQ(run.err, r.err);
  // Sixteen characters are enough for both.
  dir.write("short-token", "sixteen-chars-xx\n");
  EXPECT_EQ(cli({"validate", "-f", path}).code, 0);
  EXPECT_EQ(cli({"run", "-f", path}).runner_calls, 1);
}

TEST(Cli, ValidateRefusesTopicLoops) {
  TempDir dir;
  auto manifest = [&](const std::string& routes, const std::string& dlq) {
    return dir.write("loop.yaml",
                     "pipeline: demo\n"
                     "rest_proxy: {url: http://127.0.0.1:18082, dialect: strimzi}\n"
                     "consumer: {group: demo}\n"
                     "plugins:\n"
                     "  st:\n"
                     "    library: " STREAMHOST_FIXTURE_STATUSES
                     "\n"
                     "    config: {prefix: p, copies: 2}\n"
                     "routes:\n" +
                         routes + "dead_letter_topic: " + dlq + "\n");
  };
  std::string self =
      manifest("  - {name: a, topic: t1, handler: st/ok, output_topic: t1}\n", "dlq");
  auto r = cli({"validate", "-f", self});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(self + ":9: routes[0].output_topic: output topic \"t1\" leads back "
                                      "to this route's own input topic \"t1\" (a -> a)"));

  std::string cycle = manifest(
      "  - {name: a, topic: t1, handler: st/ok, output_topic: t2}\n"
      "  - {name: b, topic: t2, handler: st/ok, output_topic: t1}\n",
      "dlq");
  r = cli({"validate", "-f", cycle});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("(a -> b -> a)"));

  std::string dead_letters =
      manifest("  - {name: a, topic: t1, handler: st/ok, output_topic: t2}\n", "t1");
  r = cli({"validate", "-f", dead_letters});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(dead_letters + ":10: dead_letter_topic: dead-letter topic \"t1\" is "
                                              "also the input topic of route a"));

  // A chain is no loop.
  std::string chain = manifest(
      "  - {name: a, topic: t1, handler: st/ok, output_topic: t2}\n"
      "  - {name: b, topic: t2, handler: st/ok, output_topic: t3}\n",
      "dlq");
  r = cli({"validate", "-f", chain});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(Cli, ValidateReportsPluginErrorsWithExitTwo) {
  TempDir dir;
  std::string path =
      dir.write("bad-plugin.yaml",
                "pipeline: demo\nrest_proxy: {url: http://x:1}\nconsumer: {group: g}\n"
                "plugins: {st: {library: " STREAMHOST_FIXTURE_STATUSES
                ", config: {prefix: 1, copies: 0}}}\n"
                "routes: [{topic: t, handler: st/nope}]\ndead_letter_topic: d\n");
  auto r = cli({"validate", "-f", path});
  EXPECT_EQ(r.code, 2);
  // The plugin's config error has the manifest line, like the manifest's own.
  EXPECT_EQ(r.err, path + ":4: plugins.st.config.copies: 0 is below the minimum 1\n" + path +
                       ": routes[0].handler: plugin \"st\" has no handler \"nope\" (its "
                       "handlers: ok, retry, reject, fatal)\n");
}

TEST(Cli, RunLoadsTheManifestThenCallsTheRunner) {
  TempDir dir;
  auto ok = cli({"run", "-f", valid_manifest(dir)}, 0);
  EXPECT_EQ(ok.code, 0);
  EXPECT_EQ(ok.runner_calls, 1);
  EXPECT_EQ(cli({"run", "-f", valid_manifest(dir)}, 1).code, 1);
}

TEST(Cli, RunWithABadManifestNeverStartsThePipeline) {
  auto r = cli({"run", "-f", "/nonexistent/m.yaml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.runner_calls, 0);
  EXPECT_EQ(r.err, "/nonexistent/m.yaml: cannot read the manifest file\n");
}

TEST(Cli, RunWithAPluginProblemIsAConfigurationError) {
  TempDir dir;
  std::string path =
      dir.write("bad-route.yaml",
                "pipeline: demo\nrest_proxy: {url: http://x:1}\nconsumer: {group: g}\n"
                "plugins: {st: {library: " STREAMHOST_FIXTURE_STATUSES
                ", config: {prefix: p}}}\n"
                "routes: [{topic: t, handler: st/nope}]\ndead_letter_topic: d\n");
  auto r = cli({"run", "-f", path});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.runner_calls, 0);
  EXPECT_THAT(r.err, HasSubstr("plugin \"st\" has no handler \"nope\""));
}

TEST(Cli, RunnerExceptionsAreRuntimeFailures) {
  TempDir dir;
  std::vector<const char*> argv{"streamhost", "run", "-f"};
  std::string path = valid_manifest(dir);
  argv.push_back(path.c_str());
  std::ostringstream out, err;
  int code = run_cli(4, argv.data(), out, err,
                     [](const Manifest&, const std::vector<LoadedPlugin>&) -> int {
                       throw std::runtime_error("proxy refused");
                     });
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err.str(), "streamhost: proxy refused\n");
}

TEST(Cli, InspectShowsTheDescriptor) {
  auto r = cli({"plugins", "inspect", STREAMHOST_FIXTURE_STATUSES});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("name:        statuses\n"));
  EXPECT_THAT(r.out, HasSubstr("version:     2.1.0\n"));
  EXPECT_THAT(r.out, HasSubstr("abi:         1.3 (host supports 1.3)\n"));
  EXPECT_THAT(r.out, HasSubstr("  ok - emits three records (emits to the output topic)\n"
                               "  retry - always RETRY (emits nothing)\n"));
  EXPECT_THAT(r.out, HasSubstr("  fatal (emits nothing)\n"));
  EXPECT_THAT(r.out, HasSubstr("config schema:\n{\n  \"type\": \"object\",\n"));
  EXPECT_THAT(r.out, HasSubstr("config check: none (the schema is the whole check)\n"));
  auto checked = cli({"plugins", "inspect", STREAMHOST_FIXTURE_NESTED_CONFIG});
  EXPECT_THAT(checked.out, HasSubstr("config check: yes (the plugin checks its config beyond the "
                                     "schema, in validate and at start)\n"));
}

TEST(Cli, InspectRefusesBrokenLibraries) {
  auto abi = cli({"plugins", "inspect", STREAMHOST_FIXTURE_ABI_MAJOR});
  EXPECT_EQ(abi.code, 2);
  EXPECT_THAT(abi.err, HasSubstr("plugin built against ABI 2.0, host supports 1.3"));
  auto schema = cli({"plugins", "inspect", STREAMHOST_FIXTURE_BAD_SCHEMA});
  EXPECT_EQ(schema.code, 2);
  EXPECT_THAT(schema.err, HasSubstr("plugin \"badschema\": its config schema is not valid JSON"));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  std::getline(in, text, '\0');
  return text;
}

// `plugins new` writes into the current folder; each test moves into its own scratch folder.
class PluginsNew : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_.path());
  }
  void TearDown() override { std::filesystem::current_path(previous_); }
  TempDir dir_;
  std::filesystem::path previous_;
};

TEST_F(PluginsNew, WritesAProjectNamedAfterThePlugin) {
  auto r = cli({"plugins", "new", "order_tagger"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("wrote order_tagger/"));
  // The test binary is in a build tree, not an installed prefix: the command says what to fill in.
  EXPECT_THAT(r.out, HasSubstr("cmake -S order_tagger -B order_tagger/build "
                               "-DCMAKE_PREFIX_PATH=SDK_PREFIX && cmake --build"));
  for (const char* file : {"order_tagger/CMakeLists.txt", "order_tagger/order_tagger.cpp",
                           "order_tagger/order_tagger_test.cpp"}) {
    EXPECT_TRUE(std::filesystem::exists(file)) << file;
  }
  const std::string text = read_file("order_tagger/order_tagger.cpp");
  EXPECT_THAT(text, HasSubstr("class OrderTagger {"));
  EXPECT_THAT(text, HasSubstr("STREAMHOST_PLUGIN(OrderTagger, .name = \"order_tagger\""));
}

TEST_F(PluginsNew, RefusesABadNameAndNeverOverwrites) {
  auto bad = cli({"plugins", "new", "Order-Tagger"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_THAT(bad.err, HasSubstr("plugin name \"Order-Tagger\" must start with a lower-case"));
  EXPECT_FALSE(std::filesystem::exists("Order-Tagger"));

  std::filesystem::create_directory("taken");
  std::ofstream("taken/CMakeLists.txt") << "mine";
  auto taken = cli({"plugins", "new", "taken"});
  EXPECT_EQ(taken.code, kExitUsage);
  EXPECT_THAT(taken.err, HasSubstr("taken already exists; nothing was written"));
  EXPECT_EQ(read_file("taken/CMakeLists.txt"), "mine");
  EXPECT_EQ(cli({"plugins", "new"}).code, kExitUsage);
}

}  // namespace
}  // namespace streamhost::host

namespace streamhost::host {
namespace {

TEST(CliAdminCommands, HelpUsageErrorsAndTheTargetFromAManifest) {
  for (const char* command : {"status", "pause", "resume"}) {
    auto sub = cli({command, "--help"});
    EXPECT_EQ(sub.code, 0) << command;
    EXPECT_THAT(sub.out, StartsWith(std::string("Usage: streamhost ") + command));
  }
  auto bad = cli({"status", "--frobnicate"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, HasSubstr("unexpected argument \"--frobnicate\""));
  auto no_route = cli({"pause", "--route"});
  EXPECT_EQ(no_route.code, 2);
  EXPECT_THAT(no_route.err, HasSubstr("--route needs a value"));
  auto not_http = cli({"status", "--admin", "127.0.0.1:18080"});
  EXPECT_EQ(not_http.code, 2);
  EXPECT_THAT(not_http.err, HasSubstr("--admin must be an http:// or https:// URL"));
  auto no_token_file = cli({"pause", "--token-file", "/nonexistent/token"});
  EXPECT_EQ(no_token_file.code, 2);
  EXPECT_THAT(no_token_file.err, HasSubstr("--token-file /nonexistent/token: cannot be read"));

  // A wildcard bind is reached on loopback; the token comes from the file the manifest names.
  TempDir dir;
  const std::string token = dir.write("token", "t0ken\n");
  const std::string manifest =
      dir.write("m.yaml", std::string("pipeline: demo\n"
                                      "rest_proxy: {url: http://127.0.0.1:18082}\n"
                                      "consumer: {group: demo}\n"
                                      "plugins: {st: {library: x.so}}\n"
                                      "routes: [{name: in, topic: demo-in, handler: st/ok}]\n"
                                      "dead_letter_topic: demo-dlq\n"
                                      "admin: {bind: 0.0.0.0, port: 19999, token_file: ") +
                              token + "}\n");
  std::vector<std::pair<std::string, std::string>> values;
  const AdminTarget target =
      parse_admin_target({"-f", manifest, "--route", "in"}, {"--route"}, values);
  EXPECT_EQ(target.url, "http://127.0.0.1:19999");
  EXPECT_EQ(target.token, "t0ken");
  EXPECT_EQ(values, (std::vector<std::pair<std::string, std::string>>{{"--route", "in"}}));
  EXPECT_EQ(parse_admin_target({"--admin", "http://h:1/"}, {}, values).url, "http://h:1");
}

// The token goes only with POST (the endpoint asks for it there alone), and never in clear text
// to another machine unless the operator says the network is trusted.
TEST(CliAdminCommands, TheTokenGoesOnlyWithMutationsAndNotInClearToAnotherHost) {
  struct Row {
    std::string url;
    std::string method;
    bool allow_insecure;
    int expected;  // 0 not sent, 1 sent, 2 refused
  };
  const std::vector<Row> rows = {
      {"http://127.0.0.1:18080", "GET", false, 0},
      {"https://admin.example", "GET", false, 0},
      {"http://127.0.0.1:18080", "POST", false, 1},
      {"http://127.1.2.3:18080", "POST", false, 1},
      {"http://localhost:18080", "POST", false, 1},
      {"http://[::1]:18080", "POST", false, 1},
      {"https://admin.example:8443", "POST", false, 1},
      {"HTTPS://admin.example", "POST", false, 1},
      {"http://admin.example:18080", "POST", true, 1},
      {"http://admin.example:18080", "POST", false, 2},
      {"http://127.evil.example:18080", "POST", false, 2},
      {"http://127.0.0.1.nip.io", "POST", false, 2},
      {"http://localhost.evil.example", "POST", false, 2},
      {"http://10.0.0.5:18080", "POST", false, 2},
  };
  for (const Row& row : rows) {
    AdminTarget target;
    target.url = row.url;
    target.token = "t0ken-0123456789abcdef";
    target.allow_insecure_token = row.allow_insecure;
    const std::string what = row.method + " " + row.url;
    if (row.expected == 2) {
      EXPECT_THROW(sends_token(target, row.method), std::invalid_argument) << what;
    } else {
      EXPECT_EQ(sends_token(target, row.method), row.expected == 1) << what;
    }
  }
  AdminTarget no_token;
  no_token.url = "http://admin.example";
  EXPECT_FALSE(sends_token(no_token, "POST"));

  std::vector<std::pair<std::string, std::string>> values;
  EXPECT_TRUE(parse_admin_target({"--allow-insecure-token"}, {}, values).allow_insecure_token);
  EXPECT_FALSE(parse_admin_target({}, {}, values).allow_insecure_token);
  // Refused before any connection, with the fix named and the token not shown: exit 2.
  TempDir dir;
  const std::string token = dir.write("token", "t0ken-0123456789abcdef\n");
  auto refused = cli({"pause", "--admin", "http://admin.example:1", "--token-file", token});
  EXPECT_EQ(refused.code, 2);
  EXPECT_THAT(refused.err, HasSubstr("--allow-insecure-token"));
  EXPECT_EQ(refused.err.find("t0ken"), std::string::npos);
}

// `status -f` needs only the variables under admin: (the issue: it needed every variable the
// manifest requires, the database password included, just to find the port).
TEST(CliAdminCommands, AManifestsOtherVariablesAreNotNeededToFindItsAdminEndpoint) {
  TempDir dir;
  const std::string manifest = dir.write("m.yaml",
                                         "pipeline: demo\n"
                                         "rest_proxy:\n"
                                         "  url: ${STREAMHOST_TEST_UNSET_PROXY}\n"
                                         "consumer:\n"
                                         "  group: ${STREAMHOST_TEST_UNSET_GROUP}\n"
                                         "dead_letter_topic: ${STREAMHOST_TEST_UNSET_PW}\n"
                                         "admin:\n"
                                         "  port: ${STREAMHOST_TEST_ADMIN_PORT:-19998}\n");
  std::vector<std::pair<std::string, std::string>> values;
  EXPECT_EQ(parse_admin_target({"-f", manifest}, {}, values).url, "http://127.0.0.1:19998");
  // A variable under admin: is still needed, and named.
  const std::string needs_port = dir.write("p.yaml",
                                           "pipeline: demo\n"
                                           "admin:\n"
                                           "  port: ${STREAMHOST_TEST_UNSET_PORT}\n");
  auto r = cli({"status", "-f", needs_port});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(needs_port + ":3: admin.port: environment variable "
                                            "STREAMHOST_TEST_UNSET_PORT is not set"));
}

// An admin endpoint (or whatever answers on its port) whose answer never ends: cut at 8 MiB with
// a message naming the URL, and the connection closed.
TEST(CliAdminCommands, AnEndlessAnswerIsCutAtTheLimit) {
  streamhost::testing::EndlessReplyServer server(/*cap=*/512u << 20);
  AdminTarget target;
  target.url = server.url();
  try {
    admin_request(target, "GET", "/pipeline");
    ADD_FAILURE() << "accepted";
  } catch (const AdminUnreachable& e) {
    EXPECT_THAT(e.what(), HasSubstr("the admin endpoint at " + server.url() +
                                    " answered over 8388608 bytes"));
  }
  ASSERT_TRUE(server.wait_for_replies_ended(1, std::chrono::seconds(20)));
  EXPECT_LT(server.body_bytes_sent(), size_t{64} << 20);
}

}  // namespace
}  // namespace streamhost::host

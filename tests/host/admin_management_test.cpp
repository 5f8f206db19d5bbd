// The management API's parts that need no network: the state ladder, config redaction, the admin
// token, the JSON answers and metrics built from a pipeline's status, and `streamhost status`'s
// tables.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "admin/admin_token.hpp"
#include "admin/config_redaction.hpp"
#include "admin/management_api.hpp"
#include "cli/status_format.hpp"
#include "runtime/pipeline_state.hpp"

namespace streamhost::host::admin {
namespace {

using runtime::PipelineState;
using runtime::StateInputs;

// ---- state ----------------------------------------------------------------------------------

TEST(PipelineStateLadder, EachStateWinsOverTheOnesBelowIt) {
  StateInputs in;
  in.routes = 2;
  EXPECT_EQ(runtime::derive_state(in).state, PipelineState::kRunning);
  EXPECT_EQ(runtime::derive_state(in).reason, "");

  in.source_ok = false;
  in.source_error = "connection refused";
  EXPECT_EQ(runtime::derive_state(in).state, PipelineState::kRetrying);
  EXPECT_EQ(runtime::derive_state(in).reason, "polling fails: connection refused");

  in.retry_paused_partitions = 2;
  EXPECT_EQ(runtime::derive_state(in).reason, "2 partitions wait on a handler RETRY");

  in.routes_paused = 1;  // one route of two: still retrying, not paused
  EXPECT_EQ(runtime::derive_state(in).state, PipelineState::kRetrying);
  in.routes_paused = 2;
  EXPECT_EQ(runtime::derive_state(in).state, PipelineState::kPaused);
  in.routes_paused = 0;
  in.pipeline_paused = true;
  EXPECT_EQ(runtime::derive_state(in).state, PipelineState::kPaused);

  in.stopping = true;
  EXPECT_EQ(runtime::derive_state(in).state, PipelineState::kStopping);

  in.fatal_message = "handler coupon/focus answered FATAL: model missing";
  const auto failed = runtime::derive_state(in);
  EXPECT_EQ(failed.state, PipelineState::kFailed);
  EXPECT_EQ(failed.reason, "handler coupon/focus answered FATAL: model missing");
}

TEST(PipelineStateLadder, StateNamesAreTheOnesDashboardsMatch) {
  std::vector<std::string> names;
  for (auto s : runtime::kAllPipelineStates) names.emplace_back(runtime::state_name(s));
  EXPECT_EQ(names, (std::vector<std::string>{"RUNNING", "PAUSED", "RETRYING", "FAILED", "STOPPING",
                                             "STALLED"}));
}

// ---- redaction ------------------------------------------------------------------------------

TEST(ConfigRedaction, SecretKeysAtAnyDepthAndUrlPasswordsAreReplaced) {
  const std::string effective = R"({
    "rest_proxy": {"url": "https://svc:hunter2@proxy:8082", "auth": {"username": "svc",
                   "password": "hunter2"}},
    "consumer": {"group": "g", "properties": {"sasl.jaas.config": "user=a password=hunter2",
                 "ssl.truststore.password": "hunter2"}},
    "plugins": {"coupon": {"library": "x.so", "config": {
        "database": {"host": "db", "user": "app", "password": "hunter2"},
        "scorer": {"url": "http://scorer:9000/predict", "api_key": 12345,
                   "Auth_Token": {"nested": "hunter2"}},
        "items": [{"client_secret": "hunter2"}, "postgres://u:hunter2@db/x"]}}},
    "admin": {"token_file": "/run/secrets/admin-token", "token_env": "ADMIN_TOKEN", "port": 18080}
  })";
  const std::string redacted = redact_config(effective);
  EXPECT_EQ(redacted.find("hunter2"), std::string::npos) << redacted;
  EXPECT_EQ(redacted.find("12345"), std::string::npos) << redacted;
  rapidjson::Document doc;
  doc.Parse(redacted.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["rest_proxy"]["url"].GetString(), "https://svc:[redacted]@proxy:8082");
  EXPECT_STREQ(doc["rest_proxy"]["auth"]["username"].GetString(), "svc");
  EXPECT_STREQ(doc["rest_proxy"]["auth"]["password"].GetString(), "[redacted]");
  const auto& config = doc["plugins"]["coupon"]["config"];
  EXPECT_STREQ(config["database"]["host"].GetString(), "db");
  EXPECT_STREQ(config["database"]["password"].GetString(), "[redacted]");
  EXPECT_STREQ(config["scorer"]["url"].GetString(), "http://scorer:9000/predict");
  EXPECT_STREQ(config["scorer"]["Auth_Token"].GetString(), "[redacted]");
  EXPECT_STREQ(config["items"][1].GetString(), "postgres://u:[redacted]@db/x");
  // Where a secret lives is not the secret.
  EXPECT_STREQ(doc["admin"]["token_file"].GetString(), "/run/secrets/admin-token");
  EXPECT_STREQ(doc["admin"]["token_env"].GetString(), "ADMIN_TOKEN");
  EXPECT_EQ(doc["admin"]["port"].GetInt(), 18080);
}

TEST(ConfigRedaction, UrlPasswordsAreRedactedWholeAndLongValuesAreScannedInLinearTime) {
  auto redacted_string = [](const std::string& value) {
    rapidjson::Document doc;
    const std::string out = redact_config(R"({"v":")" + value + R"("})");
    doc.Parse(out.c_str());
    return std::string(doc["v"].GetString());
  };
  EXPECT_EQ(redacted_string("postgres://u:p@ss@db:5432/x?sslmode=require"),
            "postgres://u:[redacted]@db:5432/x?sslmode=require");
  EXPECT_EQ(redacted_string("a http://x:1@h and https://y:2@k/p"),
            "a http://x:[redacted]@h and https://y:[redacted]@k/p");
  // A user alone may be a token used as the URL's user: redacted too.
  EXPECT_EQ(redacted_string("http://user@host/path:1@x"), "http://[redacted]@host/path:1@x");
  EXPECT_EQ(redacted_string("http://host:8080/"), "http://host:8080/");
  // A megabyte of text, as the manifest allows: no recursion per character.
  const std::string long_value = "http://u:" + std::string(1 << 20, 'p') + "@h";
  EXPECT_EQ(redacted_string(long_value), "http://u:[redacted]@h");
}

TEST(ConfigRedaction, TheKeyRule) {
  for (const char* secret :
       {"password", "DB_PASSWORD", "passwd", "secret", "client_secret", "token", "accessToken",
        "credentials", "api_key", "apiKey", "private_key", "Authorization", "sasl.jaas.config",
        "ssl.keystore.key"}) {
    EXPECT_TRUE(is_secret_key(secret)) << secret;
  }
  for (const char* plain : {"username", "user", "url", "host", "token_file", "password_env",
                            "group", "timeout_ms", "auth"}) {
    EXPECT_FALSE(is_secret_key(plain)) << plain;
  }
}

// ---- token ----------------------------------------------------------------------------------

TEST(AdminToken, ComparedWholeAndOnlyAsABearerToken) {
  EXPECT_TRUE(constant_time_equals("s3cret-token", "s3cret-token"));
  EXPECT_FALSE(constant_time_equals("s3cret-token", "s3cret-tokem"));
  EXPECT_FALSE(constant_time_equals("s3cret-token", "s3cret-token2"));
  EXPECT_FALSE(constant_time_equals("s3cret-token", "s3cret"));
  EXPECT_FALSE(constant_time_equals("", "x"));

  const std::optional<std::string> token = "s3cret-token";
  EXPECT_TRUE(bearer_allows(token, "Bearer s3cret-token"));
  EXPECT_TRUE(bearer_allows(token, "bearer s3cret-token"));
  EXPECT_FALSE(bearer_allows(token, "Bearer wrong"));
  EXPECT_FALSE(bearer_allows(token, "Basic s3cret-token"));
  EXPECT_FALSE(bearer_allows(token, "s3cret-token"));
  EXPECT_FALSE(bearer_allows(token, "Bearer "));
  EXPECT_FALSE(bearer_allows(token, ""));
  EXPECT_TRUE(bearer_allows(std::nullopt, "")) << "no token configured: open (loopback only)";
}

TEST(AdminToken, AShortTokenIsRefusedNamingWhereItCameFrom) {
  AdminSpec spec;
  spec.token_env = "ADMIN_TOKEN";
  try {
    require_strong_admin_token("s3cret-short", spec);
    ADD_FAILURE() << "a 12-character token was accepted";
  } catch (const AdminTokenError& e) {
    const std::string why = e.what();
    EXPECT_NE(why.find("admin.token_env ADMIN_TOKEN is 12 characters; use at least 16"),
              std::string::npos)
        << why;
    EXPECT_EQ(why.find("s3cret-short"), std::string::npos) << why;
  }
  EXPECT_NO_THROW(require_strong_admin_token(std::string(16, 'x'), spec));
}

TEST(AdminToken, ReadFromAFileOrAVariableNeverFromTheManifest) {
  char path[] = "/tmp/streamhost-token-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  { std::ofstream(path) << "  from-the-file\n"; }
  AdminSpec spec;
  spec.token_file = path;
  EXPECT_EQ(load_admin_token(spec), "from-the-file");
  { std::ofstream(path) << "\n \n"; }
  try {
    load_admin_token(spec);
    ADD_FAILURE() << "an empty token file was accepted";
  } catch (const AdminTokenError& e) {
    EXPECT_EQ(std::string(e.what()), std::string("admin.token_file ") + path + " is empty");
  }
  std::remove(path);
  EXPECT_THROW(load_admin_token(spec), AdminTokenError);

  AdminSpec env_spec;
  env_spec.token_env = "ADMIN_TOKEN";
  auto env = [](std::map<std::string, std::string> vars) -> EnvLookup {
    return [vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
  };
  EXPECT_EQ(load_admin_token(env_spec, env({{"ADMIN_TOKEN", "from-env"}})), "from-env");
  try {
    load_admin_token(env_spec, env({}));
    ADD_FAILURE() << "an unset token variable was accepted";
  } catch (const AdminTokenError& e) {
    EXPECT_EQ(std::string(e.what()),
              "admin.token_env: environment variable ADMIN_TOKEN is not set");
  }
  EXPECT_EQ(load_admin_token(AdminSpec{}), std::nullopt);
}

// ---- the API over a pipeline status -----------------------------------------------------------

struct FakeAccess {
  runtime::PipelineStatus status;
  std::map<connector::TopicPartition, LogEnd> ends;
  std::vector<std::string> calls;

  PipelineAccess access() {
    return {[this] { return status; }, [this] { return ends; },
            [this](const std::optional<std::string>& r) {
              calls.push_back("pause " + r.value_or("*"));
              return !r || *r == "focus";
            },
            [this](const std::optional<std::string>& r) {
              calls.push_back("resume " + r.value_or("*"));
              return !r || *r == "focus";
            }};
  }
};

PipelineInfo coupon_info() {
  PipelineInfo info;
  info.name = "coupon";
  info.workers = 2;
  info.routes = {{"entry", "customer-entry", "coupon/entry", std::nullopt},
                 {"focus", "customer-focus", "coupon/focus", "predictions"}};
  info.plugins = {{"coupon", "coupon", "1.0.0", "1.1", "/opt/lib/libstreamhost_coupon.so"}};
  info.redacted_config_json = R"({"pipeline":"coupon"})";
  return info;
}

runtime::PartitionStatus partition(std::string topic, int p, std::optional<int64_t> committed,
                                   std::optional<int64_t> last) {
  runtime::PartitionStatus s;
  s.partition = {std::move(topic), p};
  s.route = s.partition.topic == "customer-focus" ? "focus" : "entry";
  s.committed = committed;
  s.last_dispatched = last;
  return s;
}

TEST(ManagementApi, AnswersThePipelineItsPartitionsAndItsConfig) {
  FakeAccess fake;
  fake.status.paused_routes = {"focus"};
  fake.status.partitions = {partition("customer-entry", 0, 10, 9),
                            partition("customer-focus", 0, 40, 44),
                            partition("customer-focus", 1, std::nullopt, std::nullopt)};
  fake.status.partitions[1].in_flight = 5;
  fake.status.partitions[1].paused_because = {"route paused by an operator"};
  fake.ends[{"customer-entry", 0}] = LogEnd{10, {}, ""};
  fake.ends[{"customer-focus", 0}] = LogEnd{52, {}, ""};
  fake.ends[{"customer-focus", 1}] = LogEnd{std::nullopt, {}, "GET /topics/...: timed out"};
  ManagementApi api(coupon_info(), fake.access());

  auto pipeline = api.handle("GET", "/pipeline");
  ASSERT_TRUE(pipeline);
  EXPECT_EQ(pipeline->http_status, 200);
  rapidjson::Document doc;
  doc.Parse(pipeline->body.c_str());
  ASSERT_FALSE(doc.HasParseError()) << pipeline->body;
  EXPECT_STREQ(doc["name"].GetString(), "coupon");
  EXPECT_STREQ(doc["state"].GetString(), "RUNNING");
  EXPECT_EQ(doc["workers"].GetInt(), 2);
  EXPECT_GE(doc["uptime_seconds"].GetDouble(), 0.0);
  EXPECT_STREQ(doc["routes"][1]["handler"].GetString(), "coupon/focus");
  EXPECT_STREQ(doc["routes"][1]["output_topic"].GetString(), "predictions");
  EXPECT_TRUE(doc["routes"][0]["output_topic"].IsNull());
  EXPECT_FALSE(doc["routes"][0]["paused"].GetBool());
  EXPECT_TRUE(doc["routes"][1]["paused"].GetBool());
  EXPECT_STREQ(doc["plugins"][0]["abi_version"].GetString(), "1.1");
  EXPECT_STREQ(doc["plugins"][0]["library"].GetString(), "/opt/lib/libstreamhost_coupon.so");

  auto partitions = api.handle("GET", "/pipeline/partitions");
  ASSERT_TRUE(partitions);
  doc.Parse(partitions->body.c_str());
  ASSERT_FALSE(doc.HasParseError()) << partitions->body;
  const auto& list = doc["partitions"];
  ASSERT_EQ(list.Size(), 3u);
  EXPECT_EQ(list[0]["lag"].GetInt64(), 0);
  EXPECT_EQ(list[1]["committed_offset"].GetInt64(), 40);
  EXPECT_EQ(list[1]["last_dispatched_offset"].GetInt64(), 44);
  EXPECT_EQ(list[1]["log_end_offset"].GetInt64(), 52);
  EXPECT_EQ(list[1]["lag"].GetInt64(), 12);
  EXPECT_EQ(list[1]["in_flight"].GetInt(), 5);
  EXPECT_TRUE(list[1]["paused"].GetBool());
  EXPECT_STREQ(list[1]["paused_because"][0].GetString(), "route paused by an operator");
  EXPECT_TRUE(list[2]["lag"].IsNull());
  EXPECT_TRUE(list[2]["log_end_offset"].IsNull());
  EXPECT_STREQ(list[2]["log_end_error"].GetString(), "GET /topics/...: timed out");

  auto config = api.handle("GET", "/pipeline/config");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->body, R"({"pipeline":"coupon"})");
  EXPECT_FALSE(api.handle("GET", "/healthz")) << "not a management path";
  EXPECT_FALSE(api.handle("GET", "/pipelines")) << "not a management path";
  EXPECT_EQ(api.handle("GET", "/pipeline/nothing")->http_status, 404);
  EXPECT_EQ(api.handle("DELETE", "/pipeline")->http_status, 405);
  EXPECT_EQ(api.handle("GET", "/pipeline/pause")->http_status, 405);
}

TEST(ManagementApi, PauseAndResumeReachThePipelineAndNameUnknownRoutes) {
  FakeAccess fake;
  ManagementApi api(coupon_info(), fake.access());
  EXPECT_EQ(api.handle("POST", "/pipeline/pause")->http_status, 200);
  EXPECT_EQ(api.handle("POST", "/pipeline/routes/focus/resume")->http_status, 200);
  auto unknown = api.handle("POST", "/pipeline/routes/nope/pause");
  EXPECT_EQ(unknown->http_status, 404);
  EXPECT_NE(unknown->body.find("no route named nope"), std::string::npos);
  EXPECT_EQ(api.handle("POST", "/pipeline/resume")->http_status, 200);
  EXPECT_EQ(fake.calls,
            (std::vector<std::string>{"pause *", "resume focus", "pause nope", "resume *"}));
}

TEST(ManagementApi, MetricsUseTheDocumentedNamesAndForgetPartitionsNoLongerHeld) {
  FakeAccess fake;
  fake.status.pipeline_paused = true;
  fake.status.state = {PipelineState::kPaused, "paused by an operator"};
  fake.status.partitions = {partition("customer-focus", 0, 40, 44),
                            partition("customer-focus", 1, 7, 6)};
  fake.ends[{"customer-focus", 0}] = LogEnd{52, {}, ""};
  fake.ends[{"customer-focus", 1}] = LogEnd{7, {}, ""};
  ManagementApi api(coupon_info(), fake.access());
  metrics::Registry registry;
  api.install_metrics(registry);
  std::string text = registry.render();
  for (const char* line :
       {"streamhost_consumer_lag{topic=\"customer-focus\",partition=\"0\"} 12\n",
        "streamhost_committed_offset{topic=\"customer-focus\",partition=\"0\"} 40\n",
        "streamhost_log_end_offset{topic=\"customer-focus\",partition=\"0\"} 52\n",
        "streamhost_consumer_lag{topic=\"customer-focus\",partition=\"1\"} 0\n",
        "streamhost_pipeline_state{state=\"PAUSED\"} 1\n",
        "streamhost_pipeline_state{state=\"RUNNING\"} 0\n",
        "streamhost_pipeline_state{state=\"RETRYING\"} 0\n",
        "streamhost_pipeline_state{state=\"FAILED\"} 0\n",
        "streamhost_pipeline_state{state=\"STOPPING\"} 0\n", "streamhost_uptime_seconds "}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing from\n" << text;
  }
  // Partition 1 went to another member; partition 0's log end is not known any more.
  fake.status.partitions.pop_back();
  fake.ends.clear();
  fake.status.state = {PipelineState::kRunning, ""};
  text = registry.render();
  EXPECT_EQ(text.find("partition=\"1\""), std::string::npos) << text;
  EXPECT_EQ(text.find("streamhost_consumer_lag{"), std::string::npos) << text;
  EXPECT_NE(text.find("streamhost_committed_offset{topic=\"customer-focus\",partition=\"0\"} 40"),
            std::string::npos);
  EXPECT_NE(text.find("streamhost_pipeline_state{state=\"RUNNING\"} 1"), std::string::npos);
}

// A partition with nothing committed here yet counts from the log start (in a series of its own,
// out of the alerts' sums), a lag figure carries its age, and the stall shows in the state series
// and the poll age.
TEST(ManagementApi, LagCountsFromTheLogStartBeforeAnyCommitInItsOwnSeriesAndCarriesItsAge) {
  FakeAccess fake;
  fake.status.state = {PipelineState::kStalled, "the REST proxy has not answered ..."};
  fake.status.health.since_poll_ok = std::chrono::milliseconds(7500);
  fake.status.partitions = {partition("customer-focus", 0, std::nullopt, std::nullopt)};
  LogEnd end{80, {}, "", 30, std::chrono::steady_clock::now() - std::chrono::seconds(12)};
  fake.ends[{"customer-focus", 0}] = end;
  ManagementApi api(coupon_info(), fake.access());

  rapidjson::Document doc;
  doc.Parse(api.handle("GET", "/pipeline/partitions")->body.c_str());
  const auto& p = doc["partitions"][0];
  EXPECT_EQ(p["lag"].GetInt64(), 50);
  EXPECT_TRUE(p["lag_from_start"].GetBool());
  EXPECT_GE(p["log_end_age_seconds"].GetDouble(), 12.0);
  doc.Parse(api.handle("GET", "/pipeline")->body.c_str());
  EXPECT_STREQ(doc["state"].GetString(), "STALLED");
  EXPECT_DOUBLE_EQ(doc["poll_age_seconds"].GetDouble(), 7.5);

  metrics::Registry registry;
  api.install_metrics(registry);
  const std::string text = registry.render();
  for (const char* line :
       {"streamhost_consumer_lag_from_start{topic=\"customer-focus\",partition=\"0\"} 50\n",
        "streamhost_pipeline_state{state=\"STALLED\"} 1\n", "streamhost_poll_age_seconds 7.5\n",
        "streamhost_log_end_age_seconds{topic=\"customer-focus\",partition=\"0\"} 1"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing from\n" << text;
  }
  // The whole retained log is no lag: the series the alerts sum leaves it out.
  EXPECT_EQ(text.find("streamhost_consumer_lag{"), std::string::npos) << text;
  // Once something is committed, the lag counts from there, in the lag series alone.
  fake.status.partitions[0].committed = 70;
  doc.Parse(api.handle("GET", "/pipeline/partitions")->body.c_str());
  EXPECT_EQ(doc["partitions"][0]["lag"].GetInt64(), 10);
  EXPECT_FALSE(doc["partitions"][0]["lag_from_start"].GetBool());
  const std::string after = registry.render();
  EXPECT_NE(after.find("streamhost_consumer_lag{topic=\"customer-focus\",partition=\"0\"} 10\n"),
            std::string::npos)
      << after;
  EXPECT_EQ(after.find("streamhost_consumer_lag_from_start{"), std::string::npos) << after;
}

// ---- streamhost status ----------------------------------------------------------------------

TEST(StatusFormat, PrintsTheStateRoutesPluginsAndOnePartitionPerLine) {
  FakeAccess fake;
  fake.status.state = {PipelineState::kPaused, "paused by an operator"};
  fake.status.pipeline_paused = true;
  fake.status.partitions = {partition("customer-focus", 0, 40, 44)};
  fake.status.partitions[0].paused_because = {"paused by an operator"};
  fake.ends[{"customer-focus", 0}] = LogEnd{52, {}, ""};
  ManagementApi api(coupon_info(), fake.access());
  const std::string out = format_status(api.pipeline_json(), api.partitions_json());
  EXPECT_NE(out.find("state:     PAUSED (paused by an operator)"), std::string::npos) << out;
  EXPECT_NE(out.find("focus  customer-focus  coupon/focus  predictions  yes"), std::string::npos)
      << out;
  EXPECT_NE(out.find("TOPIC           PARTITION  COMMITTED  LAST HANDED  LOG END  LAG  IN FLIGHT"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("customer-focus  0          40         44           52       12   0"),
            std::string::npos)
      << out;
  EXPECT_THROW(format_status("<html>", "{}"), std::invalid_argument);
  EXPECT_THROW(format_status(api.pipeline_json(), "{\"partitions\":7}"), std::invalid_argument);
  // Found by fuzzing (corpus/admin_status/a-partition-that-is-not-an-object): RapidJSON asserted.
  EXPECT_NE(format_status(api.pipeline_json(), "{\"partitions\":[7]}").find("\n-      -"),
            std::string::npos);
  EXPECT_EQ(format_duration(3725), "1h 02m 05s");
  EXPECT_EQ(format_duration(65), "1m 05s");
  // Found by fuzzing (corpus/admin_status/uptime-beyond-a-long): converting 3.7e26 to a long was
  // undefined behaviour.
  EXPECT_EQ(format_duration(3.7e26), "277777777777h 46m 40s");
  EXPECT_EQ(format_duration(std::nan("")), "0s");
  EXPECT_EQ(format_duration(-5), "0s");
  EXPECT_EQ(format_duration(9.9), "9s");
}

// The answers are bytes from whatever listens on the admin port: a name cannot send a terminal
// escape sequence, forge a line, or widen a column without end.
TEST(StatusFormat, AHostileAnswerCannotReachTheTerminal) {
  const std::string pipeline =
      R"({"name":"x\u001b]0;owned\u0007","state":"RUNNING\nstate:     FAILED","routes":[)"
      R"({"name":")" +
      std::string(500, 'r') + R"(","topic":"t\u0085"}],"plugins":[]})";
  const std::string out = format_status(pipeline, R"({"partitions":[]})");
  EXPECT_NE(out.find("pipeline:  x\\u001B]0;owned\\u0007\n"), std::string::npos) << out;
  EXPECT_NE(out.find("state:     RUNNING\\u000Astate:     FAILED\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string(120, 'r') + "...  t\\u0085"), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find(std::string(121, 'r')), std::string::npos);
}

}  // namespace
}  // namespace streamhost::host::admin

#include "manifest/manifest_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

#include "host_test_support.hpp"
#include "manifest/manifest_mapper.hpp"

namespace streamhost::host {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using testing::fake_env;
using ::testing::HasSubstr;

// Line numbers in the expectations below refer to this text.
const std::string kBase = R"(pipeline: orders
rest_proxy:
  url: ${PROXY_URL:-http://127.0.0.1:18082}
  dialect: strimzi
consumer:
  group: orders-group
plugins:
  mapper:
    library: lib/libmapper.so
    config:
      prefix: "x"
routes:
  - name: map
    topic: orders
    handler: mapper/map
    output_topic: orders-out
dead_letter_topic: orders-dlq
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::vector<std::string> errors_of(const std::string& yaml, const EnvLookup& env = fake_env({})) {
  try {
    parse_manifest(yaml, "m.yaml", env);
  } catch (const ManifestError& e) {
    return e.messages();
  }
  ADD_FAILURE() << "the manifest was accepted";
  return {};
}

TEST(ManifestLoader, MapsTheMinimalManifestWithDefaults) {
  Manifest m = parse_manifest(kBase, "/srv/pipelines/m.yaml", fake_env({}));
  EXPECT_EQ(m.name, "orders");
  EXPECT_EQ(m.proxy.base_url, "http://127.0.0.1:18082");
  EXPECT_EQ(m.proxy.dialect, ProxyDialect::kStrimzi);
  EXPECT_EQ(m.consumer.group, "orders-group");
  EXPECT_EQ(m.consumer.auto_offset_reset, "latest");
  ASSERT_EQ(m.plugins.size(), 1u);
  EXPECT_EQ(m.plugins[0].name, "mapper");
  EXPECT_EQ(m.plugins[0].library, "/srv/pipelines/lib/libmapper.so");
  EXPECT_EQ(m.plugins[0].config_json, R"({"prefix":"x"})");
  ASSERT_EQ(m.routes.size(), 1u);
  EXPECT_EQ(m.routes[0].name, "map");
  EXPECT_EQ(m.routes[0].source_topic, "orders");
  EXPECT_EQ(m.routes[0].plugin, "mapper");
  EXPECT_EQ(m.routes[0].handler, "map");
  EXPECT_EQ(m.routes[0].output_topic, "orders-out");
  EXPECT_EQ(m.dead_letter_topic, "orders-dlq");
  EXPECT_EQ(m.workers, 2u);
  EXPECT_EQ(m.proxy.http_threads, 4u);  // the host's pool also serves the admin endpoint
  EXPECT_TRUE(m.admin.enabled);
  EXPECT_EQ(m.admin.bind, "127.0.0.1");
  EXPECT_EQ(m.admin.port, 18080);
  EXPECT_FALSE(m.testing);
  EXPECT_FALSE(m.no_kafka);
  EXPECT_EQ(m.commit_interval.count(), 1000);
  EXPECT_EQ(m.keepalive_interval.count(), 5000);
  EXPECT_EQ(m.seek_fence_timeout.count(), 10000);
  EXPECT_EQ(m.poll_retry.initial_backoff.count(), 200);
  EXPECT_EQ(m.poll_retry.max_backoff.count(), 10000);
  EXPECT_EQ(m.max_produce_batch, 500u);
  EXPECT_EQ(m.source_path, "/srv/pipelines/m.yaml");
}

TEST(ManifestLoader, MapsEveryOptionalKey) {
  testing::TempDir dir;
  const std::string ca = dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  std::string yaml = with(kBase, "  dialect: strimzi\n", R"(  dialect: confluent
  auth: {username: svc, password: "${PROXY_PASSWORD}"}
  tls: {ca_file: "${CA_FILE}", verify: false}
  request_timeout_ms: 5000
  retries: 3
  embedded_format: json
  http_threads: 6
)");
  yaml = with(yaml, "  group: orders-group\n", R"(  group: orders-group
  auto_offset_reset: earliest
  poll_timeout_ms: ${POLL_TIMEOUT:-250}
  instance_prefix: orders
  properties: {fetch.min.bytes: 1, isolation.level: read_committed}
  commit_interval_ms: 0
  keepalive_interval_ms: 2000
  seek_fence_timeout_ms: 3000
  poll_retry: {initial_backoff_ms: 100, max_backoff_ms: 4000}
)");
  yaml += R"(workers: ${WORKERS:-3}
retry: {initial_backoff_ms: 50, max_backoff_ms: 1000, multiplier: 1.5, jitter: 0.1, max_attempts: 7}
max_produce_batch: 100
dead_letter_max_bytes: 500000
admin:
  enabled: false
  bind: 0.0.0.0
  port: "9090"
  aliases: {/mock_entry: map}
  health_paths: [/healthcheck, /status/live]
testing: true
shutdown_timeout_ms: 1000
)";
  Manifest m =
      parse_manifest(yaml, "m.yaml", fake_env({{"PROXY_PASSWORD", "s3cret"}, {"CA_FILE", ca}}));
  EXPECT_EQ(m.proxy.dialect, ProxyDialect::kConfluent);
  EXPECT_EQ(m.proxy.basic_auth_user, "svc");
  EXPECT_EQ(m.proxy.basic_auth_password, "s3cret");
  EXPECT_EQ(m.proxy.tls_ca_file, ca);
  EXPECT_FALSE(m.proxy.tls_verify);
  EXPECT_EQ(m.proxy.request_timeout.count(), 5000);
  EXPECT_EQ(m.proxy.max_retries, 3);
  EXPECT_EQ(m.proxy.http_threads, 6u);
  EXPECT_EQ(m.consumer.format, EmbeddedFormat::kJson);
  EXPECT_EQ(m.consumer.auto_offset_reset, "earliest");
  EXPECT_EQ(m.poll_timeout.count(), 250);
  EXPECT_EQ(m.consumer.instance_prefix, "orders");
  EXPECT_EQ(m.consumer.extra_properties_json,
            R"({"fetch.min.bytes":1,"isolation.level":"read_committed"})");
  EXPECT_EQ(m.workers, 3u);
  EXPECT_EQ(m.retry.initial_backoff.count(), 50);
  EXPECT_EQ(m.retry.max_backoff.count(), 1000);
  EXPECT_DOUBLE_EQ(m.retry.multiplier, 1.5);
  EXPECT_EQ(m.retry.max_attempts, 7);
  EXPECT_EQ(m.commit_interval.count(), 0);
  EXPECT_EQ(m.keepalive_interval.count(), 2000);
  EXPECT_EQ(m.seek_fence_timeout.count(), 3000);
  EXPECT_EQ(m.poll_retry.initial_backoff.count(), 100);
  EXPECT_EQ(m.poll_retry.max_backoff.count(), 4000);
  EXPECT_DOUBLE_EQ(m.poll_retry.jitter, 0.1) << "the poll backoff takes retry.jitter";
  EXPECT_EQ(m.max_produce_batch, 100u);
  EXPECT_EQ(m.dead_letter_max_bytes, 500000u);
  EXPECT_FALSE(m.routes[0].max_attempts.has_value());
  EXPECT_FALSE(m.admin.enabled);
  EXPECT_EQ(m.admin.bind, "0.0.0.0");
  EXPECT_EQ(m.admin.port, 9090);
  EXPECT_EQ(m.admin.aliases, (std::map<std::string, std::string>{{"/mock_entry", "map"}}));
  EXPECT_EQ(m.admin.health_paths, (std::vector<std::string>{"/healthcheck", "/status/live"}));
  EXPECT_TRUE(m.testing);
  EXPECT_FALSE(m.no_kafka);
  EXPECT_EQ(m.shutdown_timeout.count(), 1000);
}

TEST(ManifestLoader, AnUnreadableProxyCaFileIsRefusedNamingTheKey) {
  // validate must fail where run would: the connector reads the file at start.
  EXPECT_THAT(errors_of(with(kBase, "  dialect: strimzi\n",
                             "  dialect: strimzi\n  tls: {ca_file: /nonexistent/ca.pem}\n")),
              ElementsAre(AllOf(HasSubstr("rest_proxy.tls.ca_file"),
                                HasSubstr("cannot read \"/nonexistent/ca.pem\""))));
}

TEST(ManifestLoader, ANonLoopbackAdminBindWithoutATokenIsRefusedNamingTheFix) {
  EXPECT_THAT(errors_of(kBase + "admin:\n  bind: 0.0.0.0\n"),
              ElementsAre("m.yaml:19: admin.bind: binding the admin endpoint to \"0.0.0.0\" (not "
                          "a loopback address) needs a token for its mutating endpoints: set "
                          "admin.token_file or admin.token_env, or bind 127.0.0.1"));
  EXPECT_THAT(errors_of(kBase + "admin: {bind: 10.1.2.3, token_file: /t, token_env: T}\n"),
              ElementsAre(HasSubstr("admin: set token_file or token_env, not both")));

  Manifest with_token =
      parse_manifest(kBase +
                         "admin: {bind: 0.0.0.0, token_env: ADMIN_TOKEN, lag_interval_ms: "
                         "2000, lag_timeout_ms: 700}\n",
                     "m.yaml", fake_env({}));
  EXPECT_EQ(with_token.admin.token_env, "ADMIN_TOKEN");
  EXPECT_EQ(with_token.admin.lag_interval.count(), 2000);
  EXPECT_EQ(with_token.admin.lag_timeout.count(), 700);
  // Loopback addresses need no token; the effective manifest is kept for GET /pipeline/config.
  for (const char* loopback : {"127.0.0.1", "127.0.0.2", "localhost", "::1"}) {
    Manifest m =
        parse_manifest(kBase + "admin: {bind: \"" + loopback + "\"}\n", "m.yaml", fake_env({}));
    EXPECT_EQ(m.admin.bind, loopback);
    EXPECT_FALSE(m.effective_json.empty());
  }
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(is_loopback_address("127.0.0.1.example.com"));
  EXPECT_FALSE(is_loopback_address("::"));
  EXPECT_TRUE(is_loopback_address("127.255.0.9"));
  for (const char* other : {"127.", "127.0.0", "127.0.0.", "127..0.1", "127.0.0.1234", "127.0.0.1 ",
                            "127.0.0.1:80", "128.0.0.1"}) {
    EXPECT_FALSE(is_loopback_address(other)) << other;
  }
  EXPECT_FALSE(is_loopback_address("127." + std::string(100000, '1'))) << "long input";
}

TEST(ManifestLoader, CrashContainmentIsOffUnlessAStateDirIsSet) {
  Manifest plain = parse_manifest(kBase, "m.yaml", fake_env({}));
  EXPECT_EQ(plain.state_dir, "");
  EXPECT_EQ(plain.max_crashes, 2);
  Manifest set = parse_manifest(kBase + "state_dir: ${STATE_DIR}\nmax_crashes: 3\n", "m.yaml",
                                fake_env({{"STATE_DIR", "/var/lib/streamhost"}}));
  EXPECT_EQ(set.state_dir, "/var/lib/streamhost");
  EXPECT_EQ(set.max_crashes, 3);
  // A count with nowhere to keep it would silently do nothing.
  EXPECT_THAT(errors_of(kBase + "max_crashes: 3\n"),
              ElementsAre("m.yaml:18: max_crashes: has no effect without state_dir (where crashes "
                          "are counted): set state_dir, or remove max_crashes"));
  EXPECT_THAT(errors_of(kBase + "state_dir: /s\nmax_crashes: 0\n"),
              ElementsAre(HasSubstr("max_crashes")));
}

TEST(ManifestLoader, TheEffectiveManifestIsTheInterpolatedDocument) {
  Manifest m = parse_manifest(kBase, "m.yaml", fake_env({{"PROXY_URL", "http://proxy:1"}}));
  EXPECT_NE(m.effective_json.find(R"("url":"http://proxy:1")"), std::string::npos)
      << m.effective_json;
}

TEST(ManifestLoader, TheConsumerInstanceNameIsStablePerReplica) {
  // Default: the prefix and this replica's host name ($HOSTNAME when set, as in a pod).
  Manifest m = parse_manifest(kBase, "m.yaml", fake_env({{"HOSTNAME", "coupon-7f9c/x"}}));
  EXPECT_EQ(m.consumer.instance_name, "streamhost-coupon-7f9c_x");
  Manifest same = parse_manifest(kBase, "m.yaml", fake_env({{"HOSTNAME", "coupon-7f9c/x"}}));
  EXPECT_EQ(same.consumer.instance_name, m.consumer.instance_name) << "stable across restarts";
  Manifest named = parse_manifest(
      with(kBase, "  group: orders-group\n", "  group: orders-group\n  instance_name: replica-2\n"),
      "m.yaml", fake_env({{"HOSTNAME", "ignored"}}));
  EXPECT_EQ(named.consumer.instance_name, "replica-2");
}

// Two hosts started from a shell on one machine (no $HOSTNAME in their environment) must not share
// a name: the second would delete the first's live instance as a dead predecessor's.
TEST(ManifestLoader, WithoutHostnameInTheEnvironmentTheNameCarriesTheProcessId) {
  Manifest m = parse_manifest(kBase, "m.yaml", fake_env({}));
  const std::string suffix = "-" + std::to_string(getpid());
  EXPECT_TRUE(m.consumer.instance_name.starts_with("streamhost-")) << m.consumer.instance_name;
  EXPECT_TRUE(m.consumer.instance_name.ends_with(suffix)) << m.consumer.instance_name;
}

TEST(ManifestLoader, ARouteCanSetItsOwnRetryLimit) {
  Manifest m = parse_manifest(with(kBase, "    output_topic: orders-out\n",
                                   "    output_topic: orders-out\n    max_attempts: 0\n"),
                              "m.yaml", fake_env({}));
  ASSERT_TRUE(m.routes[0].max_attempts.has_value());
  EXPECT_EQ(*m.routes[0].max_attempts, 0);
  EXPECT_EQ(m.retry.max_attempts, 20) << "the documented default";
  EXPECT_EQ(m.dead_letter_max_bytes, 1000000u) << "the documented default";
  EXPECT_THAT(errors_of(with(kBase, "    output_topic: orders-out\n",
                             "    output_topic: orders-out\n    max_attempts: -1\n")),
              ElementsAre(HasSubstr("routes[0].max_attempts")));
}

TEST(ManifestLoader, EnvironmentOverridesDefaultsAndTypesFollowTheSchema) {
  Manifest m = parse_manifest(kBase + "workers: ${WORKERS:-3}\n", "m.yaml",
                              fake_env({{"WORKERS", "5"}, {"PROXY_URL", "https://proxy:8443"}}));
  EXPECT_EQ(m.workers, 5u);
  EXPECT_EQ(m.proxy.base_url, "https://proxy:8443");
}

TEST(ManifestLoader, QuotedNumbersAndBooleansAreConvertedWhereTheSchemaWantsThem) {
  Manifest m =
      parse_manifest(kBase + "workers: \"4\"\ntesting: \"true\"\n", "m.yaml", fake_env({}));
  EXPECT_EQ(m.workers, 4u);
  EXPECT_TRUE(m.testing);
}

TEST(ManifestLoader, NumbersAreKeptAsWrittenWhereTheSchemaWantsAString) {
  Manifest m =
      parse_manifest(with(kBase, "group: orders-group", "group: 1.10"), "m.yaml", fake_env({}));
  EXPECT_EQ(m.consumer.group, "1.10");
}

TEST(ManifestLoader, PluginConfigKeepsYamlTypes) {
  std::string yaml = with(kBase, "      prefix: \"x\"\n",
                          "      prefix: \"x\"\n      n: 3\n      on: true\n      q: \"3\"\n"
                          "      list: [a, 1.5]\n      nothing: ~\n      port: ${P:-80}\n");
  Manifest m = parse_manifest(yaml, "m.yaml", fake_env({}));
  EXPECT_EQ(m.plugins[0].config_json,
            R"({"prefix":"x","n":3,"on":true,"q":"3","list":["a",1.5],"nothing":null,"port":80})");
}

TEST(ManifestLoader, TestingWithoutKafkaNeedsTheAdminEndpointAndItsRules) {
  // The admin endpoint is the only input then; disabling it must not start it without the token
  // and loopback rules.
  EXPECT_THAT(
      errors_of(kBase + "testing_without_kafka: true\nadmin: {enabled: false, bind: 0.0.0.0}\n"),
      ElementsAre(HasSubstr("testing_without_kafka: needs the admin endpoint")));
  EXPECT_THAT(errors_of(kBase + "testing_without_kafka: true\nadmin: {bind: 0.0.0.0}\n"),
              ElementsAre(HasSubstr("admin.bind")));
}

TEST(ManifestLoader, TestingWithoutKafkaImpliesTesting) {
  // The coupon manifest maps the original service's TESTING_NO_KAFKA this way.
  const std::string yaml = kBase + "testing_without_kafka: ${TESTING_NO_KAFKA:-false}\n";
  Manifest on = parse_manifest(yaml, "m.yaml", fake_env({{"TESTING_NO_KAFKA", "true"}}));
  EXPECT_TRUE(on.testing);
  EXPECT_TRUE(on.no_kafka);
  Manifest off = parse_manifest(yaml, "m.yaml", fake_env({}));
  EXPECT_FALSE(off.testing);
  EXPECT_FALSE(off.no_kafka);
  EXPECT_THAT(errors_of(yaml, fake_env({{"TESTING_NO_KAFKA", "maybe"}})),
              ElementsAre("m.yaml:18: testing_without_kafka: expected a boolean, got \"maybe\" "
                          "(from ${TESTING_NO_KAFKA:-false})"));
}

TEST(ManifestLoader, TheHostReadsNoVariableAManifestDoesNotName) {
  // The host has no switches of its own in the environment: a manifest that does not map
  // TESTING_NO_KAFKA runs with Kafka whatever the variable says.
  Manifest m = parse_manifest(kBase, "m.yaml", fake_env({{"TESTING_NO_KAFKA", "true"}}));
  EXPECT_FALSE(m.testing);
  EXPECT_FALSE(m.no_kafka);
}

TEST(ManifestErrors, PollRetryMaxBelowInitial) {
  EXPECT_THAT(errors_of(with(kBase, "  group: orders-group\n",
                             "  group: orders-group\n  poll_retry: {initial_backoff_ms: 500, "
                             "max_backoff_ms: 100}\n")),
              ElementsAre("m.yaml:7: consumer.poll_retry: max_backoff_ms is smaller than "
                          "initial_backoff_ms"));
}

// A poll waits poll_timeout_ms by design: a stall bound at or below it would call every poll a
// stall.
TEST(ManifestErrors, StallAfterMustExceedThePollTimeout) {
  EXPECT_THAT(errors_of(with(kBase, "  group: orders-group\n",
                             "  group: orders-group\n  poll_timeout_ms: 2000\n"
                             "  stall_after_ms: 1500\n")),
              ElementsAre(HasSubstr("consumer.stall_after_ms: stall_after_ms (1500) must be "
                                    "greater than poll_timeout_ms (2000)")));
  Manifest m = parse_manifest(
      with(kBase, "  group: orders-group\n", "  group: orders-group\n  stall_after_ms: 4500\n"),
      "m.yaml", fake_env({}));
  EXPECT_EQ(m.stall_after, std::chrono::milliseconds(4500));
  EXPECT_EQ(parse_manifest(kBase, "m.yaml", fake_env({})).stall_after,
            std::chrono::milliseconds(3000));
}

TEST(ManifestErrors, HealthPathsMustBeNewAbsolutePaths) {
  EXPECT_THAT(errors_of(kBase + "admin: {health_paths: [healthcheck]}\n"),
              ElementsAre(HasSubstr("admin.health_paths")));
  EXPECT_THAT(errors_of(kBase + "admin: {health_paths: [/metrics]}\n"),
              ElementsAre(HasSubstr("admin.health_paths")));
  EXPECT_THAT(errors_of(kBase + "admin: {health_paths: [/a, /a]}\n"),
              ElementsAre(HasSubstr("admin.health_paths")));
}

TEST(ManifestErrors, MissingRequiredTopLevelKey) {
  EXPECT_THAT(errors_of(with(kBase, "dead_letter_topic: orders-dlq\n", "")),
              ElementsAre("m.yaml:1: missing required key \"dead_letter_topic\""));
}

TEST(ManifestErrors, MissingRequiredNestedKey) {
  EXPECT_THAT(errors_of(with(kBase, "  group: orders-group\n", "  auto_offset_reset: latest\n")),
              ElementsAre("m.yaml:5: consumer: missing required key \"group\""));
}

TEST(ManifestErrors, UnknownKeyNamesItsLineAndSuggestsTheRightOne) {
  EXPECT_THAT(
      errors_of(with(kBase, "    handler: mapper/map", "    handlr: mapper/map")),
      ElementsAre("m.yaml:13: routes[0]: missing required key \"handler\"",
                  "m.yaml:15: routes[0]: unknown key \"handlr\" (did you mean \"handler\"?)"));
}

TEST(ManifestErrors, UnknownTopLevelKey) {
  EXPECT_THAT(errors_of(kBase + "color: blue\n"), ElementsAre("m.yaml:18: unknown key \"color\""));
}

TEST(ManifestErrors, WrongType) {
  EXPECT_THAT(errors_of(kBase + "workers: many\n"),
              ElementsAre("m.yaml:18: workers: expected an integer, got \"many\""));
  EXPECT_THAT(errors_of(kBase + "testing: yes\n"),
              ElementsAre("m.yaml:18: testing: expected a boolean, got \"yes\""));
  EXPECT_THAT(errors_of(with(kBase, "  dialect: strimzi\n", "  tls: [a]\n")),
              ElementsAre("m.yaml:4: rest_proxy.tls: expected a mapping, got a list"));
  EXPECT_THAT(errors_of(with(kBase, "dead_letter_topic: orders-dlq", "dead_letter_topic:")),
              ElementsAre("m.yaml:17: dead_letter_topic: expected a string, got nothing"));
}

TEST(ManifestErrors, BadDialect) {
  EXPECT_THAT(errors_of(with(kBase, "dialect: strimzi", "dialect: kafka")),
              ElementsAre("m.yaml:4: rest_proxy.dialect: \"kafka\" is not one of \"confluent\", "
                          "\"strimzi\""));
}

TEST(ManifestErrors, MissingVariableIsNamedWithItsKeyAndLine) {
  EXPECT_THAT(errors_of(with(kBase, "${PROXY_URL:-http://127.0.0.1:18082}", "${PROXY_URL}")),
              ElementsAre("m.yaml:3: rest_proxy.url: environment variable PROXY_URL is not set "
                          "(set it, or give a default with ${PROXY_URL:-value})"));
}

TEST(ManifestErrors, MissingVariableInsideAStringAndInAList) {
  std::string yaml = with(kBase, "topic: orders", "topic: orders-${REGION}");
  EXPECT_THAT(errors_of(yaml),
              ElementsAre("m.yaml:14: routes[0].topic: environment variable REGION is not set "
                          "(set it, or give a default with ${REGION:-value})"));
}

TEST(ManifestErrors, MalformedReference) {
  EXPECT_THAT(errors_of(with(kBase, "group: orders-group", "group: ${GROUP")),
              ElementsAre("m.yaml:6: consumer.group: unterminated \"${\" (write \"$${\" for a "
                          "literal \"${\")"));
}

TEST(ManifestErrors, BadRouteHandlerFormat) {
  EXPECT_THAT(errors_of(with(kBase, "handler: mapper/map", "handler: mapper.map")),
              ElementsAre("m.yaml:15: routes[0].handler: \"mapper.map\" is not plugin/handler, "
                          "two names of lower-case letters, digits, '_' or '-'"));
  EXPECT_THAT(errors_of(with(kBase, "handler: mapper/map", "handler: mapper/Map")),
              ElementsAre(HasSubstr("\"mapper/Map\" is not plugin/handler")));
  EXPECT_THAT(errors_of(with(kBase, "handler: mapper/map", "handler: mapper/map/x")),
              ElementsAre(HasSubstr("\"mapper/map/x\" is not plugin/handler")));
}

TEST(ManifestErrors, RouteNamesAnUndeclaredPlugin) {
  EXPECT_THAT(errors_of(with(kBase, "handler: mapper/map", "handler: other/map")),
              ElementsAre("m.yaml:15: routes[0].handler: unknown plugin \"other\" (declared under "
                          "plugins: mapper)"));
}

TEST(ManifestErrors, ValueBelowMinimum) {
  EXPECT_THAT(errors_of(kBase + "workers: 0\n"),
              ElementsAre("m.yaml:18: workers: 0 is below the minimum 1"));
}

TEST(ManifestErrors, DuplicateTopicsAndRouteNames) {
  std::string yaml = with(kBase, "dead_letter_topic", R"(  - name: map
    topic: orders
    handler: mapper/map
dead_letter_topic)");
  EXPECT_THAT(errors_of(yaml),
              ElementsAre("m.yaml:17: routes[1]: route name \"map\" is already used by routes[0]",
                          "m.yaml:18: routes[1].topic: topic \"orders\" is already consumed by "
                          "routes[0]"));
}

TEST(ManifestErrors, AliasMustNameARoute) {
  EXPECT_THAT(errors_of(kBase + "admin:\n  aliases:\n    mock: nope\n"),
              ElementsAre("m.yaml:20: admin.aliases.mock: an alias path must start with \"/\"",
                          "m.yaml:20: admin.aliases.mock: unknown route \"nope\" (routes: map)"));
}

TEST(ManifestErrors, ReportsEveryProblemAtOnce) {
  std::string yaml = with(with(kBase, "dialect: strimzi", "dialect: kafka"), "${PROXY_URL:-",
                          "${PROXY_URL_X}${PROXY_URL:-");
  EXPECT_EQ(errors_of(yaml + "extra: 1\n").size(), 3u);
}

TEST(ManifestErrors, InvalidYaml) {
  auto errors = errors_of("pipeline: orders\nroutes: [a\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("m.yaml:"));
  EXPECT_THAT(errors[0], HasSubstr("invalid YAML: "));
}

TEST(ManifestErrors, DocumentThatIsNotAMapping) {
  EXPECT_THAT(
      errors_of(""),
      ElementsAre("m.yaml:1: the manifest must be a mapping (pipeline:, rest_proxy:, ...)"));
  EXPECT_THAT(
      errors_of("- a\n- b\n"),
      ElementsAre("m.yaml:1: the manifest must be a mapping (pipeline:, rest_proxy:, ...)"));
}

TEST(ManifestErrors, UnreadableFile) {
  try {
    load_manifest("/nonexistent/m.yaml", fake_env({}));
    FAIL() << "accepted a missing file";
  } catch (const ManifestError& e) {
    EXPECT_THAT(e.messages(), ElementsAre("/nonexistent/m.yaml: cannot read the manifest file"));
  }
}

// Odd input must end in a ManifestError, never a crash or another exception type.
TEST(ManifestErrors, OddInputNeverCrashes) {
  const std::vector<std::string> inputs = {
      "\t",
      "{",
      "pipeline: [1, 2]",
      "pipeline: {a: b}",
      "? [a]\n: b\n",
      "*undefined",
      "a: &x b\nc: *x\n",
      "pipeline: x\nrest_proxy: 5\nconsumer: []\nplugins: x\nroutes: {}\n",
      "routes:\n  - [1]\n",
      "plugins:\n  p: 3\n",
      "plugins:\n  p:\n    library: [a]\n",
      std::string("pipeline: \0x", 12),
      "admin:\n  aliases: [1]\n",
      "workers: 1e400\n",
      "workers: 99999999999999999999999\n",
      "workers: -5\n",
      "x: ${\n"};
  for (const std::string& input : inputs) {
    try {
      parse_manifest(input, "m.yaml", fake_env({}));
      ADD_FAILURE() << "accepted: " << input;
    } catch (const ManifestError& e) {
      EXPECT_FALSE(e.messages().empty()) << input;
    }
  }
}

// Random byte edits of a valid manifest: each must parse or fail with a ManifestError, nothing
// else.
TEST(ManifestErrors, MutatedManifestsNeverCrash) {
  std::mt19937 random(20261128);  // fixed seed: a failure reproduces
  const std::string alphabet = "{}[]:,-#&*!|>'\"%@`$ \n\t0aZ~?";
  std::string full = kBase + "workers: 2\nadmin: {aliases: {/m: map}}\n";
  for (int round = 0; round < 2000; ++round) {
    std::string text = full;
    for (int edits = 1 + static_cast<int>(random() % 3); edits > 0; --edits) {
      size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1 + random() % 8);
          break;
        default:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
      }
      if (text.empty()) text = "x";
    }
    try {
      parse_manifest(text, "m.yaml", fake_env({}));
    } catch (const ManifestError& e) {
      EXPECT_FALSE(e.messages().empty()) << text;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected " << e.what() << " for:\n" << text;
    }
  }
}

// Found by fuzzing (tests/fuzz/manifest_fuzz.cpp): yaml-cpp passes any byte through, and the bytes
// reached plugin configs and topic names, which end up in JSON.
TEST(ManifestLoader, RefusesTextThatIsNotUtf8) {
  EXPECT_THAT(errors_of(with(kBase, "topic: orders", "topic: ord\xc1rs")),
              ElementsAre("m.yaml:14: the manifest is not UTF-8 text (byte 239)"));
  EXPECT_THAT(errors_of(with(kBase, "prefix: \"x\"", "\"\\ud800\": \"x\"")),
              ElementsAre("m.yaml:11: invalid YAML: invalid unicode: 55296"));
  EXPECT_THAT(errors_of(with(kBase, "orders-group", "${BIN}"), fake_env({{"BIN", "\xff"}})),
              ElementsAre(HasSubstr("consumer.group: the value is not UTF-8 text")));
}

// Found by fuzzing (tests/fuzz/corpus/manifest/raw-control-bytes-in-a-plugin-config-key):
// yaml-cpp reads a raw 0x04 byte as its end-of-input mark and passes a raw NUL through; a
// plugin config key made of both came out of the loader as bytes that are not UTF-8, and the
// plugin's config was not JSON. YAML allows such characters only as escapes.
TEST(ManifestLoader, RefusesUnprintableCharactersInTheText) {
  EXPECT_THAT(errors_of(with(kBase, "prefix: \"x\"", std::string("time\x04out\0_ms: 1", 16))),
              ElementsAre("m.yaml:11: the manifest holds the unprintable character U+0004 (byte "
                          "195); YAML allows it only as an escape in a double-quoted string: "
                          "\"\\u0004\""));
  EXPECT_THAT(errors_of(with(kBase, "orders-out", std::string("orders\0-out", 11))),
              ElementsAre(HasSubstr("m.yaml:16: the manifest holds the unprintable character "
                                    "U+0000")));
  EXPECT_THAT(errors_of(with(kBase, "orders-out", "orders\x7f-out")),
              ElementsAre(HasSubstr("m.yaml:16: the manifest holds the unprintable character "
                                    "U+007F")));
  EXPECT_THAT(errors_of(with(kBase, "orders-out", "orders\xc2\x9b-out")),
              ElementsAre(HasSubstr("unprintable character U+009B")));
  // Tabs, CR LF line ends, NEL and a byte order mark are YAML text.
  std::string crlf;
  for (char c : kBase) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_EQ(
      parse_manifest("\xef\xbb\xbf" + crlf + "#\tnote \xc2\x85\n", "m.yaml", fake_env({})).name,
      "orders");
}

// An escape in a quoted key can still make any character: a key naming a setting must be
// printable text, or a plugin receives a name that prints like another.
TEST(ManifestLoader, RefusesControlCharactersInKeysAndNulInValues) {
  EXPECT_THAT(errors_of(with(kBase, "prefix: \"x\"", "\"time\\0out_ms\": 1")),
              ElementsAre("m.yaml:11: plugins.mapper.config: a key holds the control character "
                          "U+0000 (byte 4 of the key); keys must be printable text"));
  EXPECT_THAT(errors_of(with(kBase, "dead_letter_topic", "\"dead_letter\\e_topic\"")),
              ElementsAre("m.yaml:17: a key holds the control character U+001B (byte 11 of the "
                          "key); keys must be printable text"));
  // A value may hold any character but NUL: settings are read as C strings, where it would cut
  // the value short.
  EXPECT_THAT(errors_of(with(kBase, "group: orders-group", "group: \"orders\\0x\"")),
              ElementsAre("m.yaml:6: consumer.group: the value holds U+0000 (NUL), which no "
                          "setting can take"));
  EXPECT_EQ(
      parse_manifest(with(kBase, "prefix: \"x\"", "prefix: \"\\t\\e\""), "m.yaml", fake_env({}))
          .plugins.at(0)
          .config_json,
      "{\"prefix\":\"\\t\\u001B\"}");
  // Printable text beyond ASCII is a key like any other.
  Manifest m =
      parse_manifest(with(kBase, "prefix: \"x\"", "préfixe: \"x\""), "m.yaml", fake_env({}));
  EXPECT_EQ(m.plugins.at(0).config_json, "{\"préfixe\":\"x\"}");
}

// A YAML alias repeats its anchor's node at every place it is used: one missing variable inside
// it was told once per place, 1,030 lines for a single mistake.
TEST(ManifestErrors, AMistakeRepeatedByAliasesIsToldOnce) {
  std::string yaml = kBase + "x:\n  a: &a [\"${GROUP}\"]\n  b: [*a, *a, *a, *a]\n";
  EXPECT_THAT(errors_of(yaml),
              ElementsAre("m.yaml:19: x.a[0]: environment variable GROUP is not set (set it, or "
                          "give a default with ${GROUP:-value}) (and 4 more paths from this line)",
                          "m.yaml:18: unknown key \"x\""));
}

// Found by fuzzing (tests/fuzz/corpus/manifest/recursive-alias-expands-forever): YAML aliases name
// a node without copying it, so a few lines can expand without end (an alias inside its own
// anchor) or to billions of values; the loader ran out of memory. Each limit stops it with one
// diagnostic naming the line and the limit.
TEST(ManifestLimits, AnAliasInsideItsOwnAnchorIsRefused) {
  EXPECT_THAT(errors_of(kBase + "x:\n  c: &c [1, [2, *c]]\n"),
              ElementsAre("m.yaml:19: x.c[1][1]: a YAML alias refers to a node that contains it, "
                          "which would expand forever"));
}

TEST(ManifestLimits, AliasesExpandingPastTheValueLimitAreRefused) {
  // 10 levels of ten aliases each: 10^10 values from 11 lines.
  std::string laughs = "x:\n  l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n";
  for (int level = 1; level <= 10; ++level) {
    const std::string below = "*l" + std::to_string(level - 1);
    laughs += "  l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) laughs += (i ? ", " : "") + below;
    laughs += "]\n";
  }
  const auto errors = errors_of(kBase + laughs);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("m.yaml:"));
  EXPECT_THAT(errors[0], HasSubstr(": the manifest expands to more than 10000 values (the limit; "
                                   "YAML aliases repeat what they name)"));
}

TEST(ManifestLimits, AliasesExpandingPastTheTextLimitAreRefused) {
  // Twenty aliases of one 64 KiB string: 1.3 MiB of text from 64 KiB.
  std::string yaml = kBase + "x:\n  big: &big \"" + std::string(1 << 16, 'a') + "\"\n  copies: [";
  for (int i = 0; i < 20; ++i) yaml += (i ? ", " : "") + std::string("*big");
  EXPECT_THAT(errors_of(yaml + "]\n"),
              ElementsAre(AllOf(HasSubstr("m.yaml:19: x.copies["),
                                HasSubstr("]: the manifest expands to more than 1048576 bytes of "
                                          "text (the limit;"))));
}

TEST(ManifestLimits, NestingDeeperThanTheLimitIsRefused) {
  const auto nested = [](int depth) {
    return kBase + "x: " + std::string(depth, '[') + std::string(depth, ']') + "\n";
  };
  // 64 levels under the document's own mapping are refused; 63 only fail the schema (key x).
  EXPECT_THAT(errors_of(nested(64)),
              ElementsAre("m.yaml:18: x[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                          "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]"
                          "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: "
                          "nested deeper than 64 levels (the limit)"));
  EXPECT_THAT(errors_of(nested(63)), ElementsAre(HasSubstr("unknown key \"x\"")));
}

// std::regex recursed once per character: a value of 50,000 digits overflowed the stack of
// `streamhost validate` (a segmentation fault instead of a diagnostic).
TEST(ManifestLimits, LongValuesAreCheckedWithoutOverflowingTheStack) {
  const std::string digits(100000, '7');
  EXPECT_THAT(errors_of(kBase + "workers: " + digits + "\n"),
              ElementsAre(HasSubstr("m.yaml:18: workers: expected an integer, got \"777")));
  EXPECT_THAT(errors_of(kBase + "workers: \"" + digits + "\"\n"),
              ElementsAre(HasSubstr("m.yaml:18: workers: expected an integer, got \"777")));
  // A key that long must be explicit ("? key"): YAML limits implicit keys to 1024 characters.
  const std::string name(100000, 'm');
  EXPECT_THAT(errors_of(with(kBase, "  mapper:\n", "  ? " + name + "\n  :\n")),
              ElementsAre(HasSubstr("m.yaml:16: routes[0].handler: unknown plugin \"mapper\"")));
}

TEST(ManifestLoader, TheAdminEndpointsLimitsHaveSafeDefaultsAndAreRead) {
  Manifest defaults = parse_manifest(kBase, "m.yaml", fake_env({}));
  EXPECT_EQ(defaults.admin.max_header_bytes, 16384u);
  EXPECT_EQ(defaults.admin.max_body_bytes, 4194304u);
  EXPECT_EQ(defaults.admin.idle_timeout.count(), 30000);
  EXPECT_EQ(defaults.admin.request_timeout.count(), 10000);
  EXPECT_EQ(defaults.admin.max_connections, 64u);

  Manifest set = parse_manifest(kBase +
                                    "admin: {max_header_bytes: 8192, max_body_bytes: 65536, "
                                    "idle_timeout_ms: 5000, request_timeout_ms: 2000, "
                                    "max_connections: 16}\n",
                                "m.yaml", fake_env({}));
  EXPECT_EQ(set.admin.max_header_bytes, 8192u);
  EXPECT_EQ(set.admin.max_body_bytes, 65536u);
  EXPECT_EQ(set.admin.idle_timeout.count(), 5000);
  EXPECT_EQ(set.admin.request_timeout.count(), 2000);
  EXPECT_EQ(set.admin.max_connections, 16u);

  // No limit may be switched off: each has a floor (and the sizes a ceiling).
  EXPECT_THAT(errors_of(kBase + "admin: {max_connections: 0}\n"),
              ElementsAre(HasSubstr("admin.max_connections")));
  EXPECT_THAT(errors_of(kBase + "admin: {max_header_bytes: 1073741824}\n"),
              ElementsAre(HasSubstr("admin.max_header_bytes")));
  EXPECT_THAT(errors_of(kBase + "admin: {request_timeout_ms: 0}\n"),
              ElementsAre(HasSubstr("admin.request_timeout_ms")));
}

}  // namespace
}  // namespace streamhost::host

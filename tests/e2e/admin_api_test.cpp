// The management API and its CLI on the real stack: `streamhost status` against a running coupon
// pipeline prints its partitions with lag; `streamhost pause` stops handing records to handlers
// while the host stays in its consumer group (a second host in the group does not get its
// partitions); `streamhost resume` continues with nothing lost and nothing handled twice.
//
// Why the second host gets nothing from a live first host: the topics have one partition each and
// the group uses Kafka's default range assignor, which gives each topic's partition to the member
// whose id sorts first; member ids start with the client id, which the bridge takes from the
// consumer instance name (kafkaClients-e2e-host-a < kafkaClients-e2e-host-b). Only if host A left
// the group (its instance deleted by the bridge after 20 s untouched on the local stack, or its
// member ended by Kafka after max.poll.interval.ms without a poll) would host B take them.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <regex>
#include <thread>

#include "admin_probe.hpp"
#include "coupon_support.hpp"
#include "e2e_support.hpp"
#include "topic_io.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;

const char* kRecordsIn = "streamhost_records_in_total";

// Runs `streamhost <args>` to completion; returns its exit code and output.
struct CliRun {
  int exit_code = -1;
  std::string output;
};

class AdminApi : public ProcessTest {
 protected:
  CliRun cli(const std::string& label, std::vector<std::string> args,
             const EnvOverrides& env = {}) {
    args.insert(args.begin(), Built::streamhost());
    const std::string log = log_dir_ + "/" + label + ".log";
    ChildProcess p(label, args, env, log);
    EXPECT_TRUE(wait_for([&] { return !p.running(); }, 60s)) << label << " did not finish";
    return {p.exit_code().value_or(-1), p.log()};
  }

  // The JSON answer of GET `path` on `port` (an empty object when it does not answer).
  static rapidjson::Document get_json(int port, const std::string& path) {
    rapidjson::Document doc;
    const HttpAnswer answer = http_call(port, "GET", path);
    doc.Parse(answer.status == 200 ? answer.body.c_str() : "{}");
    return doc;
  }

  // The partitions entry of `topic` in GET /pipeline/partitions, or nullptr.
  static const rapidjson::Value* partition_of(const rapidjson::Document& doc,
                                              const std::string& topic) {
    if (!doc.IsObject() || !doc.HasMember("partitions")) return nullptr;
    for (const auto& p : doc["partitions"].GetArray()) {
      if (topic == p["topic"].GetString()) return &p;
    }
    return nullptr;
  }
};

TEST_F(AdminApi, StatusShowsLagAndAPausedHostKeepsItsPartitionsThenResumesLosingNothing) {
  testing::StackEndpoints stack;
  ASSERT_TRUE(testing::read_stack(stack));
  const CouponTopics topics = CouponTopics::make("admin");
  testing::create_topics(
      {{topics.entry, 1}, {topics.focus, 1}, {topics.predictions, 1}, {topics.dead_letters, 1}});
  ASSERT_FALSE(HasFailure());
  CouponReference reference;
  TopicWriter writer(stack);
  TopicReader reader(stack, {topics.predictions, topics.dead_letters}, topics.group + "-check");

  // Host A: mutations need a token, given through a variable named in the manifest.
  const std::string token = unique("token");
  const std::string token_file = log_dir_ + "/admin-token";
  std::ofstream(token_file) << token << "\n";
  const int port_a = free_port();
  EnvOverrides env_a = topics.env(port_a);
  env_a["ADMIN_TOKEN_ENV"] = "E2E_ADMIN_TOKEN";
  env_a["E2E_ADMIN_TOKEN"] = token;
  const std::string manifest = Built::repo("manifests/pipelines/coupon.yaml");
  ChildProcess& a = start_streamhost("host-a", manifest, env_a);
  AdminProbe admin_a(port_a);
  ASSERT_TRUE(wait_for([&] { return admin_a.ready() || !a.running(); }, 90s))
      << "not ready: " << admin_a.readyz().body;
  const std::string url_a = "http://127.0.0.1:" + std::to_string(port_a);

  // Warm-up: one customer enters and focuses, so both partitions have commits.
  const std::string warm_category = reference.category_with_results(3, "Boys");
  ASSERT_FALSE(warm_category.empty());
  const size_t warm_results = reference.expected(3, warm_category).size();
  ASSERT_EQ(writer.produce_one(topics.entry, "3", entry_event(3)), "");
  ASSERT_EQ(writer.produce_one(topics.focus, "3", focus_event(3, warm_category)), "");
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) { return results_of(rs, topics.predictions, 3).size() >= warm_results; },
      90s));
  ASSERT_TRUE(wait_for(
      [&] {
        const auto doc = get_json(port_a, "/pipeline/partitions");
        const auto* focus = partition_of(doc, topics.focus);
        return focus != nullptr && (*focus)["committed_offset"].IsInt64() &&
               (*focus)["committed_offset"].GetInt64() == 1 && (*focus)["lag"].IsInt64() &&
               (*focus)["lag"].GetInt64() == 0;
      },
      60s))
      << http_call(port_a, "GET", "/pipeline/partitions").body;

  const auto running = get_json(port_a, "/pipeline");
  ASSERT_TRUE(running.IsObject() && running.HasMember("state"));
  EXPECT_STREQ(running["state"].GetString(), "RUNNING");
  EXPECT_STREQ(running["routes"][1]["handler"].GetString(), "coupon/focus");
  EXPECT_STREQ(running["plugins"][0]["name"].GetString(), "coupon");
  const HttpAnswer config = http_call(port_a, "GET", "/pipeline/config");
  EXPECT_EQ(config.status, 200);
  EXPECT_NE(config.body.find(R"("password":"[redacted]")"), std::string::npos) << config.body;
  EXPECT_NE(config.body.find(topics.focus), std::string::npos) << "the interpolated topic name";

  // Mutations without the token are refused; reads stay open.
  EXPECT_EQ(http_call(port_a, "POST", "/pipeline/pause").status, 401);
  const CliRun no_token = cli("pause-no-token", {"pause", "--admin", url_a});
  EXPECT_EQ(no_token.exit_code, 1);
  EXPECT_NE(no_token.output.find("needs the admin token"), std::string::npos) << no_token.output;
  EXPECT_STREQ(get_json(port_a, "/pipeline")["state"].GetString(), "RUNNING");

  const CliRun paused = cli("pause", {"pause", "--admin", url_a, "--token-file", token_file});
  ASSERT_EQ(paused.exit_code, 0) << paused.output;
  EXPECT_NE(paused.output.find("paused pipeline; pipeline state: PAUSED"), std::string::npos)
      << paused.output;
  const double focus_in_before = admin_a.metric(kRecordsIn, "route=\"focus\"");

  // Host B joins the same group while A is paused.
  const int port_b = free_port();
  ChildProcess& b = start_streamhost("host-b", manifest, topics.env(port_b));
  AdminProbe admin_b(port_b);
  ASSERT_TRUE(wait_for([&] { return admin_b.ready() || !b.running(); }, 90s))
      << "not ready: " << admin_b.readyz().body;

  // Focus events arrive while A is paused.
  struct Case {
    int64_t customer;
    std::string category;
    size_t results;
  };
  std::vector<Case> cases;
  for (int64_t customer : {5, 7, 8, 10, 11, 12}) {
    const std::string category = reference.category_with_results(customer, "Men");
    if (category.empty()) continue;
    cases.push_back({customer, category, reference.expected(customer, category).size()});
    ASSERT_EQ(
        writer.produce_one(topics.focus, std::to_string(customer), focus_event(customer, category)),
        "");
  }
  ASSERT_GE(cases.size(), 3u);

  // The lag shows the waiting events, from the proxy's log-end offsets.
  ASSERT_TRUE(wait_for(
      [&] {
        const auto doc = get_json(port_a, "/pipeline/partitions");
        const auto* focus = partition_of(doc, topics.focus);
        return focus != nullptr && (*focus)["lag"].IsInt64() &&
               (*focus)["lag"].GetInt64() == static_cast<int64_t>(cases.size());
      },
      60s))
      << http_call(port_a, "GET", "/pipeline/partitions").body;
  const CliRun status = cli("status", {"status", "--admin", url_a});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  std::cout << "streamhost status while paused:\n" << status.output;
  EXPECT_NE(status.output.find("PAUSED (paused by an operator)"), std::string::npos);
  EXPECT_NE(status.output.find("LAG"), std::string::npos);
  // TOPIC PARTITION COMMITTED LAST-HANDED LOG-END LAG IN-FLIGHT PAUSED
  const std::regex focus_row(topics.focus + R"(\s+0\s+1\s+0\s+)" +
                             std::to_string(1 + cases.size()) + R"(\s+)" +
                             std::to_string(cases.size()) + R"(\s+0\s+paused by an operator)");
  EXPECT_TRUE(std::regex_search(status.output, focus_row))
      << "the focus partition: committed 1, last handed 0, log end 1 + events, lag = events";
  const std::string metrics = admin_a.metrics_text();
  EXPECT_NE(metrics.find("streamhost_pipeline_state{state=\"PAUSED\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("streamhost_consumer_lag{topic=\"" + topics.focus +
                         "\",partition=\"0\"} " + std::to_string(cases.size())),
            std::string::npos)
      << metrics;

  // The paused host keeps polling (once every 5 s): Kafka ends a member that does not poll for
  // max.poll.interval.ms (5 minutes by default; neither proxy lets a client lower it), so a pause
  // without polls would lose the partitions to B after that. The polls show as records dropped
  // (the events above, read again on resume).
  ASSERT_TRUE(
      wait_for([&] { return admin_a.metric("streamhost_paused_records_dropped_total") >= 1; }, 30s))
      << "a paused host that stops polling would leave its consumer group";
  // For longer than the bridge keeps an idle consumer instance (20 s) and Kafka's session timeout
  // (15 s), A keeps both partitions, handles nothing, and B gets nothing.
  const auto until = std::chrono::steady_clock::now() + 35s;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_EQ(admin_a.metric(kRecordsIn, "route=\"focus\""), focus_in_before)
        << "a paused host handed records to a handler";
    ASSERT_EQ(admin_b.metric(kRecordsIn), 0) << "the second host took the paused host's partitions";
    ASSERT_TRUE(a.running() && b.running());
    std::this_thread::sleep_for(1s);
  }
  const auto held_a = get_json(port_a, "/pipeline/partitions");
  EXPECT_NE(partition_of(held_a, topics.focus), nullptr) << "A no longer holds the focus partition";
  EXPECT_NE(partition_of(held_a, topics.entry), nullptr) << "A no longer holds the entry partition";
  const auto held_b = get_json(port_b, "/pipeline/partitions");
  ASSERT_TRUE(held_b.IsObject() && held_b.HasMember("partitions"));
  EXPECT_EQ(held_b["partitions"].Size(), 0u) << "B holds partitions of a live, paused host";
  EXPECT_STREQ(get_json(port_a, "/pipeline")["state"].GetString(), "PAUSED");

  const CliRun resumed =
      cli("resume", {"resume", "--admin", url_a}, EnvOverrides{{"STREAMHOST_ADMIN_TOKEN", token}});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resumed pipeline; pipeline state: RUNNING"), std::string::npos)
      << resumed.output;

  // Every event answered, each handled once, by A.
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) {
        for (const auto& c : cases) {
          if (results_of(rs, topics.predictions, c.customer).size() < c.results) return false;
        }
        return true;
      },
      90s))
      << "not every focus event sent while paused was answered after the resume";
  for (const auto& c : cases) {
    EXPECT_TRUE(results_match(results_of(reader.records(), topics.predictions, c.customer),
                              c.customer, reference.expected(c.customer, c.category)))
        << "customer " << c.customer;
  }
  EXPECT_TRUE(of_topic(reader.records(), topics.dead_letters).empty());
  EXPECT_EQ(admin_a.metric(kRecordsIn, "route=\"focus\""),
            focus_in_before + static_cast<double>(cases.size()))
      << "records skipped or handled twice across the pause";
  EXPECT_EQ(admin_b.metric(kRecordsIn), 0);
  ASSERT_TRUE(wait_for(
      [&] {
        const auto doc = get_json(port_a, "/pipeline/partitions");
        const auto* focus = partition_of(doc, topics.focus);
        return focus != nullptr && (*focus)["lag"].IsInt64() && (*focus)["lag"].GetInt64() == 0;
      },
      60s))
      << http_call(port_a, "GET", "/pipeline/partitions").body;

  expect_graceful_stop(b);
  expect_graceful_stop(a);
}

TEST_F(AdminApi, StatusNamesAnUnreachableHost) {
  const int port = free_port();
  const CliRun status =
      cli("status-unreachable", {"status", "--admin", "http://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.output.find("cannot reach the admin endpoint at http://127.0.0.1:" +
                               std::to_string(port)),
            std::string::npos)
      << status.output;
}

TEST_F(AdminApi, ANonLoopbackBindWithoutATokenIsRefusedAtStartUp) {
  const CouponTopics topics = CouponTopics::make("admin-bind");
  EnvOverrides env = topics.env(free_port());
  env["ADMIN_BIND"] = "0.0.0.0";
  ChildProcess& host =
      start_streamhost("host-bind", Built::repo("manifests/pipelines/coupon.yaml"), env);
  ASSERT_TRUE(wait_for([&] { return !host.running(); }, 30s));
  EXPECT_EQ(host.exit_code(), 2);
  EXPECT_NE(host.log().find("admin.bind: binding the admin endpoint to \"0.0.0.0\""),
            std::string::npos)
      << host.log();
}

}  // namespace
}  // namespace streamhost::e2e

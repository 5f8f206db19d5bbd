// Crash containment on the real stack: a plugin whose handler segfaults on one record, and the test
// as the supervisor (restarting `streamhost` after each crash, up to a bound, as Kubernetes would).
// The host must crash exactly max_crashes times (each by SIGSEGV, as a supervisor must see it),
// then dead-letter the poison with the signal named instead of calling the handler again, and
// commit past it; every other record is echoed at least once and nothing is lost.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "admin_probe.hpp"
#include "e2e_support.hpp"
#include "topic_io.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr int kMaxCrashes = 2;
constexpr int kRestartBound = 5;  // a supervisor's give-up point, well above kMaxCrashes
constexpr int kRecordsPerPartition = 12;
constexpr int kPoisonAt = 5;  // its offset in partition 0 (a new topic starts at 0)

class CrashContainment : public ProcessTest {};

TEST_F(CrashContainment, ARecordThatSegfaultsItsHandlerIsDeadLetteredAfterMaxCrashesRestarts) {
  testing::StackEndpoints stack;
  ASSERT_TRUE(testing::read_stack(stack));
  ASSERT_FALSE(HasFailure());
  const std::string base = unique("e2e-crash");
  const std::string input = base + "-in", output = base + "-out", dead = base + "-dlq";
  testing::create_topics({{input, 2}, {output, 1}, {dead, 1}});
  ASSERT_FALSE(HasFailure());

  // Everything is in the topic before the first start: each restart reads it again from the
  // committed offsets.
  TopicWriter writer(stack);
  std::set<std::string> expected;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < kRecordsPerPartition; ++i) {
      const bool poison = p == 0 && i == kPoisonAt;
      const std::string value =
          poison ? "poison" : "r-" + std::to_string(p) + "-" + std::to_string(i);
      if (!poison) expected.insert(value);
      ASSERT_EQ(writer.produce_one(input, "k-" + std::to_string(i % 4), value, p), "");
    }
  }

  const std::string state_dir = log_dir_ + "/state";
  std::filesystem::create_directory(state_dir);
  const int port = free_port();
  const std::string manifest = log_dir_ + "/crash.yaml";
  std::ofstream(manifest) << "pipeline: crash-e2e\n"
                             "rest_proxy:\n"
                             "  url: ${STREAMHOST_REST_PROXY_URL}\n"
                             "  dialect: ${STREAMHOST_REST_PROXY_DIALECT}\n"
                             "consumer:\n"
                             "  group: "
                          << base
                          << "-group\n"
                             "  auto_offset_reset: earliest\n"
                             "  commit_interval_ms: 100\n"
                             "plugins: {segv: {library: " SEGFAULTING_PLUGIN
                             "}}\n"
                             "routes: [{name: echo, topic: "
                          << input << ", handler: segv/echo, output_topic: " << output
                          << "}]\n"
                             "dead_letter_topic: "
                          << dead
                          << "\n"
                             "workers: 2\n"
                             "state_dir: "
                          << state_dir << "\nmax_crashes: " << kMaxCrashes
                          << "\n"
                             "admin: {port: "
                          << port << "}\n";

  TopicReader reader(stack, {output, dead}, base + "-check");
  auto echoed = [&](const std::vector<ConsumedRecord>& rs) {
    std::multiset<std::string> values;
    for (const auto& r : of_topic(rs, output))
      if (r.value) values.insert(*r.value);
    return values;
  };
  auto all_there = [&](const std::vector<ConsumedRecord>& rs) {
    const auto values = echoed(rs);
    for (const auto& v : expected)
      if (values.count(v) == 0) return false;
    return !of_topic(rs, dead).empty();
  };

  // The supervisor: one replica, restarted after each exit, with the same stable instance name
  // (HOSTNAME) as a container restarted in its pod.
  const EnvOverrides env{{"HOSTNAME", "e2e-" + base}};
  std::vector<int> crash_codes;
  std::vector<ChildProcess*> runs{&start_streamhost("streamhost-0", manifest, env)};
  ChildProcess* host = runs.back();
  while (true) {
    reader.read_until([&](const auto& rs) { return all_there(rs) || !host->running(); }, 90s);
    if (host->running()) break;
    crash_codes.push_back(host->exit_code().value_or(0));
    ASSERT_LT(static_cast<int>(crash_codes.size()), kRestartBound)
        << "still crashing after " << crash_codes.size() << " restarts";
    runs.push_back(
        &start_streamhost("streamhost-" + std::to_string(crash_codes.size()), manifest, env));
    host = runs.back();
  }
  ASSERT_TRUE(all_there(reader.records())) << "the host neither crashed nor finished in time";

  // Restarts: exactly max_crashes, each after a crash by SIGSEGV (not an exit code a handler
  // could have turned it into), and each crash recorded before the process died.
  EXPECT_EQ(crash_codes, std::vector<int>(kMaxCrashes, -SIGSEGV));
  for (size_t i = 0; i < crash_codes.size(); ++i) {
    EXPECT_THAT(runs[i]->log(),
                HasSubstr("msg=\"the process crashed; recorded in the crash journal\" "
                          "signal=SIGSEGV route=echo handler=segv/echo topic=" +
                          input + " partition=0 offset=" + std::to_string(kPoisonAt)));
  }

  // The poison: dead-lettered once, naming the signal and the handler, never echoed.
  const auto dead_letters = of_topic(reader.records(), dead);
  ASSERT_EQ(dead_letters.size(), 1u);
  rapidjson::Document envelope;
  envelope.Parse(dead_letters[0].value.value_or("").c_str());
  ASSERT_FALSE(envelope.HasParseError()) << dead_letters[0].value.value_or("");
  EXPECT_STREQ(envelope["status"].GetString(), "crash");
  EXPECT_STREQ(envelope["signal"].GetString(), "SIGSEGV");
  EXPECT_EQ(envelope["crashes"].GetInt64(), kMaxCrashes);
  EXPECT_STREQ(envelope["route"].GetString(), "echo");
  EXPECT_STREQ(envelope["plugin"].GetString(), "segv");
  EXPECT_STREQ(envelope["handler"].GetString(), "echo");
  EXPECT_STREQ(envelope["value"].GetString(), "poison");
  EXPECT_STREQ(envelope["topic"].GetString(), input.c_str());
  EXPECT_EQ(envelope["partition"].GetInt(), 0);
  EXPECT_EQ(envelope["offset"].GetInt64(), kPoisonAt);
  const auto values = echoed(reader.records());
  EXPECT_EQ(values.count("poison"), 0u);
  EXPECT_EQ(std::set<std::string>(values.begin(), values.end()), expected)
      << "every other record is echoed (at least once), and only those";

  // The last run dead-lettered it without a crash, counted it, and committed past it.
  AdminProbe admin(port);
  EXPECT_EQ(admin.metric("streamhost_crash_quarantined_total", "route=\"echo\""), 1);
  EXPECT_TRUE(wait_for(
      [&] {
        return admin.metric("streamhost_committed_offset",
                            {"topic=\"" + input + "\"", "partition=\"0\""}) == kRecordsPerPartition;
      },
      30s))
      << "partition 0 was not committed past the poison";
  EXPECT_THAT(host->log(),
              HasSubstr("record crashed the host max_crashes times; dead-lettering it"));
  expect_graceful_stop(*host);
  RecordProperty("restarts", static_cast<int>(crash_codes.size()));
}

}  // namespace
}  // namespace streamhost::e2e

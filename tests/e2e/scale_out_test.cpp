// Scale-out: two `streamhost` processes in one consumer group share a 2-partition topic through
// the REST proxy. Together they map every record exactly once (nothing fails, so at-least-once
// must not turn into duplicates), both do part of the work, both stop cleanly on SIGTERM, and a
// third process joining the group afterwards finds everything committed.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <thread>

#include "admin_probe.hpp"
#include "e2e_support.hpp"
#include "topic_io.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;

constexpr int kRecords = 400;
constexpr int kKeys = 40;
const char* kRecordsIn = "streamhost_records_in_total";
const char* kRoute = "route=\"orders\"";

// The `order_id` of a mapped record (the field mapper copies it to `id` and renames cust).
std::string order_id_of(const ConsumedRecord& r) {
  rapidjson::Document doc;
  if (!r.value) return {};
  doc.Parse(*r.value);
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("order_id")) return {};
  const auto& id = doc["order_id"];
  return id.IsString() ? std::string(id.GetString())
         : id.IsInt()  ? std::to_string(id.GetInt())
                       : std::string();
}

bool has_order(const std::vector<ConsumedRecord>& records, const std::string& id) {
  for (const auto& r : records)
    if (order_id_of(r) == id) return true;
  return false;
}

std::string order(const std::string& id, const std::string& cust) {
  return R"({"order_id":)" + id + R"(,"cust":")" + cust + R"(","internal_note":"x"})";
}

class ScaleOut : public ProcessTest {};

TEST_F(ScaleOut, TwoProcessesInOneGroupShareTheTopicExactlyOnceAndCommit) {
  testing::StackEndpoints stack;
  ASSERT_TRUE(testing::read_stack(stack));
  ASSERT_FALSE(HasFailure());
  const std::string base = unique("e2e-scale");
  const std::string input = base + "-in", output = base + "-out", dead = base + "-dlq";
  // Output and dead letters are created up front with one partition, so the checking consumer sees
  // one ordered log.
  testing::create_topics({{input, 2}, {output, 1}, {dead, 1}});
  ASSERT_FALSE(HasFailure());

  const std::string manifest = Built::repo("manifests/pipelines/field-mapper.yaml");
  auto env_for = [&](int port) {
    return EnvOverrides{{"INPUT_TOPIC", input},
                        {"OUTPUT_TOPIC", output},
                        {"DEAD_LETTER_TOPIC", dead},
                        {"GROUP_ID", base + "-group"},
                        {"AUTO_OFFSET_RESET", "earliest"},
                        {"STREAMHOST_PLUGIN_DIR", Built::field_mapper_plugin_dir()},
                        {"ADMIN_PORT", std::to_string(port)}};
  };
  const int port_a = free_port();
  int port_b = free_port();
  while (port_b == port_a) port_b = free_port();
  ChildProcess& a = start_streamhost("streamhost-a", manifest, env_for(port_a));
  ChildProcess& b = start_streamhost("streamhost-b", manifest, env_for(port_b));
  AdminProbe admin_a(port_a), admin_b(port_b);
  ASSERT_TRUE(wait_for(
      [&] { return (admin_a.ready() && admin_b.ready()) || !a.running() || !b.running(); }, 90s))
      << "not ready: a=" << admin_a.readyz().body << " b=" << admin_b.readyz().body;
  ASSERT_TRUE(a.running() && b.running()) << "a streamhost process exited early";

  TopicWriter writer(stack);
  TopicReader reader(stack, {output}, base + "-check");

  // Both processes have joined the group once each has handled a record: with two members and two
  // partitions the assignment is then settled. Warm-up rounds put one record on each partition
  // until that holds (records re-read during the start-up rebalance are warm-ups, not counted).
  // The group coordinator delays the first rebalance (group.initial.rebalance.delay.ms), so rounds
  // go on, one per second, until both processes have handled one, within a deadline.
  int round = 0;
  auto warm_up_round = [&]() -> ::testing::AssertionResult {
    const std::string id0 = "warmup-" + std::to_string(round) + "-0";
    const std::string id1 = "warmup-" + std::to_string(round) + "-1";
    ++round;
    for (const auto& [id, p] : {std::pair{id0, 0}, std::pair{id1, 1}}) {
      const std::string error =
          writer.produce_one(input, "warmup", order("\"" + id + "\"", "w"), p);
      if (!error.empty()) return ::testing::AssertionFailure() << error;
    }
    if (!reader.read_until([&](const auto& rs) { return has_order(rs, id0) && has_order(rs, id1); },
                           60s))
      return ::testing::AssertionFailure() << "warm-up round " << round << " was not mapped";
    return ::testing::AssertionSuccess();
  };
  const auto join_deadline = std::chrono::steady_clock::now() + 120s;
  bool both_joined = false;
  while (!both_joined && std::chrono::steady_clock::now() < join_deadline) {
    ASSERT_TRUE(warm_up_round());
    both_joined = admin_a.metric(kRecordsIn, kRoute) > 0 && admin_b.metric(kRecordsIn, kRoute) > 0;
    if (!both_joined) std::this_thread::sleep_for(1s);
  }
  ASSERT_TRUE(both_joined) << "one process never received a partition";
  // One more round after the assignment settled: anything re-read during the rebalance comes
  // before it in each partition, so the counters below start from a quiet state.
  ASSERT_TRUE(warm_up_round());
  std::cout << "both processes joined after " << round << " warm-up rounds\n";
  const double in_a0 = admin_a.metric(kRecordsIn, kRoute);
  const double in_b0 = admin_b.metric(kRecordsIn, kRoute);

  // 400 records over 40 keys; Kafka's partitioner spreads the keys over both partitions.
  std::vector<OutgoingRecord> batch;
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = "key-" + std::to_string(i % kKeys);
    batch.push_back({key, order(std::to_string(i), "c-" + key), std::nullopt});
  }
  const auto results = writer.produce(input, batch);
  ASSERT_TRUE(all_ok(results));
  std::set<int32_t> partitions;
  for (const auto& r : results) partitions.insert(r.partition);
  ASSERT_EQ(partitions.size(), 2u) << "the keys should land on both partitions";

  auto main_ids = [](const std::vector<ConsumedRecord>& rs) {
    std::multiset<int> ids;
    for (const auto& r : rs) {
      const std::string id = order_id_of(r);
      if (!id.empty() && id.find("warmup") == std::string::npos &&
          id.find("marker") == std::string::npos && id.find("sentinel") == std::string::npos)
        ids.insert(std::stoi(id));
    }
    return ids;
  };
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) {
        const auto ids = main_ids(rs);
        return std::set<int>(ids.begin(), ids.end()).size() == kRecords;
      },
      120s))
      << "only " << main_ids(reader.records()).size() << " of " << kRecords << " records mapped";

  const double handled_a = admin_a.metric(kRecordsIn, kRoute) - in_a0;
  const double handled_b = admin_b.metric(kRecordsIn, kRoute) - in_b0;
  std::cout << "records handled: a=" << handled_a << " b=" << handled_b << "\n";
  EXPECT_GT(handled_a, 0) << "process a handled none of the records";
  EXPECT_GT(handled_b, 0) << "process b handled none of the records";
  EXPECT_EQ(handled_a + handled_b, kRecords) << "records handled more than once";

  expect_graceful_stop(a);
  expect_graceful_stop(b);

  // Everything the two processes produced is before this sentinel in the output's one partition.
  ASSERT_EQ(writer.produce_one(output, "sentinel", order("\"sentinel\"", "s"), 0), "");
  ASSERT_TRUE(reader.read_until([&](const auto& rs) { return has_order(rs, "sentinel"); }, 60s));
  const auto ids = main_ids(reader.records());
  std::vector<int> duplicated, missing;
  for (int i = 0; i < kRecords; ++i) {
    const size_t n = ids.count(i);
    if (n == 0) missing.push_back(i);
    if (n > 1) duplicated.push_back(i);
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " records have no output";
  EXPECT_TRUE(duplicated.empty()) << duplicated.size()
                                  << " records were mapped more than once, e.g. order "
                                  << (duplicated.empty() ? -1 : duplicated.front());

  // A third process in the same group: if the offsets were committed it reads only what is new,
  // i.e. exactly one marker per partition.
  const int port_c = free_port();
  ChildProcess& c = start_streamhost("streamhost-c", manifest, env_for(port_c));
  AdminProbe admin_c(port_c);
  ASSERT_TRUE(wait_for([&] { return admin_c.ready() || !c.running(); }, 90s))
      << "not ready: " << admin_c.readyz().body;
  for (int p = 0; p < 2; ++p) {
    ASSERT_EQ(
        writer.produce_one(input, "marker", order("\"marker-" + std::to_string(p) + "\"", "m"), p),
        "");
  }
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) { return has_order(rs, "marker-0") && has_order(rs, "marker-1"); }, 90s))
      << "the third process did not map the markers";
  EXPECT_EQ(admin_c.metric(kRecordsIn, kRoute), 2) << "the third process re-read committed records";
  expect_graceful_stop(c);
  EXPECT_EQ(main_ids(reader.records()).size(), static_cast<size_t>(kRecords))
      << "records mapped again after the restart";
}

}  // namespace
}  // namespace streamhost::e2e

// The runtime keeps the partition hooks' ordering guarantee (plugin_api.h, ABI 1.3): assigned
// before a partition's first handler call, revoked only once its in-flight handler calls have
// returned, and every assigned partition revoked at shutdown.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <span>

#include "runtime/worker_pool.hpp"
#include "runtime_test_doubles.hpp"

namespace streamhost::host::testing {
namespace {

// The events a hooked plugin sees, in order: "+in-0", "call in-0@3", "-in-1". A handler call for
// partition 1 at offset 1 blocks until released, to hold a call in flight across a revocation.
struct Journal {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> events;
  bool hold = true;
  bool holding = false;

  void add(std::string e) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(e));
    changed.notify_all();
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return events;
  }
};

Journal* g_journal = nullptr;  // the fixture plugin is built by describe<>, as a real one is

class Hooked {
 public:
  explicit Hooked(sp::Host) {}
  void partitions_assigned(std::span<const sp::Partition> ps) {
    for (const auto& p : ps) g_journal->add("+" + name(p.topic, p.partition));
  }
  void partitions_revoked(std::span<const sp::Partition> ps) {
    for (const auto& p : ps) g_journal->add("-" + name(p.topic, p.partition));
  }
  void handle(const sp::Record& in, sp::Emitter& out) const {
    if (in.partition() == 1 && in.offset() == 1) {
      std::unique_lock lock(g_journal->mutex);
      g_journal->holding = true;
      g_journal->changed.notify_all();
      g_journal->changed.wait(lock, [] { return !g_journal->hold; });
    }
    g_journal->add("call " + name(in.topic(), in.partition()) + "@" + std::to_string(in.offset()));
    out.emit(in.value());
  }

 private:
  static std::string name(std::string_view topic, int32_t partition) {
    return std::string(topic) + "-" + std::to_string(partition);
  }
};

constexpr sh_handler_def kHookedHandlers[] = {
    sp::handler<&Hooked::handle>({.name = "handle", .emits = sp::Emits::to_output_topic})};

const sh_plugin_descriptor& hooked_descriptor() {
  static const sh_plugin_descriptor d =
      sp::describe<Hooked>({.name = "hooked", .version = "1", .handlers = kHookedHandlers});
  return d;
}

class HookedInstance : public PluginInstance {
 public:
  HookedInstance() {
    char err[256] = {};
    instance_ = hooked_descriptor().instance_create(nullptr, "{}", err, sizeof err);
  }
  ~HookedInstance() override { hooked_descriptor().instance_destroy(instance_); }
  const std::string& name() const override { return name_; }
  const sh_plugin_descriptor& descriptor() const override { return hooked_descriptor(); }
  void* instance() const override { return instance_; }
  const sh_handler_def* find_handler(const std::string&) const override {
    return &kHookedHandlers[0];
  }
  bool ready(std::string&) const override { return true; }
  runtime::Route route() const {
    return runtime::Route{"r", "in", "out", HandlerRef{this, &kHookedHandlers[0]}, std::nullopt};
  }

 private:
  std::string name_ = "hooked";
  void* instance_ = nullptr;
};

size_t index_of(const std::vector<std::string>& events, const std::string& e) {
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i] == e) return i;
  }
  return events.size();
}

TEST(RuntimePartitionHooks, RevocationWaitsForInFlightCallsAndShutdownRevokesTheRest) {
  Journal journal;
  g_journal = &journal;
  HookedInstance plugin;
  PipelineHarness h;
  auto options = h.options();
  options.assignment_refresh = std::chrono::milliseconds(0);
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}, {"in", 1}});
  h.source.append({make_record("in", 0, 0, "a", "x"), make_record("in", 1, 0, "b", "y"),
                   make_record("in", 1, 1, "b", "held")});
  h.start({plugin.route()}, options);
  {
    std::unique_lock lock(journal.mutex);
    ASSERT_TRUE(
        journal.changed.wait_for(lock, std::chrono::seconds(10), [&] { return journal.holding; }));
  }
  // Partition 1 goes elsewhere while its record at offset 1 is inside the handler.
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // time to revoke too early
  EXPECT_EQ(index_of(journal.snapshot(), "-in-1"), journal.snapshot().size())
      << "revoked while a handler call of the partition was in flight";
  {
    std::lock_guard lock(journal.mutex);
    journal.hold = false;
    journal.changed.notify_all();
  }
  ASSERT_TRUE(eventually([&] { return index_of(journal.snapshot(), "-in-1") < 100; }));
  EXPECT_EQ(h.stop().exit_code, 0);
  const auto events = journal.snapshot();
  EXPECT_LT(index_of(events, "+in-0"), index_of(events, "call in-0@0"));
  EXPECT_LT(index_of(events, "+in-1"), index_of(events, "call in-1@0"));
  EXPECT_LT(index_of(events, "call in-1@1"), index_of(events, "-in-1"));
  EXPECT_LT(index_of(events, "-in-0"), events.size()) << "shutdown did not revoke partition 0";
  EXPECT_EQ(std::count(events.begin(), events.end(), "-in-1"), 1);
  g_journal = nullptr;
}

// A commit lists the assignment and lets lost partitions go, which waits for their in-flight
// handler calls: a slow handler then is not a proxy that does not answer, so no STALLED.
TEST(RuntimePartitionHooks, ASlowHandlerDuringARevocationAtACommitIsNotAStalledProxy) {
  Journal journal;
  g_journal = &journal;
  HookedInstance plugin;
  PipelineHarness h;
  auto options = h.options();
  options.assignment_refresh = std::chrono::minutes(10);  // the revocation comes from a commit
  options.stall_after = std::chrono::milliseconds(100);
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}, {"in", 1}});
  h.source.append({make_record("in", 1, 0, "b", "y"), make_record("in", 1, 1, "b", "held")});
  h.start({plugin.route()}, options);
  {
    std::unique_lock lock(journal.mutex);
    ASSERT_TRUE(
        journal.changed.wait_for(lock, std::chrono::seconds(10), [&] { return journal.holding; }));
  }
  // Partition 1 goes elsewhere while its held call runs; a record of partition 0 then moves the
  // watermark, and its commit lists the assignment and waits in the revocation.
  h.source.set_assignment(std::vector<TopicPartition>{{"in", 0}});
  // On a worker other than the held call's, or it would wait behind it.
  const size_t held_worker =
      runtime::WorkerPool::worker_for(make_record("in", 1, 1, "b", "held"), 2);
  std::string key = "a";
  while (runtime::WorkerPool::worker_for(make_record("in", 0, 0, key, "x"), 2) == held_worker) {
    key += "a";
  }
  h.source.append({make_record("in", 0, 0, key, "x")});
  ASSERT_TRUE(eventually([&] { return index_of(journal.snapshot(), "call in-0@0") < 100; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past stall_after
  const runtime::PipelineStatus status = h.pipeline->status();
  EXPECT_NE(status.state.state, runtime::PipelineState::kStalled) << status.state.reason;
  EXPECT_EQ(status.health.stalled_call, "");
  {
    std::lock_guard lock(journal.mutex);
    journal.hold = false;
    journal.changed.notify_all();
  }
  ASSERT_TRUE(eventually([&] { return index_of(journal.snapshot(), "-in-1") < 100; }));
  EXPECT_TRUE(eventually([&] { return h.source.committed({"in", 0}) == 1; }));
  EXPECT_EQ(h.stop().exit_code, 0);
  g_journal = nullptr;
}

}  // namespace
}  // namespace streamhost::host::testing

// dwell through the host's own loader and handler call (the SDK's harness): a dwell, positions
// outside every zone, malformed input, bad config, and a rebalance played with two harnesses.
#include <streamhost/plugin_testing.hpp>
#include <string>

namespace spt = streamhost::plugin::testing;

namespace {

constexpr const char* kConfig = R"({"min_dwell_s": 300, "max_gap_s": 400, "zones": [
    {"name": "bakery", "lat": 52.5200, "lon": 13.4050, "radius_m": 30},
    {"name": "deli", "lat": 52.5210, "lon": 13.4050}]})";

std::string at(int64_t customer, double lat, double lon, int64_t ts) {
  return "{\"customer_id\": " + std::to_string(customer) + ", \"lat\": " + std::to_string(lat) +
         ", \"lon\": " + std::to_string(lon) + ", \"ts\": " + std::to_string(ts) + "}";
}
std::string in_bakery(int64_t customer, int64_t ts) {
  return at(customer, 52.5200, 13.4051, ts);
}

spt::Result visit(spt::PluginHarness& plugin, const std::string& value, int32_t partition = 0) {
  spt::Input in;
  in.value = value;
  in.key = "c";
  in.partition = partition;
  return plugin.call("visit", in);
}

}  // namespace

int main() {
  spt::Checks check;

  // Bad config: every wrong zone field at its path, and the plugin's own check.
  spt::PluginHarness plugin(STREAMHOST_PLUGIN_PATH);
  check.equal(plugin.config_error(R"({"zones": [{"name": "a", "lat": 91, "lon": 0},
                                                {"name": "a", "lat": 0, "lon": 0, "radius": 5}]})"),
              std::string("plugins.dwell.config.zones[0].lat: 91 is above the maximum 90\n"
                          "plugins.dwell.config.zones[1]: unknown key \"radius\" (did you mean "
                          "\"radius_m\"?)"),
              "each wrong zone field is reported at its path");
  check.equal(plugin.config_error(R"({"zones": [{"name": "a", "lat": 0, "lon": 0},
                                                {"name": "a", "lat": 1, "lon": 1}]})"),
              std::string("plugins.dwell.config.zones[1].name: repeats zones[0].name"),
              "a repeated zone name is refused at its path");

  plugin.configure(kConfig);
  plugin.assign({{"input", 0}});

  // A dwell: one record once the stay reaches min_dwell_s, and only one.
  check.is_true(visit(plugin, in_bakery(7, 1000)).emitted.empty(), "a stay starts silently");
  check.is_true(visit(plugin, in_bakery(7, 1100)).emitted.empty(), "too short yet");
  spt::Result dwell = visit(plugin, in_bakery(7, 1300));
  check.equal(dwell.emitted.size(), size_t{1}, "a dwell of 300 s is reported");
  if (dwell.emitted.size() == 1) {
    check.equal(dwell.emitted[0].value,
                std::string(R"({"customer_id":7,"zone":"bakery","since":1000,"dwell_s":300})"),
                "the dwell record");
    check.equal(dwell.emitted[0].key, std::optional<std::string>(R"("7/bakery/1000")"),
                "keyed by the stay, so a repeat is recognisable");
  }
  check.is_true(visit(plugin, in_bakery(7, 1400)).emitted.empty(), "one record per stay");
  check.equal(plugin.counter("dwell_records"), uint64_t{1}, "counted");

  // A gap longer than max_gap_s ends the stay; leaving the zones ends it too.
  check.is_true(visit(plugin, in_bakery(7, 1900)).emitted.empty(), "a new stay after a gap");
  check.is_true(visit(plugin, in_bakery(7, 2150)).emitted.empty(), "250 s into it: not yet");
  check.is_true(visit(plugin, at(7, 48.0, 2.0, 2160)).emitted.empty(), "outside every zone");
  check.is_true(visit(plugin, in_bakery(7, 2170)).emitted.empty(), "back: a new stay");
  check.is_true(visit(plugin, in_bakery(7, 2460)).emitted.empty(), "290 s: not yet");

  // Malformed input is dead-lettered with the field named.
  spt::Result bad = visit(plugin, R"({"customer_id": "x", "lat": 1, "lon": 1, "ts": 1})");
  check.equal(bad.status, SH_STATUS_REJECT, "a malformed visit is rejected");
  check.equal(bad.reason, std::string(R"(payload.customer_id: expected an integer, got "x")"),
              "with the field named");
  check.equal(visit(plugin, "not json").reason,
              std::string("payload: not JSON: Invalid value. (byte 1)"), "text is rejected");

  // A rebalance: partition 0 moves from `plugin` to `other` in the middle of customer 8's stay.
  // The new owner knows only what it reads after the move, so the stay is measured from there.
  check.is_true(visit(plugin, in_bakery(8, 5000)).emitted.empty(), "customer 8 arrives");
  plugin.revoke({{"input", 0}});
  spt::PluginHarness other(STREAMHOST_PLUGIN_PATH);
  other.configure(kConfig);
  other.assign({{"input", 0}});
  check.is_true(visit(other, in_bakery(8, 5200)).emitted.empty(),
                "the new owner starts the stay at its first visit");
  spt::Result moved = visit(other, in_bakery(8, 5500));
  check.equal(moved.emitted.size(), size_t{1}, "and reports it after min_dwell_s of its own");
  if (moved.emitted.size() == 1)
    check.equal(moved.emitted[0].key, std::optional<std::string>(R"("8/bakery/5200")"),
                "with the stay as the new owner saw it");

  // Records re-read after a restart give the same record again: same key, same value.
  spt::PluginHarness replay(STREAMHOST_PLUGIN_PATH);
  replay.configure(kConfig);
  replay.assign({{"input", 0}});
  visit(replay, in_bakery(7, 1000));
  visit(replay, in_bakery(7, 1100));
  spt::Result again = visit(replay, in_bakery(7, 1300));
  check.equal(again.emitted.size(), size_t{1}, "a replayed stay is reported again");
  if (again.emitted.size() == 1 && dwell.emitted.size() == 1) {
    check.equal(again.emitted[0].key, dwell.emitted[0].key, "with the same key");
    check.equal(again.emitted[0].value, dwell.emitted[0].value, "and the same value");
  }
  return check.exit_code();
}

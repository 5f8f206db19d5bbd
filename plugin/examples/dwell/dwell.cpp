// dwell: an example of a stateful streamhost plugin. Its handler, `visit`, reads customer
// positions {"customer_id": int, "lat": number, "lon": number, "ts": seconds} and emits one
// record when a customer has stayed in one store zone for min_dwell_s:
//   {"customer_id": 7, "zone": "bakery", "since": 1000, "dwell_s": 300}, keyed by the stay as a
//   JSON string, "7/bakery/1000", so a record repeated after a restart is recognisable.
// It shows nested list config (zones), the SDK's JSON view, and per-partition state kept with
// the partition hooks. What it promises across restarts and rebalances is in README.md.
#include <cmath>
#include <map>
#include <mutex>
#include <span>
#include <streamhost/plugin.hpp>
#include <streamhost/record_json.hpp>
#include <string>
#include <vector>

namespace {

namespace sp = streamhost::plugin;

struct Zone {
  std::string name;
  double lat = 0;
  double lon = 0;
  double radius_m = 50;
  static constexpr auto options() {
    return sp::options(
        sp::required("name", &Zone::name, "the zone's name, in the output"),
        sp::required("lat", &Zone::lat, "latitude of the centre, degrees")
            .at_least(-90)
            .at_most(90),
        sp::required("lon", &Zone::lon, "longitude of the centre, degrees")
            .at_least(-180)
            .at_most(180),
        sp::option("radius_m", &Zone::radius_m, "radius in metres").at_least(1).at_most(10000));
  }
};

// One customer's current stay in a zone.
struct Stay {
  std::string zone;
  int64_t since = 0;
  int64_t last = 0;
  bool reported = false;
};

class Dwell {
 public:
  struct Config {
    std::vector<Zone> zones;
    int64_t min_dwell_s = 300;
    int64_t max_gap_s = 600;
    static constexpr auto options() {
      return sp::options(
          sp::required("zones", &Config::zones,
                       "the store zones; the first that holds a position "
                       "wins"),
          sp::option("min_dwell_s", &Config::min_dwell_s, "seconds in a zone before it is a dwell")
              .at_least(1),
          sp::option("max_gap_s", &Config::max_gap_s,
                     "seconds without a position after which a stay ends")
              .at_least(1));
    }
  };

  Dwell(sp::Host host, const Config& config) : host_(host), config_(config) {}

  static void check_config(const Config& config, sp::ConfigErrors& errors) {
    if (config.zones.empty()) errors.at("zones").add("needs at least one zone");
    for (size_t i = 0; i < config.zones.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (config.zones[i].name == config.zones[j].name)
          errors.at("zones", i, "name").add("repeats zones[" + std::to_string(j) + "].name");
      }
    }
  }

  // Partitions come and go with rebalances: their stays are started empty and dropped with them.
  void partitions_assigned(std::span<const sp::Partition> parts) {
    std::lock_guard lock(mutex_);
    for (const auto& p : parts) stays_[key(p.topic, p.partition)].clear();
  }
  void partitions_revoked(std::span<const sp::Partition> parts) {
    std::lock_guard lock(mutex_);
    for (const auto& p : parts) stays_.erase(key(p.topic, p.partition));
  }

  void visit(const sp::Record& in, sp::Emitter& out) {
    const sp::Json event = sp::Json::parse(in.value()).as_object();
    const int64_t customer = event["customer_id"].as_int();
    const double lat = event["lat"].as_double();
    const double lon = event["lon"].as_double();
    const int64_t ts = event["ts"].as_int();
    const Zone* zone = zone_at(lat, lon);

    std::lock_guard lock(mutex_);  // different keys run concurrently; the stays are shared
    auto& stays = stays_[key(in.topic(), in.partition())];
    auto it = stays.find(customer);
    if (zone == nullptr) {
      if (it != stays.end()) stays.erase(it);
      return;
    }
    if (it != stays.end() && ts < it->second.last) return;  // older than what we know: no news
    if (it == stays.end() || it->second.zone != zone->name ||
        ts - it->second.last > config_.max_gap_s) {
      stays[customer] = Stay{zone->name, ts, ts, false};
      return;
    }
    Stay& stay = it->second;
    stay.last = ts;
    if (stay.reported || ts - stay.since < config_.min_dwell_s) return;
    stay.reported = true;
    const std::string id =
        std::to_string(customer) + "/" + stay.zone + "/" + std::to_string(stay.since);
    out.emit("{\"customer_id\":" + std::to_string(customer) + ",\"zone\":" + quote(stay.zone) +
                 ",\"since\":" + std::to_string(stay.since) +
                 ",\"dwell_s\":" + std::to_string(ts - stay.since) + "}",
             quote(id));  // JSON text, as keys are in a JSON-format pipeline
    host_.count("dwell_records");
  }

 private:
  static std::string key(std::string_view topic, int32_t partition) {
    return std::string(topic) + "/" + std::to_string(partition);
  }

  static std::string quote(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }

  // Distance by the equirectangular approximation: exact enough for zones of metres.
  const Zone* zone_at(double lat, double lon) const {
    constexpr double kEarthRadiusM = 6371000.0;
    constexpr double kRadians = 3.14159265358979323846 / 180.0;
    for (const Zone& z : config_.zones) {
      const double x = (lon - z.lon) * kRadians * std::cos((lat + z.lat) / 2 * kRadians);
      const double y = (lat - z.lat) * kRadians;
      if (std::sqrt(x * x + y * y) * kEarthRadiusM <= z.radius_m) return &z;
    }
    return nullptr;
  }

  sp::Host host_;
  Config config_;
  std::mutex mutex_;
  std::map<std::string, std::map<int64_t, Stay>> stays_;  // by "topic/partition", then customer
};

constexpr sh_handler_def kHandlers[] = {sp::handler<&Dwell::visit>(
    {.name = "visit",
     .emits = sp::Emits::to_output_topic,
     .description = "emits a record when a customer stays in a zone for min_dwell_s"})};

}  // namespace

STREAMHOST_PLUGIN(Dwell, .name = "dwell", .version = "1.0.0",
                  .description = "Reports customers who dwell in a store zone",
                  .handlers = kHandlers)

// Must not compile: an option's member is of a type typed config cannot hold (a struct without
// options()). The build must stop with plugin_config.hpp's one message, pointing at the option.
#include <streamhost/plugin.hpp>

namespace sp = streamhost::plugin;

struct Zone {
  double radius_m = 0;
};

struct Bad {
  struct Config {
    std::vector<Zone> zones;
    static constexpr auto options() {
      return sp::options(sp::option("zones", &Config::zones, "store zones"));
    }
  };
  Bad(sp::Host, const Config&) {}
  void handle(const sp::Record&, sp::Emitter&) const {}
};

constexpr sh_handler_def kHandlers[] = {
    sp::handler<&Bad::handle>({.name = "handle", .emits = sp::Emits::nothing})};

STREAMHOST_PLUGIN(Bad, .name = "bad", .version = "1.0.0", .handlers = kHandlers)

// Must not compile: the handler takes no Emitter and returns int. The build must stop with the one
// message plugin.hpp gives for a wrong handler (one_error_test.cmake checks it).
#include <streamhost/plugin.hpp>

namespace sp = streamhost::plugin;

struct Wrong {
  explicit Wrong(sp::Host) {}
  int handle(const sp::Record&) const { return 0; }
};

constexpr sh_handler_def kHandlers[] = {
    sp::handler<&Wrong::handle>({.name = "handle", .emits = sp::Emits::nothing})};

STREAMHOST_PLUGIN(Wrong, .name = "wrong", .version = "1.0.0", .handlers = kHandlers)

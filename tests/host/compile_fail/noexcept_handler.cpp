// Must not compile: the handler is noexcept, so an exception it throws would terminate the host
// instead of becoming REJECT. The build must stop with plugin.hpp's one message about it.
#include <streamhost/plugin.hpp>

namespace sp = streamhost::plugin;

struct Strict {
  explicit Strict(sp::Host) {}
  void handle(const sp::Record&, sp::Emitter&) const noexcept {}
};

constexpr sh_handler_def kHandlers[] = {
    sp::handler<&Strict::handle>({.name = "handle", .emits = sp::Emits::nothing})};

STREAMHOST_PLUGIN(Strict, .name = "strict", .version = "1.0.0", .handlers = kHandlers)

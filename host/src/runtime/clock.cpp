#include "runtime/clock.hpp"

namespace streamhost::host::runtime {

Clock& steady_clock() {
  static SteadyClock clock;
  return clock;
}

}  // namespace streamhost::host::runtime

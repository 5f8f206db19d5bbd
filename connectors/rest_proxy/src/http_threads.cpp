// clang-format off
#include <utility>  // before boost/asio: Boost 1.74's awaitable.hpp uses std::exchange under C++20
#include <pplx/threadpool.h>
// clang-format on

#include <mutex>
#include <stdexcept>
#include <streamhost/connector/rest_proxy.hpp>

namespace streamhost::connector {

void init_http_threads(size_t threads) {
  static std::once_flag once;
  std::call_once(once, [threads] {
    try {
      crossplat::threadpool::initialize_with_threads(threads == 0 ? 1 : threads);
    } catch (const std::exception&) {
      // Something already created cpprestsdk's pool (a client or listener made before this call):
      // it keeps its size, which is harmless for correctness.
    }
  });
}

}  // namespace streamhost::connector

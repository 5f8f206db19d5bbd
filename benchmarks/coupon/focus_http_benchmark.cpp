// The whole focus handler with the reference HTTP scorer on loopback: the real coupon-scorer server
// (ScorerServer) runs in this process on a free 127.0.0.1 port and the plugin's HttpScorer calls it
// over a kept-alive connection. Measures decode + cache hit + request build and check + HTTP round
// trip + server scoring + answer checks + rank + encode, per focus event. Both sides share the
// machine's 2 cores, as they would when the scorer runs beside the host.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <streamhost/coupon/catalog_cache.hpp>
#include <streamhost/coupon/context_cache.hpp>
#include <streamhost/coupon/coupon_service.hpp>
#include <streamhost/coupon/http_scorer.hpp>

#include "latency_counters.hpp"
#include "scorer_server.hpp"
#include "synthetic_data.hpp"

namespace {

using namespace streamhost::bench;

constexpr int64_t kCustomer = 7;

// A port the kernel considers free right now (bound to port 0, then released).
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

void BM_FocusHttpScorer(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  ScorerServer server(reference_model(), "127.0.0.1", free_loopback_port());
  server.start();
  InMemoryCustomers customers;
  ContextCache contexts(10000, std::chrono::hours(1));
  CatalogCache catalog([n] { return synthetic_catalog_rows(n); }, reference_model(),
                       std::chrono::hours(1), std::chrono::hours(1));
  HttpScorerOptions options;
  options.url = server.url() + "/score";
  HttpScorer scorer(options);
  Metrics metrics;
  CouponService service({5, 0.2}, customers, contexts, catalog, scorer, metrics);
  service.on_entry(entry_event(kCustomer));
  const std::string event = focus_event(kCustomer, "Women");
  service.on_focus(event);  // opens the kept-alive connection outside the timed loop
  IterationTimer timer;
  for (auto _ : state) {
    timer.start();
    benchmark::DoNotOptimize(service.on_focus(event));
    timer.stop();
  }
  timer.report(state);
  server.stop();
}
BENCHMARK(BM_FocusHttpScorer)
    ->Arg(100)
    ->Arg(1000)
    ->ArgName("coupons_per_category")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

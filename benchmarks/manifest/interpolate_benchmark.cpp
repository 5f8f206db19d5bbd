// ${VAR} interpolation of manifest values (host/src/manifest/interpolate.hpp), the per-scalar work
// of loading a manifest. Swept over how many references one value holds (0, 1, 10, 100), with a
// map-backed environment so the process environment does not vary between runs.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "manifest/interpolate.hpp"

namespace {

using streamhost::host::EnvLookup;
using streamhost::host::interpolate;

EnvLookup fixed_env() {
  auto vars = std::make_shared<std::map<std::string, std::string>>();
  (*vars)["STREAMHOST_REST_PROXY_URL"] = "http://127.0.0.1:18082";
  (*vars)["DB_HOST"] = "127.0.0.1";
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars->find(name);
    if (it == vars->end()) return std::nullopt;
    return it->second;
  };
}

// A value with `refs` references alternating a set variable and an unset one with a default.
std::string value_with_refs(int refs) {
  std::string text = "prefix";
  for (int i = 0; i < refs; ++i) {
    text += i % 2 == 0 ? "/${STREAMHOST_REST_PROXY_URL}" : "/${DB_PORT:-5432}";
  }
  return text;
}

void BM_Interpolate(benchmark::State& state) {
  const EnvLookup env = fixed_env();
  const std::string text = value_with_refs(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(interpolate(text, env));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Interpolate)->Arg(0)->Arg(1)->Arg(10)->Arg(100)->ArgName("references");

// The coupon manifest's values, one interpolate() call each (about 30 scalars, half with
// references): roughly what interpolation costs for a whole manifest.
void BM_InterpolateCouponManifestValues(benchmark::State& state) {
  const EnvLookup env = fixed_env();
  const std::vector<std::string> values = {
      "coupon",
      "${STREAMHOST_REST_PROXY_URL:-http://127.0.0.1:18082}",
      "${STREAMHOST_REST_PROXY_DIALECT:-confluent}",
      "${GROUP_ID:-coupon}",
      "${AUTO_OFFSET_RESET:-latest}",
      "${POLL_TIMEOUT:-100}",
      "${CLIENT_ID:-kafkaClients}",
      "${STREAMHOST_PLUGIN_DIR:-../../build/lib}/libstreamhost_coupon.so",
      "${DB_HOST}",
      "${DB_PORT:-5432}",
      "${DB_NAME:-streamhost}",
      "${DB_USER:-streamhost}",
      "${DB_PASSWORD:-}",
      "${DB_POOL_SIZE:-2}",
      "${CONTEXT_CACHE_CAPACITY:-10000}",
      "${CONTEXT_CACHE_TTL_S:-3600}",
      "${CATALOG_REFRESH_S:-300}",
      "${COUPON_SCORER_URL:-}",
      "${COUPON_SCORER_TIMEOUT_MS:-2000}",
      "${COUPON_TOP_N:-5}",
      "${COUPON_THRESHOLD:-0.2}",
      "entry",
      "${ENTRY_EVENT_TOPIC_NAME:-e}",
      "coupon/entry",
      "focus",
      "${FOCUS_EVENT_TOPIC_NAME:-f}",
      "coupon/focus",
      "${COUPON_PREDICTION_TOPIC_NAME:-p}",
      "${DEAD_LETTER_TOPIC_NAME:-coupon-dead-letter}",
      "${WORKERS:-2}",
      "${ADMIN_PORT:-18080}",
      "entry",
      "focus"};
  for (auto _ : state) {
    for (const std::string& v : values) benchmark::DoNotOptimize(interpolate(v, env));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_InterpolateCouponManifestValues);

}  // namespace

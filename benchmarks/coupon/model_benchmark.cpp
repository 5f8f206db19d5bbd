// One focus event with each kind of model: a customer of the generated data set (the one the
// models were trained on) scored against the Men department's 914 coupons, as the embedded scorer
// does it, and the whole focus handler. Models: the hand-set reference (scaled_logistic), a
// logistic regression over the 21 encoded columns, and a gradient-boosted model of the original's
// size (191 trees, max_depth 15), which benchmarks/coupon/make-full-size-model trains with
// scikit-learn and exports; without that file its benchmarks are skipped with a message.
// Iterations go round-robin over 200 customers, so the percentiles include how much a customer's
// residual trees vary. p50_us / p99_us are per-event latencies (latency_counters.hpp).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/catalog_cache.hpp>
#include <streamhost/coupon/context_cache.hpp>
#include <streamhost/coupon/coupon_service.hpp>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/scorer.hpp>
#include <string>
#include <vector>

#include "generated_data.hpp"
#include "latency_counters.hpp"

namespace {

using namespace streamhost::bench;

constexpr int kCustomers = 200;
constexpr Category kDepartment = Category::kMen;

// Plausible weights on the 21 columns in the default order; what matters is the kind and size.
constexpr const char* kLogisticModel = R"({"format": "streamhost-coupon-model",
  "format_version": 1, "name": "bench-logistic", "version": "1",
  "encoding": {"features": ["customer.age_range", "customer.marital_status",
    "customer.family_size", "customer.no_of_children", "customer.income_bracket",
    "customer.gender", "customer.mean_discount_used", "customer.total_discount_used",
    "customer.total_unique_items_bought", "customer.total_quantity_bought",
    "customer.mean_quantity_bought", "customer.mean_selling_price_paid",
    "customer.total_coupons_redeemed", "customer.total_price_paid",
    "coupons[].item_selling_price", "coupons[].coupon_discount",
    "coupons[].item_category=Boys", "coupons[].item_category=Girls", "coupons[].item_category=Men",
    "coupons[].item_category=Sports", "coupons[].item_category=Women"],
    "age_range": ["18-25", "26-35", "36-45", "46-55", "56-70", "70+"],
    "marital_status": ["Married", "Single"], "gender": ["F", "M"],
    "item_category": ["Boys", "Girls", "Men", "Sports", "Women"]},
  "model": {"kind": "logistic_regression", "intercept": -2.1,
    "coefficients": [-0.08, 0.05, 0.02, 0.01, -0.03, -0.04, -0.3, 0.0002, 0.0004, -0.0001,
                     0.4, -0.002, 0.03, 0.000001, -0.003, -0.35, 0.1, 0.05, -0.1, 0.0, 0.3]}})";

std::string full_size_model_path() {
  const char* env = std::getenv("COUPON_BENCH_MODEL");
  return env && *env ? env : COUPON_BENCH_MODEL_DEFAULT;
}

// nullptr (and a reason) when the model is not available.
std::shared_ptr<const Model> model_named(const std::string& name, std::string& why) {
  static std::map<std::string, std::shared_ptr<const Model>> loaded;
  if (auto it = loaded.find(name); it != loaded.end()) return it->second;
  std::shared_ptr<const Model> model;
  if (name == "reference") {
    model = std::make_shared<const Model>(Model::from_json(default_model_text()));
  } else if (name == "logistic_regression") {
    model = std::make_shared<const Model>(Model::from_json(kLogisticModel));
  } else {
    const std::string path = full_size_model_path();
    if (!std::filesystem::exists(path)) {
      why = path +
            " is missing: run benchmarks/coupon/make-full-size-model (or set COUPON_BENCH_MODEL)";
      return nullptr;
    }
    model = std::make_shared<const Model>(Model::load_file(path));
  }
  loaded[name] = model;
  return model;
}

const GeneratedData& data() {
  static const GeneratedData d;
  return d;
}

// Scoring only: the embedded scorer's call for one focus event.
void BM_ModelScoreFocusEvent(benchmark::State& state, const std::string& name) {
  std::string why;
  const auto model = model_named(name, why);
  if (!model) {
    state.SkipWithError(why.c_str());
    return;
  }
  const auto catalog = Catalog::build(data().catalog, *model);
  const CategoryCoupons& coupons = catalog->category(kDepartment);
  EmbeddedScorer scorer(model);
  std::vector<double> predictions;
  IterationTimer timer;
  size_t i = 0;
  for (auto _ : state) {
    const CustomerInfo& customer = data().customers[i++ % kCustomers];
    timer.start();
    scorer.score(customer, coupons, predictions);
    timer.stop();
    benchmark::DoNotOptimize(predictions.data());
  }
  timer.report(state);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(coupons.coupons.size()));
  state.SetLabel(model->summary() + "; " + std::to_string(coupons.coupons.size()) + " coupons");
}

// The same event the direct way, Model::predict per coupon (a full walk of every tree per
// coupon): what the per-event partial evaluation saves.
void BM_ModelPredictEachCoupon(benchmark::State& state, const std::string& name) {
  std::string why;
  const auto model = model_named(name, why);
  if (!model) {
    state.SkipWithError(why.c_str());
    return;
  }
  const auto catalog = Catalog::build(data().catalog, *model);
  const CategoryCoupons& coupons = catalog->category(kDepartment);
  IterationTimer timer;
  size_t i = 0;
  for (auto _ : state) {
    const CustomerInfo& customer = data().customers[i++ % kCustomers];
    timer.start();
    double sum = 0;
    for (const CouponFeatures& c : coupons.coupons) sum += model->predict(customer, c);
    timer.stop();
    benchmark::DoNotOptimize(sum);
  }
  timer.report(state);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(coupons.coupons.size()));
}

// The whole focus handler with the model: decode, context cache hit, catalog lookup, score,
// rank, encode the results.
void BM_ModelFocusHandler(benchmark::State& state, const std::string& name) {
  std::string why;
  const auto model = model_named(name, why);
  if (!model) {
    state.SkipWithError(why.c_str());
    return;
  }
  GeneratedCustomers customers(data());
  ContextCache contexts(10000, std::chrono::hours(1));
  CatalogCache catalog([] { return data().catalog; }, model, std::chrono::hours(1),
                       std::chrono::hours(1));
  EmbeddedScorer scorer(model);
  Metrics metrics;
  CouponService service({5, 0.2}, customers, contexts, catalog, scorer, metrics);
  std::vector<std::string> events;
  for (int c = 0; c < kCustomers; ++c) {
    const int64_t id = data().customers[static_cast<size_t>(c)].customer_id;
    service.on_entry(entry_event(id));
    events.push_back(focus_event(id, "Men"));
  }
  IterationTimer timer;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& event = events[i++ % events.size()];
    timer.start();
    benchmark::DoNotOptimize(service.on_focus(event));
    timer.stop();
  }
  timer.report(state);
}

// Reading, checking and flattening the model file (plugin start-up, streamhost validate).
void BM_ModelLoadFile(benchmark::State& state) {
  const std::string path = full_size_model_path();
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(
        "the full-size model file is missing: run benchmarks/coupon/make-full-size-model");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(Model::load_file(path));
  state.SetLabel(std::to_string(std::filesystem::file_size(path) >> 20) + " MiB");
}

const int kRegistered = [] {
  for (const char* name : {"gradient_boosting_191x15", "logistic_regression", "reference"}) {
    benchmark::RegisterBenchmark(("BM_ModelScoreFocusEvent/" + std::string(name)).c_str(),
                                 BM_ModelScoreFocusEvent, name)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_ModelFocusHandler/" + std::string(name)).c_str(),
                                 BM_ModelFocusHandler, name)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("BM_ModelPredictEachCoupon/gradient_boosting_191x15",
                               BM_ModelPredictEachCoupon, "gradient_boosting_191x15")
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_ModelLoadFile/gradient_boosting_191x15", BM_ModelLoadFile)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);
  return 0;
}();

}  // namespace

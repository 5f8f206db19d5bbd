// The coupon plugin: a thin shim exposing CouponService's handlers through plugin.hpp.
#include <filesystem>
#include <memory>
#include <mutex>
#include <streamhost/coupon/catalog_cache.hpp>
#include <streamhost/coupon/clock.hpp>
#include <streamhost/coupon/config.hpp>
#include <streamhost/coupon/context_cache.hpp>
#include <streamhost/coupon/coupon_service.hpp>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/http_scorer.hpp>
#include <streamhost/coupon/metrics.hpp>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/pg_store.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <streamhost/plugin.hpp>
#include <streamhost/redact/redact.hpp>
#include <string>

namespace streamhost::coupon {
namespace {

namespace sp = streamhost::plugin;

// Forwards the service's metrics to the host's /metrics.
class HostMetrics final : public Metrics {
 public:
  explicit HostMetrics(sp::Host host) : host_(host) {}
  void observe_seconds(const char* histogram, double seconds) override {
    host_.observe_seconds(histogram, seconds);
  }
  void count(const char* counter, uint64_t delta) override { host_.count(counter, delta); }

 private:
  sp::Host host_;
};

// The host's monotonic clock (a test harness moves it) as the caches' clock.
SteadyClock host_clock(sp::Host host) {
  return [host] {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(host.monotonic()));
  };
}

// The configured model. `streamhost run` checks the config (check_config, which loads the file)
// right before it creates the instance, so the last model loaded is kept and reused while its file
// is unchanged: a large tree ensemble is parsed once, not twice.
std::shared_ptr<const Model> load_model(const std::string& path) {
  if (path.empty()) return std::make_shared<const Model>(Model::from_json(default_model_text()));
  struct Loaded {
    std::string path;
    std::filesystem::file_time_type modified;
    uintmax_t size = 0;
    std::shared_ptr<const Model> model;
  };
  static std::mutex mutex;
  static Loaded last;
  std::error_code error;
  const auto modified = std::filesystem::last_write_time(path, error);
  const uintmax_t size = error ? 0 : std::filesystem::file_size(path, error);
  std::lock_guard lock(mutex);
  if (!error && last.model && last.path == path && last.modified == modified && last.size == size)
    return last.model;
  auto model = std::make_shared<const Model>(Model::load_file(path));
  if (!error) last = Loaded{path, modified, size, model};
  return model;
}

// What `streamhost validate` shows of the model: which file, its kind and size, and the column
// order its trees and coefficients refer to (a wrong order scores wrongly without any error).
std::string model_summary(const Model& model, const std::string& path) {
  std::string features;
  for (size_t i = 0; i < model.encoding().size(); ++i) {
    features += (i ? ", " : "") + model.encoding().feature(i).name;
  }
  return "model:    " + model.name() + " " + model.version() + " (" +
         (path.empty() ? std::string("the built-in reference model") : path) + ")\n" +
         "          " + model.summary() + "\n" +
         "features: " + std::to_string(model.encoding().size()) + ", in order: " + features + "\n";
}

class CouponPlugin {
 public:
  CouponPlugin(sp::Host host, std::string_view config_json)
      : host_(host),
        config_(parse_config(config_json)),
        metrics_(host),
        model_(load_model(config_.model_path)),
        store_(config_.database),
        contexts_(config_.context_cache_capacity, config_.context_cache_ttl, host_clock(host)),
        catalog_([this] { return store_.load_catalog(); }, model_, config_.catalog_refresh_interval,
                 config_.catalog_first_load_retry,
                 [host](const std::string& why) { host.warn(why); }),
        scorer_(make_scorer()),
        service_(ServiceOptions{config_.top_n, config_.threshold}, store_, contexts_, catalog_,
                 *scorer_, metrics_) {
    for (const std::string& warning : security_warnings(config_)) host_.warn(warning);
    host_.info(
        "coupon plugin ready to start: model " + model_->name() + " " + model_->version() + " (" +
        model_->summary() + "), scorer " +
        (config_.scorer ? redact::redact_url(config_.scorer->url) : std::string("embedded")) +
        ", top_n " + std::to_string(config_.top_n) + ", threshold " +
        std::to_string(config_.threshold));
  }

  // The host's config check (ABI 1.1), run by `streamhost validate` too: the model file is read,
  // checked against schema/coupon_model.schema.json and its encoding against the plugin's. The
  // summary `validate` prints lets an operator see which model, and which column order, a
  // deployment would score with before it runs.
  static std::string check_config(std::string_view config_json) {
    const CouponConfig config = parse_config(config_json);
    if (config.scorer) check_scorer_url(config.scorer->url);
    check_config_files(config);
    return model_summary(*load_model(config.model_path), config.model_path);
  }

  sp::Outcome entry(const sp::Record& in, sp::Emitter&) {
    return guarded([&] { service_.on_entry(in.value()); });
  }

  sp::Outcome focus(const sp::Record& in, sp::Emitter& out) {
    return guarded([&] {
      for (const OutputRecord& r : service_.on_focus(in.value())) out.emit(r.value, r.key);
    });
  }

  bool ready(std::string& why) {
    if (!store_.ping(why)) return false;
    if (!catalog_.current()) {
      why = "coupon catalog not loaded yet";
      return false;
    }
    return scorer_->ready(why);
  }

 private:
  std::unique_ptr<Scorer> make_scorer() {
    if (config_.scorer) return std::make_unique<HttpScorer>(*config_.scorer);
    return std::make_unique<EmbeddedScorer>(model_);
  }

  template <typename Fn>
  sp::Outcome guarded(Fn&& fn) {
    try {
      fn();
      return sp::Outcome::ok();
    } catch (const RejectError& e) {
      return sp::Outcome::reject(e.what());
    } catch (const TransientError& e) {
      return sp::Outcome::retry(e.what());
    }
  }

  sp::Host host_;
  CouponConfig config_;
  HostMetrics metrics_;
  std::shared_ptr<const Model> model_;
  PgStore store_;
  ContextCache contexts_;
  CatalogCache catalog_;
  std::unique_ptr<Scorer> scorer_;
  CouponService service_;
};

constexpr sh_handler_def kHandlers[] = {
    sp::handler<&CouponPlugin::entry>(
        {.name = "entry",
         .emits = sp::Emits::nothing,
         .description = "customer entry: caches the customer's context; emits nothing"}),
    sp::handler<&CouponPlugin::focus>(
        {.name = "focus",
         .emits = sp::Emits::to_output_topic,
         .description = "customer focus: emits the best coupon predictions for the department"}),
};

// The descriptor needs a NUL-terminated schema with static storage. The schema is
// schema/coupon_plugin_config.schema.json, shared with the docs, so it stays hand-written.
const char* config_schema() {
  static const std::string text(schema_text(SchemaId::kPluginConfig));
  return text.c_str();
}

}  // namespace
}  // namespace streamhost::coupon

STREAMHOST_PLUGIN(
    streamhost::coupon::CouponPlugin, .name = "coupon", .version = "1.0.0",
    .description = "Retail coupon recommendations for customer entry and focus events",
    .config_schema_json = streamhost::coupon::config_schema(),
    .handlers = streamhost::coupon::kHandlers)

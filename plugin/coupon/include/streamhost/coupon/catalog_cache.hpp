// Holds the current catalog and reloads it in the background on an interval.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <streamhost/coupon/catalog.hpp>
#include <string>
#include <thread>

namespace streamhost::coupon {

class CatalogCache {
 public:
  // Returns the catalog rows; throws (any exception) when the source is unavailable.
  using Loader = std::function<std::vector<CatalogRow>()>;
  // Told about failed (re)loads, from the refresh thread; the message never holds secrets.
  using ErrorSink = std::function<void(const std::string&)>;

  // Tries a first load now; when it fails, the background thread retries every
  // min(refresh_interval, first_load_retry) until one succeeds, then every refresh_interval.
  CatalogCache(Loader loader, std::shared_ptr<const Model> model,
               std::chrono::milliseconds refresh_interval,
               std::chrono::milliseconds first_load_retry, ErrorSink on_error = {});
  ~CatalogCache();
  CatalogCache(const CatalogCache&) = delete;
  CatalogCache& operator=(const CatalogCache&) = delete;

  // The current catalog, or null while none could be loaded yet. Thread-safe, cheap.
  std::shared_ptr<const Catalog> current() const;
  // Loads now on the calling thread; throws what the loader throws.
  void refresh_now();

 private:
  void run();

  Loader loader_;
  std::shared_ptr<const Model> model_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds first_load_retry_;
  ErrorSink on_error_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::shared_ptr<const Catalog> current_;
  std::thread thread_;
};

}  // namespace streamhost::coupon

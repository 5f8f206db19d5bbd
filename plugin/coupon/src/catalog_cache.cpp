#include <exception>
#include <streamhost/coupon/catalog_cache.hpp>

namespace streamhost::coupon {
CatalogCache::CatalogCache(Loader loader, std::shared_ptr<const Model> model,
                           std::chrono::milliseconds refresh_interval,
                           std::chrono::milliseconds first_load_retry, ErrorSink on_error)
    : loader_(std::move(loader)),
      model_(std::move(model)),
      interval_(refresh_interval),
      first_load_retry_(first_load_retry),
      on_error_(std::move(on_error)) {
  try {
    refresh_now();
  } catch (const std::exception& e) {
    if (on_error_)
      on_error_(std::string("catalog load failed, retrying in background: ") + e.what());
  }
  thread_ = std::thread([this] { run(); });
}

CatalogCache::~CatalogCache() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const Catalog> CatalogCache::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void CatalogCache::refresh_now() {
  // Built outside the lock: readers keep using the previous catalog meanwhile.
  auto fresh = Catalog::build(loader_(), *model_);
  std::lock_guard lock(mutex_);
  current_ = std::move(fresh);
}

void CatalogCache::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto wait = current_ ? interval_ : std::min(interval_, first_load_retry_);
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) break;
    lock.unlock();
    try {
      refresh_now();
    } catch (const std::exception& e) {
      if (on_error_)
        on_error_(std::string("catalog refresh failed, keeping the previous one: ") + e.what());
    }
    lock.lock();
  }
}

}  // namespace streamhost::coupon

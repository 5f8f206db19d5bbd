#include <streamhost/coupon/context_cache.hpp>

namespace streamhost::coupon {

ContextCache::ContextCache(size_t capacity, std::chrono::milliseconds ttl, SteadyClock clock)
    : capacity_(capacity == 0 ? 1 : capacity), ttl_(ttl), clock_(std::move(clock)) {}

std::shared_ptr<const CustomerInfo> ContextCache::get(int64_t customer_id) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(customer_id);
  if (it == index_.end()) return nullptr;
  if (clock_() >= it->second->expires) {
    lru_.erase(it->second);
    index_.erase(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->customer;
}

void ContextCache::put(std::shared_ptr<const CustomerInfo> customer) {
  const int64_t id = customer->customer_id;
  const auto expires = clock_() + ttl_;
  std::lock_guard lock(mutex_);
  auto it = index_.find(id);
  if (it != index_.end()) {
    it->second->customer = std::move(customer);
    it->second->expires = expires;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  if (lru_.size() >= capacity_) {
    index_.erase(lru_.back().customer_id);
    lru_.pop_back();
  }
  lru_.push_front(Entry{id, std::move(customer), expires});
  index_.emplace(id, lru_.begin());
}

size_t ContextCache::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

}  // namespace streamhost::coupon

// Bounded cache of customer contexts: least recently used eviction plus a time to live.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <streamhost/coupon/clock.hpp>
#include <streamhost/coupon/customer.hpp>
#include <unordered_map>

namespace streamhost::coupon {

class ContextCache {
 public:
  ContextCache(size_t capacity, std::chrono::milliseconds ttl,
               SteadyClock clock = real_steady_clock());

  // The cached context, or null when absent or older than the TTL (then it is dropped).
  // Thread-safe; a hit makes the entry the most recently used.
  std::shared_ptr<const CustomerInfo> get(int64_t customer_id);
  // Inserts or replaces; evicts the least recently used entry when full. Thread-safe.
  void put(std::shared_ptr<const CustomerInfo> customer);
  size_t size() const;

 private:
  struct Entry {
    int64_t customer_id;
    std::shared_ptr<const CustomerInfo> customer;
    std::chrono::steady_clock::time_point expires;
  };

  const size_t capacity_;
  const std::chrono::milliseconds ttl_;
  SteadyClock clock_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<int64_t, std::list<Entry>::iterator> index_;
};

}  // namespace streamhost::coupon

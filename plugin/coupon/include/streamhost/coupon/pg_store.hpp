// The customer database: customer contexts and the coupon catalog, via prepared statements only.
#pragma once

#include <optional>
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/customer.hpp>
#include <streamhost/coupon/pg_pool.hpp>
#include <string>
#include <vector>

namespace streamhost::coupon {

// Where the service gets a customer's context when the cache has none.
class CustomerSource {
 public:
  virtual ~CustomerSource() = default;
  // nullopt for an unknown customer; throws TransientError when the source is unavailable.
  virtual std::optional<CustomerInfo> fetch_customer(int64_t customer_id) = 0;
};

// A statement that hits a dead connection is retried once on a fresh one; when that fails too (the
// database is really down) the call throws TransientError.
class PgStore final : public CustomerSource {
 public:
  explicit PgStore(PgOptions options);

  std::optional<CustomerInfo> fetch_customer(int64_t customer_id) override;
  // Distinct (coupon, category) pairs with the coupon's features; coupons with NULL features
  // skipped.
  std::vector<CatalogRow> load_catalog();
  // Runs a trivial query; false plus a reason when the database does not answer.
  bool ping(std::string& why);

 private:
  std::chrono::milliseconds query_wait() const {
    return std::chrono::milliseconds(pool_.options().acquire_timeout_ms);
  }

  PgPool pool_;
};

}  // namespace streamhost::coupon

// The plugin's configuration (schema/coupon_plugin_config.schema.json) with its defaults.
#pragma once

#include <chrono>
#include <optional>
#include <streamhost/coupon/http_scorer_options.hpp>
#include <streamhost/coupon/pg_pool.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::coupon {

struct CouponConfig {
  PgOptions database;
  size_t context_cache_capacity = 10000;
  std::chrono::seconds context_cache_ttl{3600};
  std::chrono::seconds catalog_refresh_interval{300};
  // Until the first load succeeds (the database was down at start), it is tried this often.
  std::chrono::seconds catalog_first_load_retry{5};
  std::optional<HttpScorerOptions> scorer;  // nullopt = the embedded model
  std::string model_path;                   // model.path; empty = the model built into the plugin
  size_t top_n = 5;
  double threshold = 0.2;
  // database.password_file when others may read it (mode & 0004): security_warnings names it.
  std::optional<std::string> password_file_readable_by_others;
};

// Validates against the embedded config schema, then applies defaults (database.sslmode:
// verify-full when sslrootcert is set, else prefer). Throws
// std::invalid_argument with a reason naming the field.
CouponConfig parse_config(std::string_view json);

// The files the config names (database sslrootcert, sslcert, sslkey; scorer ca_file) can be read:
// the config check runs it, so `validate` names a missing one. Throws std::invalid_argument.
void check_config_files(const CouponConfig& config);

// What start-up warns about (docs/coupon.md, "PostgreSQL over TLS"): a database beyond loopback
// reached without verify-full, a password file others may read, credentials sent to an http://
// scorer. Empty when none.
std::vector<std::string> security_warnings(const CouponConfig& config);

}  // namespace streamhost::coupon

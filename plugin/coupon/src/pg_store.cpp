#include <climits>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/pg_exec.hpp>
#include <streamhost/coupon/pg_store.hpp>

namespace streamhost::coupon {
namespace {

constexpr const char* kCustomerStatement = "coupon_customer_by_id";
constexpr const char* kCatalogStatement = "coupon_catalog";
constexpr const char* kPingStatement = "coupon_ping";

std::string customer_sql() {
  std::string sql = "SELECT customer_id";
  for (const auto& f : kCustomerFields) sql += std::string(", ") + f.name;
  return sql + " FROM customer_info WHERE customer_id = $1::integer";
}

// Each category's distinct coupons; coupons without features cannot be scored and are left out.
constexpr const char* kCatalogSql =
    "SELECT DISTINCT ci.coupon_id, cc.category, ci.mean_coupon_discount, ci.mean_item_price "
    "FROM coupon_info ci JOIN coupon_categories cc ON cc.coupon_id = ci.coupon_id "
    "WHERE ci.mean_coupon_discount IS NOT NULL AND ci.mean_item_price IS NOT NULL "
    "AND cc.category IS NOT NULL";

using Result = PgResult;

// A connection that broke under a statement (server restart, terminated backend).
struct ConnectionLost : TransientError {
  using TransientError::TransientError;
};

// A statement the server did not answer in time (stopped, partitioned): the connection may still
// get the late answer, so it is dropped, and the caller does not retry at once on a fresh one.
struct NoAnswer : TransientError {
  using TransientError::TransientError;
};

// Runs a prepared statement within the pool's statement deadline; a failure is transient. A
// connection found broken or silent is dropped so the pool reopens it on next use (reconnect after
// a database restart).
Result run(PgPool::Lease& lease, const char* statement, int n_params, const char* const* params) {
  const auto deadline = lease.statement_deadline();
  PgExecOutcome out = pg_exec_prepared(lease.get(), statement, n_params, params, deadline);
  if (out.status == PgExecStatus::kTimedOut) {
    lease.drop();
    throw NoAnswer(std::string("database did not answer statement ") + statement +
                   " in time; connection dropped");
  }
  if (out.status == PgExecStatus::kBroken) {
    lease.drop();
    throw ConnectionLost("database connection lost: " + out.error);
  }
  Result res = std::move(out.result);
  if (PQresultStatus(res.get()) == PGRES_TUPLES_OK) return res;
  const std::string why = pg_failure(res.get(), lease.get());
  if (PQstatus(lease.get()) != CONNECTION_OK) {
    lease.drop();
    throw ConnectionLost("database connection lost: " + why);
  }
  throw TransientError("database query failed: " + why);
}

// Runs a read-only statement; when the pooled connection turns out dead, tries once more on a fresh
// one, so a database restart costs the caller nothing once the server is back.
Result run_reconnecting(PgPool& pool, const char* statement, int n_params,
                        const char* const* params, std::chrono::milliseconds wait) {
  try {
    auto lease = pool.acquire(wait);
    return run(lease, statement, n_params, params);
  } catch (const ConnectionLost&) {
    auto lease = pool.acquire(wait);
    return run(lease, statement, n_params, params);
  }
}

double to_double(const char* text) {
  return std::strtod(text, nullptr);
}

}  // namespace

PgStore::PgStore(PgOptions options)
    : pool_(std::move(options), {{kCustomerStatement, customer_sql(), 1},
                                 {kCatalogStatement, kCatalogSql, 0},
                                 {kPingStatement, "SELECT 1", 0}}) {}

std::optional<CustomerInfo> PgStore::fetch_customer(int64_t customer_id) {
  // customer_info.customer_id is an INT column: larger ids cannot exist.
  if (customer_id < 0 || customer_id > INT_MAX) return std::nullopt;
  const std::string id_text = std::to_string(customer_id);
  const char* params[] = {id_text.c_str()};
  Result res = run_reconnecting(pool_, kCustomerStatement, 1, params, query_wait());
  if (PQntuples(res.get()) == 0) return std::nullopt;
  CustomerInfo c;
  c.customer_id = customer_id;
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    const int col = static_cast<int>(i) + 1;
    if (PQgetisnull(res.get(), 0, col)) continue;
    FieldValue& v = c.fields[i];
    v.null = false;
    const char* text = PQgetvalue(res.get(), 0, col);
    if (kCustomerFields[i].kind == FieldKind::kText) {
      v.text = text;
    } else {
      v.number = to_double(text);
      // NaN or infinity (allowed in FLOAT columns) is no usable value: treat it as unknown.
      if (!std::isfinite(v.number)) v = FieldValue{};
    }
  }
  return c;
}

std::vector<CatalogRow> PgStore::load_catalog() {
  Result res = run_reconnecting(pool_, kCatalogStatement, 0, nullptr, query_wait());
  std::vector<CatalogRow> rows;
  const int n = PQntuples(res.get());
  rows.reserve(static_cast<size_t>(n));
  for (int r = 0; r < n; ++r) {
    auto category = parse_category(PQgetvalue(res.get(), r, 1));
    if (!category) continue;  // a department this service does not know
    rows.push_back(CatalogRow{std::strtoll(PQgetvalue(res.get(), r, 0), nullptr, 10), *category,
                              to_double(PQgetvalue(res.get(), r, 2)),
                              to_double(PQgetvalue(res.get(), r, 3))});
  }
  return rows;
}

bool PgStore::ping(std::string& why) {
  try {
    run_reconnecting(pool_, kPingStatement, 0, nullptr,
                     std::chrono::milliseconds(pool_.options().health_check_timeout_ms));
    return true;
  } catch (const TransientError& e) {
    why = e.what();
    return false;
  }
}

}  // namespace streamhost::coupon

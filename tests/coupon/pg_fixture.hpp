// A direct libpq connection to the local stack's PostgreSQL for integration tests: creates a
// private schema with the cache tables, loads rows, and reads them back. Parameterised SQL only;
// the generated schema name is the one identifier spliced in, escaped by libpq.
#pragma once

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace streamhost::coupon::testing {

// The stack's connection settings (from `manifests/local/stack env`), or the name of a missing one.
struct StackDb {
  std::string host, port, name, user, password;
  std::string missing;

  static StackDb from_env() {
    StackDb db;
    auto get = [&](const char* key, std::string& out) {
      const char* v = std::getenv(key);
      if (v == nullptr || *v == '\0') {
        if (db.missing.empty()) db.missing = key;
        return;
      }
      out = v;
    };
    get("DB_HOST", db.host);
    get("DB_PORT", db.port);
    get("DB_NAME", db.name);
    get("DB_USER", db.user);
    get("DB_PASSWORD", db.password);
    return db;
  }
};

inline std::string random_suffix() {
  std::random_device rd;
  std::mt19937_64 rng(rd());
  const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 10; ++i) s += digits[rng() % 16];
  return s;
}

using Rows = std::vector<std::vector<std::optional<std::string>>>;

class PgTestConnection {
 public:
  explicit PgTestConnection(const StackDb& db) {
    const char* keys[] = {"host", "port", "dbname", "user", "password", "application_name",
                          nullptr};
    const char* values[] = {db.host.c_str(),     db.port.c_str(), db.name.c_str(), db.user.c_str(),
                            db.password.c_str(), "coupon-tests",  nullptr};
    conn_ = PQconnectdbParams(keys, values, 0);
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string why = PQerrorMessage(conn_);
      PQfinish(conn_);
      conn_ = nullptr;
      throw std::runtime_error("cannot connect to the stack's PostgreSQL: " + why);
    }
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);  // DROP ... CASCADE notices
  }
  ~PgTestConnection() {
    if (conn_) PQfinish(conn_);
  }

  Rows query(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::vector<const char*> p;
    for (const auto& s : params) p.push_back(s.c_str());
    std::unique_ptr<PGresult, decltype(&PQclear)> res(
        PQexecParams(conn_, sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(), nullptr,
                     nullptr, 0),
        &PQclear);
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      throw std::runtime_error(sql + ": " + PQresultErrorMessage(res.get()));
    }
    Rows rows;
    for (int r = 0; r < PQntuples(res.get()); ++r) {
      rows.emplace_back();
      for (int c = 0; c < PQnfields(res.get()); ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          rows.back().push_back(std::nullopt);
        } else {
          rows.back().push_back(std::string(PQgetvalue(res.get(), r, c)));
        }
      }
    }
    return rows;
  }

  // Creates `<prefix>_<random>` with the three cache tables and makes it this connection's
  // search_path. Returns the schema name.
  std::string create_schema(const std::string& prefix) {
    const std::string name = prefix + "_" + random_suffix();
    query("CREATE SCHEMA " + identifier(name));
    query("SELECT set_config('search_path', $1, false)", {name});
    query(
        "CREATE TABLE coupon_categories (id SERIAL PRIMARY KEY, coupon_id INT, item_id INT, "
        "category VARCHAR(50))");
    query(
        "CREATE TABLE coupon_info (coupon_id INT PRIMARY KEY, mean_coupon_discount FLOAT, "
        "mean_item_price FLOAT)");
    query(
        "CREATE TABLE customer_info (customer_id INT PRIMARY KEY, age_range VARCHAR(6), "
        "marital_status VARCHAR(10), family_size INT, no_of_children INT, income_bracket INT, "
        "gender VARCHAR(1), mean_discount_used_by_cust FLOAT, unique_items_bought_by_cust INT, "
        "mean_selling_price_paid_by_cust FLOAT, mean_quantity_bought_by_cust FLOAT, "
        "total_discount_used_by_cust FLOAT, total_coupons_used_by_cust INT, "
        "total_price_paid_by_cust FLOAT, total_quantity_bought_by_cust INT)");
    return name;
  }

  void drop_schema(const std::string& name) {
    query("DROP SCHEMA IF EXISTS " + identifier(name) + " CASCADE");
  }

  // Streams a CSV file (with a header line) into `table_and_columns` with COPY ... FROM STDIN.
  void copy_csv(const std::string& table_and_columns, const std::string& path) {
    std::unique_ptr<PGresult, decltype(&PQclear)> start(
        PQexec(
            conn_,
            ("COPY " + table_and_columns + " FROM STDIN WITH (FORMAT csv, HEADER true)").c_str()),
        &PQclear);
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
      throw std::runtime_error("COPY failed: " + std::string(PQresultErrorMessage(start.get())));
    }
    std::ifstream in(path, std::ios::binary);
    char buffer[65536];
    while (in) {
      in.read(buffer, sizeof buffer);
      if (in.gcount() > 0 && PQputCopyData(conn_, buffer, static_cast<int>(in.gcount())) != 1) {
        throw std::runtime_error("COPY data failed");
      }
    }
    PQputCopyEnd(conn_, nullptr);
    std::unique_ptr<PGresult, decltype(&PQclear)> done(PQgetResult(conn_), &PQclear);
    if (PQresultStatus(done.get()) != PGRES_COMMAND_OK) {
      throw std::runtime_error("COPY failed: " + std::string(PQresultErrorMessage(done.get())));
    }
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }

 private:
  std::string identifier(const std::string& name) {
    char* escaped = PQescapeIdentifier(conn_, name.c_str(), name.size());
    std::string out = escaped;
    PQfreemem(escaped);
    return out;
  }

  PGconn* conn_ = nullptr;
};

}  // namespace streamhost::coupon::testing

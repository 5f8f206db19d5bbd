// The stack's PostgreSQL holds the cache tables with the data set `stack env` names; a customer
// read with a parameterised query matches what the generator (or the real CSV) says about it.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "stack_env.hpp"
#include "streamhost/datagen/dataset.hpp"

namespace dg = streamhost::datagen;

namespace {

using Conn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

constexpr char kCustomerQuery[] =
    "SELECT age_range, marital_status, family_size, no_of_children, income_bracket, gender, "
    "mean_discount_used_by_cust, total_price_paid_by_cust, total_quantity_bought_by_cust "
    "FROM customer_info WHERE customer_id = $1";

// The expected row as text fields, in kCustomerQuery's column order.
std::vector<std::string> expected_synthetic(std::uint64_t seed, int id) {
  const auto c = dg::make_customer(seed, id);
  return {std::string(c.age_range),
          std::string(c.marital_status),
          std::to_string(c.family_size),
          std::to_string(c.no_of_children),
          std::to_string(c.income_bracket),
          std::string(c.gender),
          dg::format_centi(c.mean_discount_used),
          dg::format_centi(c.total_price_paid),
          std::to_string(c.total_quantity_bought)};
}

std::vector<std::string> expected_from_csv(const std::filesystem::path& csv, int id) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) f.push_back(cell);
    if (!f.empty() && f[0] == std::to_string(id)) {
      // customer_info.csv column order; see the seed's table definition.
      return {f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[13], f[14]};
    }
  }
  return {};
}

Result query_customer(PGconn* conn, int id) {
  const std::string id_text = std::to_string(id);
  const char* params[] = {id_text.c_str()};
  return Result(PQexecParams(conn, kCustomerQuery, 1, nullptr, params, nullptr, nullptr, 0),
                &PQclear);
}

// FLOAT columns come back as text; compare them as numbers to two decimals.
void expect_field(const std::string& got, const std::string& want, int column) {
  if (column >= 6 && column <= 7) {
    EXPECT_NEAR(std::stod(got), std::stod(want), 0.005) << "column " << column;
  } else {
    EXPECT_EQ(got, want) << "column " << column;
  }
}

}  // namespace

TEST(StackCacheDb, CustomerRowMatchesTheLoadedDataSet) {
  STACK_REQUIRE_ENV(dsn, "STREAMHOST_PG_DSN");
  STACK_REQUIRE_ENV(dataset, "STREAMHOST_DATASET");
  Conn conn(PQconnectdb(dsn.c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());

  for (int id : {1, 7, 1582}) {
    std::vector<std::string> want;
    if (dataset.rfind("synthetic:", 0) == 0) {
      want = expected_synthetic(std::stoull(dataset.substr(10)), id);
    } else {
      const std::filesystem::path csv =
          std::filesystem::path(streamhost::stack_test::stack_env("STREAMHOST_DATASET_DIR")) /
          "customer_info.csv";
      if (!std::filesystem::exists(csv)) GTEST_SKIP() << "real data set not present at " << csv;
      want = expected_from_csv(csv, id);
    }
    ASSERT_EQ(want.size(), 9U) << "no expected row for customer " << id;
    const Result res = query_customer(conn.get(), id);
    ASSERT_EQ(PQresultStatus(res.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
    ASSERT_EQ(PQntuples(res.get()), 1) << "customer " << id << " missing";
    for (int col = 0; col < 9; ++col) expect_field(PQgetvalue(res.get(), 0, col), want[col], col);
  }
}

TEST(StackCacheDb, EveryCategoryHasCouponsWithInfo) {
  STACK_REQUIRE_ENV(dsn, "STREAMHOST_PG_DSN");
  Conn conn(PQconnectdb(dsn.c_str()), &PQfinish);
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  for (auto category : dg::kCategories) {
    const std::string name(category);
    const char* params[] = {name.c_str()};
    const Result res(
        PQexecParams(conn.get(),
                     "SELECT count(DISTINCT cc.coupon_id), count(DISTINCT ci.coupon_id) "
                     "FROM coupon_categories cc LEFT JOIN coupon_info ci USING (coupon_id) "
                     "WHERE cc.category = $1",
                     1, nullptr, params, nullptr, nullptr, 0),
        &PQclear);
    ASSERT_EQ(PQresultStatus(res.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
    const long coupons = std::stol(PQgetvalue(res.get(), 0, 0));
    EXPECT_GE(coupons, 500) << name;
    EXPECT_EQ(std::stol(PQgetvalue(res.get(), 0, 1)), coupons) << name << ": coupons without info";
  }
}

// The coupon plugin's own connection code (PgPool) against the local stack's PostgreSQL over TLS,
// verifying the server with the CA the stack made (manifests/local/lib/postgres.sh): verify-full
// connects and the session is encrypted; a CA that did not sign the server's certificate is
// refused. Skips where the running stack predates TLS (no DB_SSLROOTCERT in `stack env`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/pg_pool.hpp>
#include <string>

#include "pg_fixture.hpp"

namespace streamhost::coupon {
namespace {

class PgTls : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::StackDb::from_env();
    if (!db_.missing.empty()) GTEST_SKIP() << db_.missing << " not set: run the local stack";
    const char* ca = std::getenv("DB_SSLROOTCERT");
    if (ca == nullptr || *ca == '\0') {
      GTEST_SKIP() << "DB_SSLROOTCERT not set: the running stack has no TLS (restart it with "
                      "manifests/local/stack up from this checkout)";
    }
    ca_ = ca;
  }

  PgOptions options(const std::string& sslmode, const std::string& rootcert) const {
    PgOptions o;
    o.host = db_.host;
    o.port = std::stoi(db_.port);
    o.dbname = db_.name;
    o.user = db_.user;
    o.password = db_.password;
    o.pool_size = 1;
    o.application_name = "coupon-tls-test";
    o.sslmode = sslmode;
    o.sslrootcert = rootcert;
    return o;
  }

  // Whether the pool's connection is encrypted, as the server sees it.
  static std::string ssl_of(PgPool& pool) {
    PgPool::Lease lease = pool.acquire(std::chrono::seconds(10));
    PGresult* r =
        PQexec(lease.get(), "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    std::string out = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                          ? PQgetvalue(r, 0, 0)
                          : std::string("error: ") + PQerrorMessage(lease.get());
    PQclear(r);
    return out;
  }

  testing::StackDb db_;
  std::string ca_;
};

TEST_F(PgTls, VerifyFullWithTheStacksCaConnectsEncrypted) {
  PgPool pool(options("verify-full", ca_), {});
  EXPECT_EQ(ssl_of(pool), "true");
}

TEST_F(PgTls, VerifyFullRefusesAServerItsCaDidNotSign) {
  // The system's public CAs did not sign the stack's certificate: verify-full must refuse.
  PgPool pool(options("verify-full", "/etc/ssl/certs/ca-certificates.crt"), {});
  try {
    pool.acquire(std::chrono::seconds(10));
    ADD_FAILURE() << "verify-full accepted a server whose certificate the CA did not sign";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
        << e.what();
  }
}

TEST_F(PgTls, DisableIsPlainText) {
  // The same check on an unencrypted session reads false: the assertion above can fail.
  PgPool pool(options("disable", ""), {});
  EXPECT_EQ(ssl_of(pool), "false");
}

}  // namespace
}  // namespace streamhost::coupon

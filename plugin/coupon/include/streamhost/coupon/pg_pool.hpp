// A small pool of libpq connections with prepared statements, reconnecting after a database
// restart: a broken connection is detected, dropped and reopened on next use.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <streamhost/coupon/pg_handles.hpp>
#include <string>
#include <vector>

namespace streamhost::coupon {

struct PgOptions {
  std::string host = "127.0.0.1";
  int port = 5432;
  std::string dbname;
  std::string user;
  std::string password;  // never logged
  std::string
      schema;  // empty = the server's search_path; else an identifier ([A-Za-z_][A-Za-z0-9_]*)
  std::string application_name = "streamhost-coupon";
  // libpq's TLS settings, passed as they are (docs/coupon.md, "PostgreSQL over TLS"). prefer is
  // libpq's own default: TLS when offered, no certificate check; verify-full checks CA and name.
  std::string sslmode = "prefer";
  std::string sslrootcert;  // empty: libpq's default (~/.postgresql/root.crt)
  std::string sslcert;      // client certificate, with sslkey; empty: none
  std::string sslkey;
  int pool_size = 4;
  int connect_timeout_s = 5;
  // Sets the server's statement_timeout, and bounds each statement on the client side at this plus
  // a second (a stopped server never sends its timeout error). 0: neither.
  int statement_timeout_ms = 5000;
  // How long a handler's query waits for a free pooled connection (and its reconnect) before the
  // handler answers RETRY; size the pool to the workers and this rarely waits at all.
  int acquire_timeout_ms = 10000;
  // The same wait for the readiness check's ping: short, so /readyz reports a database that stopped
  // answering within a few seconds.
  int health_check_timeout_ms = 2000;
};

struct PreparedStatement {
  std::string name;
  std::string sql;
  int param_count = 0;
};

class PgPool {
 public:
  // A connection borrowed from the pool; returns it on destruction. Not thread-safe itself.
  class Lease {
   public:
    Lease(PgPool* pool, size_t slot) : pool_(pool), slot_(slot) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PGconn* get() const;
    // When the statement now starting must have its answer: statement_timeout_ms plus a second.
    std::chrono::steady_clock::time_point statement_deadline() const;
    // Closes the connection (it is reopened by the next acquire of this slot).
    void drop();

   private:
    PgPool* pool_;
    size_t slot_;
  };

  // Connections open lazily, on first use.
  PgPool(PgOptions options, std::vector<PreparedStatement> statements);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Waits for a free slot, (re)connects it when needed and prepares the statements.
  // Throws TransientError when the database cannot be reached or no slot frees up in time.
  Lease acquire(std::chrono::milliseconds wait);

  const PgOptions& options() const { return options_; }

 private:
  void release(size_t slot);
  PgConn connect();

  PgOptions options_;
  std::vector<PreparedStatement> statements_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<PgConn> conns_;  // null: closed, opened by the next acquire of the slot
  std::vector<bool> busy_;
};

}  // namespace streamhost::coupon

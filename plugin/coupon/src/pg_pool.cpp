#include <cctype>
#include <stdexcept>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/pg_exec.hpp>
#include <streamhost/coupon/pg_pool.hpp>
#include <string>

namespace streamhost::coupon {
namespace {

// Far enough that it never fires, for statement_timeout_ms = 0.
constexpr std::chrono::hours kNoDeadline{24 * 365};

std::chrono::milliseconds client_bound(const PgOptions& options) {
  if (options.statement_timeout_ms <= 0) return kNoDeadline;
  return std::chrono::milliseconds(options.statement_timeout_ms) + std::chrono::seconds(1);
}

}  // namespace

PgPool::Lease::~Lease() {
  if (pool_) pool_->release(slot_);
}

PGconn* PgPool::Lease::get() const {
  return pool_->conns_[slot_].get();
}

std::chrono::steady_clock::time_point PgPool::Lease::statement_deadline() const {
  return std::chrono::steady_clock::now() + client_bound(pool_->options_);
}

void PgPool::Lease::drop() {
  // Only this lease's holder touches the slot's connection, so no lock is needed.
  pool_->conns_[slot_].reset();
}

PgPool::PgPool(PgOptions options, std::vector<PreparedStatement> statements)
    : options_(std::move(options)),
      statements_(std::move(statements)),
      conns_(static_cast<size_t>(options_.pool_size < 1 ? 1 : options_.pool_size)),
      busy_(conns_.size(), false) {
  for (char c : options_.schema) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      throw std::invalid_argument("database schema must be an identifier: " + options_.schema);
    }
  }
}

PgPool::Lease PgPool::acquire(std::chrono::milliseconds wait) {
  size_t slot = 0;
  {
    std::unique_lock lock(mutex_);
    auto free_slot = [&] {
      for (size_t i = 0; i < busy_.size(); ++i) {
        if (!busy_[i]) {
          slot = i;
          return true;
        }
      }
      return false;
    };
    if (!freed_.wait_for(lock, wait, free_slot)) {
      throw TransientError("database pool exhausted: no connection free within " +
                           std::to_string(wait.count()) + " ms");
    }
    busy_[slot] = true;
  }
  Lease lease(this, slot);
  PgConn& conn = conns_[slot];
  // An idle connection whose server went away (restart, pg_terminate_backend) only notices when it
  // reads: consume pending input so a dead socket shows up as CONNECTION_BAD before we use it.
  if (conn && (PQconsumeInput(conn.get()) == 0 || PQstatus(conn.get()) != CONNECTION_OK)) {
    lease.drop();
  }
  if (!conn) conn = connect();
  return lease;
}

void PgPool::release(size_t slot) {
  {
    std::lock_guard lock(mutex_);
    busy_[slot] = false;
  }
  freed_.notify_one();
}

PgConn PgPool::connect() {
  const std::string port = std::to_string(options_.port);
  const std::string timeout = std::to_string(options_.connect_timeout_s);
  std::vector<const char*> keys{"host",           "port", "dbname", "user", "application_name",
                                "connect_timeout"};
  std::vector<const char*> values{options_.host.c_str(),
                                  port.c_str(),
                                  options_.dbname.c_str(),
                                  options_.user.c_str(),
                                  options_.application_name.c_str(),
                                  timeout.c_str()};
  // The config schema limits the schema name to an identifier, so it cannot inject options.
  std::string server_options;
  if (!options_.schema.empty()) server_options = "-csearch_path=" + options_.schema;
  if (options_.statement_timeout_ms > 0) {
    if (!server_options.empty()) server_options += ' ';
    server_options += "-cstatement_timeout=" + std::to_string(options_.statement_timeout_ms);
  }
  if (!server_options.empty()) {
    keys.push_back("options");
    values.push_back(server_options.c_str());
  }
  if (!options_.password.empty()) {
    keys.push_back("password");
    values.push_back(options_.password.c_str());
  }
  keys.push_back("sslmode");
  values.push_back(options_.sslmode.c_str());
  for (const auto& [key, value] :
       {std::pair{"sslrootcert", &options_.sslrootcert}, std::pair{"sslcert", &options_.sslcert},
        std::pair{"sslkey", &options_.sslkey}}) {
    if (value->empty()) continue;
    keys.push_back(key);
    values.push_back(value->c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PgConn conn(PQconnectdbParams(keys.data(), values.data(), 0));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw TransientError("database unavailable: " + pg_first_line(PQerrorMessage(conn.get())));
  }
  // libpq prints server notices to stderr by default; failures reach callers as errors instead.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + client_bound(options_);
  for (const PreparedStatement& s : statements_) {
    PgExecOutcome out =
        pg_prepare(conn.get(), s.name.c_str(), s.sql.c_str(), s.param_count, deadline);
    std::string why;
    if (out.status == PgExecStatus::kTimedOut) {
      why = "no answer within " + std::to_string(client_bound(options_).count()) + " ms";
    } else if (out.status == PgExecStatus::kBroken) {
      why = out.error;
    } else if (PQresultStatus(out.result.get()) != PGRES_COMMAND_OK) {
      why = pg_failure(out.result.get(), conn.get());
    }
    if (!why.empty()) {
      throw TransientError("database statement " + s.name + " could not be prepared: " + why);
    }
  }
  return conn;
}

}  // namespace streamhost::coupon

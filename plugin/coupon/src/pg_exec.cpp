#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <streamhost/coupon/pg_exec.hpp>

namespace streamhost::coupon {
namespace {

// Waits until the socket is readable (or writable, while output is pending) or the deadline.
// False on timeout or a poll() error.
bool wait_socket(PGconn* conn, bool for_write, std::chrono::steady_clock::time_point deadline) {
  const int fd = PQsocket(conn);
  if (fd < 0) return false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, static_cast<short>(POLLIN | (for_write ? POLLOUT : 0)), 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

PgExecOutcome timed_out() {
  PgExecOutcome out;
  out.status = PgExecStatus::kTimedOut;
  return out;
}

PgExecOutcome broken(PGconn* conn) {
  PgExecOutcome out;
  out.status = PgExecStatus::kBroken;
  out.error = pg_first_line(PQerrorMessage(conn));
  return out;
}

// Sends what libpq buffered, then collects results until the statement's end (a null result).
PgExecOutcome finish(PGconn* conn, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const int flushed = PQflush(conn);
    if (flushed < 0) return broken(conn);
    if (flushed == 0) break;
    if (!wait_socket(conn, true, deadline)) return timed_out();
    if (PQconsumeInput(conn) == 0) return broken(conn);
  }
  PgExecOutcome out;
  for (;;) {
    while (PQisBusy(conn)) {
      if (!wait_socket(conn, false, deadline)) return timed_out();
      if (PQconsumeInput(conn) == 0) return broken(conn);
    }
    PGresult* next = PQgetResult(conn);
    if (next == nullptr) break;
    out.result.reset(next);  // a statement has one result; keep the last if ever more
  }
  if (!out.result) return broken(conn);
  out.status = PgExecStatus::kDone;
  return out;
}

// The connection is used in non-blocking mode only for the duration of one call.
struct NonBlocking {
  explicit NonBlocking(PGconn* c) : conn(c), ok(PQsetnonblocking(c, 1) == 0) {}
  ~NonBlocking() { PQsetnonblocking(conn, 0); }
  PGconn* conn;
  bool ok;
};

}  // namespace

std::string pg_first_line(const char* message) {
  std::string text = message ? message : "";
  auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

std::string pg_failure(const PGresult* result, PGconn* conn) {
  std::string why = pg_first_line(PQresultErrorMessage(result));
  if (why.empty()) why = pg_first_line(PQerrorMessage(conn));
  // Never empty: an empty reason must not read as success.
  return why.empty() ? std::string("result status ") + PQresStatus(PQresultStatus(result)) : why;
}

PgExecOutcome pg_exec_prepared(PGconn* conn, const char* statement, int n_params,
                               const char* const* params,
                               std::chrono::steady_clock::time_point deadline) {
  NonBlocking mode(conn);
  if (!mode.ok) return broken(conn);
  if (PQsendQueryPrepared(conn, statement, n_params, params, nullptr, nullptr, 0) == 0) {
    return broken(conn);
  }
  return finish(conn, deadline);
}

PgExecOutcome pg_prepare(PGconn* conn, const char* statement, const char* sql, int n_params,
                         std::chrono::steady_clock::time_point deadline) {
  NonBlocking mode(conn);
  if (!mode.ok) return broken(conn);
  if (PQsendPrepare(conn, statement, sql, n_params, nullptr) == 0) return broken(conn);
  return finish(conn, deadline);
}

}  // namespace streamhost::coupon

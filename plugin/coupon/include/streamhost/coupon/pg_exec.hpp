// Runs one prepared statement with a client-side deadline. The server's statement_timeout ends a
// slow query, but not a server that does not answer at all (stopped, a network partition with the
// socket still open): a blocking PQexecPrepared would then hold the worker forever. This one waits
// on the socket with poll() and gives up at the deadline.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <streamhost/coupon/pg_handles.hpp>
#include <string>

namespace streamhost::coupon {

enum class PgExecStatus {
  kDone,      // `result` holds the server's answer (which may be an error)
  kTimedOut,  // no complete answer before the deadline; the connection must be dropped
  kBroken,    // sending or reading failed; the connection must be dropped
};

struct PgExecOutcome {
  PgExecStatus status = PgExecStatus::kBroken;
  PgResult result;    // the last result of the statement when kDone
  std::string error;  // first line of libpq's message when kBroken
};

// `statement` must have been prepared on `conn`. PQprepare is done the same way when `sql` is set
// (then `statement` is the name to prepare under).
PgExecOutcome pg_exec_prepared(PGconn* conn, const char* statement, int n_params,
                               const char* const* params,
                               std::chrono::steady_clock::time_point deadline);
PgExecOutcome pg_prepare(PGconn* conn, const char* statement, const char* sql, int n_params,
                         std::chrono::steady_clock::time_point deadline);

// libpq messages end with a newline and may span lines; the first line is the useful part.
std::string pg_first_line(const char* message);
// Why a statement failed: the first line of its result's error, else of the connection's, else
// the result status; never empty.
std::string pg_failure(const PGresult* result, PGconn* conn);

}  // namespace streamhost::coupon

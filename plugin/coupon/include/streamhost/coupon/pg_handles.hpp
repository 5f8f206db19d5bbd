// Owning handles for libpq objects, so a connection is closed and a result freed on every path,
// errors included.
#pragma once

#include <libpq-fe.h>

#include <memory>

namespace streamhost::coupon {

struct PgConnFinish {
  void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct PgResultClear {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};

using PgConn = std::unique_ptr<PGconn, PgConnFinish>;
using PgResult = std::unique_ptr<PGresult, PgResultClear>;

}  // namespace streamhost::coupon

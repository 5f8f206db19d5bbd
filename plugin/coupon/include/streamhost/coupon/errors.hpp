// The two ways the coupon logic fails, mapped by the plugin shim onto the host's statuses.
#pragma once

#include <stdexcept>

namespace streamhost::coupon {

// This input can never succeed (malformed event, unknown customer or category): dead-letter it.
struct RejectError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A dependency (database, scorer) is unavailable: the same input may succeed later.
struct TransientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace streamhost::coupon

#include "runtime/source_call_watch.hpp"

namespace streamhost::host::runtime {

std::chrono::steady_clock::rep SourceCallWatch::now_rep() {
  // Never 0, which stands for "none".
  const auto rep = std::chrono::steady_clock::now().time_since_epoch().count();
  return rep == 0 ? 1 : rep;
}

SourceCallWatch::Call SourceCallWatch::begin(const char* call) {
  // The name first: a reader that sees the start time sees this call's name (or a later one's).
  call_.store(call);
  started_.store(now_rep());
  return Call(*this);
}

void SourceCallWatch::polled() {
  last_poll_ok_.store(now_rep());
}

SourceCallWatch::Reading SourceCallWatch::read() const {
  using Duration = std::chrono::steady_clock::duration;
  const auto now = now_rep();
  Reading r;
  const auto last = last_poll_ok_.load();
  r.polled_ok = last != 0;
  // A poll (or call) that ends between our clock read and the load stamps a later time than
  // `now`: an age is never negative, so such a reading is 0.
  auto age = [now](std::chrono::steady_clock::rep since) {
    return Duration(now > since ? now - since : 0);
  };
  r.since_poll_ok = age(last != 0 ? last : created_);
  if (const auto started = started_.load(); started != 0) {
    r.waiting_call = call_.load();
    r.waiting_for = age(started);
  }
  return r;
}

}  // namespace streamhost::host::runtime

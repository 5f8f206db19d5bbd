// The Pipeline's operator side: pause and resume, the keep-alive wait while everything is paused,
// and the partition figures the poll thread publishes for the management API.
#include <algorithm>
#include <set>

#include "runtime/log.hpp"
#include "runtime/pipeline.hpp"

namespace streamhost::host::runtime {

bool Pipeline::pause(const std::optional<std::string>& route) {
  if (!route) {
    operator_pauses_.set_pipeline(true);
  } else {
    if (std::none_of(routes_.begin(), routes_.end(),
                     [&](const Route& r) { return r.name == *route; })) {
      return false;
    }
    operator_pauses_.set_route(*route, true);
  }
  log::info("runtime", "paused by an operator; the consumer keeps its partitions",
            {{"route", route.value_or("*")}});
  return true;
}

bool Pipeline::resume(const std::optional<std::string>& route) {
  if (!route) {
    operator_pauses_.set_pipeline(false);
  } else {
    if (std::none_of(routes_.begin(), routes_.end(),
                     [&](const Route& r) { return r.name == *route; })) {
      return false;
    }
    operator_pauses_.set_route(*route, false);
  }
  log::info("runtime", "resumed by an operator; reading again from the first dropped record",
            {{"route", route.value_or("*")}});
  return true;
}

bool Pipeline::operator_paused(const connector::TopicPartition& tp) const {
  auto route = route_by_topic_.find(tp.topic);
  return route != route_by_topic_.end() && operator_pauses_.route_paused(route->second->name);
}

void Pipeline::wait_while_operator_paused() {
  // Everything paused: poll only once per keep-alive interval, so the consumer instance and its
  // group membership stay alive without reading the backlog just to drop it. What that poll
  // returns is dropped (dispatch) and read again after the resume.
  const auto keepalive = std::chrono::steady_clock::now() + options_.keepalive_poll_interval;
  while (!stop_.load() && operator_pauses_.everything_paused(routes_.size()) &&
         std::chrono::steady_clock::now() < keepalive) {
    poll_loop_beat_.store(std::chrono::steady_clock::now().time_since_epoch().count());
    maybe_commit(false);  // records finishing meanwhile still move the committed offsets
    refresh_assignment(false);
    publish_status(false);
    std::unique_lock lock(state_mutex_);
    stop_wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_.load(); });
  }
}

void Pipeline::refresh_assignment(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now < next_assignment_refresh_) return;
  next_assignment_refresh_ = now + options_.assignment_refresh;
  try {
    auto call = source_calls_.begin("assignment");
    assigned_ = source_.assignment();
  } catch (const std::exception&) {
    // Shown from the last listing until one succeeds; commits list again on their own.
  }
  log_assignment_change();
  // A partition lost in a rebalance is let go here too, not only at the next commit, so the
  // plugins' partitions_revoked comes within the refresh interval even when nothing is committed.
  if (assigned_) forget_revoked(*assigned_);
}

// Which partitions this host reads is the first thing an operator asks after a rebalance, a
// restart or a mistyped topic (a proxy may create it empty): logged whenever the listing changes.
void Pipeline::log_assignment_change() {
  if (!assigned_ || assigned_ == logged_assignment_) return;
  std::vector<connector::TopicPartition> sorted = *assigned_;
  std::sort(sorted.begin(), sorted.end());
  if (logged_assignment_ && sorted == *logged_assignment_) return;
  std::string list;
  for (const auto& tp : sorted) {
    list += (list.empty() ? "" : ",") + tp.topic + "/" + std::to_string(tp.partition);
  }
  log::info(
      "runtime",
      sorted.empty() ? "no partitions assigned to this host" : "partitions assigned to this host",
      {{"partitions", list.empty() ? "none" : list}, {"count", std::to_string(sorted.size())}});
  logged_assignment_ = std::move(sorted);
}

void Pipeline::publish_status(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now < next_status_publish_) return;
  next_status_publish_ = now + options_.status_publish_interval;
  std::set<connector::TopicPartition> shown;
  if (assigned_) {
    shown.insert(assigned_->begin(), assigned_->end());
  } else {
    // The partitions that delivered records: dispatched, or dropped while paused.
    for (const auto& [tp, tracker] : trackers_) shown.insert(tp);
    for (const auto& [tp, offset] : rewind_) shown.insert(tp);
  }
  const bool capped = capped_.load();
  const bool pipeline_paused = operator_pauses_.pipeline_paused();
  std::vector<PartitionStatus> partitions;
  for (const auto& tp : shown) {
    PartitionStatus p;
    p.partition = tp;
    auto route = route_by_topic_.find(tp.topic);
    if (route != route_by_topic_.end()) p.route = route->second->name;
    if (auto c = committed_shown_.find(tp); c != committed_shown_.end()) p.committed = c->second;
    if (auto t = trackers_.find(tp); t != trackers_.end()) {
      p.last_dispatched = t->second->last_tracked();
      p.in_flight = t->second->pending();
    }
    if (pipeline_paused) {
      p.paused_because.push_back("paused by an operator");
    } else if (operator_pauses_.route_paused(p.route)) {
      p.paused_because.push_back("route paused by an operator");
    }
    if (pauses_.is_paused(tp)) p.paused_because.push_back("handler RETRY");
    if (capped) p.paused_because.push_back("in-flight cap");
    if (auto r = rewind_.find(tp); r != rewind_.end() && p.paused_because.empty()) {
      p.paused_because.push_back("rewinding to " + std::to_string(r->second));
    }
    partitions.push_back(std::move(p));
  }
  std::lock_guard lock(status_mutex_);
  published_partitions_ = std::move(partitions);
}

PipelineStatus Pipeline::status() const {
  PipelineStatus s;
  const bool started = started_.load();  // before health(): see run()
  s.health = health();
  s.pipeline_paused = operator_pauses_.pipeline_paused();
  s.paused_routes = operator_pauses_.paused_routes();
  {
    std::lock_guard lock(status_mutex_);
    s.partitions = published_partitions_;
  }
  StateInputs in;
  in.fatal_message = s.health.fatal_message;
  in.stopping = s.health.stopping || (!s.health.running && started);
  in.pipeline_paused = s.pipeline_paused;
  in.routes = routes_.size();
  in.routes_paused = s.paused_routes.size();
  in.retry_paused_partitions = s.health.paused_partitions;
  in.source_ok = s.health.source_ok;
  in.source_error = s.health.source_error;
  in.stalled_call = s.health.stalled_call;
  in.stalled_for = s.health.stalled_for;
  s.state = derive_state(in);
  return s;
}

}  // namespace streamhost::host::runtime

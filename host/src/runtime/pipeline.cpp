#include "runtime/pipeline.hpp"

#include <algorithm>
#include <cassert>
#include <set>
#include <stdexcept>
#include <streamhost/connector/errors.hpp>
#include <thread>

#include "runtime/backoff.hpp"
#include "runtime/log.hpp"

namespace streamhost::host::runtime {
namespace {

Clock& clock_or_default(Clock* c) {
  return c ? *c : steady_clock();
}

std::string tp_name(const connector::TopicPartition& tp) {
  return tp.topic + "/" + std::to_string(tp.partition);
}

}  // namespace

Pipeline::Pipeline(connector::Source& source, connector::Sink& sink, std::vector<Route> routes,
                   PipelineOptions options, metrics::Registry& registry)
    : source_(source),
      sink_(sink),
      routes_(std::move(routes)),
      options_(std::move(options)),
      clock_(clock_or_default(options_.clock)),
      metrics_(registry, routes_),
      in_flight_(metrics_.in_flight, &metrics_.in_flight_bytes),
      producer_(sink_, clock_, options_.produce_retry, options_.max_produce_batch,
                options_.produce_lanes, metrics_, in_flight_,
                [this](const std::string& m) { fatal(m); }),
      workers_(
          options_.workers,
          WorkerContext{&clock_, options_.retry, options_.dead_letter_topic, &metrics_, &pauses_,
                        &in_flight_, &producer_, [this](const std::string& m) { fatal(m); },
                        &halted_, options_.dead_letter_max_bytes, options_.crash_journal}) {
  for (const auto& route : routes_) {
    if (route.handler.plugin == nullptr || route.handler.handler == nullptr) {
      throw std::invalid_argument("route " + route.name + " has no resolved handler");
    }
    // One route per topic is the manifest's rule (its mapper refuses a second route on a topic).
    [[maybe_unused]] const bool first = route_by_topic_.emplace(route.source_topic, &route).second;
    assert(first);
  }
  if (options_.crash_journal != nullptr) options_.crash_journal->bind_routes(routes_);
}

Pipeline::~Pipeline() {
  workers_.abandon();
  workers_.join();
  producer_.abandon();
  producer_.join();
}

void Pipeline::request_stop() {
  stop_.store(true);
  std::lock_guard lock(state_mutex_);
  stop_wake_.notify_all();
}

void Pipeline::fatal(const std::string& message) {
  halted_.store(true);
  {
    std::lock_guard lock(state_mutex_);
    if (!fatal_message_) {
      fatal_message_ = message;
      log::error("runtime", "stopping the pipeline: " + message);
    }
  }
  request_stop();
}

PipelineHealth Pipeline::health() const {
  PipelineHealth h;
  h.running = running_.load();
  h.stopping = stop_.load();
  h.paused_partitions = pauses_.paused_count();
  h.in_flight = in_flight_.count();
  h.backpressure = capped_.load();
  h.since_progress = in_flight_.since_progress();
  h.since_poll_loop = std::chrono::steady_clock::now().time_since_epoch() -
                      std::chrono::steady_clock::duration(poll_loop_beat_.load());
  const SourceCallWatch::Reading calls = source_calls_.read();
  h.since_poll_ok = calls.since_poll_ok;
  if (calls.waiting_call != nullptr && calls.waiting_for > options_.stall_after) {
    h.stalled_call = calls.waiting_call;
    h.stalled_for = calls.waiting_for;
  }
  std::lock_guard lock(state_mutex_);
  h.source_ok = source_ok_;
  h.source_error = source_error_;
  if (fatal_message_) h.fatal_message = *fatal_message_;
  return h;
}

void Pipeline::set_source_error(const std::string& error) {
  std::lock_guard lock(state_mutex_);
  source_ok_ = error.empty();
  source_error_ = error;
}

void Pipeline::wait_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(state_mutex_);
  auto deadline = clock_.now() + delay;
  while (!stop_.load() && clock_.now() < deadline) clock_.wait_until(stop_wake_, lock, deadline);
}

bool Pipeline::subscribe() {
  std::vector<std::string> topics;
  for (const auto& r : routes_) topics.push_back(r.source_topic);
  Backoff backoff(options_.poll_retry);
  while (!stop_.load()) {
    poll_loop_beat_.store(std::chrono::steady_clock::now().time_since_epoch().count());
    try {
      auto call = source_calls_.begin("subscribe");
      source_.subscribe(topics);
      set_source_error("");
      return true;
    } catch (const connector::PermanentError& e) {
      fatal(std::string("subscribing failed: ") + e.what());
      return false;
    } catch (const std::exception& e) {
      metrics_.poll_errors.inc();
      set_source_error(e.what());
      auto delay = backoff.next();
      log::warn("runtime", "subscribing failed; trying again",
                {{"error", e.what()}, {"delay_ms", std::to_string(delay.count())}});
      wait_for(delay);
    }
  }
  return false;
}

PipelineResult Pipeline::run() {
  // running_ before started_: status() reads started_ first, so seeing it set means running_
  // already says whether the run is still going (never "started but not running" at start-up).
  running_.store(true);
  started_.store(true);
  log::info(
      "runtime", "pipeline starting",
      {{"routes", std::to_string(routes_.size())}, {"workers", std::to_string(options_.workers)}});
  producer_.start();
  workers_.start();
  if (subscribe()) {
    generation_ = source_.generation();
    next_commit_ = clock_.now() + options_.commit_interval;
    Backoff poll_backoff(options_.poll_retry);
    while (!stop_.load()) {
      poll_loop_beat_.store(std::chrono::steady_clock::now().time_since_epoch().count());
      if (capped_.load()) wait_while_capped();
      if (stop_.load()) break;
      if (operator_pauses_.everything_paused(routes_.size())) wait_while_operator_paused();
      if (stop_.load()) break;
      rewind_resumed_partitions();
      if (stop_.load()) break;
      std::vector<connector::ConsumedRecord> batch;
      try {
        {
          auto call = source_calls_.begin("poll");
          batch = source_.poll(options_.poll_timeout);
        }
        source_calls_.polled();
        poll_backoff.reset();
        set_source_error("");
      } catch (const connector::PermanentError& e) {
        fatal(std::string("polling failed: ") + e.what());
        break;
      } catch (const connector::TransientError& e) {
        metrics_.poll_errors.inc();
        set_source_error(e.what());
        auto delay = poll_backoff.next();
        log::warn("runtime", "poll failed; backing off",
                  {{"error", e.what()}, {"delay_ms", std::to_string(delay.count())}});
        maybe_commit(false);
        wait_for(delay);
        continue;
      } catch (const std::exception& e) {
        fatal(std::string("polling failed unexpectedly: ") + e.what());
        break;
      }
      // poll() may have recreated the consumer and returned records of the new generation.
      uint64_t generation = source_.generation();
      if (generation != generation_) on_generation_change(generation);
      const Clock::time_point received = clock_.now();
      for (auto& record : batch) dispatch(std::move(record), received);
      end_backlog_if_quiet(false);
      maybe_commit(false);
      refresh_assignment(false);
      publish_status(false);
    }
  }
  publish_status(true);
  end_backlog_if_quiet(true);
  shutdown();
  running_.store(false);
  std::lock_guard lock(state_mutex_);
  if (fatal_message_) return {1, *fatal_message_};
  log::info("runtime", "pipeline stopped");
  return {0, ""};
}

// Normal back-pressure, but an operator wants to know when a backlog starts and how long it
// lasted: one warning at its first hold and one line when it is over, whatever the holds in between
// (streamhost_backpressure follows every hold).
void Pipeline::note_cap_reached() {
  const auto now = std::chrono::steady_clock::now();
  if (backlog_) {
    ++backlog_->holds;
    return;
  }
  backlog_ = Backlog{now, now, 1};
  log::warn("runtime", "in-flight cap reached; holding polling back until records finish",
            {{"in_flight", std::to_string(in_flight_.count())},
             {"in_flight_bytes", std::to_string(in_flight_.bytes())}});
}

void Pipeline::end_backlog_if_quiet(bool stopping) {
  if (!backlog_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!stopping && (capped_.load() || now - backlog_->released < options_.backlog_quiet_period))
    return;
  const auto end = stopping ? now : backlog_->released;
  const auto lasted =
      std::chrono::duration_cast<std::chrono::milliseconds>(end - backlog_->started);
  log::info("runtime",
            stopping ? "stopping during a backlog at the in-flight cap"
                     : "backlog over: the in-flight cap was not reached again",
            {{"lasted_ms", std::to_string(lasted.count())},
             {"holds", std::to_string(backlog_->holds)},
             {"in_flight", std::to_string(in_flight_.count())}});
  backlog_.reset();
}

void Pipeline::wait_while_capped() {
  // Hysteresis, so a capped pipeline does not seek back for every record that finishes. A limit
  // of 0 stays 0 (none).
  auto resume_at = [](size_t cap) { return cap == 0 ? 0 : std::max<size_t>(cap * 3 / 4, 1); };
  const size_t resume_records = resume_at(options_.max_in_flight_records);
  const size_t resume_bytes = resume_at(options_.max_in_flight_bytes);
  const auto keepalive = std::chrono::steady_clock::now() + options_.keepalive_poll_interval;
  while (!stop_.load()) {
    poll_loop_beat_.store(std::chrono::steady_clock::now().time_since_epoch().count());
    const auto slice =
        std::min(keepalive, std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
    if (in_flight_.wait_below(resume_records, resume_bytes, slice)) {
      capped_.store(false);
      metrics_.backpressure.set(0);
      if (backlog_) backlog_->released = std::chrono::steady_clock::now();
      return;
    }
    maybe_commit(false);  // records finishing meanwhile still move the committed offsets
    if (std::chrono::steady_clock::now() >= keepalive) return;  // one poll, its records dropped
  }
}

bool Pipeline::drop_before_seek_target(const connector::ConsumedRecord& record) {
  const connector::TopicPartition tp{record.topic, record.partition};
  const SeekFences::Verdict verdict = fences_.check(tp, record.offset, clock_.now());
  if (!verdict.drop) return false;
  metrics_.stale_after_seek.inc();
  if (verdict.reread_from) {
    log::warn("runtime",
              "the record a partition was rewound to never came back (deleted by retention?); "
              "reading from the lowest offset that did",
              {{"partition", tp_name(tp)}, {"offset", std::to_string(*verdict.reread_from)}});
    rewind_[tp] = *verdict.reread_from;
  }
  return true;
}

void Pipeline::dispatch(connector::ConsumedRecord record, Clock::time_point received) {
  connector::TopicPartition tp{record.topic, record.partition};
  if (!capped_.load() &&
      in_flight_.at_or_above(options_.max_in_flight_records, options_.max_in_flight_bytes)) {
    capped_.store(true);
    metrics_.backpressure.set(1);
    note_cap_reached();
  }
  // Fences first: a record the proxy returns past a seek target before the target itself must not
  // become the partition's rewind point below, or the records between the two are never read
  // (found by the offset_tracking fuzzer: a pause between the seek and the target's arrival).
  if (drop_before_seek_target(record)) return;
  const bool capped = capped_.load();
  if (pauses_.is_paused(tp) || rewind_.count(tp) != 0 || capped || operator_paused(tp)) {
    // Dropped, not buffered: the partition reads again from here once its retry resolves or the
    // cap frees (seek), so a long outage costs no memory. try_emplace keeps the first (lowest)
    // dropped offset.
    rewind_.try_emplace(tp, record.offset);
    (capped ? metrics_.backpressure_drops : metrics_.paused_drops).inc();
    return;
  }
  auto& tracker = trackers_[tp];
  if (!tracker) tracker = std::make_shared<PartitionTracker>();
  auto route = route_by_topic_.find(record.topic);
  if (!tracker->add(record.offset)) {
    metrics_.duplicates_skipped.inc();
    return;
  }
  if (route == route_by_topic_.end()) {
    // Not subscribed by any route (cannot normally happen): nothing to do, so it is done.
    tracker->mark_done(record.offset);
    return;
  }
  std::optional<std::string> hook_error;
  auto ticket = lifecycle_.admit(tp, hook_error);
  if (hook_error) {
    fatal(*hook_error);
    return;
  }
  auto in_flight = std::make_shared<InFlight>();
  in_flight->ticket = std::move(ticket);
  in_flight->route = route->second;
  in_flight->metrics = &metrics_.route(*route->second);
  in_flight->tracker = tracker;
  in_flight->received_at = received;
  in_flight->dispatched_at = clock_.now();
  in_flight->bytes =
      (record.value ? record.value->size() : 0) + (record.key ? record.key->size() : 0);
  for (const auto& h : record.headers) in_flight->bytes += h.key.size() + h.value.size();
  in_flight->record = std::move(record);
  in_flight->metrics->records_in->inc();
  in_flight_.add(in_flight->bytes);
  workers_.dispatch(std::move(in_flight));
}

void Pipeline::rewind_resumed_partitions() {
  if (capped_.load()) return;
  for (auto it = rewind_.begin(); it != rewind_.end();) {
    if (pauses_.is_paused(it->first) || operator_paused(it->first)) {
      ++it;
      continue;
    }
    try {
      {
        auto call = source_calls_.begin("seek");
        source_.seek(it->first, it->second);
      }
      fences_.seeked(it->first, it->second, clock_.now());
      log::info("runtime", "partition resumed; reading again from the first dropped record",
                {{"partition", tp_name(it->first)}, {"offset", std::to_string(it->second)}});
      it = rewind_.erase(it);
    } catch (const connector::PermanentError& e) {
      fatal("seeking " + tp_name(it->first) + " failed: " + e.what());
      return;
    } catch (const std::exception& e) {
      // Keep dropping that partition's records until the seek succeeds on a later loop.
      log::warn("runtime", "seek failed; trying again",
                {{"partition", tp_name(it->first)}, {"error", e.what()}});
      ++it;
    }
  }
}

void Pipeline::on_generation_change(uint64_t generation) {
  log::warn("runtime", "consumer instance recreated; delivery restarts from committed offsets",
            {{"generation", std::to_string(generation)}});
  metrics_.generation_changes.inc();
  generation_ = generation;
  // Records of the old generation still in flight keep their old trackers, so their completion
  // can never move the new watermark; anything they did not finish is delivered again.
  trackers_.clear();
  last_committed_.clear();
  rewind_.clear();
  fences_.clear();
  assigned_.reset();
  next_assignment_refresh_ = {};
  revoke_from_plugins(std::nullopt);  // the new instance's assignment starts afresh
}

void Pipeline::revoke_from_plugins(
    const std::optional<std::vector<connector::TopicPartition>>& lost) {
  if (auto failed = lost ? lifecycle_.revoke(*lost) : lifecycle_.revoke_all()) fatal(*failed);
}

bool Pipeline::commit_once() {
  std::vector<connector::PartitionOffset> offsets;
  for (const auto& [tp, tracker] : trackers_) {
    auto next = tracker->committable();
    if (!next) continue;
    auto last = last_committed_.find(tp);
    if (last != last_committed_.end() && last->second == *next) continue;
    offsets.push_back({tp, *next});
  }
  if (offsets.empty()) return true;
  try {
    // A partition a rebalance gave to another member must not be committed from here: its new
    // owner may have committed further already, and ours would move the group's offset back.
    // Only the proxy requests are timed, each on its own: forget_revoked waits for in-flight
    // handler calls and runs the plugins' partitions_revoked hook, and a slow handler there is
    // not a proxy that does not answer.
    std::optional<std::vector<connector::TopicPartition>> assigned;
    {
      auto call = source_calls_.begin("assignment");
      assigned = source_.assignment();
    }
    if (assigned) {
      assigned_ = *assigned;
      log_assignment_change();
      next_assignment_refresh_ = std::chrono::steady_clock::now() + options_.assignment_refresh;
      forget_revoked(*assigned);
      std::erase_if(offsets, [&](const connector::PartitionOffset& o) {
        return trackers_.count(o.partition) == 0;
      });
      if (offsets.empty()) return true;
    }
    {
      auto call = source_calls_.begin("commit");
      source_.commit(offsets);
    }
    metrics_.commits.inc();
    for (const auto& o : offsets) {
      last_committed_[o.partition] = o.next_offset;
      committed_shown_[o.partition] = o.next_offset;
    }
    return true;
  } catch (const std::exception& e) {
    metrics_.commit_failures.inc();
    log::warn("runtime", "commit failed; the offsets are committed again later",
              {{"error", e.what()}});
    return false;
  }
}

void Pipeline::forget_revoked(const std::vector<connector::TopicPartition>& assigned) {
  const std::set<connector::TopicPartition> held(assigned.begin(), assigned.end());
  std::vector<connector::TopicPartition> lost;
  for (auto it = trackers_.begin(); it != trackers_.end();) {
    if (held.count(it->first) != 0) {
      ++it;
      continue;
    }
    // Records of it still in flight finish against the old tracker and are never committed here;
    // if the partition comes back, Kafka delivers from the committed offset into a fresh tracker.
    log::info("runtime", "partition assigned to another member; no longer committed here",
              {{"partition", tp_name(it->first)}});
    metrics_.partitions_revoked.inc();
    lost.push_back(it->first);
    last_committed_.erase(it->first);
    committed_shown_.erase(it->first);
    rewind_.erase(it->first);
    fences_.forget(it->first);
    it = trackers_.erase(it);
  }
  // A re-creation of the consumer clears trackers_ but keeps the shown offsets; one of a
  // partition that has gone elsewhere would be shown again, stale, if it came back.
  std::erase_if(committed_shown_, [&](const auto& entry) { return held.count(entry.first) == 0; });
  revoke_from_plugins(lost);
}

void Pipeline::maybe_commit(bool force) {
  auto now = clock_.now();
  if (!force && now < next_commit_) return;
  next_commit_ = now + options_.commit_interval;
  commit_once();
}

void Pipeline::shutdown() {
  bool failed;
  {
    std::lock_guard lock(state_mutex_);
    failed = fatal_message_.has_value();
  }
  log::info("runtime",
            failed ? "stopping after a fatal error" : "stopping: finishing in-flight records",
            {{"in_flight", std::to_string(in_flight_.count())}});
  // Real time, not the injectable clock: the shutdown bound is an operational promise.
  auto deadline = std::chrono::steady_clock::now() + options_.shutdown_timeout;
  if (failed) {
    workers_.abandon();
  } else {
    workers_.drain();
  }
  // The producer keeps delivering while the workers finish: outputs of finished records count.
  if (!in_flight_.wait_idle(deadline)) {
    log::warn("runtime", "shutdown timeout reached; abandoning unfinished records",
              {{"in_flight", std::to_string(in_flight_.count())}});
    workers_.abandon();
    producer_.abandon();
  }
  workers_.join();
  // No handler call is left: the plugins drop (or save) their partitions' state before
  // instance_destroy, which follows the pipeline.
  revoke_from_plugins(std::nullopt);
  producer_.finish();
  producer_.join();
  // The final commit is what makes a restart start at the right place: it is retried, with the
  // poll backoff, for what is left of shutdown_timeout (at least once).
  Backoff commit_backoff(options_.poll_retry);
  while (!commit_once()) {
    const auto pause = commit_backoff.next();
    if (std::chrono::steady_clock::now() + pause >= deadline) {
      log::warn("runtime", "the final commit failed; a restart re-reads from the last commit");
      break;
    }
    std::this_thread::sleep_for(pause);
  }
  source_.close();
}

}  // namespace streamhost::host::runtime

#include "runtime/worker_pool.hpp"

#include "runtime/dead_letter.hpp"
#include "runtime/handler_call.hpp"
#include "runtime/log.hpp"

namespace streamhost::host::runtime {
namespace {

connector::TopicPartition partition_of(const InFlight& r) {
  return {r.record.topic, r.record.partition};
}

log::Fields record_fields(const InFlight& r) {
  return {{"route", r.route->name},
          {"topic", r.record.topic},
          {"partition", std::to_string(r.record.partition)},
          {"offset", std::to_string(r.record.offset)}};
}

}  // namespace

WorkerPool::WorkerPool(size_t workers, WorkerContext context) {
  if (workers == 0) workers = 1;
  // Workers keep a reference to the context: one copy that outlives them all.
  context_ = std::make_unique<WorkerContext>(std::move(context));
  for (size_t i = 0; i < workers; ++i) workers_.push_back(std::make_unique<Worker>(*context_, i));
}

WorkerPool::~WorkerPool() {
  abandon();
  join();
}

size_t WorkerPool::worker_for(const connector::ConsumedRecord& record, size_t workers) {
  size_t h = record.key ? std::hash<std::string>{}(*record.key)
                        : connector::TopicPartitionHash{}({record.topic, record.partition});
  return h % workers;
}

void WorkerPool::start() {
  for (auto& w : workers_) w->start();
}

void WorkerPool::dispatch(std::shared_ptr<InFlight> record) {
  workers_[worker_for(record->record, workers_.size())]->enqueue(std::move(record));
}

void WorkerPool::drain() {
  for (auto& w : workers_) w->drain();
}

void WorkerPool::abandon() {
  for (auto& w : workers_) w->abandon();
}

void WorkerPool::join() {
  for (auto& w : workers_) w->join();
}

void Worker::enqueue(std::shared_ptr<InFlight> record) {
  {
    std::lock_guard lock(mutex_);
    if (mode_ != Mode::kAbandon) {
      queue_.push_back(std::move(record));
      record = nullptr;
    }
  }
  if (record) {
    ctx_.in_flight->settle(*record, false);
  } else {
    wake_.notify_one();
  }
}

void Worker::drain() {
  std::lock_guard lock(mutex_);
  if (mode_ == Mode::kRun) mode_ = Mode::kDrain;
  wake_.notify_one();
}

void Worker::abandon() {
  std::lock_guard lock(mutex_);
  mode_ = Mode::kAbandon;
  wake_.notify_one();
}

void Worker::abandon_everything(std::unique_lock<std::mutex>& lock) {
  std::vector<std::shared_ptr<InFlight>> dropped(queue_.begin(), queue_.end());
  queue_.clear();
  for (auto& [tp, parked] : parked_) {
    dropped.insert(dropped.end(), parked.records.begin(), parked.records.end());
    ctx_.pauses->resume(tp);
  }
  parked_.clear();
  lock.unlock();
  for (auto& r : dropped) ctx_.in_flight->settle(*r, false);
  ctx_.metrics->paused_partitions.set(static_cast<double>(ctx_.pauses->paused_count()));
  lock.lock();
}

void Worker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (ctx_.halted != nullptr && ctx_.halted->load()) mode_ = Mode::kAbandon;
    if (mode_ == Mode::kAbandon) {
      abandon_everything(lock);
      return;
    }
    auto now = ctx_.clock->now();
    // A parked record whose backoff elapsed goes first (not while draining: see below).
    auto due = parked_.end();
    for (auto it = parked_.begin(); mode_ == Mode::kRun && it != parked_.end(); ++it) {
      if (it->second.due <= now && (due == parked_.end() || it->second.due < due->second.due)) {
        due = it;
      }
    }
    if (due != parked_.end()) {
      auto record = due->second.records.front();
      lock.unlock();
      Disposition d = process(record);
      lock.lock();
      if (d == Disposition::kRetry) {
        schedule_retry(due->second);
      } else {
        // Resolved: the records parked behind it run next, ahead of anything newer.
        due->second.records.pop_front();
        queue_.insert(queue_.begin(), due->second.records.begin(), due->second.records.end());
        ctx_.pauses->resume(due->first);
        parked_.erase(due);
        ctx_.metrics->paused_partitions.set(static_cast<double>(ctx_.pauses->paused_count()));
      }
      continue;
    }
    if (!queue_.empty()) {
      auto record = std::move(queue_.front());
      queue_.pop_front();
      auto tp = partition_of(*record);
      auto parked = parked_.find(tp);
      if (parked != parked_.end()) {
        parked->second.records.push_back(std::move(record));
        continue;
      }
      lock.unlock();
      Disposition d = process(record);
      lock.lock();
      if (d == Disposition::kRetry) {
        auto [it, inserted] = parked_.try_emplace(tp, Parked{{record}, Backoff(ctx_.retry), now});
        (void)inserted;
        ctx_.pauses->pause(tp);
        ctx_.metrics->paused_partitions.set(static_cast<double>(ctx_.pauses->paused_count()));
        schedule_retry(it->second);
      }
      continue;
    }
    if (mode_ == Mode::kDrain) {
      // Parked records would retry for as long as their dependency is down: leave them to the
      // next run, which receives them again from the committed offsets.
      abandon_everything(lock);
      return;
    }
    if (parked_.empty()) {
      wake_.wait(lock);
    } else {
      auto earliest = parked_.begin()->second.due;
      for (const auto& [tp, p] : parked_) earliest = std::min(earliest, p.due);
      ctx_.clock->wait_until(wake_, lock, earliest);
    }
  }
}

void Worker::schedule_retry(Parked& parked) {
  parked.due = ctx_.clock->now() + parked.backoff.next();
}

Worker::Disposition Worker::process(const std::shared_ptr<InFlight>& shared) {
  InFlight& record = *shared;
  auto& m = *record.metrics;
  if (!record.started) {
    record.started = true;
    ctx_.metrics->queue_wait_seconds.observe(
        std::chrono::duration<double>(ctx_.clock->now() - record.dispatched_at).count());
  }
  // Its partition was revoked since dispatch (partitions_revoked may already have run): the
  // plugin must not see it. Left uncommitted, it is delivered again to the partition's owner.
  if (record.ticket && !record.ticket->enter()) {
    ctx_.in_flight->settle(record, false);
    return Disposition::kHandled;
  }
  // A record whose handler crashed the host max_crashes times is not handed to it again; any
  // other is published in this worker's journal slot for the length of the call.
  if (ctx_.crash_journal != nullptr) {
    if (const CrashedRecord* crashed = ctx_.crash_journal->quarantined(record.record)) {
      quarantine(shared, *crashed);
      if (record.ticket) record.ticket->leave();
      return Disposition::kHandled;
    }
    ctx_.crash_journal->enter(slot_, *record.route, record.record.partition, record.record.offset);
  }
  ++record.attempts;
  HandlerResult result = call_handler(*record.route, record.record);
  if (ctx_.crash_journal != nullptr) ctx_.crash_journal->leave(slot_);
  if (record.ticket) record.ticket->leave();
  ctx_.in_flight->touch();
  m.handler_seconds->observe(result.seconds);
  m.status[static_cast<size_t>(result.status)]->inc();

  switch (result.status) {
    case SH_STATUS_OK: {
      if (result.outputs.empty()) {
        ctx_.in_flight->settle(record, true);
        return Disposition::kHandled;
      }
      std::vector<PendingOutput> outputs;
      outputs.reserve(result.outputs.size());
      record.outputs_pending.store(result.outputs.size());
      for (auto& out : result.outputs) {
        PendingOutput p;
        p.topic = std::move(out.topic);
        p.record.key = std::move(out.key);
        p.record.value = std::move(out.value);
        p.owner = shared;
        outputs.push_back(std::move(p));
      }
      ctx_.producer->submit(std::move(outputs));
      return Disposition::kHandled;
    }
    case SH_STATUS_REJECT: {
      m.records_rejected->inc();
      auto fields = record_fields(record);
      fields.push_back({"reason", result.reason});
      log::warn("worker", "record rejected; sending it to the dead-letter topic", fields);
      dead_letter(shared, SH_STATUS_REJECT, result.reason);
      return Disposition::kHandled;
    }
    case SH_STATUS_RETRY: {
      m.records_retried->inc();
      auto fields = record_fields(record);
      fields.push_back({"attempt", std::to_string(record.attempts)});
      fields.push_back({"reason", result.reason});
      const int limit = max_attempts_of(record);
      if (limit > 0 && record.attempts >= limit) {
        // A record that never succeeds must not hold its partition forever: it goes to the
        // dead-letter topic with the last reason, and the partition moves on.
        m.retries_exhausted->inc();
        log::warn("worker", "record still failing after max_attempts; dead-lettering it", fields);
        dead_letter(shared, SH_STATUS_RETRY,
                    "gave up after " + std::to_string(record.attempts) +
                        " attempts (max_attempts); last reason: " + result.reason);
        return Disposition::kHandled;
      }
      log::warn("worker", "handler asked to retry; partition paused", fields);
      return Disposition::kRetry;
    }
    case SH_STATUS_FATAL:
    default: {
      std::string message = "route " + record.route->name + " handler " +
                            record.route->plugin_name() + "/" + record.route->handler_name() +
                            " failed fatally at " + record.record.topic + "/" +
                            std::to_string(record.record.partition) + "@" +
                            std::to_string(record.record.offset) + ": " + result.reason;
      ctx_.fatal(message);
      ctx_.in_flight->settle(record, false);
      return Disposition::kHandled;
    }
  }
}

void Worker::quarantine(const std::shared_ptr<InFlight>& shared, const CrashedRecord& crashed) {
  InFlight& record = *shared;
  record.metrics->crash_quarantined->inc();
  const std::string reason = "the handler crashed the host with " + crashed.signal + " " +
                             std::to_string(crashed.crashes) +
                             " times on this record (max_crashes " +
                             std::to_string(ctx_.crash_journal->max_crashes()) +
                             "); dead-lettered without calling it again";
  auto fields = record_fields(record);
  fields.push_back({"handler", record.route->plugin_name() + "/" + record.route->handler_name()});
  fields.push_back({"signal", crashed.signal});
  fields.push_back({"crashes", std::to_string(crashed.crashes)});
  log::warn("worker", "record crashed the host max_crashes times; dead-lettering it", fields);
  const CrashCause cause{crashed.signal, crashed.crashes};
  dead_letter(shared, SH_STATUS_REJECT, reason, &cause);
}

int Worker::max_attempts_of(const InFlight& record) const {
  return record.route->max_attempts.value_or(ctx_.retry.max_attempts);
}

void Worker::dead_letter(const std::shared_ptr<InFlight>& shared, sh_status status,
                         const std::string& reason, const CrashCause* crash) {
  InFlight& record = *shared;
  if (ctx_.dead_letter_topic.empty()) {
    ctx_.fatal("route " + record.route->name + " could not handle a record (" + reason +
               ") and the manifest names no dead_letter_topic");
    ctx_.in_flight->settle(record, false);
    return;
  }
  PendingOutput p;
  p.topic = ctx_.dead_letter_topic;
  p.record.key = record.record.key;
  p.record.value =
      crash != nullptr
          ? crash_dead_letter_envelope(*record.route, record.record, *crash, reason,
                                       log::utc_now_iso8601(), ctx_.dead_letter_max_bytes)
          : dead_letter_envelope(*record.route, record.record, status, reason,
                                 log::utc_now_iso8601(), ctx_.dead_letter_max_bytes);
  p.owner = shared;
  p.dead_letter = true;
  record.outputs_pending.store(1);
  std::vector<PendingOutput> outputs;
  outputs.push_back(std::move(p));
  ctx_.producer->submit(std::move(outputs));
}

}  // namespace streamhost::host::runtime

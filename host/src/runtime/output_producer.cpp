#include "runtime/output_producer.hpp"

#include <algorithm>
#include <map>
#include <streamhost/connector/errors.hpp>

#include "runtime/log.hpp"

namespace streamhost::host::runtime {

OutputProducer::OutputProducer(connector::Sink& sink, Clock& clock, RetrySpec retry,
                               size_t max_batch, size_t lanes, PipelineMetrics& metrics,
                               InFlightCounter& in_flight, FatalFn fatal)
    : sink_(sink),
      clock_(clock),
      retry_(retry),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      metrics_(metrics),
      in_flight_(in_flight),
      fatal_(std::move(fatal)),
      dead_letter_ages_(std::make_shared<UnackedAges>(clock)) {
  for (size_t i = 0; i < std::max<size_t>(lanes, 1); ++i)
    lanes_.push_back(std::make_unique<Lane>());
  metrics::Gauge& oldest = metrics_.dead_letter_oldest_unacked;
  std::weak_ptr<UnackedAges> ages = dead_letter_ages_;
  metrics_.registry.add_collect_hook([&oldest, ages] {
    // A stopped pipeline's producer is gone: its last value (0, set at destruction) stays.
    if (auto live = ages.lock()) oldest.set(live->oldest_seconds());
  });
}

OutputProducer::~OutputProducer() {
  abandon();
  join();
  dead_letter_ages_->detach();
  metrics_.dead_letter_oldest_unacked.set(0);
}

size_t OutputProducer::lane_of(const PendingOutput& output, size_t lanes) {
  if (lanes <= 1) return 0;
  size_t h = std::hash<std::string>{}(output.topic);
  if (output.record.key) {
    h = h * 31 + std::hash<std::string>{}(*output.record.key);
  } else if (output.owner) {
    // A null key has no order of its own in Kafka; keep the input partition's order.
    h = h * 31 + connector::TopicPartitionHash{}(
                     {output.owner->record.topic, output.owner->record.partition});
  }
  return h % lanes;
}

void OutputProducer::start() {
  for (auto& lane : lanes_) lane->thread = std::thread([this, l = lane.get()] { run(*l); });
}

void OutputProducer::submit(std::vector<PendingOutput> outputs) {
  auto now = clock_.now();
  std::vector<PendingOutput> refused;
  std::vector<bool> woken(lanes_.size(), false);
  for (auto& o : outputs) {
    o.submitted = now;
    const size_t index = lane_of(o, lanes_.size());
    Lane& lane = *lanes_[index];
    std::lock_guard lock(lane.mutex);
    if (abandoning()) {
      refused.push_back(std::move(o));
    } else if (o.dead_letter) {
      dead_letter_ages_->add(now);
      lane.dead_letters.push_back(std::move(o));
      woken[index] = true;
    } else {
      lane.queue.push_back(std::move(o));
      woken[index] = true;
    }
  }
  if (!refused.empty()) abandon_all(refused);
  for (size_t i = 0; i < lanes_.size(); ++i) {
    if (woken[i]) lanes_[i]->wake.notify_one();
  }
}

void OutputProducer::finish() {
  for (auto& lane : lanes_) {
    std::lock_guard lock(lane->mutex);
    lane->finishing = true;
    lane->wake.notify_all();
  }
}

void OutputProducer::abandon() {
  abandoning_ = true;
  // Under each lane's lock, so a lane between its check and its wait cannot miss the news.
  for (auto& lane : lanes_) {
    std::lock_guard lock(lane->mutex);
    lane->wake.notify_all();
  }
}

void OutputProducer::join() {
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
  }
}

void OutputProducer::run(Lane& lane) {
  for (;;) {
    std::vector<PendingOutput> batch;
    {
      std::unique_lock lock(lane.mutex);
      lane.wake.wait(lock, [&] {
        return !lane.queue.empty() || !lane.dead_letters.empty() || lane.finishing || abandoning();
      });
      if (abandoning()) {
        for (auto* q : {&lane.dead_letters, &lane.queue}) {
          batch.insert(batch.end(), std::make_move_iterator(q->begin()),
                       std::make_move_iterator(q->end()));
          q->clear();
        }
        lock.unlock();
        abandon_all(batch);
        return;
      }
      if (lane.queue.empty() && lane.dead_letters.empty()) return;  // finishing and drained
      batch = take_batch(lane);
    }
    // One request per topic, topics in the order their first output was queued.
    std::vector<std::string> order;
    std::map<std::string, std::vector<PendingOutput>> by_topic;
    for (auto& item : batch) {
      auto& group = by_topic[item.topic];
      if (group.empty()) order.push_back(item.topic);
      group.push_back(std::move(item));
    }
    for (const auto& topic : order) deliver(lane, topic, std::move(by_topic[topic]));
  }
}

std::vector<PendingOutput> OutputProducer::take_batch(Lane& lane) {
  std::vector<PendingOutput> batch;
  for (auto* q : {&lane.dead_letters, &lane.queue}) {
    while (!q->empty() && batch.size() < max_batch_) {
      batch.push_back(std::move(q->front()));
      q->pop_front();
    }
  }
  return batch;
}

void OutputProducer::deliver(Lane& lane, const std::string& topic,
                             std::vector<PendingOutput> items) {
  Backoff backoff(retry_);
  while (!items.empty()) {
    if (abandoning()) return abandon_all(items);
    std::vector<connector::OutgoingRecord> records;
    records.reserve(items.size());
    for (const auto& item : items) records.push_back(item.record);

    const auto sent = clock_.now();
    for (auto& item : items) item.sent = sent;
    std::vector<connector::DeliveryResult> results;
    std::string whole_request_error;
    bool permanent = false;
    bool request_failed = false;
    try {
      results = sink_.produce(topic, records);
      in_flight_.touch();
      if (results.size() != records.size()) {
        permanent = true;
        whole_request_error = "the sink answered " + std::to_string(results.size()) +
                              " results for " + std::to_string(records.size()) + " records";
      }
    } catch (const connector::PermanentError& e) {
      permanent = true;
      whole_request_error = e.what();
    } catch (const std::exception& e) {
      in_flight_.touch();     // an answer, even a failed one, is progress
      request_failed = true;  // transient: every record is produced again below
      whole_request_error = e.what();
    }

    std::vector<PendingOutput> again;
    std::string permanent_error;
    if (permanent) {
      permanent_error = whole_request_error;
    } else if (request_failed) {
      again = std::move(items);
    } else {
      for (size_t i = 0; i < items.size(); ++i) {
        const auto& r = results[i];
        if (r.ok) {
          acknowledged(lane, items[i]);
        } else if (r.retriable) {
          if (whole_request_error.empty()) whole_request_error = r.error;
          again.push_back(std::move(items[i]));
        } else if (permanent_error.empty()) {
          permanent_error = r.error.empty() ? "rejected without a message" : r.error;
        }
      }
    }
    if (!permanent_error.empty()) {
      metrics_.produce_failures.inc();
      std::string message =
          "producing to topic " + topic + " failed permanently: " + permanent_error;
      log::error("producer", message, {{"topic", topic}});
      fatal_(message);
      abandon();
      // Everything not acknowledged stays uncommitted and is delivered again after a restart.
      for (auto& item : items) {
        if (item.owner) in_flight_.settle(*item.owner, false);
      }
      return abandon_all(again);
    }
    if (again.empty()) return;
    metrics_.produce_retries.inc(again.size());
    auto delay = backoff.next();
    log::warn("producer", "retrying outputs after a transient delivery failure",
              {{"topic", topic},
               {"records", std::to_string(again.size())},
               {"delay_ms", std::to_string(delay.count())},
               {"error", whole_request_error}});
    {
      std::unique_lock lock(lane.mutex);
      auto deadline = clock_.now() + delay;
      while (!abandoning() && clock_.now() < deadline) {
        clock_.wait_until(lane.wake, lock, deadline);
      }
    }
    items = std::move(again);
  }
}

void OutputProducer::acknowledged(Lane& lane, PendingOutput& item) {
  auto& owner = *item.owner;
  if (item.dead_letter) {
    dead_letter_ages_->remove(item.submitted);
    owner.metrics->dead_letters->inc();
  } else {
    owner.metrics->records_out->inc();
  }
  auto& histogram = lane.ack_histograms[item.topic];
  if (histogram == nullptr) histogram = &metrics_.produce_ack_seconds(item.topic);
  histogram->observe(std::chrono::duration<double>(clock_.now() - item.submitted).count());
  if (owner.outputs_pending.fetch_sub(1) == 1) {
    observe_timeline(owner, item.sent);
    in_flight_.settle(owner, true);
  }
}

void OutputProducer::observe_timeline(const InFlight& owner, Clock::time_point sent) {
  if (owner.metrics->host_added_seconds != nullptr && owner.received_at != Clock::time_point{}) {
    owner.metrics->host_added_seconds->observe(
        std::chrono::duration<double>(sent - owner.received_at).count());
  }
  if (owner.metrics->end_to_end_seconds != nullptr && owner.record.timestamp_ms >= 0) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    // Clocks of the producing machine and this one may disagree a little: never negative.
    owner.metrics->end_to_end_seconds->observe(
        static_cast<double>(std::max<int64_t>(0, now_ms - owner.record.timestamp_ms)) / 1e3);
  }
}

void OutputProducer::abandon_all(std::vector<PendingOutput>& items) {
  for (auto& item : items) {
    if (item.dead_letter) dead_letter_ages_->remove(item.submitted);
    if (item.owner) in_flight_.settle(*item.owner, false);
  }
  items.clear();
}

}  // namespace streamhost::host::runtime

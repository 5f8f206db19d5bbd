#include "runtime/output_producer.hpp"

#include <map>
#include <streamhost/connector/errors.hpp>

#include "runtime/log.hpp"

namespace streamhost::host::runtime {

OutputProducer::OutputProducer(connector::Sink& sink, Clock& clock, RetrySpec retry,
                               size_t max_batch, PipelineMetrics& metrics,
                               InFlightCounter& in_flight, FatalFn fatal)
    : sink_(sink),
      clock_(clock),
      retry_(retry),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      metrics_(metrics),
      in_flight_(in_flight),
      fatal_(std::move(fatal)) {}

OutputProducer::~OutputProducer() {
  abandon();
  join();
}

void OutputProducer::start() {
  thread_ = std::thread([this] { run(); });
}

void OutputProducer::submit(std::vector<PendingOutput> outputs) {
  auto now = clock_.now();
  std::vector<PendingOutput> refused;
  {
    std::lock_guard lock(mutex_);
    for (auto& o : outputs) {
      o.submitted = now;
      if (abandoning_) {
        refused.push_back(std::move(o));
      } else {
        queue_.push_back(std::move(o));
      }
    }
  }
  if (!refused.empty()) abandon_all(refused);
  wake_.notify_one();
}

void OutputProducer::finish() {
  std::lock_guard lock(mutex_);
  finishing_ = true;
  wake_.notify_all();
}

void OutputProducer::abandon() {
  std::lock_guard lock(mutex_);
  abandoning_ = true;
  wake_.notify_all();
}

void OutputProducer::join() {
  if (thread_.joinable()) thread_.join();
}

bool OutputProducer::abandoning() const {
  std::lock_guard lock(mutex_);
  return abandoning_;
}

void OutputProducer::run() {
  for (;;) {
    std::vector<PendingOutput> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || finishing_ || abandoning_; });
      if (abandoning_) {
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.end()));
        queue_.clear();
        lock.unlock();
        abandon_all(batch);
        return;
      }
      if (queue_.empty()) return;  // finishing and drained
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    // One request per topic, topics in the order their first output was queued.
    std::vector<std::string> order;
    std::map<std::string, std::vector<PendingOutput>> by_topic;
    for (auto& item : batch) {
      auto& group = by_topic[item.topic];
      if (group.empty()) order.push_back(item.topic);
      group.push_back(std::move(item));
    }
    for (const auto& topic : order) deliver(topic, std::move(by_topic[topic]));
  }
}

void OutputProducer::deliver(const std::string& topic, std::vector<PendingOutput> items) {
  Backoff backoff(retry_);
  while (!items.empty()) {
    if (abandoning()) return abandon_all(items);
    std::vector<connector::OutgoingRecord> records;
    records.reserve(items.size());
    for (const auto& item : items) records.push_back(item.record);

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
          acknowledged(items[i]);
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
      std::unique_lock lock(mutex_);
      auto deadline = clock_.now() + delay;
      while (!abandoning_ && clock_.now() < deadline) clock_.wait_until(wake_, lock, deadline);
    }
    items = std::move(again);
  }
}

void OutputProducer::acknowledged(PendingOutput& item) {
  auto& owner = *item.owner;
  if (item.dead_letter) {
    owner.metrics->dead_letters->inc();
  } else {
    owner.metrics->records_out->inc();
  }
  ack_histogram(item.topic)
      .observe(std::chrono::duration<double>(clock_.now() - item.submitted).count());
  if (owner.outputs_pending.fetch_sub(1) == 1) in_flight_.settle(owner, true);
}

metrics::Histogram& OutputProducer::ack_histogram(const std::string& topic) {
  auto& slot = ack_histograms_[topic];
  if (slot == nullptr) slot = &metrics_.produce_ack_seconds(topic);
  return *slot;
}

void OutputProducer::abandon_all(std::vector<PendingOutput>& items) {
  for (auto& item : items) {
    if (item.owner) in_flight_.settle(*item.owner, false);
  }
  items.clear();
}

}  // namespace streamhost::host::runtime

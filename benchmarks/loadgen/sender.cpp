#include "sender.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "events.hpp"
#include "proxy_clients.hpp"

namespace streamhost::loadgen {
namespace {

void produce_checked(connector::Sink& sink, const std::string& topic,
                     const std::vector<connector::OutgoingRecord>& records, SendStats& stats) {
  try {
    const auto results = sink.produce(topic, records);
    for (const auto& r : results) {
      if (!r.ok) stats.failed(r.error, 1);
    }
  } catch (const std::exception& e) {
    stats.failed(e.what(), records.size());
  }
}

void sleep_until_unix_us(int64_t due_us) {
  const int64_t wait = due_us - unix_now_us();
  if (wait > 0)
    std::this_thread::sleep_for(std::chrono::microseconds(std::min<int64_t>(wait, 50000)));
}

}  // namespace

void SendStats::failed(const std::string& error, uint64_t records) {
  produce_failures += records;
  std::lock_guard lock(error_mutex);
  last_error = error;
}

void send_entries(connector::Sink& sink, const Options& options, SendStats& stats) {
  std::vector<connector::OutgoingRecord> batch;
  auto flush = [&] {
    if (batch.empty()) return;
    produce_checked(sink, options.entry_topic, batch, stats);
    stats.entries_sent += batch.size();
    batch.clear();
  };
  for (int64_t c = options.first_customer; c <= options.last_customer; ++c) {
    batch.push_back({std::to_string(c), entry_event_json(c, unix_now_us()), {}});
    if (batch.size() >= 500) flush();
  }
  flush();
}

void send_focus_events(connector::Sink& sink, const Options& options,
                       const std::vector<PlannedFocus>& plan, Correlator& correlator,
                       int64_t start_us, SendStats& stats, const std::atomic<bool>& abort) {
  std::mutex next_mutex;
  size_t next = 0;
  const size_t total = plan.size();
  const size_t batch_max = static_cast<size_t>(options.batch);

  auto producer = [&] {
    std::vector<connector::OutgoingRecord> records;
    while (!abort) {
      size_t first = 0, last = 0;
      {
        std::unique_lock lock(next_mutex);
        if (next >= total) return;
        const int64_t now = unix_now_us();
        if (options.rate > 0) {
          const int64_t due = intended_send_us(start_us, static_cast<int64_t>(next), options.rate);
          if (due > now) {
            lock.unlock();
            sleep_until_unix_us(due);
            continue;
          }
        }
        first = next;
        last = first + 1;
        while (last < total && last - first < batch_max &&
               (options.rate <= 0 ||
                intended_send_us(start_us, static_cast<int64_t>(last), options.rate) <= now)) {
          ++last;
        }
        next = last;
      }
      records.clear();
      const int64_t sent = unix_now_us();
      for (size_t i = first; i < last; ++i) {
        const PlannedFocus& focus = plan[i];
        const int64_t intended =
            options.rate > 0 ? intended_send_us(start_us, focus.sequence, options.rate) : sent;
        correlator.mark_sent(focus.sequence, intended, sent);
        records.push_back(
            {std::to_string(focus.customer_id),
             focus_event_json(focus.customer_id, focus.category, intended, focus.sequence),
             {}});
      }
      produce_checked(sink, options.focus_topic, records, stats);
      stats.last_send_us = std::max<int64_t>(stats.last_send_us, unix_now_us());
    }
  };

  std::vector<std::thread> threads;
  for (int p = 0; p < options.producers; ++p) threads.emplace_back(producer);
  for (auto& t : threads) t.join();
}

}  // namespace streamhost::loadgen

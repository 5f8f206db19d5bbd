#include "proxy_clients.hpp"

#include <iostream>
#include <random>
#include <streamhost/connector/errors.hpp>

#include "events.hpp"

namespace streamhost::loadgen {

int64_t unix_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

connector::RestProxyOptions proxy_options(const Options& options) {
  connector::RestProxyOptions proxy;
  proxy.base_url = options.proxy_url;
  proxy.dialect = options.dialect == "confluent" ? connector::Dialect::kConfluent
                                                 : connector::Dialect::kStrimzi;
  proxy.request_timeout = std::chrono::milliseconds(15000);
  proxy.max_retries = 3;
  // One connection per concurrent producer plus the reader's.
  proxy.http_threads = static_cast<size_t>(options.producers) + 2;
  proxy.max_records_per_request = static_cast<size_t>(std::max(options.batch, 1));
  return proxy;
}

ResultReader::ResultReader(const Options& options, Correlator& correlator, int64_t run_start_us)
    : options_(options), correlator_(correlator), run_start_ms_(run_start_us / 1000) {}

ResultReader::~ResultReader() {
  stop();
}

void ResultReader::start() {
  std::random_device random;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
  connector::ConsumerOptions consumer;
  consumer.group = std::string("streamhost-loadgen-") + suffix;
  consumer.auto_offset_reset = "earliest";
  consumer.instance_prefix = "loadgen";
  source_ = connector::make_rest_proxy_source(proxy_options(options_), consumer);
  source_->subscribe({options_.prediction_topic});
  thread_ = std::thread([this] { run(); });
}

void ResultReader::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (source_) source_->close();
}

std::string ResultReader::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

void ResultReader::run() {
  while (!stopping_) {
    std::vector<connector::ConsumedRecord> records;
    try {
      records = source_->poll(std::chrono::milliseconds(200));
    } catch (const std::exception& e) {
      ++poll_errors_;
      {
        std::lock_guard lock(error_mutex_);
        last_error_ = e.what();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      continue;
    }
    const int64_t received = unix_now_us();
    for (const auto& record : records) {
      std::string why;
      auto result = record.value ? decode_prediction_result(*record.value, why) : std::nullopt;
      if (!result) {
        ++malformed_;
        continue;
      }
      const auto stamped_ms = parse_iso8601_ms(result->event_timestamp);
      if (!stamped_ms || *stamped_ms < run_start_ms_) {
        ++stale_;
        continue;
      }
      correlator_.on_result(*result, received);
    }
  }
}

}  // namespace streamhost::loadgen

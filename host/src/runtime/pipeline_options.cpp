#include "runtime/pipeline.hpp"

namespace streamhost::host::runtime {

PipelineOptions pipeline_options(const Manifest& m) {
  PipelineOptions options;
  options.workers = m.workers;
  options.retry = m.retry;
  // The connector retried each request (rest_proxy.retries); what still failed waits on the host's
  // one backoff before it is produced again.
  options.produce_retry = m.retry;
  options.poll_retry = m.poll_retry;
  options.dead_letter_topic = m.dead_letter_topic;
  options.dead_letter_max_bytes = m.dead_letter_max_bytes;
  options.poll_timeout = m.poll_timeout;
  options.commit_interval = m.commit_interval;
  options.shutdown_timeout = m.shutdown_timeout;
  options.max_produce_batch = m.max_produce_batch;
  options.produce_lanes = m.produce_lanes;
  options.max_in_flight_records = m.max_in_flight_records;
  options.max_in_flight_bytes = m.max_in_flight_bytes;
  options.keepalive_poll_interval = m.keepalive_interval;
  options.seek_fence_timeout = m.seek_fence_timeout;
  options.stall_after = m.stall_after;
  return options;
}

}  // namespace streamhost::host::runtime

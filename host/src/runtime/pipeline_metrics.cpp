#include "runtime/pipeline_metrics.hpp"

namespace streamhost::host::runtime {

PipelineMetrics::PipelineMetrics(metrics::Registry& r, const std::vector<Route>& routes)
    : registry(r),
      queue_wait_seconds(r.histogram("streamhost_queue_wait_seconds",
                                     "Time a record waited between dispatch and its handler")),
      commits(r.counter("streamhost_commits_total", "Successful offset commits")),
      commit_failures(r.counter("streamhost_commit_failures_total",
                                "Offset commits that failed and will be retried")),
      poll_errors(r.counter("streamhost_poll_errors_total", "Source polls that failed")),
      produce_retries(r.counter("streamhost_produce_retries_total",
                                "Outputs produced again after a retriable delivery failure")),
      produce_failures(r.counter("streamhost_produce_failures_total",
                                 "Outputs that failed permanently (each stops the pipeline)")),
      generation_changes(r.counter("streamhost_source_generation_changes_total",
                                   "Times the consumer instance was recreated")),
      duplicates_skipped(r.counter("streamhost_duplicates_skipped_total",
                                   "Records polled again that were already dispatched")),
      paused_drops(r.counter("streamhost_paused_records_dropped_total",
                             "Records of a paused partition dropped at poll time (read again "
                             "after the partition resumes)")),
      stale_after_seek(r.counter("streamhost_stale_records_after_seek_total",
                                 "Records a proxy returned from before a seek, past its target "
                                 "(dropped; read again from the target)")),
      partitions_revoked(r.counter("streamhost_partitions_revoked_total",
                                   "Partitions found assigned to another member at commit time "
                                   "(no longer committed by this host)")),
      backpressure_drops(r.counter("streamhost_backpressure_records_dropped_total",
                                   "Records polled while the in-flight cap was reached (dropped; "
                                   "read again once below it)")),
      backpressure(r.gauge("streamhost_backpressure",
                           "1 while the in-flight cap holds polling back, else 0")),
      in_flight_bytes(r.gauge("streamhost_in_flight_bytes",
                              "Bytes (key, value, headers) of the records in flight")),
      paused_partitions(
          r.gauge("streamhost_paused_partitions", "Partitions paused by a record in RETRY")),
      in_flight(r.gauge("streamhost_in_flight_records",
                        "Records dispatched and not yet done or abandoned")),
      dead_letter_oldest_unacked(
          r.gauge("streamhost_dead_letter_oldest_unacked_seconds",
                  "Age of the oldest dead letter not yet acknowledged by Kafka (each holds its "
                  "partition's commit back); 0 when none waits")) {
  for (const auto& route : routes) {
    metrics::Labels labels{{"route", route.name}};
    RouteMetrics m;
    m.records_in =
        &r.counter("streamhost_records_in_total", "Records dispatched to a handler", labels);
    m.records_out =
        &r.counter("streamhost_records_out_total", "Handler outputs acknowledged by Kafka", labels);
    m.records_rejected =
        &r.counter("streamhost_records_rejected_total", "Records a handler rejected", labels);
    m.records_retried = &r.counter("streamhost_records_retried_total",
                                   "Handler attempts that answered RETRY", labels);
    m.retries_exhausted =
        &r.counter("streamhost_retries_exhausted_total",
                   "Records dead-lettered after their route's max_attempts handler calls", labels);
    m.dead_letters = &r.counter("streamhost_dead_letters_total",
                                "Dead-letter envelopes acknowledged by Kafka", labels);
    m.crash_quarantined =
        &r.counter("streamhost_crash_quarantined_total",
                   "Records dead-lettered without calling the handler because it crashed the "
                   "host max_crashes times on them",
                   labels);
    m.end_to_end_seconds = &r.histogram(
        "streamhost_end_to_end_seconds",
        "Input record's Kafka timestamp to the acknowledgement of its last output", labels);
    m.host_added_seconds = &r.histogram(
        "streamhost_host_added_seconds",
        "Input record received from the proxy to the produce request of its last output", labels);
    for (int s = SH_STATUS_OK; s <= SH_STATUS_FATAL; ++s) {
      m.status[static_cast<size_t>(s)] =
          &r.counter("streamhost_handler_status_total", "Handler calls by returned status",
                     {{"route", route.name},
                      {"plugin", route.plugin_name()},
                      {"handler", route.handler_name()},
                      {"status", sh_status_name(s)}});
    }
    m.handler_seconds =
        &r.histogram("streamhost_handler_duration_seconds", "Time spent in one handler call",
                     {{"plugin", route.plugin_name()}, {"handler", route.handler_name()}});
    routes_.emplace(route.name, m);
  }
}

metrics::Histogram& PipelineMetrics::produce_ack_seconds(const std::string& topic) {
  return registry.histogram("streamhost_produce_ack_seconds",
                            "Time from handing an output to the sink until Kafka acknowledged it",
                            {{"topic", topic}});
}

}  // namespace streamhost::host::runtime

// Command line of streamhost-loadgen, with defaults from the local stack's environment
// (STREAMHOST_REST_PROXY_URL, STREAMHOST_REST_PROXY_DIALECT) and the coupon manifest's topic
// variables (ENTRY_EVENT_TOPIC_NAME, FOCUS_EVENT_TOPIC_NAME, COUPON_PREDICTION_TOPIC_NAME).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace streamhost::loadgen {

enum class Scenario { kLoad, kDemo };

struct Options {
  Scenario scenario = Scenario::kLoad;
  std::string proxy_url;
  std::string dialect;  // "strimzi" | "confluent"
  std::string entry_topic, focus_topic, prediction_topic;
  int64_t first_customer = 1, last_customer = 1000;
  std::vector<std::string> categories{"Boys", "Girls", "Men", "Sport", "Women"};
  int focus_per_customer = 5;
  double rate = 0;  // focus events per second; 0 = as fast as possible
  int producers = 4;
  int batch = 100;           // most focus events per produce request
  size_t top_n = 5;          // the pipeline's top_n, to tell apart result groups of one customer
  int drain_timeout_s = 30;  // wait for results after the last send
  int max_duration_s = 300;  // hard bound on the whole run
  std::string report_path, svg_path, png_path;
  bool help = false;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Throws std::invalid_argument with a message naming the bad option.
Options parse_options(const std::vector<std::string>& args, const EnvLookup& env);

// Whether the URL's host is a loopback address (127.0.0.0/8, ::1, localhost): the tool refuses
// any other target, so it can never load a shared proxy by mistake.
bool is_loopback_url(const std::string& url);

std::string usage();

}  // namespace streamhost::loadgen

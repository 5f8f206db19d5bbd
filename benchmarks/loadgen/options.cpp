#include "options.hpp"

#include <cstdlib>
#include <stdexcept>

namespace streamhost::loadgen {
namespace {

std::string env_or(const EnvLookup& env, const char* name, const char* fallback) {
  auto value = env(name);
  return value && !value->empty() ? *value : fallback;
}

int64_t to_int(const std::string& option, const std::string& text, int64_t min, int64_t max) {
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < min || v > max) {
    throw std::invalid_argument(option + ": expected an integer in [" + std::to_string(min) + ", " +
                                std::to_string(max) + "], got \"" + text + "\"");
  }
  return v;
}

double to_double(const std::string& option, const std::string& text) {
  size_t used = 0;
  double v = -1;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(v >= 0)) {
    throw std::invalid_argument(option + ": expected a number >= 0, got \"" + text + "\"");
  }
  return v;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = text.find(sep, start);
    const std::string part = text.substr(start, end == std::string::npos ? end : end - start);
    if (!part.empty()) out.push_back(part);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string replace_extension(const std::string& path, const std::string& ext) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    return path.substr(0, dot) + ext;
  }
  return path + ext;
}

}  // namespace

std::string usage() {
  return R"(usage: streamhost-loadgen [options]

Produces customer entry and focus events through the REST proxy, reads the coupon pipeline's
prediction results back, and reports focus events/s and end-to-end latency (from the intended send
time of the fixed-rate schedule, so corrected for coordinated omission).

  --scenario load|demo        load (default): the measured run; demo: 3 customers x 2 departments,
                              prints the predictions as a table, exit 0 when every focus answered
  --proxy-url URL             default $STREAMHOST_REST_PROXY_URL or http://127.0.0.1:18082
                              (loopback hosts only)
  --dialect strimzi|confluent default $STREAMHOST_REST_PROXY_DIALECT or strimzi
  --entry-topic T             default $ENTRY_EVENT_TOPIC_NAME or customer-entry
  --focus-topic T             default $FOCUS_EVENT_TOPIC_NAME or customer-focus
  --prediction-topic T        default $COUPON_PREDICTION_TOPIC_NAME or coupon-predictions
  --customers FIRST-LAST      customer ids, which must exist in customer_info (default 1-1000)
  --categories A,B,...        default Boys,Girls,Men,Sport,Women
  --focus-per-customer N      focus events per customer (default 5)
  --rate EVENTS_PER_S         fixed focus-event rate; 0 = as fast as possible (default 0)
  --producers N               concurrent produce requests (default 4)
  --batch N                   most focus events per produce request (default 100)
  --top-n N                   the pipeline's top_n (default 5)
  --drain-timeout-s S         wait this long for results after the last send (default 30;
                              60 in demo)
  --max-duration-s S          hard bound on the whole run (default 300)
  --report FILE.json          JSON report; also FILE.svg (and FILE.png) unless given below
  --svg FILE                  latency picture (SVG, drawn by the tool)
  --png FILE                  PNG of the picture (needs rsvg-convert, else ImageMagick convert)
)";
}

bool is_loopback_url(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  std::string rest = url.substr(scheme + 3);
  const size_t at = rest.find('@');
  const size_t slash = rest.find('/');
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    rest = rest.substr(at + 1);
  }
  std::string host;
  if (!rest.empty() && rest[0] == '[') {
    host = rest.substr(1, rest.find(']') - 1);
  } else {
    host = rest.substr(0, rest.find_first_of(":/"));
  }
  if (host == "localhost" || host == "::1") return true;
  const auto parts = split(host, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  for (const auto& p : parts) {
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
  }
  return true;
}

Options parse_options(const std::vector<std::string>& args, const EnvLookup& env) {
  Options o;
  o.proxy_url = env_or(env, "STREAMHOST_REST_PROXY_URL", "http://127.0.0.1:18082");
  o.dialect = env_or(env, "STREAMHOST_REST_PROXY_DIALECT", "strimzi");
  o.entry_topic = env_or(env, "ENTRY_EVENT_TOPIC_NAME", "customer-entry");
  o.focus_topic = env_or(env, "FOCUS_EVENT_TOPIC_NAME", "customer-focus");
  o.prediction_topic = env_or(env, "COUPON_PREDICTION_TOPIC_NAME", "coupon-predictions");
  bool customers_given = false, per_customer_given = false, drain_given = false;

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      o.help = true;
      continue;
    }
    if (i + 1 >= args.size())
      throw std::invalid_argument(a + ": missing value (or unknown option)");
    const std::string& v = args[++i];
    if (a == "--scenario") {
      if (v == "load")
        o.scenario = Scenario::kLoad;
      else if (v == "demo")
        o.scenario = Scenario::kDemo;
      else
        throw std::invalid_argument("--scenario: expected load or demo, got \"" + v + "\"");
    } else if (a == "--proxy-url") {
      o.proxy_url = v;
    } else if (a == "--dialect") {
      o.dialect = v;
    } else if (a == "--entry-topic") {
      o.entry_topic = v;
    } else if (a == "--focus-topic") {
      o.focus_topic = v;
    } else if (a == "--prediction-topic") {
      o.prediction_topic = v;
    } else if (a == "--customers") {
      const size_t dash = v.find('-');
      if (dash == std::string::npos) {
        throw std::invalid_argument("--customers: expected FIRST-LAST, got \"" + v + "\"");
      }
      o.first_customer = to_int(a, v.substr(0, dash), 0, INT64_MAX);
      o.last_customer = to_int(a, v.substr(dash + 1), o.first_customer, INT64_MAX);
      customers_given = true;
    } else if (a == "--categories") {
      o.categories = split(v, ',');
      if (o.categories.empty()) throw std::invalid_argument("--categories: empty list");
    } else if (a == "--focus-per-customer") {
      o.focus_per_customer = static_cast<int>(to_int(a, v, 1, 1000000));
      per_customer_given = true;
    } else if (a == "--rate") {
      o.rate = to_double(a, v);
    } else if (a == "--producers") {
      o.producers = static_cast<int>(to_int(a, v, 1, 64));
    } else if (a == "--batch") {
      o.batch = static_cast<int>(to_int(a, v, 1, 10000));
    } else if (a == "--top-n") {
      o.top_n = static_cast<size_t>(to_int(a, v, 1, 1000));
    } else if (a == "--drain-timeout-s") {
      o.drain_timeout_s = static_cast<int>(to_int(a, v, 1, 3600));
      drain_given = true;
    } else if (a == "--max-duration-s") {
      o.max_duration_s = static_cast<int>(to_int(a, v, 1, 3600));
    } else if (a == "--report") {
      o.report_path = v;
    } else if (a == "--svg") {
      o.svg_path = v;
    } else if (a == "--png") {
      o.png_path = v;
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
  if (o.scenario == Scenario::kDemo) {
    if (!customers_given) o.first_customer = 1, o.last_customer = 3;
    if (!per_customer_given) o.focus_per_customer = 2;
    if (!drain_given) o.drain_timeout_s = 60;  // a pipeline just started may still be joining
  }
  if (o.dialect != "strimzi" && o.dialect != "confluent") {
    throw std::invalid_argument("--dialect: expected strimzi or confluent, got \"" + o.dialect +
                                "\"");
  }
  if (!is_loopback_url(o.proxy_url)) {
    throw std::invalid_argument(
        "--proxy-url: only loopback targets are allowed (127.0.0.0/8, ::1, "
        "localhost), got \"" +
        o.proxy_url + "\"");
  }
  if (!o.report_path.empty()) {
    if (o.svg_path.empty()) o.svg_path = replace_extension(o.report_path, ".svg");
    if (o.png_path.empty()) o.png_path = replace_extension(o.report_path, ".png");
  }
  // A customer's successive focus events are a round (one event per customer) apart; keep more
  // than every in-flight produce request in that gap so they can never overtake each other.
  const int64_t customers = o.last_customer - o.first_customer + 1;
  if (customers < static_cast<int64_t>(o.batch) * o.producers) {
    o.batch = static_cast<int>(std::max<int64_t>(1, customers / o.producers / 2));
    if (customers < 2LL * o.producers) o.producers = 1;
  }
  return o;
}

}  // namespace streamhost::loadgen

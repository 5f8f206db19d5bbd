#include "options.hpp"

#include <gtest/gtest.h>

#include <map>

namespace streamhost::loadgen {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(LoadgenOptions, DefaultsComeFromTheStackEnvironment) {
  const Options o = parse_options({}, env_of({{"STREAMHOST_REST_PROXY_URL", "http://127.0.0.1:9"},
                                              {"STREAMHOST_REST_PROXY_DIALECT", "confluent"},
                                              {"FOCUS_EVENT_TOPIC_NAME", "f"}}));
  EXPECT_EQ(o.proxy_url, "http://127.0.0.1:9");
  EXPECT_EQ(o.dialect, "confluent");
  EXPECT_EQ(o.focus_topic, "f");
  EXPECT_EQ(o.entry_topic, "customer-entry");
  EXPECT_EQ(o.scenario, Scenario::kLoad);
}

TEST(LoadgenOptions, ParsesARun) {
  const Options o = parse_options({"--customers", "1-1500", "--rate", "2000", "--report",
                                   "out/run.json", "--focus-per-customer", "3"},
                                  env_of({}));
  EXPECT_EQ(o.first_customer, 1);
  EXPECT_EQ(o.last_customer, 1500);
  EXPECT_DOUBLE_EQ(o.rate, 2000);
  EXPECT_EQ(o.focus_per_customer, 3);
  EXPECT_EQ(o.svg_path, "out/run.svg");
  EXPECT_EQ(o.png_path, "out/run.png");
}

TEST(LoadgenOptions, DemoIsThreeCustomersTwoDepartments) {
  const Options o = parse_options({"--scenario", "demo"}, env_of({}));
  EXPECT_EQ(o.scenario, Scenario::kDemo);
  EXPECT_EQ(o.last_customer - o.first_customer + 1, 3);
  EXPECT_EQ(o.focus_per_customer, 2);
}

TEST(LoadgenOptions, FewCustomersShrinkWhatIsInFlight) {
  const Options o = parse_options({"--customers", "1-3"}, env_of({}));
  EXPECT_EQ(o.producers, 1);
  EXPECT_EQ(o.batch, 1);
}

TEST(LoadgenOptions, RefusesNonLoopbackAndBadValues) {
  EXPECT_THROW(parse_options({"--proxy-url", "http://10.0.0.5:8082"}, env_of({})),
               std::invalid_argument);
  EXPECT_THROW(parse_options({"--rate", "fast"}, env_of({})), std::invalid_argument);
  EXPECT_THROW(parse_options({"--customers", "5-1"}, env_of({})), std::invalid_argument);
  EXPECT_THROW(parse_options({"--dialect", "kafka"}, env_of({})), std::invalid_argument);
  EXPECT_THROW(parse_options({"--bogus", "1"}, env_of({})), std::invalid_argument);
}

TEST(LoadgenOptions, LoopbackUrls) {
  EXPECT_TRUE(is_loopback_url("http://127.0.0.1:18082"));
  EXPECT_TRUE(is_loopback_url("http://localhost"));
  EXPECT_TRUE(is_loopback_url("http://user:pw@127.1.2.3:80/prefix"));
  EXPECT_TRUE(is_loopback_url("http://[::1]:8082"));
  EXPECT_FALSE(is_loopback_url("http://127.0.0.1.example.com"));
  EXPECT_FALSE(is_loopback_url("http://example.com/127.0.0.1"));
  EXPECT_FALSE(is_loopback_url("127.0.0.1:8082"));
}

}  // namespace
}  // namespace streamhost::loadgen

// bench/'s parts alone: the recorded-traffic format, the generator's templates and the statistics
// that compare two runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>

#include "bench/compare_stats.hpp"
#include "bench/record_file.hpp"
#include "bench/record_template.hpp"

namespace streamhost::host::bench {
namespace {

using ::testing::HasSubstr;

TEST(BenchRecordFile, EveryFieldRoundTripsTextAndBytesAlike) {
  connector::ConsumedRecord r;
  r.topic = "focus";
  r.partition = 3;
  r.offset = 1207;
  r.timestamp_ms = 1765100000123;
  r.key = std::string("k\0\xff", 3);  // not UTF-8: travels as key_base64
  r.value = R"({"a":"é\n"})";
  r.headers = {{"trace", "ab12"}, {"bin", std::string("\x80", 1)}};
  const std::string line = format_record_line(r);
  EXPECT_THAT(line, HasSubstr("\"key_base64\":\"awD/\""));
  EXPECT_THAT(line, HasSubstr("\"value\":\"{\\\"a\\\":\\\"é\\\\n\\\"}\""));
  const connector::ConsumedRecord back = parse_record_line(line);
  EXPECT_EQ(back.topic, r.topic);
  EXPECT_EQ(back.partition, r.partition);
  EXPECT_EQ(back.offset, r.offset);
  EXPECT_EQ(back.timestamp_ms, r.timestamp_ms);
  EXPECT_EQ(back.key, r.key);
  EXPECT_EQ(back.value, r.value);
  ASSERT_EQ(back.headers.size(), 2u);
  EXPECT_EQ(back.headers[1].value, r.headers[1].value);
}

TEST(BenchRecordFile, NullKeyAndValueStayNullAndOnlyValueIsNeeded) {
  connector::ConsumedRecord r;
  r.topic = "t";
  const auto back = parse_record_line(format_record_line(r));
  EXPECT_FALSE(back.key.has_value());
  EXPECT_FALSE(back.value.has_value());
  const auto minimal = parse_record_line(R"({"value":"x"})");
  EXPECT_EQ(minimal.value, "x");
  EXPECT_EQ(minimal.topic, "");
  EXPECT_EQ(minimal.timestamp_ms, -1);
}

TEST(BenchRecordFile, MistakesAreNamedWithTheirLine) {
  std::istringstream in("{\"value\":\"ok\"}\n\n{\"value\":1}\n");
  try {
    read_record_file(in, "traffic.jsonl", 100);
    FAIL() << "a number as value was accepted";
  } catch (const RecordFileError& e) {
    EXPECT_STREQ(e.what(), "traffic.jsonl:3: \"value\" must be a string or null");
  }
  for (const char* bad : {R"({"value":"x","value_base64":"eA=="})", R"({"partition":-1})",
                          R"({"value_base64":"%%%"})", R"([1])", R"({"headers":[{"value":"v"}]})",
                          "{\"value\":\"x\"} trailing"}) {
    EXPECT_THROW(parse_record_line(bad), RecordFileError) << bad;
  }
}

TEST(BenchRecordFile, AnEndlessLineAndTooManyRecordsAreRefused) {
  std::istringstream endless(std::string(kMaxRecordLineBytes + 10, ' ') + "x");
  try {
    read_record_file(endless, "big.jsonl", 10);
    FAIL();
  } catch (const RecordFileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("big.jsonl:1: line longer than"));
  }
  std::istringstream three("{}\n{}\n{}\n");
  EXPECT_THROW(read_record_file(three, "f", 2), RecordFileError);
}

TEST(BenchTemplate, PlaceholdersAreFilledAndTheSeedDecides) {
  RecordTemplate t(
      R"({"id":{{seq}},"n":{{int:5:7}},"c":"{{choice:a|b}}","f":{{float:0:1}},"k":{{key}}})");
  std::mt19937_64 r1(42), r2(42);
  const std::string a = t.render(12, r1, "99");
  EXPECT_EQ(a, t.render(12, r2, "99"));
  EXPECT_THAT(a, HasSubstr("\"id\":12,"));
  EXPECT_THAT(a, HasSubstr("\"k\":99}"));
  std::mt19937_64 r3(7);
  std::set<std::string> ns;
  for (int i = 0; i < 200; ++i) {
    const std::string v = RecordTemplate("{{int:5:7}}").render(0, r3);
    ns.insert(v);
  }
  EXPECT_EQ(ns, (std::set<std::string>{"5", "6", "7"}));
  std::mt19937_64 r4(1);
  EXPECT_EQ(RecordTemplate("a{{{{b").render(0, r4), "a{{b");
}

TEST(BenchTemplate, AMistakeNamesThePlaceholder) {
  for (auto [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {"{{sequence}}", "unknown placeholder {{sequence}}"},
           {"{{int:9:1}}", "{{int:9:1}}: MIN > MAX"},
           {"{{int:a:1}}", "\"a\" is not a number"},
           {"{{choice:}}", "expected {{choice:A|B|...}}"},
           {"x {{seq", "has no closing"}}) {
    try {
      RecordTemplate t(text);
      ADD_FAILURE() << text << " was accepted";
    } catch (const TemplateError& e) {
      EXPECT_THAT(e.what(), HasSubstr(expected)) << text;
    }
  }
}

// Per-round medians with noise the way this machine makes it: multiplicative, heavy-tailed now
// and then.
std::vector<double> noisy(double centre, size_t n, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::lognormal_distribution<double> noise(0, 0.08);
  std::vector<double> out;
  for (size_t i = 0; i < n; ++i) out.push_back(centre * noise(random));
  return out;
}

TEST(BenchCompare, PairedSignTestIntervalIsTheOrderStatisticsOfTheRatios) {
  // 20 rounds at 95 %: the 6th smallest and 6th largest of the ratios (2 P(X <= 5) = 0.041).
  std::vector<double> a(20, 1.0), b;
  for (int i = 1; i <= 20; ++i) b.push_back(1.0 + i / 100.0);
  const RatioEstimate e = paired_ratio(a, b);
  EXPECT_DOUBLE_EQ(e.low, 1.06);
  EXPECT_DOUBLE_EQ(e.high, 1.15);
  EXPECT_DOUBLE_EQ(e.ratio, 1.105);
  EXPECT_NEAR(e.confidence, 1 - 2 * 21700.0 / 1048576.0, 1e-12);
  EXPECT_NEAR(e.p_value, 2.0 / 1048576.0, 1e-12);  // all 20 rounds slower
  EXPECT_THAT(verdict(e), HasSubstr("B is slower by 10.5 %"));
}

TEST(BenchCompare, APairedSlowdownIsFoundAndNoneIsNotInvented) {
  const auto a = noisy(10.0, 20, 1);
  auto slower = noisy(10.0, 20, 2);
  for (double& v : slower) v *= 1.3;
  const RatioEstimate found = paired_ratio(a, slower);
  EXPECT_GT(found.low, 1.0);
  EXPECT_NEAR(found.ratio, 1.3, 0.1);
  // The same distribution on both sides, 200 seeds: a 95 % interval misses 1 in about 1 of 20.
  int claimed = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const RatioEstimate same = paired_ratio(noisy(10.0, 20, seed), noisy(10.0, 20, seed + 1000));
    if (same.low > 1 || same.high < 1) ++claimed;
  }
  EXPECT_LE(claimed, 20);
  EXPECT_THAT(verdict(paired_ratio(a, a)),
              HasSubstr("no difference that the noise allows to tell"));
}

TEST(BenchCompare, UnpairedHodgesLehmannFindsAShiftInSeparateRuns) {
  const auto a = noisy(10.0, 10, 3);
  auto b = noisy(10.0, 10, 4);
  for (double& v : b) v *= 0.7;
  const RatioEstimate e = unpaired_ratio(a, b);
  EXPECT_LT(e.high, 1.0);
  EXPECT_NEAR(e.ratio, 0.7, 0.07);
  EXPECT_LT(e.p_value, 0.001);
  EXPECT_THAT(verdict(e), HasSubstr("B is faster by"));
  const RatioEstimate none = unpaired_ratio(a, noisy(10.0, 10, 5));
  EXPECT_LE(none.low, 1.0);
  EXPECT_GE(none.high, 1.0);
}

TEST(BenchCompare, TooFewRoundsOrBadValuesAreRefusedWithTheFix) {
  try {
    paired_ratio({1, 1, 1, 1, 1}, {2, 2, 2, 2, 2});
    FAIL();
  } catch (const CompareError& e) {
    EXPECT_THAT(e.what(), HasSubstr("run at least 6"));
  }
  EXPECT_THROW(paired_ratio({1, 2}, {1}), CompareError);
  EXPECT_THROW(paired_ratio(std::vector<double>(10, 1), std::vector<double>(10, 0)), CompareError);
  EXPECT_THROW(unpaired_ratio({1, 2, 3}, {1, 2, 3, 4, 5}), CompareError);
}

}  // namespace
}  // namespace streamhost::host::bench

#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "manifest/interpolate.hpp"

namespace streamhost::host {
namespace {

using testing::fake_env;

const EnvLookup kEnv = fake_env({{"HOST", "kafka.local"}, {"PORT", "9092"}, {"EMPTY", ""}});

TEST(Interpolate, ReplacesASetVariable) {
  auto r = interpolate("${HOST}", kEnv);
  EXPECT_EQ(r.value, "kafka.local");
  EXPECT_TRUE(r.missing.empty());
  EXPECT_TRUE(r.error.empty());
}

TEST(Interpolate, ReplacesSeveralReferencesInsideAString) {
  EXPECT_EQ(interpolate("http://${HOST}:${PORT}/v2", kEnv).value, "http://kafka.local:9092/v2");
}

TEST(Interpolate, UsesTheDefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(interpolate("${NOPE:-latest}", kEnv).value, "latest");
  EXPECT_EQ(interpolate("${EMPTY:-fallback}", kEnv).value, "fallback");
  EXPECT_EQ(interpolate("${HOST:-other}", kEnv).value, "kafka.local");
}

TEST(Interpolate, DefaultMayBeEmptyOrContainSpecialCharacters) {
  EXPECT_EQ(interpolate("${NOPE:-}", kEnv).value, "");
  EXPECT_EQ(interpolate("${NOPE:-http://127.0.0.1:18082}", kEnv).value, "http://127.0.0.1:18082");
}

TEST(Interpolate, EscapedReferenceStaysLiteral) {
  auto r = interpolate("price: $${AMOUNT} and ${PORT}", kEnv);
  EXPECT_EQ(r.value, "price: ${AMOUNT} and 9092");
  EXPECT_TRUE(r.missing.empty());
}

TEST(Interpolate, LoneDollarSignsAreKept) {
  EXPECT_EQ(interpolate("cost $5 $ {x}", kEnv).value, "cost $5 $ {x}");
}

TEST(Interpolate, ReportsEveryMissingVariable) {
  auto r = interpolate("${A}-${PORT}-${B}", kEnv);
  EXPECT_EQ(r.missing, (std::vector<std::string>{"A", "B"}));
}

TEST(Interpolate, EmptyButSetVariableIsNotMissing) {
  auto r = interpolate("x${EMPTY}y", kEnv);
  EXPECT_EQ(r.value, "xy");
  EXPECT_TRUE(r.missing.empty());
}

TEST(Interpolate, RejectsMalformedReferences) {
  EXPECT_EQ(interpolate("${HOST", kEnv).error,
            "unterminated \"${\" (write \"$${\" for a literal \"${\")");
  EXPECT_EQ(interpolate("${}", kEnv).error,
            "malformed reference \"${}\" (expected ${NAME} or ${NAME:-default})");
  EXPECT_EQ(interpolate("${HOST-x}", kEnv).error,
            "malformed reference \"${HOST-x}\" (expected ${NAME} or ${NAME:-default})");
  EXPECT_EQ(interpolate("${1ABC}", kEnv).error,
            "malformed reference \"${1ABC}\" (expected ${NAME} or ${NAME:-default})");
}

}  // namespace
}  // namespace streamhost::host

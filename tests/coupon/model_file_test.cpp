// Broken and hostile model files: each is refused with a message naming the problem, never a
// crash; the size limits hold; load_file names the path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <streamhost/coupon/model.hpp>
#include <string>

#include "model_test_support.hpp"

namespace streamhost::coupon {
namespace {

using testing::model_file;

std::string error_of(const std::string& text) {
  try {
    Model::from_json(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

// A gradient_boosting model whose one tree has these arrays.
std::string one_tree(const std::string& left, const std::string& right, const std::string& feature,
                     const std::string& threshold, const std::string& value) {
  return model_file(R"({"kind": "gradient_boosting", "learning_rate": 0.1, "init_log_odds": 0,
    "trees": [{"children_left": )" +
                    left + R"(, "children_right": )" + right + R"(, "feature": )" + feature +
                    R"(, "threshold": )" + threshold + R"(, "value": )" + value + "}]}");
}

TEST(CouponModelFile, AcceptsAWellFormedTree) {
  const Model m = Model::from_json(
      one_tree("[1, -1, -1]", "[2, -1, -1]", "[14, -2, -2]", "[50.5, -2, -2]", "[0, 1.5, -1.5]"));
  EXPECT_EQ(m.kind(), "gradient_boosting");
  EXPECT_EQ(m.summary(), "gradient_boosting: 1 trees, 3 nodes, max depth 1");
}

TEST(CouponModelFile, RefusesBrokenTreesNamingTheNode) {
  EXPECT_EQ(
      error_of(one_tree("[1, -1, -1]", "[7, -1, -1]", "[14, -2, -2]", "[1, 0, 0]", "[0, 0, 0]")),
      "model: model.trees[0] node 0: child 7 is out of range (the tree has 3 nodes)");
  // Node 1 points back at the root.
  EXPECT_EQ(
      error_of(one_tree("[1, 0, -1]", "[2, 2, -1]", "[14, 14, -2]", "[1, 1, 0]", "[0, 0, 0]")),
      "model: model.trees[0] node 0: reached twice (the children form a cycle or share a "
      "node)");
  EXPECT_EQ(error_of(one_tree("[1, -1]", "[1, -1]", "[14, -2]", "[1, 0]", "[0, 0]")),
            "model: model.trees[0] node 1: reached twice (the children form a cycle or share a "
            "node)");
  EXPECT_EQ(error_of(one_tree("[1, -1, -1, -1, -1]", "[2, -1, -1, -1, -1]", "[14, -2, -2, -2, -2]",
                              "[1, 0, 0, 0, 0]", "[0, 0, 0, 0, 0]")),
            "model: model.trees[0] node 3: not reachable from the root");
  EXPECT_EQ(
      error_of(one_tree("[1, -1, -1]", "[2, 2, -1]", "[14, -2, -2]", "[1, 0, 0]", "[0, 0, 0]")),
      "model: model.trees[0] node 1: a leaf needs both children -1, got -1 and 2");
  EXPECT_EQ(
      error_of(one_tree("[1, -1, -1]", "[2, -1, -1]", "[21, -2, -2]", "[1, 0, 0]", "[0, 0, 0]")),
      "model: model.trees[0].feature[0]: 21 is not a column of encoding.features (it has "
      "21)");
  EXPECT_EQ(error_of(one_tree("[1, -1, -1]", "[2, -1, -1]", "[14, -2, -2]", "[1, 0]", "[0, 0, 0]")),
            "model: model.trees[0].threshold: 2 entries, but children_left has 3");
  EXPECT_EQ(error_of(one_tree("[1, -1, -1]", "[2, -1, -1]", "[14, -2, -2]", "[1, 0, 0]",
                              "[0, 1e300, 0]")),
            "model: model.trees[0].value[1]: must be at most 1e12 in magnitude");
}

TEST(CouponModelFile, RefusesTreesDeeperThanTheLimit) {
  // A chain: node 2k splits into leaf 2k+1 and node 2k+2; 130 levels.
  std::string left = "[", right = "[", feature = "[", threshold = "[", value = "[";
  const int levels = 130;
  for (int k = 0; k < levels; ++k) {
    const std::string sep = k ? ", " : "";
    left += sep + std::to_string(2 * k + 1) + ", -1";
    right += sep + std::to_string(2 * k + 2) + ", -1";
    feature += sep + "14, -2";
    threshold += sep + "1, 0";
    value += sep + "0, 0";
  }
  const std::string end = ", -1]";
  EXPECT_EQ(error_of(one_tree(left + end, right + end, feature + ", -2]", threshold + ", 0]",
                              value + ", 0]")),
            "model: model.trees[0]: deeper than the limit of 128 levels");
}

TEST(CouponModelFile, RefusesMoreTreesThanTheLimit) {
  std::string trees;
  for (size_t t = 0; t <= kMaxTrees; ++t) {
    trees +=
        std::string(t ? "," : "") +
        R"({"children_left":[-1],"children_right":[-1],"feature":[-2],"threshold":[0],"value":[0]})";
  }
  const std::string text = model_file(R"({"kind": "random_forest", "trees": [)" + trees + "]}");
  EXPECT_EQ(error_of(text), "model: model.trees: violates the schema's \"maxItems\" rule");
}

TEST(CouponModelFile, RefusesWhatTheSchemaForbidsAtTheField) {
  EXPECT_EQ(error_of(one_tree("[1, -1, -1]", "[2, -1, -1]", "[14, -2, -2]", "[1, \"x\", 0]",
                              "[0, 0, 0]")),
            "model: model.trees.0.threshold.1: expected number, got \"x\"");
  EXPECT_EQ(error_of(model_file(R"({"kind": "random_forest", "trees": [{"children_left": [-1],
      "children_right": [-1], "feature": [-2], "threshold": [0], "value": [1.5]}]})")),
            "model: model.trees[0].value[0]: a forest's leaf probability must be in [0, 1]");
  EXPECT_EQ(error_of(model_file(R"({"kind": "logistic_regression", "intercept": 0,
      "coefficients": [1, 2]})")),
            "model: model.coefficients: 2 coefficients for the 21 columns of encoding.features");
  EXPECT_EQ(error_of(model_file(R"({"kind": "neural_net"})")),
            "model: model.kind: \"neural_net\" is not one of gradient_boosting, random_forest, "
            "logistic_regression, scaled_logistic");
  EXPECT_EQ(error_of(model_file(R"({"kind": "scaled_logistic", "intercept": 0, "terms": [],
      "interactions": [{"customer": "customer.family_size", "coupon": "coupons[].coupon_discount",
                        "weight": 1}]})")),
            "model: model.interactions[0].customer: customer.family_size must also have a term "
            "(its center and scale)");
}

TEST(CouponModelFile, RefusesOtherEncodingsAndFormats) {
  const std::string lr = R"({"kind": "logistic_regression", "intercept": 0, "coefficients": [1]})";
  const std::string unknown = error_of(model_file(lr, {"customer.shoe_size"}));
  EXPECT_EQ(unknown.substr(0, unknown.find(" (known")),
            "model: encoding.features[0]: \"customer.shoe_size\" is not a feature the coupon "
            "plugin encodes");
  EXPECT_NE(unknown.find("customer.total_coupons_redeemed"), std::string::npos) << unknown;
  EXPECT_EQ(error_of(model_file(R"({"kind": "logistic_regression", "intercept": 0,
      "coefficients": [1, 1]})",
                                {"customer.gender", "customer.gender"})),
            "model: encoding.features[1]: \"customer.gender\" is listed twice");
  std::string other_codes = model_file(lr, {"customer.gender"});
  other_codes.replace(other_codes.find(R"(["F", "M"])"), 10, R"(["M", "F"])");
  EXPECT_EQ(error_of(other_codes),
            "model: encoding.gender must be [\"F\", \"M\"] (the original prediction service's "
            "codes, which the plugin reproduces)");
  std::string v2 = model_file(lr, {"customer.gender"});
  v2.replace(v2.find("\"format_version\": 1"), 19, "\"format_version\": 2");
  EXPECT_EQ(error_of(v2),
            "model: format_version: this plugin reads version 1 of the coupon model "
            "format");
  // The reference model's file before the format existed.
  EXPECT_EQ(error_of(R"({"name":"x","version":"1","link":"logistic","bias":0,"numeric":[]})"),
            "model: format: expected \"streamhost-coupon-model\": not a coupon model file "
            "(schema/coupon_model.schema.json; tools/export-model writes one)");
  EXPECT_EQ(error_of("{"), "model: not JSON: Missing a name for object member. (offset 1)");
}

TEST(CouponModelFile, LoadFileNamesThePathAndBoundsTheSize) {
  const std::string dir = ::testing::TempDir() + "model_file_test_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string missing = dir + "/missing.json";
  try {
    Model::load_file(missing);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "model file " + missing + ": cannot be read");
  }
  // Sparse: no disk is written, and the size is refused before anything is read.
  const std::string huge = dir + "/huge.json";
  std::ofstream(huge).put('{');
  std::filesystem::resize_file(huge, kMaxModelFileBytes + 1);
  try {
    Model::load_file(huge);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "model file " + huge + ": larger than the limit of 512 MiB");
  }
  const std::string broken = dir + "/broken.json";
  std::ofstream(broken) << model_file(R"({"kind": "random_forest"})");
  try {
    Model::load_file(broken);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "model file " + broken + ": missing field model.trees");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace streamhost::coupon

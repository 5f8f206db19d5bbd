// Gradient-boosted trees and random forests as scikit-learn fits them, flattened into one array of
// packed 16-byte nodes in depth-first order (a node's left child is the next node), and scored per
// focus event without walking a tree once per coupon:
//
//   - Within one department the customer's features and the one-hot category columns are the same
//     for every coupon; only the price and the discount differ. Each tree is therefore partially
//     evaluated once per event: nodes on the other columns are decided, and what is left is a
//     small tree over price and discount (about 30 leaves of a depth-15 tree of 9,000 nodes).
//   - The table (built once per catalog load) holds the department's coupons sorted by the
//     primary per-coupon column. A split on it cuts the current range of positions in two (a binary
//     search); a split on the other column narrows an interval of its values. Each leaf of the
//     residual tree is then a range of positions plus an interval, and adding its value is one
//     straight loop over that range with a compare per coupon.
//
// Every coupon receives exactly one leaf value per tree, in tree order, like scikit-learn's own
// loop, so the sums are bit for bit those of predict_proba. Features are compared in float32 as
// scikit-learn's trees do (X.astype(float32) <= threshold): thresholds are stored rounded down to
// float32, which makes `float x <= float t` equal to `double(x) <= double threshold`.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <streamhost/coupon/model.hpp>
#include <string>
#include <vector>

namespace streamhost::coupon {

class TreeEnsemble final : public Evaluator {
 public:
  enum class Kind { kGradientBoosting, kRandomForest };

  // One tree as scikit-learn's tree_ arrays: one entry per node, node 0 the root, -1 children at
  // leaves; value is the regression value (boosting) or the positive-class probability (forest).
  struct TreeArrays {
    std::vector<int64_t> children_left, children_right, feature;
    std::vector<double> threshold, value;
    std::vector<uint8_t> missing_go_to_left;  // empty = missing values go right
  };

  // Checks each tree (lengths, children in range, every node reached exactly once from the root,
  // features, depth, the size limits of model.hpp) and flattens it. Throws std::invalid_argument
  // naming "<where>.trees[i]...". For boosting, `learning_rate` scales the leaves and
  // `init_log_odds` starts the sum; both are ignored for a forest.
  TreeEnsemble(Kind kind, FeatureEncoding encoding, double learning_rate, double init_log_odds,
               const std::vector<TreeArrays>& trees, const std::string& where = "model");
  // From a model file's "model" object (already checked against the schema).
  static std::shared_ptr<const TreeEnsemble> from_json(const rapidjson::Value& model, Kind kind,
                                                       const FeatureEncoding& encoding);

  void make_table(const std::vector<CouponFeatures>& coupons, CouponTable& table) const override;
  void score(const CustomerInfo& customer, const CouponTable& table,
             double* predictions) const override;
  double predict(const CustomerInfo& customer, const CouponFeatures& coupon) const override;
  std::string summary() const override;

  size_t tree_count() const { return roots_.size(); }
  size_t node_count() const { return nodes_.size(); }

 private:
  static constexpr uint16_t kLeaf = 0xFFFF;
  static constexpr uint16_t kNoColumn = 0xFFFE;
  struct Split {
    uint32_t right;   // the right child; the left child is the next node
    float threshold;  // rounded down to float32
  };
  struct Node {
    union {
      Split split;
      double value;  // a leaf: the value added (learning rate applied for boosting)
    } u;
    uint16_t feature;  // the column tested, kLeaf at a leaf
    uint8_t missing_left;
    uint8_t unused[5];
  };
  static_assert(sizeof(Node) == 16, "nodes are packed in 16 bytes");

  void add_tree(const TreeArrays& tree, const std::string& where, size_t& total_nodes);
  void score_segment(const float* context, const float* primary, const double* secondary,
                     uint32_t count, double* sums) const;
  double finish(double sum) const;

  Kind kind_;
  FeatureEncoding encoding_;
  double learning_rate_ = 1, init_ = 0;
  std::vector<Node> nodes_;
  std::vector<uint32_t> roots_;
  size_t max_depth_ = 0;
  uint16_t primary_ = kNoColumn, secondary_ = kNoColumn;  // the per-coupon columns
};

}  // namespace streamhost::coupon

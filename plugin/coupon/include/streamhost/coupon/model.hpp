// The model shared by the embedded scorer and the coupon-scorer server: a model file
// (schema/coupon_model.schema.json) loaded into one of the evaluators (tree_ensemble.hpp,
// linear_models.hpp) behind the same three calls.
//
// Scoring exploits what a focus event is: one customer against a department's coupons, all known
// when the catalog is built. make_table encodes the coupons once per catalog load (CouponTable);
// score encodes the customer once per event and then only does per-coupon work.
#pragma once

#include <cstdint>
#include <memory>
#include <streamhost/coupon/customer.hpp>
#include <streamhost/coupon/events.hpp>
#include <streamhost/coupon/feature_encoding.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace streamhost::coupon {

// The coupon side of a scoring row (a coupon of one category).
struct CouponFeatures {
  int64_t coupon_id = 0;
  double mean_coupon_discount = 0;
  double mean_item_price = 0;
  Category category = Category::kBoys;
};

class Evaluator;

// Many coupons, pre-encoded for one model. Which members are filled depends on the model's kind.
struct CouponTable {
  size_t size = 0;                      // coupons in the table
  const Evaluator* built_by = nullptr;  // the model it was made for (Model::score checks it)
  // Linear kinds: the coupon part of the logit per coupon, and interaction factors
  // (interaction_count per coupon, coupon-major).
  std::vector<double> logit;
  std::vector<double> factors;
  // Tree kinds: the coupons in runs of one department (its one-hot columns are constant, so trees
  // are partially evaluated once per run), each run sorted by the model's primary per-coupon
  // column. Position p holds coupon order[p]; primary/secondary are its per-coupon features
  // rounded to float32, the precision scikit-learn's trees compare in (secondary widened back to
  // double, exactly, for the vectorised leaf loops).
  struct Segment {
    Category category = Category::kBoys;
    uint32_t begin = 0, end = 0;  // positions
  };
  std::vector<Segment> segments;
  std::vector<uint32_t> order;
  std::vector<float> primary;
  std::vector<double> secondary;
};

// One kind of model. Implementations are immutable and thread-safe.
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual void make_table(const std::vector<CouponFeatures>& coupons, CouponTable& table) const = 0;
  // predictions[i] for table coupon i; `predictions` has table.size elements.
  virtual void score(const CustomerInfo& customer, const CouponTable& table,
                     double* predictions) const = 0;
  // One row the direct way: encode it, evaluate it (tests, and single lookups).
  virtual double predict(const CustomerInfo& customer, const CouponFeatures& coupon) const = 0;
  // "gradient_boosting: 191 trees, 2,049,310 nodes, max depth 15".
  virtual std::string summary() const = 0;
};

class Model {
 public:
  // A model file's text. Throws std::invalid_argument whose message starts with "model: " and
  // names the offending field ("model: model.trees[3].children_left[17]: child 99 is out of range
  // (the tree has 50 nodes)").
  static Model from_json(std::string_view json_text);
  // Reads at most kMaxModelFileBytes of `path` first; errors name the path.
  static Model load_file(const std::string& path);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& kind() const { return kind_; }
  const FeatureEncoding& encoding() const { return encoding_; }
  std::string summary() const { return evaluator_->summary(); }

  CouponTable make_table(const std::vector<CouponFeatures>& coupons) const;
  // predictions[i] for the table's coupon i; resizes `predictions`.
  void score(const CustomerInfo& customer, const CouponTable& table,
             std::vector<double>& predictions) const;
  // One prediction the slow, obvious way (tests and single lookups).
  double predict(const CustomerInfo& customer, const CouponFeatures& coupon) const;

 private:
  std::string name_, version_, kind_;
  FeatureEncoding encoding_;
  std::shared_ptr<const Evaluator> evaluator_;
};

// Limits that keep a hostile or broken model file from exhausting memory or time.
inline constexpr size_t kMaxModelFileBytes = size_t{512} << 20;
inline constexpr size_t kMaxTrees = 10000;
inline constexpr size_t kMaxNodesPerTree = size_t{1} << 20;
inline constexpr size_t kMaxTotalNodes = size_t{1} << 24;
inline constexpr size_t kMaxTreeDepth = 128;

}  // namespace streamhost::coupon

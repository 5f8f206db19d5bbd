#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <streamhost/coupon/float32.hpp>
#include <streamhost/coupon/tree_ensemble.hpp>

namespace streamhost::coupon {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument(what);
}

double sigmoid(double logit) {
  return 1.0 / (1.0 + std::exp(-logit));
}

// Leaf values beyond this cannot come from a real model and could overflow the sums.
constexpr double kMaxLeafMagnitude = 1e12;

std::vector<int64_t> integers(const rapidjson::Value& a) {
  std::vector<int64_t> out;
  out.reserve(a.Size());
  for (const auto& v : a.GetArray()) out.push_back(v.GetInt64());
  return out;
}

std::vector<double> numbers(const rapidjson::Value& a) {
  std::vector<double> out;
  out.reserve(a.Size());
  for (const auto& v : a.GetArray()) out.push_back(v.GetDouble());
  return out;
}

// JSON has no infinity; the model file writes the largest double for scikit-learn's infinite
// thresholds (splits that only separate missing values).
double threshold_value(double t) {
  constexpr double kLargest = std::numeric_limits<double>::max();
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  return t == kLargest ? kInfinity : t == -kLargest ? -kInfinity : t;
}

// The leaf loops are most of a large model's time, so they run four coupons per instruction where
// the processor allows: GCC/Clang vector extensions (two SSE2 operations on any x86-64, one AVX2
// operation in the clone GCC makes for processors that have it, NEON pairs on arm64). Each
// coupon outside the leaf gets +0.0, which leaves its sum unchanged: exactly one addition per
// coupon and tree, as in scikit-learn's loop.
using Double4 = double __attribute__((vector_size(32)));
using Mask4 = int64_t __attribute__((vector_size(32)));

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define STREAMHOST_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define STREAMHOST_VECTOR_CLONES
#endif

// sums[j] += value for j in [lo, hi).
STREAMHOST_VECTOR_CLONES void add_all(double* sums, uint32_t lo, uint32_t hi, double value) {
  const Double4 v = {value, value, value, value};
  uint32_t j = lo;
  for (; j + 4 <= hi; j += 4) {
    Double4 sum;
    std::memcpy(&sum, sums + j, sizeof sum);
    sum += v;
    std::memcpy(sums + j, &sum, sizeof sum);
  }
  for (; j < hi; ++j) sums[j] += value;
}

// sums[j] += value for j in [lo, hi) whose secondary value is in (above, upto].
STREAMHOST_VECTOR_CLONES void add_where(double* sums, const double* secondary, uint32_t lo,
                                        uint32_t hi, double above, double upto, double value) {
  const Double4 a = {above, above, above, above}, b = {upto, upto, upto, upto};
  // A cast between vector types of one size reinterprets the bits (GCC/Clang vector semantics).
  const Mask4 bits = (Mask4)(Double4{value, value, value, value});
  uint32_t j = lo;
  for (; j + 4 <= hi; j += 4) {
    Double4 s, sum;
    std::memcpy(&s, secondary + j, sizeof s);
    std::memcpy(&sum, sums + j, sizeof sum);
    sum += (Double4)(((s > a) & (s <= b)) & bits);
    std::memcpy(sums + j, &sum, sizeof sum);
  }
  for (; j < hi; ++j) {
    const double s = secondary[j];
    sums[j] += (s > above && s <= upto) ? value : 0.0;
  }
}

// The first position in [lo, hi) whose value is > t (values ascending): the split point of
// "x <= t". Branch-free halving, since the direction is unpredictable.
uint32_t upper_bound(const float* values, uint32_t lo, uint32_t hi, float t) {
  const float* base = values + lo;
  uint32_t n = hi - lo;
  while (n > 1) {
    const uint32_t half = n / 2;
    base = base[half - 1] <= t ? base + half : base;
    n -= half;
  }
  return static_cast<uint32_t>(base - values) + (n == 1 && *base <= t ? 1 : 0);
}

}  // namespace

TreeEnsemble::TreeEnsemble(Kind kind, FeatureEncoding encoding, double learning_rate,
                           double init_log_odds, const std::vector<TreeArrays>& trees,
                           const std::string& where)
    : kind_(kind), encoding_(std::move(encoding)) {
  if (kind_ == Kind::kGradientBoosting) {
    if (!(learning_rate > 0) || learning_rate > 1e3)
      bad(where + ".learning_rate: must be in (0, 1000]");
    if (!(std::abs(init_log_odds) <= kMaxLeafMagnitude))
      bad(where + ".init_log_odds: must be finite and at most 1e12 in magnitude");
    learning_rate_ = learning_rate;
    init_ = init_log_odds;
  }
  if (trees.empty()) bad(where + ".trees: no trees");
  if (trees.size() > kMaxTrees)
    bad(where + ".trees: " + std::to_string(trees.size()) + " trees, more than the limit of " +
        std::to_string(kMaxTrees));
  size_t total = 0;
  for (size_t t = 0; t < trees.size(); ++t) {
    add_tree(trees[t], where + ".trees[" + std::to_string(t) + "]", total);
  }
  // The per-coupon column with more splits is the primary one: its splits cut ranges of the
  // sorted table, which prunes more than the other column's value intervals.
  size_t price_splits = 0, discount_splits = 0;
  uint16_t price = kNoColumn, discount = kNoColumn;
  for (size_t i = 0; i < encoding_.size(); ++i) {
    if (encoding_.feature(i).source == FeatureSource::kCouponPrice)
      price = static_cast<uint16_t>(i);
    if (encoding_.feature(i).source == FeatureSource::kCouponDiscount)
      discount = static_cast<uint16_t>(i);
  }
  for (const Node& n : nodes_) {
    price_splits += n.feature == price;
    discount_splits += n.feature == discount;
  }
  primary_ = price_splits >= discount_splits ? price : discount;
  secondary_ = primary_ == price ? discount : price;
  if (primary_ == kNoColumn) std::swap(primary_, secondary_);
}

void TreeEnsemble::add_tree(const TreeArrays& tree, const std::string& where, size_t& total) {
  const size_t n = tree.children_left.size();
  if (n == 0) bad(where + ": a tree needs at least one node");
  if (n > kMaxNodesPerTree)
    bad(where + ": " + std::to_string(n) + " nodes, more than the limit of " +
        std::to_string(kMaxNodesPerTree) + " per tree");
  auto same_length = [&](size_t size, const char* field) {
    if (size != n)
      bad(where + "." + field + ": " + std::to_string(size) + " entries, but children_left has " +
          std::to_string(n));
  };
  same_length(tree.children_right.size(), "children_right");
  same_length(tree.feature.size(), "feature");
  same_length(tree.threshold.size(), "threshold");
  same_length(tree.value.size(), "value");
  if (!tree.missing_go_to_left.empty())
    same_length(tree.missing_go_to_left.size(), "missing_go_to_left");
  total += n;
  if (total > kMaxTotalNodes)
    bad(where + ": the trees hold more than the limit of " + std::to_string(kMaxTotalNodes) +
        " nodes in all");

  // Depth-first from the root, left child first, so each left child lands right after its parent.
  // Every node must be reached exactly once: a child out of range, a cycle or a shared child is
  // refused here, so scoring can follow indexes without checking them.
  std::vector<uint8_t> seen(n, 0);
  struct Pending {
    int64_t node;
    size_t depth;
    size_t parent;  // index in nodes_ whose right child this is; SIZE_MAX for the root/left
  };
  std::vector<Pending> stack{{0, 0, SIZE_MAX}};
  size_t reached = 0;
  const size_t first = nodes_.size();
  roots_.push_back(static_cast<uint32_t>(first));
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    const size_t i = static_cast<size_t>(p.node);
    const std::string at = where + " node " + std::to_string(i);
    if (seen[i]) bad(at + ": reached twice (the children form a cycle or share a node)");
    seen[i] = 1;
    ++reached;
    if (p.depth > kMaxTreeDepth)
      bad(where + ": deeper than the limit of " + std::to_string(kMaxTreeDepth) + " levels");
    max_depth_ = std::max(max_depth_, p.depth);
    if (p.parent != SIZE_MAX) nodes_[p.parent].u.split.right = static_cast<uint32_t>(nodes_.size());
    Node node{};
    const int64_t left = tree.children_left[i], right = tree.children_right[i];
    if (left == -1 || right == -1) {
      if (left != right)
        bad(at + ": a leaf needs both children -1, got " + std::to_string(left) + " and " +
            std::to_string(right));
      double value = tree.value[i];
      if (kind_ == Kind::kRandomForest && !(value >= 0 && value <= 1))
        bad(where + ".value[" + std::to_string(i) +
            "]: a forest's leaf probability must be in [0, 1]");
      if (!(std::abs(value) <= kMaxLeafMagnitude))
        bad(where + ".value[" + std::to_string(i) + "]: must be at most 1e12 in magnitude");
      // The same product scikit-learn forms per row (scale * value), formed once.
      node.u.value = kind_ == Kind::kGradientBoosting ? learning_rate_ * value : value;
      node.feature = kLeaf;
      nodes_.push_back(node);
      continue;
    }
    for (int64_t child : {left, right}) {
      if (child < 0 || static_cast<size_t>(child) >= n)
        bad(at + ": child " + std::to_string(child) + " is out of range (the tree has " +
            std::to_string(n) + " nodes)");
    }
    const int64_t feature = tree.feature[i];
    if (feature < 0 || static_cast<size_t>(feature) >= encoding_.size())
      bad(where + ".feature[" + std::to_string(i) + "]: " + std::to_string(feature) +
          " is not a column of encoding.features (it has " + std::to_string(encoding_.size()) +
          ")");
    node.feature = static_cast<uint16_t>(feature);
    node.u.split.threshold = float32_at_most(threshold_value(tree.threshold[i]));
    node.missing_left = tree.missing_go_to_left.empty() ? 0 : tree.missing_go_to_left[i] != 0;
    nodes_.push_back(node);
    stack.push_back({right, p.depth + 1, nodes_.size() - 1});
    stack.push_back({left, p.depth + 1, SIZE_MAX});
  }
  if (reached != n) {
    const size_t lost = static_cast<size_t>(std::find(seen.begin(), seen.end(), 0) - seen.begin());
    bad(where + " node " + std::to_string(lost) + ": not reachable from the root");
  }
}

std::shared_ptr<const TreeEnsemble> TreeEnsemble::from_json(const rapidjson::Value& model,
                                                            Kind kind,
                                                            const FeatureEncoding& encoding) {
  const rapidjson::Value& trees = model["trees"];
  std::vector<TreeArrays> arrays;
  arrays.reserve(trees.Size());
  for (const auto& t : trees.GetArray()) {
    TreeArrays a;
    a.children_left = integers(t["children_left"]);
    a.children_right = integers(t["children_right"]);
    a.feature = integers(t["feature"]);
    a.threshold = numbers(t["threshold"]);
    a.value = numbers(t["value"]);
    if (t.HasMember("missing_go_to_left")) {
      for (const auto& v : t["missing_go_to_left"].GetArray())
        a.missing_go_to_left.push_back(v.GetInt() != 0);
    }
    arrays.push_back(std::move(a));
  }
  const bool boosting = kind == Kind::kGradientBoosting;
  return std::make_shared<const TreeEnsemble>(
      kind, encoding, boosting ? model["learning_rate"].GetDouble() : 1.0,
      boosting ? model["init_log_odds"].GetDouble() : 0.0, arrays);
}

void TreeEnsemble::make_table(const std::vector<CouponFeatures>& coupons,
                              CouponTable& table) const {
  auto column_value = [&](uint16_t column, const CouponFeatures& c) {
    return column == kNoColumn ? 0.0f : to_float32(encoding_.encode_coupon(column, c));
  };
  std::vector<uint32_t> order(coupons.size());
  std::iota(order.begin(), order.end(), 0u);
  // Model::make_table has refused non-finite features, so the order is a strict weak ordering.
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (coupons[a].category != coupons[b].category)
      return coupons[a].category < coupons[b].category;
    const float pa = column_value(primary_, coupons[a]), pb = column_value(primary_, coupons[b]);
    return pa != pb ? pa < pb : a < b;
  });
  table.size = coupons.size();
  table.primary.resize(order.size());
  table.secondary.resize(order.size());  // float32 values, widened exactly for the leaf loops
  table.segments.clear();
  for (uint32_t p = 0; p < order.size(); ++p) {
    const CouponFeatures& c = coupons[order[p]];
    table.primary[p] = column_value(primary_, c);
    table.secondary[p] = column_value(secondary_, c);
    if (table.segments.empty() || table.segments.back().category != c.category) {
      table.segments.push_back({c.category, p, p});
    }
    table.segments.back().end = p + 1;
  }
  table.order = std::move(order);
}

namespace {

// Where a walk of a residual tree is: a node, the range of table positions still in play, and the
// interval of the secondary column (above < value <= upto).
struct Frame {
  uint32_t node, lo, hi;
  float above, upto;
};

// A leaf of a residual tree: add `value` to positions [lo, hi) whose secondary value is in
// (above, upto].
struct LeafRange {
  uint32_t lo, hi;
  float above, upto;
  double value;
};

// Trees walked in turn. A large model's nodes do not fit in the caches, and one walk waits on each
// node it loads; with several walks interleaved (each prefetching its next node before yielding),
// the loads overlap.
constexpr size_t kWalks = 8;

struct Walk {
  Frame f{};
  size_t depth = 0;
  size_t tree = 0;
  bool active = false;
  Frame stack[kMaxTreeDepth + 2];
};

}  // namespace

void TreeEnsemble::score_segment(const float* context, const float* primary,
                                 const double* secondary, uint32_t count, double* sums) const {
  // Phase 1: the residual leaves of every tree. Walk w handles trees w, w + kWalks, ... in order,
  // so its buffer holds their leaves tree after tree; tree_end[t] marks where tree t's end.
  thread_local std::array<std::vector<LeafRange>, kWalks> leaves;
  thread_local std::vector<uint32_t> tree_end;
  tree_end.assign(roots_.size(), 0);
  std::array<Walk, kWalks> walks;
  size_t active = 0;
  auto start = [&](Walk& w, size_t tree) {
    w.tree = tree;
    w.depth = 0;
    w.f = Frame{roots_[tree], 0, count, -kInf, kInf};
    w.active = true;
    __builtin_prefetch(&nodes_[w.f.node]);
  };
  for (size_t w = 0; w < kWalks; ++w) {
    leaves[w].clear();
    if (w < roots_.size()) {
      start(walks[w], w);
      ++active;
    }
  }
  while (active > 0) {
    for (size_t wi = 0; wi < kWalks; ++wi) {
      Walk& w = walks[wi];
      if (!w.active) continue;
      Frame& f = w.f;
      const Node& node = nodes_[f.node];
      if (node.feature == kLeaf) {
        leaves[wi].push_back(LeafRange{f.lo, f.hi, f.above, f.upto, node.u.value});
        if (w.depth > 0) {
          f = w.stack[--w.depth];
          continue;
        }
        tree_end[w.tree] = static_cast<uint32_t>(leaves[wi].size());
        if (w.tree + kWalks < roots_.size()) {
          start(w, w.tree + kWalks);
        } else {
          w.active = false;
          --active;
        }
        continue;
      }
      const float t = node.u.split.threshold;
      const uint32_t left = f.node + 1, right = node.u.split.right;
      if (node.feature == primary_) {
        const uint32_t cut = upper_bound(primary, f.lo, f.hi, t);
        if (cut == f.hi) {
          f.node = left;
        } else if (cut == f.lo) {
          f.node = right;
        } else {
          w.stack[w.depth++] = Frame{right, cut, f.hi, f.above, f.upto};
          __builtin_prefetch(&nodes_[right]);
          f.node = left;
          f.hi = cut;
        }
      } else if (node.feature == secondary_) {
        if (t >= f.upto) {
          f.node = left;  // every value in the interval is <= t
        } else if (t <= f.above) {
          f.node = right;  // every value in the interval is > t
        } else {
          w.stack[w.depth++] = Frame{right, f.lo, f.hi, t, f.upto};
          __builtin_prefetch(&nodes_[right]);
          f.node = left;
          f.upto = t;
        }
      } else {
        const float x = context[node.feature];
        f.node = std::isnan(x) ? (node.missing_left ? left : right) : (x <= t ? left : right);
      }
      __builtin_prefetch(&nodes_[f.node]);
    }
  }
  // Phase 2: the leaves, tree by tree in the model's order (a tree's leaves are disjoint, so each
  // coupon's sum takes the trees' values in scikit-learn's order).
  for (size_t tree = 0; tree < roots_.size(); ++tree) {
    const std::vector<LeafRange>& buffer = leaves[tree % kWalks];
    const uint32_t begin = tree >= kWalks ? tree_end[tree - kWalks] : 0;
    for (uint32_t i = begin; i < tree_end[tree]; ++i) {
      const LeafRange& l = buffer[i];
      if (l.above == -kInf && l.upto == kInf) {
        add_all(sums, l.lo, l.hi, l.value);
      } else {
        add_where(sums, secondary, l.lo, l.hi, l.above, l.upto, l.value);
      }
    }
  }
}

double TreeEnsemble::finish(double sum) const {
  return kind_ == Kind::kGradientBoosting ? sigmoid(sum) : sum / static_cast<double>(roots_.size());
}

void TreeEnsemble::score(const CustomerInfo& customer, const CouponTable& table,
                         double* predictions) const {
  std::vector<double> encoded(encoding_.size(), 0.0);
  encoding_.encode_customer(customer, encoded.data());
  std::vector<float> context(encoding_.size(), 0.0f);
  for (size_t i = 0; i < encoding_.size(); ++i) {
    if (encoding_.from_customer(i)) context[i] = to_float32(encoded[i]);
  }
  const double start = kind_ == Kind::kGradientBoosting ? init_ : 0.0;
  std::vector<double> sums(table.order.size(), start);
  for (const CouponTable::Segment& s : table.segments) {
    const int slot = encoding_.category_slot(s.category);
    for (size_t i = 0; i < encoding_.size(); ++i) {
      if (encoding_.feature(i).source == FeatureSource::kCategory)
        context[i] = encoding_.feature(i).category_slot == slot ? 1.0f : 0.0f;
    }
    score_segment(context.data(), table.primary.data() + s.begin, table.secondary.data() + s.begin,
                  s.end - s.begin, sums.data() + s.begin);
    for (uint32_t p = s.begin; p < s.end; ++p) predictions[table.order[p]] = finish(sums[p]);
  }
}

double TreeEnsemble::predict(const CustomerInfo& customer, const CouponFeatures& coupon) const {
  std::vector<double> encoded(encoding_.size(), 0.0);
  encoding_.encode_customer(customer, encoded.data());
  std::vector<float> row(encoding_.size());
  for (size_t i = 0; i < encoding_.size(); ++i) {
    row[i] =
        to_float32(encoding_.from_customer(i) ? encoded[i] : encoding_.encode_coupon(i, coupon));
  }
  double sum = kind_ == Kind::kGradientBoosting ? init_ : 0.0;
  for (const uint32_t root : roots_) {
    uint32_t n = root;
    while (nodes_[n].feature != kLeaf) {
      const Node& node = nodes_[n];
      const float x = row[node.feature];
      const bool go_left = std::isnan(x) ? node.missing_left : x <= node.u.split.threshold;
      n = go_left ? n + 1 : node.u.split.right;
    }
    sum += nodes_[n].u.value;
  }
  return finish(sum);
}

std::string TreeEnsemble::summary() const {
  return std::string(kind_ == Kind::kGradientBoosting ? "gradient_boosting" : "random_forest") +
         ": " + std::to_string(roots_.size()) + " trees, " + std::to_string(nodes_.size()) +
         " nodes, max depth " + std::to_string(max_depth_);
}

}  // namespace streamhost::coupon

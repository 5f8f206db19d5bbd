// Scores one customer against one category's coupons.
#pragma once

#include <memory>
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/customer.hpp>
#include <streamhost/coupon/model.hpp>
#include <string>
#include <vector>

namespace streamhost::coupon {

class Scorer {
 public:
  virtual ~Scorer() = default;
  // Fills predictions[i] for coupons.coupons[i]. Throws TransientError when the scorer is
  // unavailable or answers something unusable. Called concurrently from worker threads.
  virtual void score(const CustomerInfo& customer, const CategoryCoupons& coupons,
                     std::vector<double>& predictions) = 0;
  // Whether the scorer answers; false plus a reason otherwise. Cheap, thread-safe.
  virtual bool ready(std::string& why) = 0;
};

// The in-process model; the catalog already holds its coupon terms.
class EmbeddedScorer final : public Scorer {
 public:
  explicit EmbeddedScorer(std::shared_ptr<const Model> model) : model_(std::move(model)) {}
  void score(const CustomerInfo& customer, const CategoryCoupons& coupons,
             std::vector<double>& predictions) override;
  bool ready(std::string&) override { return true; }

 private:
  std::shared_ptr<const Model> model_;
};

}  // namespace streamhost::coupon

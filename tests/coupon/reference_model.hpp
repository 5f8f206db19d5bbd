// An independent evaluation of model.json for integration tests: reads the file with RapidJSON and
// computes the logistic directly, sharing no code with the plugin's model.
#pragma once

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace streamhost::coupon::testing {

// A customer_info row as text values (nullopt = SQL NULL), keyed by column name.
using Row = std::map<std::string, std::optional<std::string>>;

struct ReferenceCoupon {
  int64_t coupon_id;
  double mean_coupon_discount;
  double mean_item_price;
};

struct Expected {
  int64_t coupon_id;
  double prediction;
};

class ReferenceModel {
 public:
  explicit ReferenceModel(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    doc_.Parse(text.str());
    if (doc_.HasParseError()) throw std::runtime_error(path + " is not JSON");
  }

  double predict(const Row& customer, const ReferenceCoupon& coupon,
                 const std::string& category) const {
    auto scaled = [](const rapidjson::Value& f, double v) {
      const double clip = f["clip"].GetDouble();
      return std::clamp((v - f["center"].GetDouble()) / f["scale"].GetDouble(), -clip, clip);
    };
    std::map<std::string, double> customer_scaled, coupon_scaled;
    double logit = doc_["bias"].GetDouble();
    for (const auto& f : doc_["numeric"].GetArray()) {
      const std::string name = f["name"].GetString();
      double s = 0;
      if (std::string(f["source"].GetString()) == "customer") {
        const auto it = customer.find(name);
        if (it != customer.end() && it->second) s = scaled(f, std::stod(*it->second));
        customer_scaled[name] = s;
      } else {
        s = scaled(f, name == "mean_coupon_discount" ? coupon.mean_coupon_discount
                                                     : coupon.mean_item_price);
        coupon_scaled[name] = s;
      }
      logit += f["weight"].GetDouble() * s;
    }
    for (const auto& f : doc_["categorical"].GetArray()) {
      const std::string name = f["name"].GetString();
      std::optional<std::string> value = category;
      if (std::string(f["source"].GetString()) == "customer") {
        const auto it = customer.find(name);
        value = it == customer.end() ? std::nullopt : it->second;
      }
      if (value && f["weights"].HasMember(value->c_str()))
        logit += f["weights"][value->c_str()].GetDouble();
    }
    for (const auto& x : doc_["interactions"].GetArray()) {
      logit += x["weight"].GetDouble() * customer_scaled[x["customer"].GetString()] *
               coupon_scaled[x["coupon"].GetString()];
    }
    return 1.0 / (1.0 + std::exp(-logit));
  }

  // Best `top_n` strictly above `threshold`, ties by coupon id.
  std::vector<Expected> expected(const Row& customer, const std::vector<ReferenceCoupon>& coupons,
                                 const std::string& category, size_t top_n,
                                 double threshold) const {
    std::vector<Expected> all;
    for (const auto& c : coupons) {
      const double p = predict(customer, c, category);
      if (p > threshold) all.push_back({c.coupon_id, p});
    }
    std::sort(all.begin(), all.end(), [](const Expected& a, const Expected& b) {
      return a.prediction != b.prediction ? a.prediction > b.prediction : a.coupon_id < b.coupon_id;
    });
    if (all.size() > top_n) all.resize(top_n);
    return all;
  }

 private:
  rapidjson::Document doc_;
};

}  // namespace streamhost::coupon::testing

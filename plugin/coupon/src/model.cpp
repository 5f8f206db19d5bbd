#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <streamhost/coupon/model.hpp>

namespace streamhost::coupon {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("model: " + what);
}

const rapidjson::Value& member(const rapidjson::Value& obj, const char* key,
                               const std::string& where) {
  if (!obj.IsObject() || !obj.HasMember(key)) bad(where + ": missing \"" + key + "\"");
  return obj[key];
}

double number(const rapidjson::Value& obj, const char* key, const std::string& where) {
  const auto& v = member(obj, key, where);
  if (!v.IsNumber()) bad(where + "." + key + ": expected a number");
  return v.GetDouble();
}

std::string text(const rapidjson::Value& obj, const char* key, const std::string& where) {
  const auto& v = member(obj, key, where);
  if (!v.IsString()) bad(where + "." + key + ": expected a string");
  return v.GetString();
}

bool from_customer(const rapidjson::Value& obj, const std::string& where) {
  const std::string source = text(obj, "source", where);
  if (source != "customer" && source != "coupon") bad(where + ".source: customer or coupon");
  return source == "customer";
}

double sigmoid(double logit) {
  return 1.0 / (1.0 + std::exp(-logit));
}

}  // namespace

double Model::Numeric::scaled(double value) const {
  return std::clamp((value - center) / scale, -clip, clip);
}

Model Model::from_json(std::string_view json_text) {
  rapidjson::Document doc;
  doc.Parse(json_text.data(), json_text.size());
  if (doc.HasParseError())
    bad(std::string("not JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()));
  if (!doc.IsObject()) bad("expected an object");
  Model m;
  m.name_ = text(doc, "name", "model");
  m.version_ = text(doc, "version", "model");
  if (text(doc, "link", "model") != "logistic") bad("link: only \"logistic\" is supported");
  m.bias_ = number(doc, "bias", "model");

  const auto& numeric = member(doc, "numeric", "model");
  if (!numeric.IsArray()) bad("numeric: expected an array");
  for (rapidjson::SizeType i = 0; i < numeric.Size(); ++i) {
    const std::string where = "numeric[" + std::to_string(i) + "]";
    Numeric n;
    n.name = text(numeric[i], "name", where);
    n.from_customer = from_customer(numeric[i], where);
    n.center = number(numeric[i], "center", where);
    n.scale = number(numeric[i], "scale", where);
    n.clip = number(numeric[i], "clip", where);
    n.weight = number(numeric[i], "weight", where);
    if (!(n.scale > 0) || !(n.clip > 0)) bad(where + ": scale and clip must be positive");
    if (n.from_customer) {
      auto index = customer_field_index(n.name);
      if (!index || kCustomerFields[*index].kind == FieldKind::kText) {
        bad(where + ": " + n.name + " is not a numeric customer field");
      }
      n.customer_index = *index;
    } else if (n.name == "mean_coupon_discount") {
      n.coupon_field = CouponField::kMeanCouponDiscount;
    } else if (n.name == "mean_item_price") {
      n.coupon_field = CouponField::kMeanItemPrice;
    } else {
      bad(where + ": " + n.name + " is not a numeric coupon field");
    }
    m.numeric_.push_back(std::move(n));
  }

  const auto& categorical = member(doc, "categorical", "model");
  if (!categorical.IsArray()) bad("categorical: expected an array");
  for (rapidjson::SizeType i = 0; i < categorical.Size(); ++i) {
    const std::string where = "categorical[" + std::to_string(i) + "]";
    Categorical c;
    c.name = text(categorical[i], "name", where);
    c.from_customer = from_customer(categorical[i], where);
    if (c.from_customer) {
      auto index = customer_field_index(c.name);
      if (!index || kCustomerFields[*index].kind != FieldKind::kText) {
        bad(where + ": " + c.name + " is not a text customer field");
      }
      c.customer_index = *index;
    } else if (c.name != "category") {
      bad(where + ": the only categorical coupon field is category");
    }
    const auto& weights = member(categorical[i], "weights", where);
    if (!weights.IsObject()) bad(where + ".weights: expected an object");
    for (const auto& w : weights.GetObject()) {
      if (!w.value.IsNumber()) bad(where + ".weights: expected numbers");
      c.weights.emplace(w.name.GetString(), w.value.GetDouble());
    }
    m.categorical_.push_back(std::move(c));
  }

  auto find_numeric = [&](const std::string& name, bool customer, const std::string& where) {
    for (size_t k = 0; k < m.numeric_.size(); ++k) {
      if (m.numeric_[k].name == name && m.numeric_[k].from_customer == customer) return k;
    }
    bad(where + ": " + name + " must also be listed in numeric (its center and scale)");
  };
  if (doc.HasMember("interactions")) {
    const auto& interactions = doc["interactions"];
    if (!interactions.IsArray()) bad("interactions: expected an array");
    for (rapidjson::SizeType i = 0; i < interactions.Size(); ++i) {
      const std::string where = "interactions[" + std::to_string(i) + "]";
      Interaction x;
      x.customer_numeric = find_numeric(text(interactions[i], "customer", where), true, where);
      x.coupon_numeric = find_numeric(text(interactions[i], "coupon", where), false, where);
      x.weight = number(interactions[i], "weight", where);
      m.interactions_.push_back(x);
    }
  }
  return m;
}

double Model::scaled_customer(const Numeric& n, const CustomerInfo& c) const {
  const FieldValue& v = c.field(n.customer_index);
  return v.null ? 0.0 : n.scaled(v.number);  // unknown = the center
}

double Model::scaled_coupon(const Numeric& n, const CouponFeatures& c) const {
  return n.scaled(n.coupon_field == CouponField::kMeanCouponDiscount ? c.mean_coupon_discount
                                                                     : c.mean_item_price);
}

double Model::customer_logit(const CustomerInfo& customer, double* factors) const {
  double logit = bias_;
  for (const Numeric& n : numeric_) {
    if (n.from_customer) logit += n.weight * scaled_customer(n, customer);
  }
  for (const Categorical& c : categorical_) {
    if (!c.from_customer) continue;
    const FieldValue& v = customer.field(c.customer_index);
    if (v.null) continue;
    auto it = c.weights.find(v.text);
    if (it != c.weights.end()) logit += it->second;
  }
  for (size_t k = 0; k < interactions_.size(); ++k) {
    factors[k] = interactions_[k].weight *
                 scaled_customer(numeric_[interactions_[k].customer_numeric], customer);
  }
  return logit;
}

double Model::coupon_logit(const CouponFeatures& coupon, double* factors) const {
  double logit = 0;
  for (const Numeric& n : numeric_) {
    if (!n.from_customer) logit += n.weight * scaled_coupon(n, coupon);
  }
  for (const Categorical& c : categorical_) {
    if (c.from_customer) continue;
    auto it = c.weights.find(std::string(category_name(coupon.category)));
    if (it != c.weights.end()) logit += it->second;
  }
  for (size_t k = 0; k < interactions_.size(); ++k) {
    factors[k] = scaled_coupon(numeric_[interactions_[k].coupon_numeric], coupon);
  }
  return logit;
}

CouponTable Model::make_table(const std::vector<CouponFeatures>& coupons) const {
  CouponTable table;
  const size_t k = interactions_.size();
  table.logit.resize(coupons.size());
  table.factors.resize(coupons.size() * k);
  for (size_t i = 0; i < coupons.size(); ++i) {
    table.logit[i] = coupon_logit(coupons[i], table.factors.data() + i * k);
  }
  return table;
}

void Model::score(const CustomerInfo& customer, const CouponTable& table,
                  std::vector<double>& predictions) const {
  const size_t k = interactions_.size();
  std::vector<double> customer_factors(k);
  const double base = customer_logit(customer, customer_factors.data());
  const size_t n = table.logit.size();
  predictions.resize(n);
  const double* factors = table.factors.data();
  for (size_t i = 0; i < n; ++i) {
    double logit = base + table.logit[i];
    for (size_t j = 0; j < k; ++j) logit += customer_factors[j] * factors[i * k + j];
    predictions[i] = sigmoid(logit);
  }
}

double Model::predict(const CustomerInfo& customer, const CouponFeatures& coupon) const {
  std::vector<double> cf(interactions_.size()), pf(interactions_.size());
  double logit = customer_logit(customer, cf.data()) + coupon_logit(coupon, pf.data());
  for (size_t j = 0; j < cf.size(); ++j) logit += cf[j] * pf[j];
  return sigmoid(logit);
}

}  // namespace streamhost::coupon

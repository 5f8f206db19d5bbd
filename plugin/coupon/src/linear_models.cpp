#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <streamhost/coupon/linear_models.hpp>

namespace streamhost::coupon {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument(what);
}

double sigmoid(double logit) {
  return 1.0 / (1.0 + std::exp(-logit));
}

std::vector<double> encoded_customer(const FeatureEncoding& e, const CustomerInfo& customer) {
  std::vector<double> x(e.size(), 0.0);
  e.encode_customer(customer, x.data());
  return x;
}

size_t column_of(const FeatureEncoding& e, const rapidjson::Value& name, const std::string& where) {
  const std::string text(name.GetString(), name.GetStringLength());
  auto column = e.find(text);
  if (!column) bad(where + ": \"" + text + "\" is not in encoding.features");
  return *column;
}

}  // namespace

// --- LogisticRegression ---------------------------------------------------------------------

LogisticRegression::LogisticRegression(FeatureEncoding encoding, std::vector<double> coefficients,
                                       double intercept, const std::string& where)
    : encoding_(std::move(encoding)),
      coefficients_(std::move(coefficients)),
      intercept_(intercept) {
  if (coefficients_.size() != encoding_.size())
    bad(where + ".coefficients: " + std::to_string(coefficients_.size()) +
        " coefficients for the " + std::to_string(encoding_.size()) +
        " columns of encoding.features");
}

std::shared_ptr<const LogisticRegression> LogisticRegression::from_json(
    const rapidjson::Value& model, const FeatureEncoding& encoding) {
  std::vector<double> coefficients;
  for (const auto& c : model["coefficients"].GetArray()) coefficients.push_back(c.GetDouble());
  return std::make_shared<const LogisticRegression>(encoding, std::move(coefficients),
                                                    model["intercept"].GetDouble());
}

double LogisticRegression::customer_part(const CustomerInfo& customer) const {
  const std::vector<double> x = encoded_customer(encoding_, customer);
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (encoding_.from_customer(i) && !std::isnan(x[i])) sum += coefficients_[i] * x[i];
  }
  return sum;
}

double LogisticRegression::coupon_part(const CouponFeatures& coupon) const {
  double sum = 0;
  for (size_t i = 0; i < encoding_.size(); ++i) {
    if (!encoding_.from_customer(i)) sum += coefficients_[i] * encoding_.encode_coupon(i, coupon);
  }
  return sum;
}

void LogisticRegression::make_table(const std::vector<CouponFeatures>& coupons,
                                    CouponTable& table) const {
  table.size = coupons.size();
  table.logit.resize(coupons.size());
  for (size_t i = 0; i < coupons.size(); ++i) table.logit[i] = coupon_part(coupons[i]);
}

void LogisticRegression::score(const CustomerInfo& customer, const CouponTable& table,
                               double* predictions) const {
  const double base = intercept_ + customer_part(customer);
  for (size_t i = 0; i < table.size; ++i) predictions[i] = sigmoid(base + table.logit[i]);
}

double LogisticRegression::predict(const CustomerInfo& customer,
                                   const CouponFeatures& coupon) const {
  return sigmoid(intercept_ + customer_part(customer) + coupon_part(coupon));
}

std::string LogisticRegression::summary() const {
  return "logistic_regression: " + std::to_string(coefficients_.size()) + " coefficients";
}

// --- ScaledLogistic -------------------------------------------------------------------------

double ScaledLogistic::Term::scaled(double x) const {
  return std::isnan(x) ? 0.0 : std::clamp((x - center) / scale, -clip, clip);
}

std::shared_ptr<const ScaledLogistic> ScaledLogistic::from_json(const rapidjson::Value& model,
                                                                const FeatureEncoding& encoding) {
  auto m = std::make_shared<ScaledLogistic>();
  m->encoding_ = encoding;
  m->intercept_ = model["intercept"].GetDouble();
  const auto& terms = model["terms"];
  for (rapidjson::SizeType i = 0; i < terms.Size(); ++i) {
    const std::string where = "model.terms[" + std::to_string(i) + "]";
    const auto& t = terms[i];
    Term term;
    term.column = column_of(encoding, t["feature"], where + ".feature");
    term.customer = encoding.from_customer(term.column);
    term.center = t["center"].GetDouble();
    term.scale = t["scale"].GetDouble();
    term.clip = t["clip"].GetDouble();
    term.weight = t["weight"].GetDouble();
    m->terms_.push_back(term);
  }
  if (model.HasMember("tables")) {
    const auto& tables = model["tables"];
    for (rapidjson::SizeType i = 0; i < tables.Size(); ++i) {
      const std::string where = "model.tables[" + std::to_string(i) + "]";
      const auto& t = tables[i];
      const std::string feature = t["feature"].GetString();
      Table table;
      table.category = feature == "coupons[].item_category";
      std::vector<std::string_view> codes;
      if (table.category) {
        codes.assign(kItemCategories.begin(), kItemCategories.end());
      } else {
        table.column = column_of(encoding, t["feature"], where + ".feature");
        const int list = encoding.feature(table.column).code_list;
        if (list == 0) codes.assign(kAgeRanges.begin(), kAgeRanges.end());
        if (list == 1) codes.assign(kMaritalStatuses.begin(), kMaritalStatuses.end());
        if (list == 2) codes.assign(kGenders.begin(), kGenders.end());
      }
      table.weight.assign(codes.size(), 0.0);
      table.has.assign(codes.size(), 0);
      for (const auto& w : t["weights"].GetObject()) {
        const std::string_view key(w.name.GetString(), w.name.GetStringLength());
        const auto code = std::find(codes.begin(), codes.end(), key);
        if (code == codes.end())
          bad(where + ".weights: \"" + std::string(key) + "\" is not one of the codes of " +
              feature);
        table.weight[static_cast<size_t>(code - codes.begin())] = w.value.GetDouble();
        table.has[static_cast<size_t>(code - codes.begin())] = 1;
      }
      m->tables_.push_back(std::move(table));
    }
  }
  if (model.HasMember("interactions")) {
    const auto& interactions = model["interactions"];
    for (rapidjson::SizeType i = 0; i < interactions.Size(); ++i) {
      const std::string where = "model.interactions[" + std::to_string(i) + "]";
      const auto& x = interactions[i];
      auto term_of = [&](const char* key, bool customer) {
        const size_t column = column_of(encoding, x[key], where + "." + key);
        for (size_t k = 0; k < m->terms_.size(); ++k) {
          if (m->terms_[k].column == column) {
            if (m->terms_[k].customer != customer)
              bad(where + "." + key + ": " + encoding.feature(column).name + " is not a " +
                  (customer ? "customer" : "coupon") + " feature");
            return k;
          }
        }
        bad(where + "." + key + ": " + encoding.feature(column).name +
            " must also have a term (its center and scale)");
      };
      Interaction interaction;
      interaction.customer_term = term_of("customer", true);
      interaction.coupon_term = term_of("coupon", false);
      interaction.weight = x["weight"].GetDouble();
      m->interactions_.push_back(interaction);
    }
  }
  return m;
}

// The reference model's arithmetic, in its original order: the intercept, customer terms, customer
// tables; then (per coupon) coupon terms, the category table; then the interactions.
double ScaledLogistic::customer_logit(const CustomerInfo& customer, double* factors) const {
  const std::vector<double> x = encoded_customer(encoding_, customer);
  double logit = intercept_;
  for (const Term& t : terms_) {
    if (t.customer) logit += t.weight * t.scaled(x[t.column]);
  }
  for (const Table& t : tables_) {
    if (t.category) continue;
    const double code = x[t.column];
    if (std::isnan(code)) continue;
    const size_t c = static_cast<size_t>(code);
    if (t.has[c]) logit += t.weight[c];
  }
  for (size_t k = 0; k < interactions_.size(); ++k) {
    const Term& t = terms_[interactions_[k].customer_term];
    factors[k] = interactions_[k].weight * t.scaled(x[t.column]);
  }
  return logit;
}

double ScaledLogistic::coupon_logit(const CouponFeatures& coupon, double* factors) const {
  double logit = 0;
  for (const Term& t : terms_) {
    if (!t.customer) logit += t.weight * t.scaled(encoding_.encode_coupon(t.column, coupon));
  }
  const int slot = encoding_.category_slot(coupon.category);
  for (const Table& t : tables_) {
    if (t.category && slot >= 0 && t.has[static_cast<size_t>(slot)])
      logit += t.weight[static_cast<size_t>(slot)];
  }
  for (size_t k = 0; k < interactions_.size(); ++k) {
    const Term& t = terms_[interactions_[k].coupon_term];
    factors[k] = t.scaled(encoding_.encode_coupon(t.column, coupon));
  }
  return logit;
}

void ScaledLogistic::make_table(const std::vector<CouponFeatures>& coupons,
                                CouponTable& table) const {
  const size_t k = interactions_.size();
  table.size = coupons.size();
  table.logit.resize(coupons.size());
  table.factors.resize(coupons.size() * k);
  for (size_t i = 0; i < coupons.size(); ++i) {
    table.logit[i] = coupon_logit(coupons[i], table.factors.data() + i * k);
  }
}

void ScaledLogistic::score(const CustomerInfo& customer, const CouponTable& table,
                           double* predictions) const {
  const size_t k = interactions_.size();
  std::vector<double> customer_factors(k);
  const double base = customer_logit(customer, customer_factors.data());
  const double* factors = table.factors.data();
  for (size_t i = 0; i < table.size; ++i) {
    double logit = base + table.logit[i];
    for (size_t j = 0; j < k; ++j) logit += customer_factors[j] * factors[i * k + j];
    predictions[i] = sigmoid(logit);
  }
}

double ScaledLogistic::predict(const CustomerInfo& customer, const CouponFeatures& coupon) const {
  std::vector<double> cf(interactions_.size()), pf(interactions_.size());
  double logit = customer_logit(customer, cf.data()) + coupon_logit(coupon, pf.data());
  for (size_t j = 0; j < cf.size(); ++j) logit += cf[j] * pf[j];
  return sigmoid(logit);
}

std::string ScaledLogistic::summary() const {
  return "scaled_logistic: " + std::to_string(terms_.size()) + " terms, " +
         std::to_string(tables_.size()) + " tables, " + std::to_string(interactions_.size()) +
         " interactions";
}

}  // namespace streamhost::coupon

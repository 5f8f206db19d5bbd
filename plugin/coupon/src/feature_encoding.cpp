#include <cmath>
#include <limits>
#include <stdexcept>
#include <streamhost/coupon/feature_encoding.hpp>
#include <streamhost/coupon/model.hpp>

namespace streamhost::coupon {

// The original request's order: its customer fields, then the coupon's, then the one-hot columns.
const std::array<const char*, 21> kKnownFeatures{{
    "customer.age_range",
    "customer.marital_status",
    "customer.family_size",
    "customer.no_of_children",
    "customer.income_bracket",
    "customer.gender",
    "customer.mean_discount_used",
    "customer.total_discount_used",
    "customer.total_unique_items_bought",
    "customer.total_quantity_bought",
    "customer.mean_quantity_bought",
    "customer.mean_selling_price_paid",
    "customer.total_coupons_redeemed",
    "customer.total_price_paid",
    "coupons[].item_selling_price",
    "coupons[].coupon_discount",
    "coupons[].item_category=Boys",
    "coupons[].item_category=Girls",
    "coupons[].item_category=Men",
    "coupons[].item_category=Sports",
    "coupons[].item_category=Women",
}};

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view kCategoryPrefix = "coupons[].item_category=";

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument(what);
}

template <size_t N>
std::string list_text(const std::array<std::string_view, N>& values) {
  std::string out = "[";
  for (size_t i = 0; i < N; ++i) out += (i ? ", \"" : "\"") + std::string(values[i]) + "\"";
  return out + "]";
}

// The file repeats the original's code lists so it documents itself; other codes would mean a
// model trained on another encoding, which the plugin cannot reproduce.
template <size_t N>
void check_codes(const rapidjson::Value& encoding, const char* key,
                 const std::array<std::string_view, N>& expected) {
  const std::string where = std::string("encoding.") + key;
  auto it = encoding.FindMember(key);
  if (it == encoding.MemberEnd()) bad("missing field " + where);
  const rapidjson::Value& v = it->value;
  bool same = v.IsArray() && v.Size() == N;
  for (rapidjson::SizeType i = 0; same && i < N; ++i) {
    same = v[i].IsString() &&
           std::string_view(v[i].GetString(), v[i].GetStringLength()) == expected[i];
  }
  if (!same) {
    bad(where + " must be " + list_text(expected) +
        " (the original prediction service's codes, which the plugin reproduces)");
  }
}

constexpr std::string_view kCustomerPrefix = "customer.";

Feature make_feature(size_t known) {
  Feature f;
  f.name = kKnownFeatures[known];
  const std::string_view name = kKnownFeatures[known];
  if (name.starts_with(kCategoryPrefix)) {
    f.source = FeatureSource::kCategory;
    const std::string_view category = name.substr(kCategoryPrefix.size());
    for (size_t s = 0; s < kItemCategories.size(); ++s) {
      if (kItemCategories[s] == category) f.category_slot = static_cast<int>(s);
    }
  } else if (name == "coupons[].item_selling_price") {
    f.source = FeatureSource::kCouponPrice;
  } else if (name == "coupons[].coupon_discount") {
    f.source = FeatureSource::kCouponDiscount;
  } else {
    // customer.<the scorer API's field>: the cache column is the one with that wire name
    // (prediction-service-api.md's renames, kept in kCustomerFields).
    const std::string_view wire = name.substr(kCustomerPrefix.size());
    size_t index = 0;
    while (index < kCustomerFields.size() && kCustomerFields[index].wire != wire) ++index;
    if (index == kCustomerFields.size())
      throw std::logic_error("no customer_info column for " + std::string(name));
    f.customer_field = index;
    f.source = kCustomerFields[index].kind == FieldKind::kText ? FeatureSource::kCustomerCode
                                                               : FeatureSource::kCustomerNumber;
    const std::string_view column = kCustomerFields[index].name;
    if (f.source == FeatureSource::kCustomerCode) {
      f.code_list = column == "age_range" ? 0 : column == "marital_status" ? 1 : 2;
    }
  }
  return f;
}

template <size_t N>
double code_of(const std::array<std::string_view, N>& codes, const std::string& text) {
  for (size_t i = 0; i < N; ++i) {
    if (codes[i] == text) return static_cast<double>(i);
  }
  return kMissing;
}

}  // namespace

FeatureEncoding FeatureEncoding::from_json(const rapidjson::Value& encoding) {
  if (!encoding.IsObject()) bad("encoding: expected an object");
  FeatureEncoding e;
  auto features = encoding.FindMember("features");
  if (features == encoding.MemberEnd()) bad("missing field encoding.features");
  if (!features->value.IsArray() || features->value.Empty())
    bad("encoding.features: expected a non-empty array of feature names");
  if (features->value.Size() > kKnownFeatures.size())
    bad("encoding.features: more names than the " + std::to_string(kKnownFeatures.size()) +
        " features the coupon plugin knows");
  std::array<bool, kKnownFeatures.size()> seen{};
  for (rapidjson::SizeType i = 0; i < features->value.Size(); ++i) {
    const std::string where = "encoding.features[" + std::to_string(i) + "]";
    const rapidjson::Value& v = features->value[i];
    if (!v.IsString()) bad(where + ": expected a string");
    const std::string name(v.GetString(), v.GetStringLength());
    size_t known = kKnownFeatures.size();
    for (size_t k = 0; k < kKnownFeatures.size(); ++k) {
      if (name == kKnownFeatures[k]) known = k;
    }
    if (known == kKnownFeatures.size()) {
      std::string all;
      for (const char* k : kKnownFeatures) all += (all.empty() ? "" : ", ") + std::string(k);
      bad(where + ": \"" + name + "\" is not a feature the coupon plugin encodes (known: " + all +
          ")");
    }
    if (seen[known]) bad(where + ": \"" + name + "\" is listed twice");
    seen[known] = true;
    e.features_.push_back(make_feature(known));
  }
  check_codes(encoding, "age_range", kAgeRanges);
  check_codes(encoding, "marital_status", kMaritalStatuses);
  check_codes(encoding, "gender", kGenders);
  check_codes(encoding, "item_category", kItemCategories);
  auto sport = encoding.FindMember("sport_matches_sports");
  if (sport != encoding.MemberEnd()) {
    if (!sport->value.IsBool()) bad("encoding.sport_matches_sports: expected true or false");
    e.sport_matches_sports_ = sport->value.GetBool();
  }
  return e;
}

FeatureEncoding FeatureEncoding::original(bool sport_matches_sports) {
  FeatureEncoding e;
  for (size_t k = 0; k < kKnownFeatures.size(); ++k) e.features_.push_back(make_feature(k));
  e.sport_matches_sports_ = sport_matches_sports;
  return e;
}

std::optional<size_t> FeatureEncoding::find(std::string_view name) const {
  for (size_t i = 0; i < features_.size(); ++i) {
    if (features_[i].name == name) return i;
  }
  return std::nullopt;
}

bool FeatureEncoding::from_customer(size_t i) const {
  const FeatureSource s = features_[i].source;
  return s == FeatureSource::kCustomerNumber || s == FeatureSource::kCustomerCode;
}

bool FeatureEncoding::per_coupon(size_t i) const {
  const FeatureSource s = features_[i].source;
  return s == FeatureSource::kCouponPrice || s == FeatureSource::kCouponDiscount;
}

int FeatureEncoding::category_slot(Category c) const {
  switch (c) {
    case Category::kBoys:
      return 0;
    case Category::kGirls:
      return 1;
    case Category::kMen:
      return 2;
    case Category::kSport:
      // The original's encoder one-hot encodes over "Sports" while the data says "Sport".
      return sport_matches_sports_ ? 3 : -1;
    case Category::kWomen:
      return 4;
  }
  return -1;
}

void FeatureEncoding::encode_customer(const CustomerInfo& customer, double* out) const {
  for (size_t i = 0; i < features_.size(); ++i) {
    const Feature& f = features_[i];
    if (!from_customer(i)) continue;
    const FieldValue& v = customer.field(f.customer_field);
    if (v.null) {
      out[i] = kMissing;
    } else if (f.source == FeatureSource::kCustomerNumber) {
      out[i] = v.number;
    } else {
      out[i] = f.code_list == 0   ? code_of(kAgeRanges, v.text)
               : f.code_list == 1 ? code_of(kMaritalStatuses, v.text)
                                  : code_of(kGenders, v.text);
    }
  }
}

double FeatureEncoding::encode_coupon(size_t i, const CouponFeatures& coupon) const {
  const Feature& f = features_[i];
  switch (f.source) {
    case FeatureSource::kCouponPrice:
      return coupon.mean_item_price;
    case FeatureSource::kCouponDiscount:
      return coupon.mean_coupon_discount;
    case FeatureSource::kCategory:
      return category_slot(coupon.category) == f.category_slot ? 1.0 : 0.0;
    default:
      return kMissing;
  }
}

}  // namespace streamhost::coupon

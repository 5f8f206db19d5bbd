#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/schemas.hpp>

namespace streamhost::coupon {
namespace {

std::string coupons_array_json(const std::vector<CouponFeatures>& coupons) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartArray();
  for (const CouponFeatures& c : coupons) {
    writer.StartObject();
    writer.Key("coupon_id");
    writer.Int64(c.coupon_id);
    // The original service's renames: coupon_info.mean_item_price is the item's selling price,
    // mean_coupon_discount the coupon's discount; the category is sent as the data spells it.
    writer.Key("item_selling_price");
    writer.Double(c.mean_item_price);
    writer.Key("coupon_discount");
    writer.Double(c.mean_coupon_discount);
    writer.Key("item_category");
    const std::string_view name = category_name(c.category);
    writer.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    writer.EndObject();
  }
  writer.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// A complete customer, so that checking a catalog's coupons against the request schema looks at
// nothing but the coupons.
const std::string& placeholder_customer_json() {
  static const std::string json = [] {
    CustomerInfo customer;
    for (FieldValue& v : customer.fields) v.null = false;
    return customer_to_json(customer);
  }();
  return json;
}

}  // namespace

std::shared_ptr<const Catalog> Catalog::build(std::vector<CatalogRow> rows, const Model& model) {
  std::sort(rows.begin(), rows.end(), [](const CatalogRow& a, const CatalogRow& b) {
    return a.category != b.category ? a.category < b.category : a.coupon_id < b.coupon_id;
  });
  auto catalog = std::shared_ptr<Catalog>(new Catalog());
  for (int c = 0; c < kCategoryCount; ++c)
    catalog->categories_[c].category = static_cast<Category>(c);
  for (const CatalogRow& row : rows) {
    // NaN or infinite features (FLOAT columns allow them) cannot be scored or written as JSON.
    if (!std::isfinite(row.mean_coupon_discount) || !std::isfinite(row.mean_item_price)) continue;
    CategoryCoupons& cat = catalog->categories_[static_cast<int>(row.category)];
    if (!cat.coupons.empty() && cat.coupons.back().coupon_id == row.coupon_id) continue;
    cat.coupons.push_back(
        CouponFeatures{row.coupon_id, row.mean_coupon_discount, row.mean_item_price, row.category});
  }
  for (CategoryCoupons& cat : catalog->categories_) {
    cat.coupon_ids.reserve(cat.coupons.size());
    for (uint32_t i = 0; i < cat.coupons.size(); ++i) {
      cat.coupon_ids.push_back(cat.coupons[i].coupon_id);
      cat.index_of.emplace(cat.coupons[i].coupon_id, i);
    }
    cat.table = model.make_table(cat.coupons);
    cat.coupons_json = coupons_array_json(cat.coupons);
    // Checked once here, so a scorer call only checks its customer (validating ~900 coupons costs
    // milliseconds, far more than the call itself).
    rapidjson::Document request;
    request.Parse(R"({"customer":)" + placeholder_customer_json() + R"(,"coupons":)" +
                  cat.coupons_json + "}");
    if (auto why = schema(SchemaId::kScorerRequest).check(request)) {
      throw std::invalid_argument("catalog rows of " + std::string(category_name(cat.category)) +
                                  " do not make a valid scorer request: " + *why);
    }
  }
  return catalog;
}

size_t Catalog::row_count() const {
  size_t n = 0;
  for (const auto& c : categories_) n += c.coupons.size();
  return n;
}

}  // namespace streamhost::coupon

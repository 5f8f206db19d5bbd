// CSV output in the seed service's layout (header row, comma separated, no quoting needed).

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "streamhost/datagen/dataset.hpp"

namespace streamhost::datagen {

std::string format_centi(Centi value) {
  const bool negative = value < 0;
  const Centi magnitude = negative ? -value : value;
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / 100);
  out += '.';
  const Centi cents = magnitude % 100;
  out += static_cast<char>('0' + cents / 10);
  if (cents % 10 != 0) out += static_cast<char>('0' + cents % 10);
  return out;
}

namespace {

std::ofstream open_csv(const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return out;
}

void check(std::ofstream& out, const std::filesystem::path& path) {
  out.flush();
  if (!out) throw std::runtime_error("write failed: " + path.string());
}

}  // namespace

void write_csv(const Dataset& data, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);

  const auto categories_path = dir / "coupon_categories.csv";
  auto categories = open_csv(categories_path);
  categories << "coupon_id,item_id,category\n";
  for (const auto& row : data.coupon_items) {
    categories << row.coupon_id << ',' << row.item_id << ',' << row.category << '\n';
  }
  check(categories, categories_path);

  const auto coupons_path = dir / "coupon_info.csv";
  auto coupons = open_csv(coupons_path);
  coupons << "coupon_id,mean_coupon_discount,mean_item_price\n";
  for (const auto& c : data.coupons) {
    coupons << c.coupon_id << ',' << format_centi(c.mean_coupon_discount) << ','
            << format_centi(c.mean_item_price) << '\n';
  }
  check(coupons, coupons_path);

  const auto customers_path = dir / "customer_info.csv";
  auto customers = open_csv(customers_path);
  customers << "customer_id,age_range,marital_status,family_size,no_of_children,income_bracket,"
               "gender,mean_discount_used_by_cust,unique_items_bought_by_cust,"
               "mean_selling_price_paid_by_cust,mean_quantity_bought_by_cust,"
               "total_discount_used_by_cust,total_coupons_used_by_cust,total_price_paid_by_cust,"
               "total_quantity_bought_by_cust\n";
  for (const auto& c : data.customers) {
    customers << c.customer_id << ',' << c.age_range << ',' << c.marital_status << ','
              << c.family_size << ',' << c.no_of_children << ',' << c.income_bracket << ','
              << c.gender << ',' << format_centi(c.mean_discount_used) << ','
              << c.unique_items_bought << ',' << format_centi(c.mean_selling_price_paid) << ','
              << format_centi(c.mean_quantity_bought) << ',' << format_centi(c.total_discount_used)
              << ',' << c.total_coupons_used << ',' << format_centi(c.total_price_paid) << ','
              << c.total_quantity_bought << '\n';
  }
  check(customers, customers_path);
}

}  // namespace streamhost::datagen

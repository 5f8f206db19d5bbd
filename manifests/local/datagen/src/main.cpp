// streamhost-datagen: writes the synthetic cache-database CSVs into a folder.
// Usage: streamhost-datagen --out DIR [--seed N]

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "streamhost/datagen/dataset.hpp"

namespace {

int usage() {
  std::cerr << "usage: streamhost-datagen --out DIR [--seed N]\n"
               "Writes coupon_categories.csv, coupon_info.csv and customer_info.csv into DIR.\n"
               "The same seed gives the same files on every platform (default seed 42).\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 42;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--seed" && i + 1 < argc) {
      try {
        std::size_t used = 0;
        const std::string text = argv[++i];
        seed = std::stoull(text, &used);
        if (used != text.size()) return usage();
      } catch (const std::exception&) {
        return usage();
      }
    } else if (arg == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else {
      return usage();
    }
  }
  if (out.empty()) return usage();
  try {
    const auto data = streamhost::datagen::generate(seed);
    streamhost::datagen::write_csv(data, out);
    std::cout << "wrote " << data.customers.size() << " customers, " << data.coupons.size()
              << " coupons, " << data.coupon_items.size() << " coupon items to " << out << "\n";
  } catch (const std::exception& e) {
    std::cerr << "streamhost-datagen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

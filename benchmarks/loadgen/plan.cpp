#include "plan.hpp"

#include <stdexcept>

namespace streamhost::loadgen {

std::vector<PlannedFocus> plan_focus_events(int64_t first_customer, int64_t last_customer,
                                            const std::vector<std::string>& categories,
                                            int per_customer, bool rotate) {
  if (last_customer < first_customer) throw std::invalid_argument("empty customer range");
  if (categories.empty()) throw std::invalid_argument("no categories");
  const int64_t customers = last_customer - first_customer + 1;
  const auto k = static_cast<int64_t>(categories.size());
  std::vector<PlannedFocus> plan;
  plan.reserve(static_cast<size_t>(customers * per_customer));
  for (int64_t round = 0; round < per_customer; ++round) {
    for (int64_t c = 0; c < customers; ++c) {
      plan.push_back({static_cast<int64_t>(plan.size()), first_customer + c,
                      categories[static_cast<size_t>((rotate ? c + round : c) % k)]});
    }
  }
  return plan;
}

}  // namespace streamhost::loadgen

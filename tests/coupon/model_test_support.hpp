// Model files for tests: a "model" object wrapped in the format's envelope and encoding.
#pragma once

#include <streamhost/coupon/feature_encoding.hpp>
#include <string>
#include <vector>

namespace streamhost::coupon::testing {

inline std::vector<std::string> all_features() {
  return {kKnownFeatures.begin(), kKnownFeatures.end()};
}

inline std::string model_file(const std::string& model_json,
                              const std::vector<std::string>& features = all_features(),
                              bool sport_matches_sports = false) {
  std::string names;
  for (const std::string& f : features) names += (names.empty() ? "\"" : ",\"") + f + "\"";
  return R"({"format": "streamhost-coupon-model", "format_version": 1, "name": "test",
    "version": "0", "encoding": {"features": [)" +
         names + R"(],
      "age_range": ["18-25", "26-35", "36-45", "46-55", "56-70", "70+"],
      "marital_status": ["Married", "Single"], "gender": ["F", "M"],
      "item_category": ["Boys", "Girls", "Men", "Sports", "Women"],
      "sport_matches_sports": )" +
         (sport_matches_sports ? "true" : "false") + R"(},
    "model": )" +
         model_json + "}";
}

}  // namespace streamhost::coupon::testing

// The plugin's evaluator against scikit-learn: every model export_test.py trained and exported is
// loaded from its file, the data set's catalog is built the way the plugin builds it, and every
// customer x department coupon is scored through the embedded scorer's path and compared with the
// predict_proba[:, 1] the Python side wrote. Needs the coupon_model_expected CTest fixture.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <streamhost/coupon/catalog.hpp>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/scorer.hpp>
#include <string>
#include <vector>

namespace streamhost::coupon {
namespace {

constexpr double kTolerance = 1e-9;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The data set's CSVs: plain comma-separated values, no quoting, a header line.
std::vector<std::vector<std::string>> read_csv(const std::string& path,
                                               std::vector<std::string>& header) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
      const size_t comma = text.find(',', start);
      fields.push_back(text.substr(start, comma - start));
      if (comma == std::string::npos) return fields;
      start = comma + 1;
    }
  };
  if (std::getline(in, line)) header = split(line);
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(split(line));
  }
  return rows;
}

struct DataSet {
  std::vector<CustomerInfo> customers;  // by customer_id
  std::vector<CatalogRow> catalog;
};

DataSet load_data(const std::string& dir) {
  DataSet data;
  std::vector<std::string> header;
  for (const auto& row : read_csv(dir + "/customer_info.csv", header)) {
    CustomerInfo c;
    c.customer_id = std::stoll(row.at(0));
    for (size_t i = 1; i < header.size(); ++i) {
      const auto field = customer_field_index(header[i]);
      if (!field || row.at(i).empty()) continue;  // empty = SQL NULL
      FieldValue& v = c.fields[*field];
      v.null = false;
      if (kCustomerFields[*field].kind == FieldKind::kText) {
        v.text = row[i];
      } else {
        v.number = std::stod(row[i]);
      }
    }
    data.customers.push_back(std::move(c));
  }
  std::sort(
      data.customers.begin(), data.customers.end(),
      [](const CustomerInfo& a, const CustomerInfo& b) { return a.customer_id < b.customer_id; });
  std::map<int64_t, std::pair<double, double>> info;  // discount, price
  for (const auto& row : read_csv(dir + "/coupon_info.csv", header)) {
    info[std::stoll(row.at(0))] = {std::stod(row.at(1)), std::stod(row.at(2))};
  }
  for (const auto& row : read_csv(dir + "/coupon_categories.csv", header)) {
    const auto category = parse_category(row.at(2));
    const auto coupon = info.find(std::stoll(row.at(0)));
    if (!category || coupon == info.end()) continue;
    data.catalog.push_back({coupon->first, *category, coupon->second.first, coupon->second.second});
  }
  return data;
}

struct Comparison {
  size_t count = 0, identical = 0;
  double max_difference = 0;
};

// Scores every customer against every department with `model`, as the focus handler does, and
// compares with `expected` (customer by id, department in Category order, coupon by id).
Comparison compare(const Model& model, const DataSet& data, const std::vector<double>& expected) {
  auto shared = std::make_shared<const Model>(model);
  const auto catalog = Catalog::build(data.catalog, *shared);
  EmbeddedScorer scorer(shared);
  Comparison result;
  std::vector<double> predictions;
  for (const CustomerInfo& customer : data.customers) {
    for (int c = 0; c < kCategoryCount; ++c) {
      const CategoryCoupons& coupons = catalog->category(static_cast<Category>(c));
      scorer.score(customer, coupons, predictions);
      for (size_t i = 0; i < predictions.size(); ++i, ++result.count) {
        if (result.count >= expected.size()) return result;
        const double want = expected[result.count];
        const double difference = std::abs(predictions[i] - want);
        result.max_difference = std::max(result.max_difference, difference);
        result.identical += predictions[i] == want;
        // The direct path (Model::predict), on a sample: it walks every tree per row.
        if (result.count % 9973 == 0) {
          EXPECT_NEAR(model.predict(customer, coupons.coupons[i]), want, kTolerance)
              << "customer " << customer.customer_id << " coupon " << coupons.coupon_ids[i];
        }
      }
    }
  }
  return result;
}

const rapidjson::Value* manifest_entry(rapidjson::Document& manifest, const std::string& dir,
                                       const std::string& name) {
  manifest.Parse(read_text(dir + "/manifest.json"));
  if (manifest.HasParseError() || !manifest.HasMember("models")) return nullptr;
  for (const auto& m : manifest["models"].GetArray()) {
    if (name == m["name"].GetString()) return &m;
  }
  return nullptr;
}

void expect_equal_to_sklearn(const std::string& name, const std::string& kind,
                             const std::string& dir = COUPON_MODEL_EXPORT_DIR) {
  rapidjson::Document manifest;
  const rapidjson::Value* entry = manifest_entry(manifest, dir, name);
  if (!entry && manifest.IsObject() && manifest.HasMember("skipped")) {
    GTEST_SKIP() << manifest["skipped"].GetString();
  }
  ASSERT_NE(entry, nullptr) << "no " << name << " in " << dir
                            << "/manifest.json (the coupon_model_export tests write it)";
  const Model model = Model::load_file((*entry)["model"].GetString());
  EXPECT_EQ(model.kind(), kind);
  const std::string bytes = read_text((*entry)["expected"].GetString());
  std::vector<double> expected(bytes.size() / sizeof(double));
  std::memcpy(expected.data(), bytes.data(), expected.size() * sizeof(double));
  const DataSet data = load_data((*entry)["data"].GetString());
  ASSERT_EQ(expected.size(), (*entry)["count"].GetUint64());
  ASSERT_GT(expected.size(), 6000000u) << "every customer x department coupon";

  const Comparison result = compare(model, data, expected);
  EXPECT_EQ(result.count, expected.size()) << "the plugin scored a different number of pairs";
  EXPECT_LE(result.max_difference, kTolerance);
  std::cout << name << " (" << model.summary() << "): " << result.count
            << " predictions, max |plugin - scikit-learn| = " << result.max_difference << ", "
            << result.identical << " bit-identical\n";
  ::testing::Test::RecordProperty("max_abs_difference", std::to_string(result.max_difference));
}

TEST(ModelEquality, GradientBoosting) {
  expect_equal_to_sklearn("gradient_boosting", "gradient_boosting");
}

TEST(ModelEquality, GradientBoostingWithSportsFixAndPermutedColumns) {
  expect_equal_to_sklearn("gradient_boosting_sports", "gradient_boosting");
}

TEST(ModelEquality, RandomForest) {
  expect_equal_to_sklearn("random_forest", "random_forest");
}

TEST(ModelEquality, RandomForestTrainedWithMissingValues) {
  expect_equal_to_sklearn("random_forest_missing", "random_forest");
}

TEST(ModelEquality, LogisticRegression) {
  expect_equal_to_sklearn("logistic_regression", "logistic_regression");
}

TEST(ModelEquality, GradientBoostingFittedOnTheOriginalColumnNames) {
  expect_equal_to_sklearn("gradient_boosting_original_names", "gradient_boosting");
}

// Pickled by scikit-learn 0.24.1 on Python 3.8 (the original service's pins), exported with no
// flags by the machine's python3: run-export-test-sklearn024. Skipped where no Python 3.8 exists.
TEST(ModelEquality, Sklearn024GradientBoostingPickleInTheOriginalOrder) {
  expect_equal_to_sklearn("sklearn024_gradient_boosting", "gradient_boosting",
                          COUPON_MODEL_EXPORT_SKLEARN024_DIR);
}

TEST(ModelEquality, Sklearn024RandomForestJoblib) {
  expect_equal_to_sklearn("sklearn024_random_forest", "random_forest",
                          COUPON_MODEL_EXPORT_SKLEARN024_DIR);
}

TEST(ModelEquality, Sklearn024LogisticRegressionPickle) {
  expect_equal_to_sklearn("sklearn024_logistic_regression", "logistic_regression",
                          COUPON_MODEL_EXPORT_SKLEARN024_DIR);
}

}  // namespace
}  // namespace streamhost::coupon

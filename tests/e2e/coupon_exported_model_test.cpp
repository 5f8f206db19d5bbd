// A data scientist's path with the original's kind of model, end to end: a
// GradientBoostingClassifier trained and pickled by scikit-learn 0.24.1 on Python 3.8 (the original
// service's pins; the environment is tools/model-venv sklearn-0.24.1, cached), exported by
// tools/export-model with no flags under the machine's python3, then the coupon pipeline with
// COUPON_MODEL_PATH at the export. Every focus event's published results must be scikit-learn's
// predict_proba, ranked best 5 above 0.2, to 1e-9. Skipped (and reported as skipped) where no
// Python 3.8 can be had.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "admin_probe.hpp"
#include "coupon_support.hpp"
#include "e2e_support.hpp"
#include "pg_fixture.hpp"
#include "reference_data.hpp"
#include "topic_io.hpp"

namespace streamhost::e2e {
namespace {

using namespace std::chrono_literals;
using coupon::testing::Expected;

constexpr int kEvents = 40;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `command` through the shell, its stdout in `out` and stderr in `err` (the same file when
// not given); returns the exit status.
int run(const std::string& command, const std::string& out, const std::string& err = "") {
  const std::string redirect = err.empty() ? " >" + out + " 2>&1" : " >" + out + " 2>" + err;
  const int status = std::system((command + redirect).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct FocusCase {
  int64_t customer;
  std::string category;
  std::vector<coupon::testing::ReferenceCoupon> coupons;
  coupon::testing::Row row;
};

// Customers whose every model column is set and coded: scikit-learn 0.24 refuses missing values.
std::vector<FocusCase> pick_cases(coupon::testing::PgTestConnection& pg) {
  const auto ids = pg.query(
      "SELECT customer_id FROM customer_info WHERE age_range IN "
      "('18-25','26-35','36-45','46-55','56-70','70+') AND marital_status IN ('Married','Single') "
      "AND gender IN ('F','M') AND family_size IS NOT NULL AND no_of_children IS NOT NULL AND "
      "income_bracket IS NOT NULL AND mean_discount_used_by_cust IS NOT NULL AND "
      "unique_items_bought_by_cust IS NOT NULL AND mean_selling_price_paid_by_cust IS NOT NULL "
      "AND mean_quantity_bought_by_cust IS NOT NULL AND total_discount_used_by_cust IS NOT NULL "
      "AND total_coupons_used_by_cust IS NOT NULL AND total_price_paid_by_cust IS NOT NULL AND "
      "total_quantity_bought_by_cust IS NOT NULL ORDER BY customer_id LIMIT " +
      std::to_string(kEvents));
  std::vector<FocusCase> cases;
  for (size_t i = 0; i < ids.size(); ++i) {
    FocusCase c;
    c.customer = std::stoll(*ids[i][0]);
    c.category = kCategories[i % kCategories.size()];
    c.coupons = coupon::testing::read_category_coupons(pg, c.category);
    c.row = coupon::testing::read_customer_row(pg, c.customer);
    cases.push_back(std::move(c));
  }
  return cases;
}

// The events as sklearn024_model.py reads them; numbers as the database's text.
std::string events_json(const std::vector<FocusCase>& cases) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("events");
  w.StartArray();
  for (const auto& c : cases) {
    w.StartObject();
    w.Key("customer");
    w.StartObject();
    for (const auto& [column, value] : c.row) {
      w.Key(column.c_str());
      if (value) {
        w.String(value->c_str());
      } else {
        w.Null();
      }
    }
    w.EndObject();
    w.Key("category");
    w.String(c.category.c_str());
    w.Key("coupons");
    w.StartArray();
    for (const auto& coupon : c.coupons) {
      w.StartArray();
      w.Int64(coupon.coupon_id);
      w.Double(coupon.mean_coupon_discount);
      w.Double(coupon.mean_item_price);
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buffer.GetString();
}

// The published results as the original ranks them (the plugin's tie rule: smaller coupon_id).
std::vector<Expected> ranked(const FocusCase& c, const rapidjson::Value& predictions) {
  std::vector<Expected> all;
  for (size_t i = 0; i < c.coupons.size(); ++i) {
    const double p = predictions[static_cast<rapidjson::SizeType>(i)].GetDouble();
    if (p > 0.2) all.push_back({c.coupons[i].coupon_id, p});
  }
  std::sort(all.begin(), all.end(), [](const Expected& a, const Expected& b) {
    return a.prediction != b.prediction ? a.prediction > b.prediction : a.coupon_id < b.coupon_id;
  });
  if (all.size() > 5) all.resize(5);
  return all;
}

class CouponExportedModel : public ProcessTest {};

TEST_F(CouponExportedModel, AScikitLearn024PickleExportedWithNoFlagsPublishesPredictProba) {
  const std::string python38_log = log_dir_ + "/model-venv.log";
  const std::string venv = log_dir_ + "/python38";
  const int made = run(Built::repo("tools/model-venv") + " sklearn-0.24.1", venv, python38_log);
  if (made == 77) GTEST_SKIP() << read_text(python38_log);
  ASSERT_EQ(made, 0) << read_text(python38_log);
  std::string python38 = read_text(venv);
  python38.erase(python38.find_last_not_of("\n") + 1);

  testing::StackEndpoints stack;
  ASSERT_TRUE(testing::read_stack(stack));
  const auto db = coupon::testing::StackDb::from_env();
  ASSERT_TRUE(db.missing.empty()) << db.missing << " is not set (manifests/local/stack env)";
  coupon::testing::PgTestConnection pg(db);
  const std::vector<FocusCase> cases = pick_cases(pg);
  ASSERT_EQ(cases.size(), static_cast<size_t>(kEvents));

  // Train and pickle with 0.24.1; export with the machine's python3 and no flags.
  const std::string events = log_dir_ + "/events.json", pickle = log_dir_ + "/original.pkl",
                    answers = log_dir_ + "/predict_proba.json", model = log_dir_ + "/m.json";
  std::ofstream(events) << events_json(cases);
  const std::string train_log = log_dir_ + "/train.log";
  ASSERT_EQ(run(python38 + " " + Built::repo("tests/e2e/sklearn024_model.py") + " " + events + " " +
                    pickle + " " + answers,
                train_log),
            0)
      << read_text(train_log);
  const std::string export_log = log_dir_ + "/export.log";
  ASSERT_EQ(run("python3 " + Built::repo("tools/export-model") + " " + pickle + " -o " + model +
                    " --name original-gbc --version 0.24.1",
                export_log),
            0)
      << read_text(export_log);
  EXPECT_NE(read_text(export_log).find("checked: "), std::string::npos) << read_text(export_log);

  rapidjson::Document sklearn;
  sklearn.Parse(read_text(answers));
  ASSERT_TRUE(sklearn.IsObject() && sklearn.HasMember("predictions"));
  const auto& predictions = sklearn["predictions"];
  std::vector<std::vector<Expected>> expected;
  size_t total = 0, with_results = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    expected.push_back(ranked(cases[i], predictions[static_cast<rapidjson::SizeType>(i)]));
    total += expected.back().size();
    with_results += !expected.back().empty();
  }
  ASSERT_GT(with_results, cases.size() / 4) << "too few events with results to tell anything";

  const CouponTopics topics = CouponTopics::make("coupon-exported");
  testing::create_topics(
      {{topics.entry, 1}, {topics.focus, 1}, {topics.predictions, 1}, {topics.dead_letters, 1}});
  ASSERT_FALSE(HasFailure());
  const int admin_port = free_port();
  EnvOverrides env = topics.env(admin_port);
  env["COUPON_MODEL_PATH"] = model;
  ChildProcess& host =
      start_streamhost("streamhost", Built::repo("manifests/pipelines/coupon.yaml"), env);
  AdminProbe admin(admin_port);
  ASSERT_TRUE(wait_for([&] { return admin.ready() || !host.running(); }, 90s))
      << "not ready: " << admin.readyz().body;
  ASSERT_TRUE(host.running());

  TopicReader reader(stack, {topics.predictions, topics.dead_letters}, topics.group + "-check");
  TopicWriter writer(stack);
  for (const auto& c : cases) {
    ASSERT_EQ(writer.produce_one(topics.focus, std::to_string(c.customer),
                                 focus_event(c.customer, c.category)),
              "");
  }
  // Every event handled (those without a result above 0.2 publish nothing), then every result.
  ASSERT_TRUE(wait_for(
      [&] {
        return admin.metric("streamhost_handler_status_total",
                            std::vector<std::string>{"route=\"focus\"", "status=\"ok\""}) >=
               static_cast<double>(cases.size());
      },
      90s));
  ASSERT_TRUE(reader.read_until(
      [&](const auto& rs) { return of_topic(rs, topics.predictions).size() >= total; }, 60s))
      << of_topic(reader.records(), topics.predictions).size() << " of " << total << " results";
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_TRUE(results_match(results_of(reader.records(), topics.predictions, cases[i].customer),
                              cases[i].customer, expected[i]))
        << "customer " << cases[i].customer << ", " << cases[i].category;
  }
  EXPECT_EQ(of_topic(reader.records(), topics.predictions).size(), total);
  EXPECT_TRUE(of_topic(reader.records(), topics.dead_letters).empty());
  std::cout << cases.size() << " focus events, " << with_results << " with results, " << total
            << " results equal to scikit-learn 0.24.1's predict_proba to 1e-9\n";
  expect_graceful_stop(host);
}

}  // namespace
}  // namespace streamhost::e2e

// The HTTP scorer pair on loopback: the real coupon-scorer server in-process, the plugin's HTTP
// client against it, and a deliberately broken scorer for answers the real one never gives.
// GoogleTest first: cpprestsdk defines a macro named U that breaks gtest's templates otherwise.
// clang-format off
#include <gtest/gtest.h>
#include <streamhost/testing/free_port.hpp>
// clang-format on

#include <arpa/inet.h>
#include <cpprest/http_client.h>
#include <cpprest/http_listener.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <streamhost/coupon/errors.hpp>
#include <streamhost/coupon/http_scorer.hpp>
#include <streamhost/coupon/schemas.hpp>

#include "coupon_test_support.hpp"
#include "scorer_server.hpp"

namespace streamhost::coupon {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const Model> shipped_model() {
  static auto m = std::make_shared<const Model>(Model::from_json(default_model_text()));
  return m;
}

std::shared_ptr<const Catalog> sample_catalog() {
  std::vector<CatalogRow> rows;
  for (int i = 1; i <= 30; ++i) rows.push_back({i, Category::kGirls, -0.3 * i, 15.0 * i});
  return Catalog::build(rows, *shipped_model());
}

HttpScorerOptions options_for(const std::string& url) {
  HttpScorerOptions o;
  o.url = url;
  o.timeout = 2000ms;
  o.retries = 1;
  o.breaker_failure_threshold = 2;
  o.breaker_open_for = 60s;
  return o;
}

TEST(CouponScorerHttp, RealServerAgreesWithTheEmbeddedModel) {
  ScorerServer server(shipped_model(), "127.0.0.1", streamhost::testing::free_loopback_port());
  server.start();
  auto catalog = sample_catalog();
  const auto& girls = catalog->category(Category::kGirls);
  const CustomerInfo customer = testing::sample_customer(12);

  HttpScorer http(options_for(server.url()));
  EXPECT_EQ(http.score_path(), "/score");
  std::string why;
  EXPECT_TRUE(http.ready(why)) << why;
  std::vector<double> remote, local;
  http.score(customer, girls, remote);
  shipped_model()->score(customer, girls.table, local);
  ASSERT_EQ(remote.size(), local.size());
  for (size_t i = 0; i < local.size(); ++i) EXPECT_DOUBLE_EQ(remote[i], local[i]);

  HttpScorer with_path(options_for(server.url() + "/score"));
  std::vector<double> again;
  with_path.score(customer, girls, again);
  EXPECT_EQ(again, remote);
}

TEST(CouponScorerHttp, ServerAnswers400WithAReason) {
  ScorerServer server(shipped_model(), "127.0.0.1", streamhost::testing::free_loopback_port());
  server.start();
  web::http::client::http_client client(utility::conversions::to_string_t(server.url()));
  auto post = [&](const std::string& body) {
    auto response =
        client.request(web::http::methods::POST, U("/score"), body, "application/json").get();
    return std::make_pair(response.status_code(), response.extract_utf8string(true).get());
  };
  auto [status, body] = post(R"({"customer":{"customer_id":1},"coupons":[{"coupon_id":1}]})");
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.find("missing field coupons.0.mean_coupon_discount"), std::string::npos) << body;
  std::tie(status, body) = post("{oops");
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.find("malformed JSON"), std::string::npos) << body;
  std::tie(status, body) =
      post(R"({"customer":{"customer_id":1},"coupons":[)"
           R"({"coupon_id":1,"mean_coupon_discount":-1,"mean_item_price":9,"category":"Men"},)"
           R"({"coupon_id":1,"mean_coupon_discount":-1,"mean_item_price":9,"category":"Men"}]})");
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.find("appears twice"), std::string::npos) << body;
  auto health = client.request(web::http::methods::GET, U("/healthcheck")).get();
  EXPECT_EQ(health.status_code(), 200);
  EXPECT_EQ(client.request(web::http::methods::GET, U("/nope")).get().status_code(), 404);
}

// A scorer that answers whatever the test sets: the real server cannot be made to misbehave.
class BrokenScorer {
 public:
  BrokenScorer()
      : url_("http://127.0.0.1:" + std::to_string(streamhost::testing::free_loopback_port())) {
    listener_ = std::make_unique<web::http::experimental::listener::http_listener>(
        utility::conversions::to_string_t(url_));
    listener_->support([this](web::http::http_request request) {
      ++requests;
      request.reply(status, answer, "application/json");
    });
    listener_->open().wait();
  }
  ~BrokenScorer() { listener_->close().wait(); }
  const std::string& url() const { return url_; }

  std::atomic<int> requests{0};
  web::http::status_code status = 200;
  std::string answer;

 private:
  std::string url_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
};

std::string answer_for(int customer_id, const std::vector<std::pair<int, double>>& items) {
  std::string out = "[";
  for (const auto& [coupon, p] : items) {
    if (out.size() > 1) out += ",";
    out += R"({"coupon_id":)" + std::to_string(coupon) + R"(,"customer_id":)" +
           std::to_string(customer_id) + R"(,"prediction":)" + std::to_string(p) + "}";
  }
  return out + "]";
}

std::vector<std::pair<int, double>> all_coupons(double p) {
  std::vector<std::pair<int, double>> items;
  for (int i = 1; i <= 30; ++i) items.emplace_back(i, p);
  return items;
}

std::string failure_of(BrokenScorer& broken) {
  auto options = options_for(broken.url());
  options.retries = 0;
  options.breaker_failure_threshold = 100;
  HttpScorer http(options);
  std::vector<double> p;
  try {
    http.score(testing::sample_customer(12), sample_catalog()->category(Category::kGirls), p);
  } catch (const TransientError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(CouponScorerHttp, AcceptsACompleteAnswerInAnyOrder) {
  BrokenScorer scorer;
  auto items = all_coupons(0.5);
  std::reverse(items.begin(), items.end());
  items[0].second = 0.75;  // coupon 30
  scorer.answer = answer_for(12, items);
  HttpScorer http(options_for(scorer.url()));
  std::vector<double> p;
  http.score(testing::sample_customer(12), sample_catalog()->category(Category::kGirls), p);
  ASSERT_EQ(p.size(), 30u);
  EXPECT_DOUBLE_EQ(p[29], 0.75);
  EXPECT_DOUBLE_EQ(p[0], 0.5);
}

TEST(CouponScorerHttp, MalformedOrIncompleteAnswersFailTheCall) {
  BrokenScorer scorer;
  scorer.answer = "not json";
  EXPECT_NE(failure_of(scorer).find("malformed JSON"), std::string::npos);

  scorer.answer = R"({"predictions":[]})";
  EXPECT_NE(failure_of(scorer).find("does not match its schema"), std::string::npos);

  auto missing = all_coupons(0.5);
  missing.pop_back();
  scorer.answer = answer_for(12, missing);
  EXPECT_NE(failure_of(scorer).find("answered 29 of 30"), std::string::npos);

  auto twice = all_coupons(0.5);
  twice.back().first = 1;
  scorer.answer = answer_for(12, twice);
  EXPECT_NE(failure_of(scorer).find("coupon_id 1 twice"), std::string::npos);

  auto extra = all_coupons(0.5);
  extra.back().first = 999;
  scorer.answer = answer_for(12, extra);
  EXPECT_NE(failure_of(scorer).find("999 which was not requested"), std::string::npos);

  auto out_of_range = all_coupons(0.5);
  out_of_range[3].second = 1.5;
  scorer.answer = answer_for(12, out_of_range);
  EXPECT_NE(failure_of(scorer).find("above the maximum 1"), std::string::npos);

  scorer.answer = answer_for(13, all_coupons(0.5));
  EXPECT_NE(failure_of(scorer).find("another customer"), std::string::npos);

  scorer.status = 503;
  scorer.answer = R"({"error":"overloaded"})";
  EXPECT_NE(failure_of(scorer).find("HTTP 503"), std::string::npos);
}

TEST(CouponScorerHttp, RetriesThenOpensTheBreakerAndFailsFast) {
  BrokenScorer scorer;
  scorer.status = 500;
  HttpScorer http(options_for(scorer.url()));  // 1 retry, opens after 2 failed calls
  const auto catalog = sample_catalog();
  std::vector<double> p;
  const CustomerInfo customer = testing::sample_customer(12);
  EXPECT_THROW(http.score(customer, catalog->category(Category::kGirls), p), TransientError);
  EXPECT_EQ(scorer.requests.load(), 2);  // first attempt plus one retry
  EXPECT_THROW(http.score(customer, catalog->category(Category::kGirls), p), TransientError);
  EXPECT_EQ(http.breaker_state(), CircuitBreaker::State::kOpen);
  try {
    http.score(customer, catalog->category(Category::kGirls), p);
    FAIL() << "open breaker let a call through";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("circuit breaker is open"), std::string::npos);
  }
  EXPECT_EQ(scorer.requests.load(), 4);  // the fast failure never reached the scorer
}

TEST(CouponScorerHttp, UnreachableScorerIsTransientAndNotReady) {
  auto options =
      options_for("http://127.0.0.1:" + std::to_string(streamhost::testing::free_loopback_port()));
  options.timeout = 500ms;
  HttpScorer http(options);
  std::vector<double> p;
  EXPECT_THROW(
      http.score(testing::sample_customer(12), sample_catalog()->category(Category::kGirls), p),
      TransientError);
  std::string why;
  EXPECT_FALSE(http.ready(why));
  EXPECT_NE(why.find("scorer unreachable"), std::string::npos) << why;
}

TEST(CouponScorerHttp, RejectsABadUrl) {
  EXPECT_THROW(HttpScorer(options_for("ftp://x")), std::invalid_argument);
  EXPECT_THROW(HttpScorer(options_for("not a url")), std::invalid_argument);
}

}  // namespace
}  // namespace streamhost::coupon

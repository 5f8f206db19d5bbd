// The HTTP scorer pair on loopback: the real coupon-scorer server in-process, the plugin's HTTP
// client against it, and a deliberately broken scorer for answers the real one never gives.
// GoogleTest first: cpprestsdk defines a macro named U that breaks gtest's templates otherwise.
// clang-format off
#include <gtest/gtest.h>
#include <streamhost/testing/endless_body.hpp>
#include <streamhost/testing/free_port.hpp>
#include <streamhost/testing/original_scorer.hpp>
#include <streamhost/testing/unheld_body.hpp>
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
#include <thread>

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

  HttpScorer http(options_for(server.url() + "/score"));
  std::string why;
  EXPECT_TRUE(http.ready(why)) << why;
  std::vector<double> remote, local;
  http.score(customer, girls, remote);
  shipped_model()->score(customer, girls.table, local);
  ASSERT_EQ(remote.size(), local.size());
  for (size_t i = 0; i < local.size(); ++i) EXPECT_DOUBLE_EQ(remote[i], local[i]);
}

// A request over 8 MiB is refused, announced or chunked; a chunked one is counted as it arrives
// and refused once past the limit, so a 128 MiB body is never held whole.
TEST(CouponScorerHttp, ServerRefusesABodyOverTheLimitInBoundedMemory) {
  const int port = streamhost::testing::free_loopback_port();
  ScorerServer server(shipped_model(), "127.0.0.1", port);
  server.start();
  web::http::client::http_client client(server.url());
  auto announced = client
                       .request(web::http::methods::POST, "/score", std::string(9u << 20, ' '),
                                "application/json")
                       .get();
  EXPECT_EQ(announced.status_code(), 413);

  const std::string chunked = streamhost::testing::post_128_mib_answered_early(port, "/score");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 413", 0), 0u) << chunked.substr(0, 200);
  EXPECT_NE(chunked.find("request body over 8388608 bytes"), std::string::npos)
      << chunked.substr(0, 400);

  // And it still scores.
  HttpScorer http(options_for(server.url() + "/score"));
  std::vector<double> p;
  http.score(testing::sample_customer(12), sample_catalog()->category(Category::kGirls), p);
  EXPECT_EQ(p.size(), 30u);
}

TEST(CouponScorerHttp, TheUrlIsTheFullAddressPostedToWithTheHealthcheckBesideIt) {
  EXPECT_EQ(HttpScorer(options_for("http://127.0.0.1:1/score")).score_path(), "/score");
  EXPECT_EQ(HttpScorer(options_for("http://127.0.0.1:1/score")).healthcheck_path(), "/healthcheck");
  EXPECT_EQ(HttpScorer(options_for("http://127.0.0.1:1/v2/score")).score_path(), "/v2/score");
  EXPECT_EQ(HttpScorer(options_for("http://127.0.0.1:1/v2/score")).healthcheck_path(),
            "/v2/healthcheck");
  // No path means the root, as for the original service: nothing is appended.
  EXPECT_EQ(HttpScorer(options_for("http://127.0.0.1:1")).score_path(), "/");
  EXPECT_EQ(HttpScorer(options_for("http://127.0.0.1:1")).healthcheck_path(), "/healthcheck");
}

// One HTTP/1.1 request on a raw socket, so that nothing adds headers the test did not write
// (cpprestsdk always sets a Content-Type on a body). Returns the status code and the body.
std::pair<int, std::string> raw_http(int port, const std::string& head, const std::string& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {0, "connect failed"};
  }
  const std::string request = head + "Content-Length: " + std::to_string(body.size()) +
                              "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, n);
  ::close(fd);
  if (reply.rfind("HTTP/1.1 ", 0) != 0) return {0, reply};
  const size_t split = reply.find("\r\n\r\n");
  return {std::stoi(reply.substr(9, 3)), split == std::string::npos ? "" : reply.substr(split + 4)};
}

// The request of the original prediction service's README, byte for byte as its client sent it:
// no Content-Type header.
const char* kOriginalExampleRequest = R"({
  "customer": {
    "customer_id": 4444, "age_range": "46-55", "marital_status": "Married", "family_size": 5,
    "no_of_children": 3, "income_bracket": 3, "gender": "M", "mean_discount_used": -1.83,
    "total_discount_used": -7548.79, "total_unique_items_bought": 2040,
    "total_quantity_bought": 4314, "mean_quantity_bought": 1.04, "mean_selling_price_paid": 61.27,
    "total_coupons_redeemed": 220, "total_price_paid": 253295.6
  },
  "coupons": [
    {"coupon_id": 1111, "item_selling_price": 70.88, "coupon_discount": -35.62, "item_category": "Men"},
    {"coupon_id": 2323, "item_selling_price": 75.51, "coupon_discount": -26.71, "item_category": "Sport"}
  ]
})";

TEST(CouponScorerHttp, TheOriginalServicesExampleRequestWithoutContentTypeIsScored) {
  const int port = streamhost::testing::free_loopback_port();
  ScorerServer server(shipped_model(), "127.0.0.1", port);
  server.start();
  const auto [status, body] = raw_http(
      port, "POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n", kOriginalExampleRequest);
  ASSERT_EQ(status, 200) << body;
  rapidjson::Document answer;
  answer.Parse(body);
  ASSERT_TRUE(answer.IsArray()) << body;
  ASSERT_EQ(answer.Size(), 2u) << body;
  EXPECT_EQ(schema(SchemaId::kScorerResponse).check(answer), std::nullopt);

  // The same customer and coupons scored in process give the same predictions.
  rapidjson::Document request;
  request.Parse(kOriginalExampleRequest);
  const CustomerInfo customer = customer_from_json(request["customer"]);
  const std::vector<CouponFeatures> coupons = {{1111, -35.62, 70.88, Category::kMen},
                                               {2323, -26.71, 75.51, Category::kSport}};
  std::vector<double> local;
  shipped_model()->score(customer, shipped_model()->make_table(coupons), local);
  for (rapidjson::SizeType i = 0; i < 2; ++i) {
    EXPECT_EQ(answer[i]["coupon_id"].GetInt64(), coupons[i].coupon_id);
    EXPECT_EQ(answer[i]["customer_id"].GetInt64(), 4444);
    EXPECT_DOUBLE_EQ(answer[i]["prediction"].GetDouble(), local[i]);
  }
  // The customer's fields were read under the API's names, not left unknown.
  EXPECT_EQ(first_unknown_field(customer), nullptr);
  EXPECT_DOUBLE_EQ(customer.field(*customer_field_index("total_price_paid_by_cust")).number,
                   253295.6);
}

// The body of a 422 answer: FastAPI's {"detail":[{"type","loc","msg"}]}.
struct Detail {
  std::string type, loc, msg;
};

Detail detail_of(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body);
  if (!doc.IsObject() || !doc.HasMember("detail") || !doc["detail"].IsArray() ||
      doc["detail"].Empty())
    return {"(no detail)", "", body};
  const auto& d = doc["detail"][0];
  std::string loc;
  for (const auto& part : d["loc"].GetArray()) {
    if (!loc.empty()) loc += "/";
    loc += part.IsString() ? part.GetString() : std::to_string(part.GetInt64());
  }
  return {d["type"].GetString(), loc, d["msg"].GetString()};
}

TEST(CouponScorerHttp, ServerAnswers422WithFastApisDetailBody) {
  const int port = streamhost::testing::free_loopback_port();
  ScorerServer server(shipped_model(), "127.0.0.1", port);
  server.start();
  auto post = [&](const std::string& body) {
    return raw_http(port, "POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\n", body);
  };
  std::string request = kOriginalExampleRequest;

  auto without = [&](const std::string& text, const std::string& cut) {
    std::string out = text;
    out.erase(out.find(cut), cut.size());
    return out;
  };
  auto [status, body] = post(without(request, R"("coupon_discount": -35.62, )"));
  EXPECT_EQ(status, 422);
  Detail d = detail_of(body);
  EXPECT_EQ(d.type, "missing") << body;
  EXPECT_EQ(d.loc, "body/coupons/0/coupon_discount") << body;
  EXPECT_NE(d.msg.find("missing field coupons.0.coupon_discount"), std::string::npos) << body;

  std::tie(status, body) = post(without(request, R"("gender": "M", )"));
  EXPECT_EQ(status, 422);
  EXPECT_EQ(detail_of(body).loc, "body/customer/gender") << body;

  std::string wrong_type = request;
  wrong_type.replace(wrong_type.find("\"family_size\": 5"), 16, "\"family_size\": \"5\"");
  std::tie(status, body) = post(wrong_type);
  EXPECT_EQ(status, 422);
  EXPECT_EQ(detail_of(body).type, "int_type") << body;
  EXPECT_EQ(detail_of(body).loc, "body/customer/family_size") << body;

  // The cache table's column names, which an earlier version of the plugin sent, are not the API.
  std::string old_names = request;
  old_names.replace(old_names.find("\"mean_discount_used\""), 20, "\"mean_discount_used_by_cust\"");
  std::tie(status, body) = post(old_names);
  EXPECT_EQ(status, 422);
  EXPECT_EQ(detail_of(body).loc, "body/customer/mean_discount_used") << body;

  std::tie(status, body) = post("{oops");
  EXPECT_EQ(status, 422);
  EXPECT_EQ(detail_of(body).type, "json_invalid") << body;

  std::string twice = request;
  twice.replace(twice.find("2323"), 4, "1111");
  std::tie(status, body) = post(twice);
  EXPECT_EQ(status, 422);
  EXPECT_NE(detail_of(body).msg.find("appears twice"), std::string::npos) << body;

  // Members the API does not name are ignored, as the original's request models ignore them.
  std::string extra = request;
  extra.insert(extra.find("\"customer_id\""), R"("store_id": 17, )");
  std::tie(status, body) = post(extra);
  EXPECT_EQ(status, 200) << body;

  // Half a megabyte of nesting is refused as too deep, and the server keeps serving.
  std::string deep = request;
  deep.insert(deep.find("\"customer_id\""),
              "\"x\": " + std::string(250000, '[') + std::string(250000, ']') + ", ");
  std::tie(status, body) = post(deep);
  EXPECT_EQ(status, 422);
  EXPECT_NE(detail_of(body).msg.find("nested deeper"), std::string::npos) << body;

  std::tie(status, body) = raw_http(port, "GET /healthcheck HTTP/1.1\r\nHost: x\r\n", "");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "OK");
  EXPECT_EQ(raw_http(port, "GET /nope HTTP/1.1\r\nHost: x\r\n", "").first, 404);
}

TEST(CouponScorerHttp, TheClientSendsOnlyTheOriginalRequestToAStrictOriginalScorer) {
  streamhost::testing::OriginalScorerStandIn original;
  HttpScorer http(options_for(original.score_url()));
  std::string why;
  EXPECT_TRUE(http.ready(why)) << why;
  const auto catalog = sample_catalog();
  const auto& girls = catalog->category(Category::kGirls);
  std::vector<double> p;
  http.score(testing::sample_customer(12), girls, p);
  EXPECT_EQ(original.invalid_requests.load(), 0) << original.last_refusal();
  EXPECT_EQ(original.valid_requests.load(), 1);
  EXPECT_EQ(original.last_coupon_ids(), girls.coupon_ids);
  ASSERT_EQ(p.size(), girls.coupons.size());
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_DOUBLE_EQ(
        p[i], streamhost::testing::OriginalScorerStandIn::prediction_for(12, girls.coupon_ids[i]));
  }
}

TEST(CouponScorerHttp, ACustomerWithAnUnknownFieldIsRejectedWithoutACall) {
  streamhost::testing::OriginalScorerStandIn original;
  HttpScorer http(options_for(original.score_url()));
  CustomerInfo incomplete = testing::sample_customer(12);
  incomplete.fields[*customer_field_index("income_bracket")].null = true;
  std::vector<double> p;
  try {
    http.score(incomplete, sample_catalog()->category(Category::kGirls), p);
    FAIL() << "an incomplete customer was scored";
  } catch (const RejectError& e) {
    EXPECT_NE(std::string(e.what()).find("income_bracket"), std::string::npos) << e.what();
  }
  EXPECT_EQ(original.valid_requests.load() + original.invalid_requests.load(), 0);
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
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      request.reply(status, answer, "application/json");
    });
    listener_->open().wait();
  }
  ~BrokenScorer() { listener_->close().wait(); }
  const std::string& url() const { return url_; }

  std::atomic<int> requests{0};
  std::chrono::milliseconds delay{0};  // before each answer: a stalled scorer
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

// The 4xx answers that say this request can never be scored: 400, 413, 414, 415 and 422.
TEST(CouponScorerHttp, A4xxAboutTheRequestIsARejectionNeitherRetriedNorCountedByTheBreaker) {
  for (const int status : {400, 413, 414, 415, 422}) {
    SCOPED_TRACE("HTTP " + std::to_string(status));
    BrokenScorer scorer;
    scorer.status = static_cast<web::http::status_code>(status);
    scorer.answer =
        R"({"detail":[{"type":"missing","loc":["body","customer"],"msg":"Field required"}]})";
    HttpScorer http(options_for(scorer.url()));  // 1 retry, opens after 2 failed calls
    const auto catalog = sample_catalog();
    std::vector<double> p;
    for (int call = 0; call < 3; ++call) {
      try {
        http.score(testing::sample_customer(12), catalog->category(Category::kGirls), p);
        FAIL() << "accepted";
      } catch (const RejectError& e) {
        const std::string why = e.what();
        EXPECT_NE(why.find("HTTP " + std::to_string(status)), std::string::npos) << why;
        EXPECT_NE(why.find("Field required"), std::string::npos) << why;
      }
    }
    EXPECT_EQ(scorer.requests.load(), 3);  // one attempt per call: no retry
    EXPECT_EQ(http.breaker_state(), CircuitBreaker::State::kClosed);
  }
}

// The other 4xx answers say the scorer is misconfigured, unauthorised or busy, not that the event
// is bad: dead-lettering every event for a wrong token would throw the stream away.
TEST(CouponScorerHttp, A4xxAboutTheScorerIsTransient) {
  for (const int status : {401, 403, 405, 408, 429}) {
    SCOPED_TRACE("HTTP " + std::to_string(status));
    BrokenScorer scorer;
    scorer.status = static_cast<web::http::status_code>(status);
    scorer.answer = R"({"detail":"no"})";
    const std::string why = failure_of(scorer);
    EXPECT_NE(why.find("HTTP " + std::to_string(status)), std::string::npos) << why;
  }
}

// A wrong scorer URL answers 404 or 405: the hint names the path POSTed to, never the query, which
// may carry the scorer's key (docs/security.md, "Redaction"); nor does any other part of the error.
TEST(CouponScorerHttp, The404HintNamesThePathNotTheQuery) {
  for (const int status : {404, 405}) {
    SCOPED_TRACE("HTTP " + std::to_string(status));
    BrokenScorer scorer;
    scorer.status = static_cast<web::http::status_code>(status);
    scorer.answer = R"({"detail":"Not Found"})";
    auto options = options_for(scorer.url() + "/wrong/score?api_key=S3cretKey&v=2");
    options.retries = 0;
    HttpScorer http(options);
    std::vector<double> p;
    try {
      http.score(testing::sample_customer(12), sample_catalog()->category(Category::kGirls), p);
      FAIL() << "accepted";
    } catch (const TransientError& e) {
      const std::string why = e.what();
      EXPECT_NE(why.find("POST /wrong/score is not it"), std::string::npos) << why;
      EXPECT_EQ(why.find("S3cretKey"), std::string::npos) << why;
    }
  }
}

// An upper-case scheme is the same URL: accepted, and its query kept out of a config error.
TEST(CouponScorerHttp, TheSchemeIsReadWhateverItsCase) {
  EXPECT_NO_THROW(check_scorer_url("HTTP://127.0.0.1:1/score"));
  try {
    check_scorer_url("ftp://tok3n@scorer/score?api_key=S3cretKey");
    FAIL() << "ftp accepted";
  } catch (const std::invalid_argument& e) {
    const std::string why = e.what();
    EXPECT_EQ(why.find("S3cretKey"), std::string::npos) << why;
    EXPECT_EQ(why.find("tok3n"), std::string::npos) << why;
    EXPECT_NE(why.find("scorer/score"), std::string::npos) << why;
  }
}

// A scorer whose answer never ends, chunked so no Content-Length announces it: the answer is cut
// at 16 MiB and its connection closed, instead of being read into memory to the end.
TEST(CouponScorerHttp, AnEndlessAnswerIsCutAtTheLimitAndItsConnectionClosed) {
  streamhost::testing::EndlessReplyServer scorer(/*cap=*/512u << 20);
  auto options = options_for(scorer.url() + "/score");
  options.retries = 0;
  HttpScorer http(options);
  std::vector<double> p;
  try {
    http.score(testing::sample_customer(12), sample_catalog()->category(Category::kGirls), p);
    FAIL() << "accepted";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("over the limit of 16777216 bytes"), std::string::npos)
        << e.what();
  }
  ASSERT_TRUE(scorer.wait_for_replies_ended(1, std::chrono::seconds(20)));
  EXPECT_LT(scorer.body_bytes_sent(), size_t{64} << 20);
}

TEST(CouponScorerHttp, AWrongPathIsTransientAndSaysWhatTheUrlMustBe) {
  BrokenScorer scorer;
  scorer.status = 404;
  scorer.answer = R"({"detail":"Not Found"})";
  const std::string why = failure_of(scorer);
  EXPECT_NE(why.find("HTTP 404"), std::string::npos) << why;
  EXPECT_NE(why.find("full URL POSTed to"), std::string::npos) << why;
}

TEST(CouponScorerHttp, AnHttpErrorIsLeftToTheHostsRetryAndOpensTheBreaker) {
  BrokenScorer scorer;
  scorer.status = 500;
  HttpScorer http(options_for(scorer.url()));  // 1 retry, opens after 2 failed calls
  const auto catalog = sample_catalog();
  std::vector<double> p;
  const CustomerInfo customer = testing::sample_customer(12);
  EXPECT_THROW(http.score(customer, catalog->category(Category::kGirls), p), TransientError);
  // The scorer answered: trying again at once is not the client's call but the host's backoff.
  EXPECT_EQ(scorer.requests.load(), 1);
  EXPECT_THROW(http.score(customer, catalog->category(Category::kGirls), p), TransientError);
  EXPECT_EQ(scorer.requests.load(), 2);
  EXPECT_EQ(http.breaker_state(), CircuitBreaker::State::kOpen);
  try {
    http.score(customer, catalog->category(Category::kGirls), p);
    FAIL() << "open breaker let a call through";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("circuit breaker is open"), std::string::npos);
  }
  EXPECT_EQ(scorer.requests.load(), 2);  // the fast failure never reached the scorer
}

TEST(CouponScorerHttp, ATimeoutIsNotRetriedWithinTheCall) {
  BrokenScorer scorer;
  scorer.answer = answer_for(12, all_coupons(0.5));
  scorer.delay = 1500ms;
  auto options = options_for(scorer.url());
  options.timeout = 300ms;
  HttpScorer http(options);
  std::vector<double> p;
  try {
    http.score(testing::sample_customer(12), sample_catalog()->category(Category::kGirls), p);
    FAIL() << "a stalled scorer scored";
  } catch (const TransientError& e) {
    EXPECT_NE(std::string(e.what()).find("did not answer within 300 ms"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("after 1 attempt(s)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(scorer.requests.load(), 1);
}

TEST(CouponScorerHttp, UnreachableScorerIsTransientAndNotReady) {
  auto options =
      options_for("http://127.0.0.1:" + std::to_string(streamhost::testing::free_loopback_port()));
  options.timeout = 500ms;
  HttpScorer http(options);
  std::vector<double> p;
  try {
    http.score(testing::sample_customer(12), sample_catalog()->category(Category::kGirls), p);
    FAIL() << "an unreachable scorer scored";
  } catch (const TransientError& e) {
    // No answer at all (a refused connection): the one case tried again within the call.
    EXPECT_NE(std::string(e.what()).find("after 2 attempt(s)"), std::string::npos) << e.what();
  }
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

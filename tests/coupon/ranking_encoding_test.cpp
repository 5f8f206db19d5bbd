// Ranking (top-N, threshold, ties) and the prediction result encoding.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <streamhost/coupon/ranking.hpp>
#include <streamhost/coupon/result_encoding.hpp>
#include <streamhost/coupon/schemas.hpp>

namespace streamhost::coupon {
namespace {

TEST(CouponRanking, KeepsTheBestNAboveTheThreshold) {
  const std::vector<int64_t> ids{1, 2, 3, 4, 5, 6, 7};
  const std::vector<double> p{0.1, 0.9, 0.3, 0.8, 0.2, 0.5, 0.7};
  const auto best = rank_best(ids, p, 3, 0.2);
  EXPECT_EQ(best, (std::vector<RankedCoupon>{{2, 0.9}, {4, 0.8}, {7, 0.7}}));
}

TEST(CouponRanking, ThresholdIsStrict) {
  const std::vector<int64_t> ids{1, 2, 3};
  const std::vector<double> p{0.2, 0.2000001, 0.05};
  EXPECT_EQ(rank_best(ids, p, 5, 0.2), (std::vector<RankedCoupon>{{2, 0.2000001}}));
}

TEST(CouponRanking, FewerThanNWhenFewPass) {
  const std::vector<int64_t> ids{1, 2};
  const std::vector<double> p{0.1, 0.15};
  EXPECT_TRUE(rank_best(ids, p, 5, 0.2).empty());
  EXPECT_TRUE(rank_best({}, {}, 5, 0.2).empty());
}

TEST(CouponRanking, TiesAreBrokenByCouponId) {
  const std::vector<int64_t> ids{30, 10, 20, 40};
  const std::vector<double> p{0.5, 0.5, 0.5, 0.6};
  EXPECT_EQ(rank_best(ids, p, 3, 0.2),
            (std::vector<RankedCoupon>{{40, 0.6}, {10, 0.5}, {20, 0.5}}));
}

TEST(CouponEncoding, IsoTimestampInUtcWithMillisAndZ) {
  using namespace std::chrono;
  EXPECT_EQ(iso8601_utc_millis(system_clock::time_point(milliseconds(1616056142160))),
            "2021-03-18T08:29:02.160Z");
  EXPECT_EQ(iso8601_utc_millis(system_clock::time_point(milliseconds(0))),
            "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc_millis(system_clock::time_point(milliseconds(-1))),
            "1969-12-31T23:59:59.999Z");
}

TEST(CouponEncoding, PredictionResultMatchesItsSchema) {
  using namespace std::chrono;
  const std::string json = encode_prediction_result(
      7, 1003, 0.8125, system_clock::time_point(milliseconds(1616056142160)));
  EXPECT_EQ(json,
            R"({"event_type":"prediction result","event_timestamp":"2021-03-18T08:29:02.160Z",)"
            R"("payload":{"customer_id":7,"coupon_id":1003,"prediction":0.8125}})");
  rapidjson::Document doc;
  doc.Parse(json);
  EXPECT_EQ(schema(SchemaId::kPredictionResult).check(doc), std::nullopt);
}

TEST(CouponEncoding, PredictionResultSchemaRefusesBadEvents) {
  rapidjson::Document doc;
  doc.Parse(R"({"event_type":"prediction result","event_timestamp":"2021-03-18 08:29",)"
            R"("payload":{"customer_id":7,"coupon_id":1,"prediction":1.5}})");
  EXPECT_TRUE(schema(SchemaId::kPredictionResult).check(doc).has_value());
}

}  // namespace
}  // namespace streamhost::coupon

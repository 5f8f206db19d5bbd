#include <streamhost/latency/svg.hpp>

#include <gtest/gtest.h>

namespace streamhost::latency {
namespace {

TEST(LatencySvg, DrawsBothCurvesAndTheHistogram) {
  LatencyHistogram corrected, uncorrected;
  for (int i = 1; i <= 1000; ++i) {
    corrected.record(i * 100);
    uncorrected.record(i * 50);
  }
  const std::string svg = latency_svg(corrected, uncorrected, "title <x>", "sub");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("title &lt;x&gt;"), std::string::npos);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 10, true);
  size_t polylines = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1))
    ++polylines;
  EXPECT_EQ(polylines, 2u);
  EXPECT_NE(svg.find("<rect x="), std::string::npos);
  EXPECT_NE(svg.find("99.9%"), std::string::npos);  // 1,000 samples: three nines on the axis
}

TEST(LatencySvg, EmptyHistogramsStillMakeAPicture) {
  const std::string svg = latency_svg({}, {}, "t", "s");
  EXPECT_NE(svg.find("no samples"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace streamhost::latency

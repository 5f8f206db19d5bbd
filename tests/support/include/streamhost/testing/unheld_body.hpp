// The check every server's body limit shares: a 128 MiB chunked body is refused as it arrives,
// never held whole.
#pragma once

#include <gtest/gtest.h>

#include <streamhost/testing/endless_body.hpp>
#include <streamhost/testing/peak_rss.hpp>
#include <string>

namespace streamhost::testing {

// Posts up to 128 MiB chunked to 127.0.0.1:`port` at `path` and returns the server's answer.
// Expects it to come before the whole body was sent (the server counts a body as it arrives and
// answers as soon as it must refuse it, or at once when it reads no body) and, where the resident
// set means something, this process (the server's) grown by less than 32 MiB: holding the body
// takes its 128 MiB. The growth is recorded as a test property.
inline std::string post_128_mib_answered_early(int port, const std::string& path) {
  constexpr size_t kBody = size_t{128} << 20;
  PeakRss rss;
  const ChunkedRequestResult result = post_chunked(port, path, kBody);
  const size_t growth = rss.growth();
  ::testing::Test::RecordProperty("peak_rss_growth_bytes", std::to_string(growth));
  EXPECT_LT(result.body_bytes_sent, kBody) << "the server answered only once the body ended";
  if (kResidentSetIsMeaningful) {
    EXPECT_LT(growth, size_t{32} << 20) << "the server held the body";
  }
  return result.reply;
}

}  // namespace streamhost::testing

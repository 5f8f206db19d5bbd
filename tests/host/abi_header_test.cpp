// Pins plugin_api.h: any edit to the ABI header fails this test until someone decides what the edit
// means for the ABI version and records the new hash.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace {

// FNV-1a (64 bit) of plugin_api.h with CRLF normalised to LF.
constexpr uint64_t kExpectedAbiHeaderHash = 0x3175f4ca00467187ULL;

uint64_t fnv1a64(const std::string& bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string read_normalised(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text;
  for (char c : buffer.str()) {
    if (c != '\r') text += c;
  }
  return text;
}

TEST(AbiHeader, MatchesTheRecordedHash) {
  std::string header = read_normalised(STREAMHOST_PLUGIN_API_HEADER);
  ASSERT_FALSE(header.empty()) << "cannot read " << STREAMHOST_PLUGIN_API_HEADER;
  uint64_t actual = fnv1a64(header);
  std::ostringstream hex;
  hex << "0x" << std::hex << actual << "ULL";
  EXPECT_EQ(actual, kExpectedAbiHeaderHash)
      << "plugin_api.h changed: decide the ABI version (bump SH_PLUGIN_ABI_MINOR for appended "
         "fields, MAJOR otherwise) and update kExpectedAbiHeaderHash to "
      << hex.str() << " in " << __FILE__;
}

}  // namespace

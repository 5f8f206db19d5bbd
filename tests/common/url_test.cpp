// The URL helper: parts found as written, the scheme compared without regard to case.
#include <gtest/gtest.h>

#include <streamhost/redact/url.hpp>

namespace streamhost::url {
namespace {

TEST(SplitUrl, FindsEveryPart) {
  auto p = split_url("HTTPS://u:p@w@host:8443/a/b?x=1&y=2#frag");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->scheme, "HTTPS");
  EXPECT_TRUE(p->has_user_info);
  EXPECT_EQ(p->user_info, "u:p@w");
  EXPECT_EQ(p->host_port, "host:8443");
  EXPECT_EQ(p->path, "/a/b");
  EXPECT_EQ(p->query, "x=1&y=2");
  EXPECT_EQ(p->fragment, "frag");
}

TEST(SplitUrl, RefusesWhatIsNotAUrl) {
  EXPECT_FALSE(split_url("host:8080"));
  EXPECT_FALSE(split_url("://host"));
  EXPECT_FALSE(split_url("1http://host"));
  EXPECT_FALSE(split_url("ht tp://host"));
}

TEST(SchemeOf, IsCaseInsensitive) {
  EXPECT_EQ(scheme_of("HTTPS://h"), "https");
  EXPECT_TRUE(is_https("HTTPS://h/score"));
  EXPECT_TRUE(is_https("https://h"));
  EXPECT_FALSE(is_https("http://h"));
  EXPECT_FALSE(is_https("https-ish"));
}

TEST(WithoutSecrets, DropsUserInfoQueryAndFragment) {
  EXPECT_EQ(without_secrets("http://u:p@scorer:8001/score?token=t#x"), "http://scorer:8001/score");
  EXPECT_EQ(without_secrets("not a url"), "");
}

}  // namespace
}  // namespace streamhost::url

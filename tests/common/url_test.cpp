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

TEST(SplitUrl, UserInfoHoldingWhatWouldEndTheAuthority) {
  struct Case {
    const char* url;
    const char* user_info;  // nullptr: none
    const char* host_port;
  };
  for (const Case& c :
       {Case{"https://svc:pa#ss@proxy/x", "svc:pa#ss", "proxy"},
        Case{"https://svc:p/w@proxy:1", "svc:p/w", "proxy:1"},
        Case{"https://svc:p?w@proxy", "svc:p?w", "proxy"},
        Case{"http://host:8080/a@b", nullptr, "host:8080"},
        Case{"http://host/a@b", nullptr, "host"}, Case{"http://[::1]:80/a@b", nullptr, "[::1]:80"},
        Case{"http://u:p@w@h/x@y", "u:p@w", "h"}}) {
    auto p = split_url(c.url);
    ASSERT_TRUE(p) << c.url;
    EXPECT_EQ(p->has_user_info, c.user_info != nullptr) << c.url;
    if (c.user_info) {
      EXPECT_EQ(p->user_info, c.user_info) << c.url;
    }
    EXPECT_EQ(p->host_port, c.host_port) << c.url;
  }
  EXPECT_EQ(without_secrets("https://svc:pa#ss@proxy/x"), "https://proxy/x");
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

TEST(IsLoopbackHost, ParsesTheAddressRatherThanItsPrefix) {
  for (const char* host :
       {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "LocalHost", "::1", "[::1]"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host :
       {"127.evil.example", "127.0.0.1.nip.io", "127.0.0", "127.0.0.256", "127.0.0.1.",
        "1270.0.0.1", "128.0.0.1", "localhost.evil", "::2", "example.com", "", "127.0.0.0001"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
  EXPECT_EQ(host_without_port("h:80"), "h");
  EXPECT_EQ(host_without_port("[::1]:80"), "::1");
  EXPECT_EQ(host_without_port("127.0.0.1"), "127.0.0.1");
}

TEST(WithoutSecrets, DropsUserInfoQueryAndFragment) {
  EXPECT_EQ(without_secrets("http://u:p@scorer:8001/score?token=t#x"), "http://scorer:8001/score");
  EXPECT_EQ(without_secrets("not a url"), "");
}

}  // namespace
}  // namespace streamhost::url

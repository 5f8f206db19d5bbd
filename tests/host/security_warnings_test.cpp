// The manifest's security warnings: an unverified https proxy and credentials over http, with no
// secret in the text, and none for a sound manifest.
#include "manifest/security_warnings.hpp"

#include <gtest/gtest.h>

namespace streamhost::host {
namespace {

Manifest with_proxy(const std::string& url) {
  Manifest m;
  m.proxy.base_url = url;
  return m;
}

TEST(SecurityWarnings, NoneForASoundManifest) {
  EXPECT_TRUE(security_warnings(with_proxy("http://127.0.0.1:18082")).empty());
  Manifest m = with_proxy("https://proxy:8443");
  m.proxy.basic_auth_user = "svc";
  m.proxy.basic_auth_password = "pw";
  EXPECT_TRUE(security_warnings(m).empty());
}

TEST(SecurityWarnings, TlsVerifyOffIsNamed) {
  Manifest m = with_proxy("HTTPS://proxy:8443");  // the scheme's case does not matter
  m.proxy.tls_verify = false;
  auto w = security_warnings(m);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("rest_proxy.tls.verify is false"), std::string::npos) << w[0];
}

TEST(SecurityWarnings, CredentialsOverHttpAreNamedWithoutTheSecret) {
  Manifest basic = with_proxy("http://proxy:8082");
  basic.proxy.basic_auth_user = "svc";
  basic.proxy.basic_auth_password = "S3cretPw";
  Manifest in_url = with_proxy("http://svc:S3cretPw@proxy:8082");
  Manifest in_query = with_proxy("http://proxy:8082/?token=S3cretPw");
  for (const Manifest* m : {&basic, &in_url, &in_query}) {
    auto w = security_warnings(*m);
    ASSERT_EQ(w.size(), 1u) << m->proxy.base_url;
    EXPECT_NE(w[0].find("plain http"), std::string::npos) << w[0];
    EXPECT_EQ(w[0].find("S3cretPw"), std::string::npos) << w[0];
  }
}

}  // namespace
}  // namespace streamhost::host

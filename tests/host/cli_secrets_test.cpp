// `streamhost validate` and `run`'s start-up errors on manifests full of secrets, with the real
// coupon plugin: none of the secrets may reach stdout or stderr, in the summary or in an error
// (docs/security.md, "Redaction"). Each secret is a distinct marker, so a leak names its path.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "host_test_support.hpp"

namespace streamhost::host {
namespace {

using testing::TempDir;

struct Output {
  int code;
  std::string text;  // stdout and stderr together
};

Output cli(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"streamhost"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err,
                           [](const Manifest&, const std::vector<LoadedPlugin>&) { return 0; });
  return {code, out.str() + err.str()};
}

// Every form the redaction rule covers, each holding its own marker.
const std::vector<std::string> kSecrets = {
    "S1proxyPass", "S2proxyQueryTok", "S3authPass",  "S4jaasPass", "S5userInfo",
    "S6dbPass",    "S7scorerUserTok", "S8scorerKey", "S9apiKey",   "S10privKey"};

std::string manifest(const std::string& scorer_url, const std::string& db_password) {
  return "pipeline: secrets\n"
         "rest_proxy:\n"
         "  url: https://svc:S1proxyPass@proxy.example:8443/?token=S2proxyQueryTok\n"
         "  dialect: confluent\n"
         "  auth: {username: svc, password: S3authPass}\n"
         "consumer:\n"
         "  group: g\n"
         "  properties:\n"
         "    sasl.jaas.config: 'ScramLoginModule required username=\"u\" "
         "password=\"S4jaasPass\";'\n"
         "    basic.auth.user.info: 'u:S5userInfo'\n"
         "    x-api-key: S9apiKey\n"
         "    private-key: S10privKey\n"
         "plugins:\n"
         "  coupon:\n"
         "    library: " COUPON_PLUGIN_PATH
         "\n"
         "    config:\n"
         "      database: {host: db, name: coupons, user: coupon, password: " +
         db_password +
         "}\n"
         "      scorer: {url: '" +
         scorer_url +
         "'}\n"
         "routes:\n"
         "  - {name: focus, topic: f, handler: coupon/focus, output_topic: o}\n"
         "dead_letter_topic: dlq\n";
}

void expect_no_secret(const Output& o) {
  for (const std::string& secret : kSecrets) {
    EXPECT_EQ(o.text.find(secret), std::string::npos) << secret << " leaked:\n" << o.text;
  }
}

TEST(CliSecrets, ValidateShowsNoSecretOfAValidManifest) {
  TempDir dir;
  const std::string path = dir.write(
      "m.yaml",
      manifest("https://S7scorerUserTok@scorer.example/score?api_key=S8scorerKey", "S6dbPass"));
  const Output o = cli({"validate", "-f", path});
  ASSERT_EQ(o.code, 0) << o.text;
  expect_no_secret(o);
  // What is not a secret is still shown, so the check is not passing on an empty output.
  EXPECT_NE(o.text.find("https://svc:[redacted]@proxy.example:8443/?token=[redacted]"),
            std::string::npos)
      << o.text;
}

TEST(CliSecrets, ErrorsRepeatNoSecret) {
  TempDir dir;
  // The scorer URL is refused by the plugin's config check; its error must not repeat it whole.
  const std::string bad_scorer = dir.write(
      "bad-scorer.yaml",
      manifest("ftp://S7scorerUserTok@scorer.example/score?api_key=S8scorerKey", "S6dbPass"));
  Output o = cli({"validate", "-f", bad_scorer});
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.text.find("scorer url"), std::string::npos) << o.text;
  expect_no_secret(o);
  o = cli({"run", "-f", bad_scorer});
  EXPECT_NE(o.code, 0);
  expect_no_secret(o);

  // A schema error repeats the offending value, redacted (the URL's pattern is ^https?://).
  std::string text = manifest("https://scorer.example/score", "S6dbPass");
  text.replace(text.find("https://svc"), 5, "ftp");
  const std::string bad_url = dir.write("bad-url.yaml", text);
  o = cli({"validate", "-f", bad_url});
  EXPECT_NE(o.code, 0);
  EXPECT_NE(o.text.find("ftp://svc:[redacted]@proxy.example"), std::string::npos) << o.text;
  expect_no_secret(o);
}

}  // namespace
}  // namespace streamhost::host

// The redaction rule, form by form (common/redact/include/streamhost/redact/redact.hpp). Each row
// is an input, what must come out, and the secrets that must not; a row that keeps what is not a
// secret shows the rule does not blank everything.
#include <gtest/gtest.h>

#include <streamhost/redact/redact.hpp>
#include <string>
#include <vector>

namespace streamhost::redact {
namespace {

struct Row {
  const char* form;
  std::string input;
  std::string expected;
};

class RedactText : public ::testing::TestWithParam<Row> {};

TEST_P(RedactText, ReplacesTheSecretAndKeepsTheRest) {
  const Row& row = GetParam();
  EXPECT_EQ(redact_text(row.input), row.expected) << row.form;
  // Applying it twice changes nothing more: logs of already-redacted errors stay readable.
  EXPECT_EQ(redact_text(redact_text(row.input)), row.expected) << row.form;
}

const std::vector<Row> kTextRows = {
    {"url user and password", "http://svc:hunter2@proxy:8082/topics",
     "http://svc:[redacted]@proxy:8082/topics"},
    {"url password holding @", "https://svc:p@ss@proxy/x", "https://svc:[redacted]@proxy/x"},
    {"token as the url user", "https://ghp_abcdef0123456789@git.example/repo",
     "https://[redacted]@git.example/repo"},
    {"upper-case scheme", "HTTPS://svc:hunter2@proxy", "HTTPS://svc:[redacted]@proxy"},
    {"url inside prose", "cannot reach http://a:b1@h:1/p: refused",
     "cannot reach http://a:[redacted]@h:1/p: refused"},
    {"secret query parameter", "http://scorer:8001/score?api_key=k3y&model=v2",
     "http://scorer:8001/score?api_key=[redacted]&model=v2"},
    {"short query names", "https://h/p?key=abc&sig=def&code=ghi&page=2#top",
     "https://h/p?key=[redacted]&sig=[redacted]&code=[redacted]&page=2#top"},
    {"hyphenated query name", "http://h/p?x-api-key=abc", "http://h/p?x-api-key=[redacted]"},
    {"libpq keyword DSN",
     "host=db port=5432 dbname=coupons user=coupon password=s3cret sslmode=require",
     "host=db port=5432 dbname=coupons user=coupon password=[redacted] sslmode=require"},
    {"libpq quoted value with escapes", "host=db password='it\\'s secret' dbname=x",
     "host=db password=[redacted] dbname=x"},
    {"double-quoted value", "sasl.jaas.config=\"ScramLoginModule required password=x\" next=1",
     "sasl.jaas.config=[redacted] next=1"},
    {"properties key", "basic.auth.user.info=user:pw", "basic.auth.user.info=[redacted]"},
    {"hyphenated keys", "x-api-key=abc private-key=def",
     "x-api-key=[redacted] private-key=[redacted]"},
    {"dsn in a url query", "postgresql://db/coupons?password=s3cret&sslmode=verify-full",
     "postgresql://db/coupons?password=[redacted]&sslmode=verify-full"},
    {"bearer header", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x",
     "Authorization: Bearer [redacted]"},
    {"basic header", "authorization: Basic c3ZjOmh1bnRlcjI=", "authorization: Basic [redacted]"},
    {"token_file names a place", "token_file=/etc/streamhost/token",
     "token_file=/etc/streamhost/token"},
    {"no secret at all", "record key=customer-17 offset=42 topic=orders",
     "record key=customer-17 offset=42 topic=orders"},
    {"basic in prose", "basic auth over http", "basic auth over http"},
    {"url without credentials", "http://proxy:8082/consumers/g", "http://proxy:8082/consumers/g"},
    // libpq keyword DSNs: spaces around '=' and quoted values with spaces.
    {"libpq spaces around =", "host=db password = s3cret dbname=x",
     "host=db password = [redacted] dbname=x"},
    {"libpq space before =", "host=db password =s3cret", "host=db password =[redacted]"},
    {"libpq tab after =", "password=\ts3cret user=u", "password=\t[redacted] user=u"},
    {"libpq quoted with spaces", "host=db password='a b' dbname=x",
     "host=db password=[redacted] dbname=x"},
    {"libpq spaced and quoted", "password = 'a b c' user=u", "password = [redacted] user=u"},
    // URL user-info holding what would end an authority.
    {"password with raw #", "https://svc:pa#ss@proxy/x", "https://svc:[redacted]@proxy/x"},
    {"password with raw /", "https://svc:pa/ss@proxy", "https://svc:[redacted]@proxy"},
    {"password with raw ?", "https://svc:pa?ss@proxy?a=1", "https://svc:[redacted]@proxy?a=1"},
    {"password with quote", "https://svc:pa\"ss@proxy", "https://svc:[redacted]@proxy"},
    {"password with space", "reach https://svc:pa ss@proxy/x failed",
     "reach https://svc:[redacted]@proxy/x failed"},
    {"password percent-encoded", "https://svc:p%40ss%2Fw@proxy", "https://svc:[redacted]@proxy"},
    {"@ in a path is not user-info", "http://host:8080/users/a@b.example",
     "http://host:8080/users/a@b.example"},
    {"@ in a query is not user-info", "http://h/p?to=a@b.example&x=1",
     "http://h/p?to=a@b.example&x=1"},
    {"@ after a url on the line", "http://proxy:8082 owner svc@example",
     "http://proxy:8082 owner svc@example"},
    {"ipv6 host with @ in path", "http://[::1]:8080/a@b", "http://[::1]:8080/a@b"},
    // Header and JSON forms in free text.
    {"authorization token scheme", "request failed; Authorization: Token abc123 sent",
     "request failed; Authorization: Token [redacted] sent"},
    {"api key header", "X-Api-Key: abc123", "X-Api-Key: [redacted]"},
    {"upper-case header", "X-API-KEY: abc123", "X-API-KEY: [redacted]"},
    {"password field in prose", "login as svc, password: hunter2, refused",
     "login as svc, password: [redacted], refused"},
    {"json password", R"(reason {"user":"u","password":"x y"})",
     R"(reason {"user":"u","password":"[redacted]"})"},
    {"json api_key spaced", R"({"api_key": "k3y", "n": 1})",
     R"({"api_key": "[redacted]", "n": 1})"},
    {"json upper-case key", R"({"PASSWORD":"x"})", R"({"PASSWORD":"[redacted]"})"},
    {"json escaped quote", R"({"token":"a\"b","x":1})", R"({"token":"[redacted]","x":1})"},
    {"json number", R"({"secret":12345,"x":1})", R"({"secret":[redacted],"x":1})"},
    {"percent-encoded query name", "http://h/p?pass%77ord=s3cret&a=1",
     "http://h/p?pass%77ord=[redacted]&a=1"},
    {"percent-encoded key in prose", "pass%77ord=s3cret", "pass%77ord=[redacted]"},
    {"upper-case assignment", "PASSWORD=s3cret", "PASSWORD=[redacted]"},
    {"a path ending in a secret word", "--token-file /etc/token: cannot be read",
     "--token-file /etc/token: cannot be read"},
    {"header after a separator", "headers{X-Api-Key: abc}", "headers{X-Api-Key: [redacted]}"},
    {"not a secret field", "topic: orders, partition: 3", "topic: orders, partition: 3"},
};

INSTANTIATE_TEST_SUITE_P(EveryForm, RedactText, ::testing::ValuesIn(kTextRows));

TEST(RedactKeys, SecretKeysInEveryWriting) {
  for (const char* key :
       {"password", "DB_PASSWORD", "x-api-key", "X-Api-Key", "private-key", "private_key",
        "basic.auth.user.info", "sasl.jaas.config", "ssl.key.password", "ssl.keystore.key",
        "client_secret", "apiKey", "Authorization", "Cookie", "access_key", "admin token"}) {
    EXPECT_TRUE(is_secret_key(key)) << key;
  }
  for (const char* key : {"token_file", "token_env", "private-key-file", "username", "url", "key",
                          "group", "topic", "sslmode", "sslrootcert"}) {
    EXPECT_FALSE(is_secret_key(key)) << key;
  }
}

TEST(RedactJson, EveryFormAtEveryDepth) {
  const std::string in = R"({
    "rest_proxy": {"url": "https://svc:pw1@proxy", "auth": {"username": "svc", "password": "pw2"}},
    "plugins": {"coupon": {"config": {
      "database": {"dsn": "host=db password=pw3 dbname=x", "password": {"nested": "pw4"}},
      "scorer": {"url": "http://s:8001/score?token=pw5"},
      "headers": [{"name": "x-api-key", "value": "pw6"}, {"key": "Authorization", "value": "pw7"},
                  {"name": "Accept", "value": "application/json"}],
      "basic.auth.user.info": "u:pw8", "private-key": 12345, "retries": 3}}},
    "consumer": {"properties": {"sasl.jaas.config": "pw9"}},
    "admin": {"token_file": "/etc/token"}})";
  const std::string out = redact_json(in);
  for (const char* secret :
       {"pw1", "pw2", "pw3", "pw4", "pw5", "pw6", "pw7", "pw8", "12345", "pw9"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in " << out;
  }
  for (const char* kept :
       {"\"username\":\"svc\"", "application/json", "\"retries\":3", "/etc/token",
        "https://svc:[redacted]@proxy", "host=db password=[redacted] dbname=x"}) {
    EXPECT_NE(out.find(kept), std::string::npos) << kept << " not in " << out;
  }
}

TEST(RedactJson, NotJsonIsAnError) {
  EXPECT_THROW(redact_json("{"), std::invalid_argument);
}

TEST(RedactText, LinearOnAMegabyte) {
  // A manifest value may be a megabyte: the scan must neither recurse nor go quadratic (this
  // would take minutes if it did; it asserts only the result).
  std::string big(1 << 20, 'a');
  big += " password=x";
  EXPECT_TRUE(redact_text(big).ends_with("password=[redacted]"));
  std::string urls;
  for (int i = 0; i < 20000; ++i) urls += "http://u:p@h/ ";
  EXPECT_EQ(redact_text(urls).find(":p@"), std::string::npos);
  // Many URLs in one word without white space (JSON in a log line): each must not rescan it.
  std::string word;
  for (int i = 0; i < 100000; ++i) word += "x://a\"";
  word += "x://u:p@h";
  EXPECT_TRUE(redact_text(word).ends_with("x://u:[redacted]@h"));
}

}  // namespace
}  // namespace streamhost::redact

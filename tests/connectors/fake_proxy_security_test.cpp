// Basic auth reaches the proxy and the secret never leaves in an error, an exception or stats.
// A fake is used because the Strimzi bridge has no authentication of its own.
#include <gtest/gtest.h>

#include <filesystem>
#include <streamhost/connector/errors.hpp>
#include <streamhost/connector/rest_proxy.hpp>
#include <streamhost/testing/endless_body.hpp>

#include "fake_consumer_proxy.hpp"
#include "fake_proxy.hpp"
#include "test_certificate.hpp"
#include "test_support.hpp"

namespace streamhost::testing {
namespace {

using namespace std::chrono_literals;
using connector::Dialect;

constexpr char kUser[] = "svc-streamhost";
constexpr char kPassword[] = "s3cr3t-Pa55word";
// base64("svc-streamhost:s3cr3t-Pa55word")
constexpr char kToken[] = "c3ZjLXN0cmVhbWhvc3Q6czNjcjN0LVBhNTV3b3Jk";

void expect_no_secret(const std::string& text) {
  EXPECT_EQ(text.find(kPassword), std::string::npos) << text;
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
}

class FakeProxySecurity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { connector::init_http_threads(4); }
};

TEST_F(FakeProxySecurity, BasicAuthHeaderIsSentAndNeverLeaked) {
  // A hostile or careless proxy that echoes the Authorization header into its error messages.
  FakeProxy proxy([](const RecordedRequest& r) {
    const std::string echoed = "denied for " + r.header("authorization") + " / " + kPassword;
    if (r.path.rfind("/topics/", 0) == 0) {
      return FakeReply{401, R"({"error_code":40101,"message":")" + echoed + "\"}"};
    }
    return FakeReply{503, R"({"error_code":50301,"message":")" + echoed + "\"}"};
  });
  auto options = quick_options(proxy.url(), Dialect::kConfluent);
  options.basic_auth_user = kUser;
  options.basic_auth_password = kPassword;
  options.max_retries = 1;

  auto sink = connector::make_rest_proxy_sink(options);
  auto results = sink->produce("out", {{std::nullopt, "a", std::nullopt}});
  ASSERT_FALSE(results[0].ok);
  EXPECT_FALSE(results[0].retriable);
  expect_no_secret(results[0].error);
  EXPECT_NE(results[0].error.find("denied for"), std::string::npos) << results[0].error;

  connector::ConsumerOptions consumer;
  consumer.group = "g";
  auto source = connector::make_rest_proxy_source(options, consumer);
  try {
    source->subscribe({"t"});
    FAIL() << "503 must surface";
  } catch (const connector::TransientError& e) {
    expect_no_secret(e.what());
  }
  expect_no_secret(source->stats().last_error);
  EXPECT_FALSE(source->stats().last_error.empty());

  auto requests = proxy.requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& r : requests) {
    EXPECT_EQ(r.header("authorization"), std::string("Basic ") + kToken);
  }
}

TEST_F(FakeProxySecurity, CredentialsInTheUrlBecomeTheHeaderAndStayOutOfMessages) {
  FakeConsumerProxy state(Dialect::kConfluent);
  state.fault = [](const RecordedRequest& r) -> std::optional<FakeReply> {
    if (r.path.ends_with("/subscription")) return FakeReply{403, "forbidden"};
    return std::nullopt;
  };
  FakeProxy proxy(std::ref(state));
  const std::string url = "http://" + std::string(kUser) + ":" + kPassword + "@" +
                          proxy.url().substr(std::string("http://").size());
  connector::ConsumerOptions consumer;
  consumer.group = "g";
  auto source =
      connector::make_rest_proxy_source(quick_options(url, Dialect::kConfluent), consumer);
  try {
    source->subscribe({"t"});
    FAIL() << "403 must surface";
  } catch (const connector::PermanentError& e) {
    expect_no_secret(e.what());
  }
  EXPECT_EQ(proxy.requests()[0].header("authorization"), std::string("Basic ") + kToken);
}

TEST_F(FakeProxySecurity, NoCredentialsMeansNoAuthorizationHeader) {
  FakeConsumerProxy state(Dialect::kStrimzi);
  FakeProxy proxy(std::ref(state));
  connector::ConsumerOptions consumer;
  consumer.group = "g";
  auto source =
      connector::make_rest_proxy_source(quick_options(proxy.url(), Dialect::kStrimzi), consumer);
  source->subscribe({"t"});
  for (const auto& r : proxy.requests()) EXPECT_FALSE(r.has_header("authorization"));
}

TEST_F(FakeProxySecurity, UnreadableCaFileIsRefusedUpFront) {
  auto options = quick_options("https://127.0.0.1:1", Dialect::kConfluent);
  options.tls_ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(connector::make_rest_proxy_sink(options), std::invalid_argument);
}

// TLS against a local https fake with a certificate made for this test: trusted through
// tls_ca_file, refused without it, accepted unverified only when tls_verify is explicitly false.
TEST_F(FakeProxySecurity, TlsTrustsTheConfiguredCaAndVerifiesByDefault) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("streamhost-tls-" + std::to_string(free_local_port()));
  std::filesystem::create_directories(dir);
  const TestCertificate cert = make_test_certificate(dir.string());
  FakeConsumerProxy state(Dialect::kStrimzi);
  FakeProxy proxy(std::ref(state), cert.cert_file, cert.key_file);
  connector::ConsumerOptions consumer;
  consumer.group = "g";

  auto options = quick_options(proxy.url(), Dialect::kStrimzi);
  options.max_retries = 0;
  auto untrusted = connector::make_rest_proxy_source(options, consumer);
  EXPECT_THROW(untrusted->subscribe({"t"}), connector::TransientError);
  EXPECT_TRUE(state.live().empty());

  options.tls_ca_file = cert.cert_file;
  auto trusted = connector::make_rest_proxy_source(options, consumer);
  EXPECT_NO_THROW(trusted->subscribe({"t"}));
  EXPECT_EQ(state.live().size(), 1u);

  options.tls_ca_file.clear();
  options.tls_verify = false;
  auto unverified = connector::make_rest_proxy_source(options, consumer);
  EXPECT_NO_THROW(unverified->subscribe({"t"}));
  EXPECT_EQ(state.live().size(), 2u);
  std::filesystem::remove_all(dir);
}

// A proxy whose reply never ends, chunked so no Content-Length announces it: the reply is cut at
// max_response_bytes and its connection closed, instead of being read into memory to the end.
TEST_F(FakeProxySecurity, AnEndlessReplyIsCutAtTheLimitAndItsConnectionClosed) {
  EndlessReplyServer proxy(/*cap=*/512u << 20);
  auto options = quick_options(proxy.url(), Dialect::kStrimzi);
  options.max_retries = 0;
  options.max_response_bytes = 1u << 20;
  auto sink = connector::make_rest_proxy_sink(options);
  auto results = sink->produce("out", {{std::nullopt, "a", std::nullopt}});
  ASSERT_FALSE(results[0].ok);
  EXPECT_TRUE(results[0].retriable);
  EXPECT_NE(results[0].error.find("the reply is over the limit of 1048576 bytes"),
            std::string::npos)
      << results[0].error;
  // The server stops when its writes fail: the client closed. Had the client read on, the server
  // would have sent its 512 MiB (or stalled for 10 s with the client's buffers full).
  ASSERT_TRUE(proxy.wait_for_replies_ended(1, std::chrono::seconds(20)));
  EXPECT_LT(proxy.body_bytes_sent(), size_t{32} << 20);
}

}  // namespace
}  // namespace streamhost::testing

// The manifest's rest_proxy and consumer settings handed to the REST proxy connector
// (connection/connector_options.hpp): every field arrives, both values of each enum map to the
// connector's, and what the manifest leaves unset stays as the connector would have it.
#include <gtest/gtest.h>

#include "connection/connector_options.hpp"

namespace streamhost::host {
namespace {

using namespace std::chrono_literals;

Manifest manifest_with_every_setting_changed() {
  Manifest m;
  m.proxy.base_url = "https://proxy:8443";
  m.proxy.dialect = ProxyDialect::kStrimzi;
  m.proxy.basic_auth_user = "svc";
  m.proxy.basic_auth_password = "s3cret";
  m.proxy.tls_ca_file = "/etc/ca.pem";
  m.proxy.tls_verify = false;
  m.proxy.request_timeout = 1234ms;
  m.proxy.delete_timeout = 567ms;
  m.proxy.max_retries = 9;
  m.proxy.http_threads = 7;
  m.max_produce_batch = 42;
  m.consumer.group = "orders-group";
  m.consumer.auto_offset_reset = "earliest";
  m.consumer.instance_prefix = "orders";
  m.consumer.instance_name = "replica-2";
  m.consumer.format = EmbeddedFormat::kJson;
  m.consumer.extra_properties_json = R"({"fetch.min.bytes":1})";
  return m;
}

TEST(AppConnectorOptions, CopiesEveryProxySetting) {
  const connector::RestProxyOptions p =
      connector_options(manifest_with_every_setting_changed()).proxy;
  EXPECT_EQ(p.base_url, "https://proxy:8443");
  EXPECT_EQ(p.dialect, connector::Dialect::kStrimzi);
  EXPECT_EQ(p.basic_auth_user, "svc");
  EXPECT_EQ(p.basic_auth_password, "s3cret");
  EXPECT_EQ(p.tls_ca_file, "/etc/ca.pem");
  EXPECT_FALSE(p.tls_verify);
  EXPECT_EQ(p.request_timeout, 1234ms);
  EXPECT_EQ(p.delete_timeout, 567ms);
  EXPECT_EQ(p.max_retries, 9);
  EXPECT_EQ(p.http_threads, 7u);
  EXPECT_EQ(p.max_records_per_request, 42u) << "max_produce_batch is one request";
}

TEST(AppConnectorOptions, CopiesEveryConsumerSetting) {
  const connector::ConsumerOptions c =
      connector_options(manifest_with_every_setting_changed()).consumer;
  EXPECT_EQ(c.group, "orders-group");
  EXPECT_EQ(c.auto_offset_reset, "earliest");
  EXPECT_EQ(c.instance_prefix, "orders");
  EXPECT_EQ(c.instance_name, "replica-2");
  EXPECT_EQ(c.format, connector::EmbeddedFormat::kJson);
  EXPECT_EQ(c.extra_properties_json, R"({"fetch.min.bytes":1})");
}

TEST(AppConnectorOptions, MapsTheOtherEnumValuesToo) {
  Manifest m = manifest_with_every_setting_changed();
  m.proxy.dialect = ProxyDialect::kConfluent;
  m.consumer.format = EmbeddedFormat::kBinary;
  const ConnectorOptions options = connector_options(m);
  EXPECT_EQ(options.proxy.dialect, connector::Dialect::kConfluent);
  EXPECT_EQ(options.consumer.format, connector::EmbeddedFormat::kBinary);
}

// The manifest's defaults are the connector's, but for the HTTP pool (the host's also serves the
// admin endpoint), and the options the manifest does not expose keep the connector's own values.
TEST(AppConnectorOptions, AnUntouchedManifestGivesTheConnectorDefaults) {
  const ConnectorOptions options = connector_options(Manifest{});
  const connector::RestProxyOptions want_proxy;
  const connector::ConsumerOptions want_consumer;
  EXPECT_EQ(options.proxy.dialect, want_proxy.dialect);
  EXPECT_EQ(options.proxy.tls_verify, want_proxy.tls_verify);
  EXPECT_EQ(options.proxy.request_timeout, want_proxy.request_timeout);
  EXPECT_EQ(options.proxy.delete_timeout, want_proxy.delete_timeout);
  EXPECT_EQ(options.proxy.max_retries, want_proxy.max_retries);
  EXPECT_EQ(options.proxy.http_threads, 4u);
  EXPECT_EQ(options.proxy.retry_backoff_initial, want_proxy.retry_backoff_initial);
  EXPECT_EQ(options.proxy.retry_backoff_max, want_proxy.retry_backoff_max);
  EXPECT_EQ(options.proxy.max_records_per_request, want_proxy.max_records_per_request);
  EXPECT_EQ(options.proxy.follow_base_uri, want_proxy.follow_base_uri);
  EXPECT_EQ(options.consumer.auto_offset_reset, want_consumer.auto_offset_reset);
  EXPECT_EQ(options.consumer.instance_prefix, want_consumer.instance_prefix);
  EXPECT_EQ(options.consumer.instance_name, want_consumer.instance_name);
  EXPECT_EQ(options.consumer.format, want_consumer.format);
  EXPECT_EQ(options.consumer.extra_properties_json, want_consumer.extra_properties_json);
}

}  // namespace
}  // namespace streamhost::host

#include "connection/connector_options.hpp"

namespace streamhost::host {

ConnectorOptions connector_options(const Manifest& manifest) {
  const RestProxySpec& p = manifest.proxy;
  const ConsumerSpec& c = manifest.consumer;
  ConnectorOptions out;
  out.proxy.base_url = p.base_url;
  out.proxy.dialect = p.dialect == ProxyDialect::kStrimzi ? connector::Dialect::kStrimzi
                                                          : connector::Dialect::kConfluent;
  out.proxy.basic_auth_user = p.basic_auth_user;
  out.proxy.basic_auth_password = p.basic_auth_password;
  out.proxy.tls_ca_file = p.tls_ca_file;
  out.proxy.tls_verify = p.tls_verify;
  out.proxy.request_timeout = p.request_timeout;
  out.proxy.delete_timeout = p.delete_timeout;
  out.proxy.max_retries = p.max_retries;
  out.proxy.http_threads = p.http_threads;
  // The pipeline gathers at most this many records for one produce; the sink then sends them in
  // one request.
  out.proxy.max_records_per_request = manifest.max_produce_batch;

  out.consumer.group = c.group;
  out.consumer.auto_offset_reset = c.auto_offset_reset;
  out.consumer.instance_prefix = c.instance_prefix;
  out.consumer.instance_name = c.instance_name;
  out.consumer.format = c.format == EmbeddedFormat::kJson ? connector::EmbeddedFormat::kJson
                                                          : connector::EmbeddedFormat::kBinary;
  out.consumer.extra_properties_json = c.extra_properties_json;
  return out;
}

}  // namespace streamhost::host

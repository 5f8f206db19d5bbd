#include "manifest/security_warnings.hpp"

#include <streamhost/redact/redact.hpp>
#include <streamhost/redact/url.hpp>

namespace streamhost::host {

std::vector<std::string> security_warnings(const Manifest& m) {
  std::vector<std::string> out;
  const std::string& url = m.proxy.base_url;
  const bool https = url::is_https(url);
  if (https && !m.proxy.tls_verify) {
    out.push_back(
        "rest_proxy.tls.verify is false: the proxy's certificate is not checked, so anyone on the "
        "path can pose as the proxy and read every record; give its CA in rest_proxy.tls.ca_file "
        "instead");
  }
  if (!https) {
    const auto parts = url::split_url(url);
    const bool url_credentials = parts && (parts->has_user_info || redact::redact_url(url) != url);
    if (!m.proxy.basic_auth_user.empty() || url_credentials) {
      out.push_back("rest_proxy sends credentials over plain http (" + redact::redact_url(url) +
                    "): anyone on the path can read them; use an https:// url");
    }
  }
  return out;
}

}  // namespace streamhost::host

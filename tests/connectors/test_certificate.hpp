// A throw-away self-signed certificate for 127.0.0.1, written as PEM files for the TLS tests.
#pragma once

#include <string>

namespace streamhost::testing {

struct TestCertificate {
  std::string cert_file;  // also the CA file: the certificate signs itself
  std::string key_file;
};

// Writes a fresh EC key and a certificate with subjectAltName IP:127.0.0.1 into `directory`.
TestCertificate make_test_certificate(const std::string& directory);

}  // namespace streamhost::testing

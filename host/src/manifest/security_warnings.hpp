// What `run` and `validate` warn about in a manifest that is valid but weakens a peer's security
// (docs/security.md, "Peers"): the REST proxy's certificate not verified, credentials sent over
// plain http://. Warnings, not errors: a throwaway test setup may mean them.
#pragma once

#include <string>
#include <vector>

#include "manifest/manifest.hpp"

namespace streamhost::host {

// One sentence per finding, naming the key and the fix; no secret (URLs are redacted). Empty when
// there is nothing to say.
std::vector<std::string> security_warnings(const Manifest& manifest);

}  // namespace streamhost::host

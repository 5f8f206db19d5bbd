// The last step of reading a manifest: a schema-valid JSON document to the Manifest struct, plus
// the checks a schema cannot express (unique route names and topics, aliases naming real routes,
// routes naming declared plugins).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "config_check/diagnostic.hpp"
#include "manifest/interpolate.hpp"
#include "manifest/manifest.hpp"

namespace streamhost::host {

// `doc` must already conform to schema/manifest.schema.json. Problems go to `errors`.
Manifest map_manifest(const rapidjson::Value& doc, const SourceMap& source,
                      const std::string& source_path, const EnvLookup& env,
                      std::vector<Diagnostic>& errors);

// Whether `address` (admin.bind) is a loopback address: 127.0.0.0/8, ::1 or localhost.
bool is_loopback_address(const std::string& address);

}  // namespace streamhost::host

// The manifest loader (host/src/manifest/manifest_loader.cpp, parse_manifest): YAML, ${VAR}
// interpolation, schema conformance and the mapping to a Manifest, exactly as
// `streamhost validate` and `streamhost run` read a file.
//
// Invariants: only ManifestError escapes (every mistake is a diagnostic, never a crash, an
// assertion or another exception), with at least one message, each naming the file; an accepted
// manifest is consistent: routes name declared plugins, route names and topics are unique,
// aliases name routes, workers and ports are in range; plugin config keys are printable and no
// value holds a NUL.
#include <map>
#include <set>

#include "fuzz_support.hpp"
#include "manifest/manifest_loader.hpp"

namespace {

using namespace streamhost;
using streamhost::fuzz::printable;

std::optional<std::string> lookup(const std::string& name) {
  static const std::map<std::string, std::string> vars{
      {"GROUP_ID", "orders"}, {"PORT", "18081"},      {"EMPTY", ""},
      {"WORKERS", "3"},       {"REF", "${GROUP_ID}"}, {"BINARY", "\xff\xfe"}};
  auto it = vars.find(name);
  if (it == vars.end()) return std::nullopt;
  return it->second;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  host::Manifest m;
  try {
    m = host::parse_manifest(yaml, "/fuzz/m.yaml", lookup);
  } catch (const host::ManifestError& e) {
    FUZZ_CHECK(!e.messages().empty(), "a ManifestError without messages");
    for (const std::string& message : e.messages()) {
      FUZZ_CHECK(message.starts_with("/fuzz/m.yaml"), "a message without the file: " + message);
    }
    return 0;
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("parse_manifest let through: ") + e.what());
  }

  FUZZ_CHECK(!m.routes.empty(), "accepted a manifest without routes");
  FUZZ_CHECK(m.workers >= 1 && m.workers <= 256, "workers " + std::to_string(m.workers));
  FUZZ_CHECK(m.admin.port >= 1, "admin port 0");
  std::set<std::string> plugins, names, topics;
  for (const auto& p : m.plugins) {
    FUZZ_CHECK(plugins.insert(p.name).second, "plugin " + p.name + " twice");
    FUZZ_CHECK(fuzz::is_strict_json(p.config_json), "plugin config is not JSON: " + p.config_json);
    FUZZ_CHECK(fuzz::json_keys_printable(p.config_json),
               "a plugin config key holds a control character: " + printable(p.config_json));
  }
  // Settings are read as C strings: a NUL accepted in any value would cut it short.
  FUZZ_CHECK(!fuzz::json_holds_nul(m.effective_json),
             "accepted a NUL in a value: " + printable(m.effective_json));
  for (const auto& r : m.routes) {
    FUZZ_CHECK(plugins.count(r.plugin) != 0, "route " + r.name + " names plugin " + r.plugin);
    FUZZ_CHECK(names.insert(r.name).second, "route name " + r.name + " twice");
    FUZZ_CHECK(topics.insert(r.source_topic).second, "topic " + r.source_topic + " twice");
  }
  for (const auto& [path, route] : m.admin.aliases) {
    FUZZ_CHECK(path.starts_with("/") && names.count(route) != 0, "alias " + path + " -> " + route);
  }
  if (!m.consumer.extra_properties_json.empty()) {
    FUZZ_CHECK(fuzz::is_strict_json(m.consumer.extra_properties_json),
               "consumer properties are not JSON: " + printable(m.consumer.extra_properties_json));
  }
  return 0;
}

// `streamhost validate`: everything `run` checks before it touches the network. Everything it
// prints passes the one redaction rule (docs/security.md): CI logs keep what validate says.
#include <ostream>
#include <sstream>
#include <streamhost/redact/redact.hpp>
#include <string>

#include "admin/admin_token.hpp"
#include "cli/cli.hpp"
#include "manifest/manifest_loader.hpp"
#include "manifest/plugin_set.hpp"
#include "manifest/security_warnings.hpp"

namespace streamhost::host {
namespace {

const char* dialect_name(ProxyDialect d) {
  return d == ProxyDialect::kStrimzi ? "strimzi" : "confluent";
}

void print_summary(const Manifest& m, const std::vector<LoadedPlugin>& plugins, std::ostream& out) {
  out << "OK: pipeline \"" << m.name << "\" (" << m.source_path << "): " << plugins.size()
      << (plugins.size() == 1 ? " plugin, " : " plugins, ") << m.routes.size()
      << (m.routes.size() == 1 ? " route" : " routes") << "\n";
  out << "  proxy:   " << redact::redact_url(m.proxy.base_url) << " ("
      << dialect_name(m.proxy.dialect) << "), group " << m.consumer.group << ", " << m.workers
      << " workers"
      << (m.no_kafka  ? ", testing without Kafka"
          : m.testing ? ", testing mode"
                      : "")
      << "\n";
  for (const LoadedPlugin& p : plugins) {
    const sh_plugin_descriptor& d = *p.library.descriptor;
    out << "  plugin:  " << p.name << " = " << d.name << " " << (d.version ? d.version : "")
        << " (ABI " << d.abi_major << "." << d.abi_minor << ") " << p.library.path << "\n";
    // The plugin's own summary of its config (the coupon plugin: the model file), indented.
    std::istringstream lines(p.check_summary);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out << "           " << redact::redact_text(line) << "\n";
    }
  }
  for (const RouteSpec& r : m.routes) {
    out << "  route:   " << r.name << ": " << r.source_topic << " -> " << r.plugin << "/"
        << r.handler << " -> " << r.output_topic.value_or("(no output topic)") << "\n";
  }
  out << "  rejects: " << m.dead_letter_topic << "\n";
  if (m.admin.enabled) out << "  admin:   " << m.admin.bind << ":" << m.admin.port << "\n";
  for (const std::string& warning : security_warnings(m)) out << "  warning: " << warning << "\n";
}

}  // namespace

int validate_command(const std::string& manifest_path, std::ostream& out, std::ostream& err) {
  try {
    Manifest manifest = load_manifest(manifest_path);
    std::vector<LoadedPlugin> plugins = load_manifest_plugins(manifest);
    // `run` reads the admin token before anything connects and refuses to start without it or
    // with one too short; the token is read and dropped here, never shown.
    if (manifest.admin.enabled) (void)admin::load_strong_admin_token(manifest.admin);
    print_summary(manifest, plugins, out);
    return kExitOk;
  } catch (const admin::AdminTokenError& e) {
    err << manifest_path << ": " << e.what() << "\n";
  } catch (const ManifestError& e) {
    err << redact::redact_text(e.what()) << "\n";
  } catch (const PluginError& e) {
    err << redact::redact_text(e.what()) << "\n";
  }
  return kExitUsage;
}

}  // namespace streamhost::host

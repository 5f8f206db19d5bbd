#include "cli/cli.hpp"

#include <streamhost/plugin_api.h>

#include <ostream>
#include <streamhost/redact/redact.hpp>
#include <string>
#include <vector>

#include "admin/admin_token.hpp"
#include "manifest/manifest_loader.hpp"
#include "manifest/plugin_set.hpp"

#ifndef STREAMHOST_VERSION
#define STREAMHOST_VERSION "unknown"
#endif

namespace streamhost::host {
namespace {

constexpr const char* kHelp = R"(Usage: streamhost <command> [options]

Commands:
  run -f MANIFEST              run a pipeline until SIGTERM or SIGINT
  validate -f MANIFEST         check a manifest, its plugins, their configs and its routes
                               (no network); prints a summary
  plugins inspect LIBRARY.so   show a plugin's name, version, ABI, handlers and config schema
  plugins new NAME             write NAME/, a plugin project with a test, built against the SDK
  status [--admin URL]         a running host's state, routes, plugins, partitions and lag
  pause [--route R]            pause a running host's pipeline (or one route); it keeps its
                               partitions and resumes from exactly where it stopped
  resume [--route R]           resume it
  bench -f MANIFEST ...        measure handlers with recorded or generated records, no Kafka;
                               --ab and --compare tell whether a change made them faster
  record --topic T ...         a slice of a topic to JSONL through the REST proxy (no commit)
  replay --input FILE.jsonl    a JSONL file back to Kafka through the REST proxy, paced or not

Options:
  -h, --help                   this help; `streamhost <command> --help` for one command
  --version                    print the version and the plugin ABI version

Manifest values may use ${VAR} and ${VAR:-default}; see docs/manifest.md.

Exit codes:
  0  success
  1  runtime failure (a FATAL handler status, a failure after start-up)
  2  usage or configuration error (bad arguments, manifest, plugin or route problems)
)";

constexpr const char* kRunHelp = R"(Usage: streamhost run -f MANIFEST

Loads the manifest's plugins, connects to the REST proxy and processes records until SIGTERM or
SIGINT (graceful stop) or a handler's FATAL status. A manifest with testing_without_kafka: true
runs without Kafka (records only through the admin port's inject paths).
Exit codes: 0 graceful stop, 1 runtime failure, 2 usage or configuration error.
)";

constexpr const char* kValidateHelp = R"(Usage: streamhost validate -f MANIFEST

Checks everything `run` checks before it connects: YAML, ${VAR} interpolation, the manifest schema,
plugin loading and ABI, each plugin's config against its schema, and route handlers. No network.
Exit codes: 0 valid (prints "OK: ..."), 2 invalid (each problem on stderr with file, line and key).
)";

constexpr const char* kPluginsHelp = R"(Usage: streamhost plugins inspect LIBRARY.so
       streamhost plugins new NAME

inspect loads one plugin library (without creating an instance) and prints its name, version, ABI
version, handlers and config schema. Exit codes: 0 success, 2 not a loadable streamhost plugin.

new writes NAME/ (CMakeLists.txt using find_package(streamhost), NAME.cpp, NAME_test.cpp and
NAME.yaml, a pipeline for it) in the current folder; `cmake -S NAME -B NAME/build && cmake --build
NAME/build && ctest --test-dir NAME/build` builds it and runs its test, and `cmake --build
NAME/build --target bench` measures its handler. Exit codes: 0 written, 2 bad name or NAME/
exists.
)";

int print_help(std::ostream& out, const char* help) {
  out << help;
  return kExitOk;
}

bool is_help(const std::string& arg) {
  return arg == "-h" || arg == "--help";
}

int usage_error(std::ostream& err, const std::string& message, const char* help) {
  err << "streamhost: " << message << "\n\n" << help;
  return kExitUsage;
}

// Parses `-f PATH`, `--file PATH` or `--file=PATH`; returns false (and prints why) otherwise.
bool parse_manifest_flag(const std::vector<std::string>& args, std::string& path, std::ostream& err,
                         const char* help) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "-f" || a == "--file") && i + 1 < args.size()) {
      path = args[++i];
    } else if (a.starts_with("--file=")) {
      path = a.substr(7);
    } else {
      usage_error(err, "unexpected argument \"" + a + "\"", help);
      return false;
    }
  }
  if (path.empty()) {
    usage_error(err, "missing -f MANIFEST", help);
    return false;
  }
  return true;
}

int run_command(const std::vector<std::string>& args, std::ostream& err,
                const PipelineRunner& runner) {
  std::string path;
  if (!parse_manifest_flag(args, path, err, kRunHelp)) return kExitUsage;
  Manifest manifest;
  std::vector<LoadedPlugin> plugins;
  try {
    manifest = load_manifest(path);
    // Plugin, config and route problems are configuration errors too: find them before start-up so
    // they exit 2 like in `validate`, not 1 like a failure of a running pipeline.
    plugins = load_manifest_plugins(manifest);
    // An unreadable or too short admin token is a configuration error as well (exit 2, as
    // `validate` says); the runner reads it again for use.
    if (manifest.admin.enabled) (void)admin::load_strong_admin_token(manifest.admin);
  } catch (const ManifestError& e) {
    err << redact::redact_text(e.what()) << "\n";
    return kExitUsage;
  } catch (const PluginError& e) {
    err << redact::redact_text(e.what()) << "\n";
    return kExitUsage;
  } catch (const admin::AdminTokenError& e) {
    err << path << ": " << e.what() << "\n";
    return kExitUsage;
  }
  try {
    return runner(manifest, plugins);
  } catch (const std::exception& e) {
    err << "streamhost: " << redact::redact_text(e.what()) << "\n";
    return kExitRuntimeFailure;
  }
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
            const PipelineRunner& runner) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  if (args.empty()) return usage_error(err, "missing command", kHelp);
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  bool wants_help = !rest.empty() && is_help(rest[0]);

  if (is_help(command)) return print_help(out, kHelp);
  if (command == "--version") {
    out << "streamhost " << STREAMHOST_VERSION << " (plugin ABI " << SH_PLUGIN_ABI_MAJOR << "."
        << SH_PLUGIN_ABI_MINOR << ")\n";
    return kExitOk;
  }
  if (command == "run") {
    if (wants_help) return print_help(out, kRunHelp);
    return run_command(rest, err, runner);
  }
  if (command == "validate") {
    if (wants_help) return print_help(out, kValidateHelp);
    std::string path;
    if (!parse_manifest_flag(rest, path, err, kValidateHelp)) return kExitUsage;
    return validate_command(path, out, err);
  }
  if (command == "status") {
    if (wants_help) return print_help(out, status_help().c_str());
    return status_command(rest, out, err);
  }
  if (command == "pause" || command == "resume") {
    const bool pause = command == "pause";
    if (wants_help) return print_help(out, pause_help(pause).c_str());
    return pause_command(pause, rest, out, err);
  }
  if (command == "bench") {
    if (wants_help) return print_help(out, bench_help().c_str());
    return bench_command(rest, out, err);
  }
  if (command == "record" || command == "replay") {
    const bool record = command == "record";
    if (wants_help) return print_help(out, (record ? record_help() : replay_help()).c_str());
    return record ? record_command(rest, out, err) : replay_command(rest, out, err);
  }
  if (command == "plugins") {
    if (rest.empty()) return usage_error(err, "missing plugins subcommand", kPluginsHelp);
    if (wants_help) return print_help(out, kPluginsHelp);
    if (rest[0] == "new" && rest.size() == 2 && !is_help(rest[1])) {
      return plugins_new_command(rest[1], out, err);
    }
    if (rest[0] != "inspect" && rest[0] != "new") {
      return usage_error(err, "unknown plugins subcommand \"" + rest[0] + "\"", kPluginsHelp);
    }
    if (rest.size() == 2 && is_help(rest[1])) return print_help(out, kPluginsHelp);
    if (rest.size() != 2) {
      return usage_error(err, rest[0] == "new" ? "expected one NAME" : "expected one LIBRARY.so",
                         kPluginsHelp);
    }
    return inspect_command(rest[1], out, err);
  }
  return usage_error(err, "unknown command \"" + command + "\"", kHelp);
}

}  // namespace streamhost::host

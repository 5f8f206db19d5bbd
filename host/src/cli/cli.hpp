// The `streamhost` command line: run, validate, plugins inspect, status, pause, resume, --version,
// --help.
// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "manifest/manifest.hpp"
#include "manifest/plugin_set.hpp"

namespace streamhost::host {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeFailure = 1;
inline constexpr int kExitUsage = 2;

// What `run` calls with the checked manifest and the plugins it resolved (loaded, configs
// validated, routes checked), so nothing is loaded twice: run_pipeline in the binary, a fake in
// tests.
using PipelineRunner = std::function<int(const Manifest&, const std::vector<LoadedPlugin>&)>;

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
            const PipelineRunner& runner);

// Subcommands, each given the arguments after its name.
int validate_command(const std::string& manifest_path, std::ostream& out, std::ostream& err);
int inspect_command(const std::string& library_path, std::ostream& out, std::ostream& err);
int plugins_new_command(const std::string& name, std::ostream& out, std::ostream& err);
// The management API of a running host (admin_commands.cpp).
int status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int pause_command(bool pause, const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err);
std::string status_help();
// `streamhost bench` (bench_command.cpp) and `record` / `replay` (traffic_commands.cpp).
int bench_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
std::string bench_help();
int record_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int replay_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
std::string record_help();
std::string replay_help();
std::string pause_help(bool pause);

}  // namespace streamhost::host

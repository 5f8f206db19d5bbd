// `streamhost plugins new NAME`: writes NAME/, an out-of-tree plugin that builds against the
// installed SDK (find_package(streamhost)) and passes its own harness test as generated:
//   streamhost plugins new demo && cmake -S demo -B demo/build && cmake --build demo/build &&
//   ctest --test-dir demo/build
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>

#include "cli/cli.hpp"
#include "plugin/plugin_name.hpp"

namespace streamhost::host {
namespace {

constexpr const char* kCMakeLists = R"tmpl(cmake_minimum_required(VERSION 3.25)
project(@NAME@ LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)

# streamhost_add_plugin(), streamhost_add_plugin_test() and the SDK targets. Point
# CMAKE_PREFIX_PATH at the installed SDK when it is not in a system prefix.
find_package(streamhost 0.1 REQUIRED)
enable_testing()

# libstreamhost_@NAME@.so, exporting only the descriptor.
streamhost_add_plugin(@NAME@ SOURCES @NAME@.cpp)
# The plugin loaded through the host's own loader by the SDK's harness; `ctest` runs it.
streamhost_add_plugin_test(@NAME@_test SOURCES @NAME@_test.cpp PLUGIN @NAME@)

# `cmake --build build --target bench`: the handler measured by `streamhost bench` through the
# host's own loader and workers, on generated records, with no Kafka (docs/plugin-authors.md,
# "Benchmarking your handler"). Add --report bench.json to keep the figures for --compare.
streamhost_add_plugin_bench(bench PLUGIN @NAME@ MANIFEST ${CMAKE_CURRENT_SOURCE_DIR}/@NAME@.yaml
  ARGS --route main --generate "value-{{seq}}" --key "{{int:1:1000}}" --count 20000)
)tmpl";

// The pipeline the bench target runs (and a start for a real one): the plugin from the build
// folder the bench target names in STREAMHOST_PLUGIN_DIR.
constexpr const char* kManifest =
    R"tmpl(# @NAME@'s pipeline. `streamhost bench -f @NAME@.yaml --route main ...` runs it without Kafka;
# `streamhost run -f @NAME@.yaml` runs it against the REST proxy below (docs/manifest.md).
pipeline: @NAME@

rest_proxy:
  url: ${STREAMHOST_REST_PROXY_URL:-http://127.0.0.1:18082}
  dialect: ${STREAMHOST_REST_PROXY_DIALECT:-strimzi}

consumer:
  group: ${GROUP_ID:-@NAME@}

plugins:
  @NAME@:
    library: ${STREAMHOST_PLUGIN_DIR:-build}/libstreamhost_@NAME@.so
    config:
      suffix: "!"

routes:
  - name: main
    topic: ${INPUT_TOPIC:-@NAME@-in}
    handler: @NAME@/append
    output_topic: ${OUTPUT_TOPIC:-@NAME@-out}

dead_letter_topic: ${DEAD_LETTER_TOPIC:-@NAME@-dead-letter}
)tmpl";

constexpr const char* kSource =
    R"tmpl(// @NAME@: a streamhost plugin. Its handler `append` emits each record's value with the configured
// suffix, keeping the key; an empty value can never work, so it is rejected (dead-lettered).
#include <streamhost/plugin.hpp>
#include <string>

namespace {

namespace sp = streamhost::plugin;

class @CLASS@ {
 public:
  // The config, declared once: the host checks manifests against the schema made from it.
  struct Config {
    std::string suffix = "!";
    static constexpr auto options() {
      return sp::options(sp::option("suffix", &Config::suffix, "appended to every value"));
    }
  };

  @CLASS@(sp::Host host, const Config& config) : config_(config) {
    host.info("@NAME@ ready, suffix \"" + config_.suffix + "\"");
  }

  // Runs concurrently for records of different keys: const, it only reads the config.
  void append(const sp::Record& in, sp::Emitter& out) const {
    if (in.value().empty()) throw sp::Reject("empty value");
    out.emit(std::string(in.value()) + config_.suffix, in.key());
  }

 private:
  Config config_;
};

constexpr sh_handler_def kHandlers[] = {
    sp::handler<&@CLASS@::append>({.name = "append",
                                   .emits = sp::Emits::to_output_topic,
                                   .description = "appends the configured suffix to the value"})};

}  // namespace

STREAMHOST_PLUGIN(@CLASS@, .name = "@NAME@", .version = "0.1.0",
                  .description = "Appends a suffix to every value", .handlers = kHandlers)
)tmpl";

constexpr const char* kTest =
    R"tmpl(// @NAME@ through the host's own loader and handler call, as `streamhost run` would load it.
#include <streamhost/plugin_testing.hpp>

namespace spt = streamhost::plugin::testing;

int main() {
  spt::Checks check;
  spt::PluginHarness plugin(STREAMHOST_PLUGIN_PATH);

  check.equal(plugin.config_error(R"json({"sufix": "?"})json").empty(), false,
              "an unknown config key is refused");
  plugin.configure(R"json({"suffix": "?"})json");

  spt::Result r = plugin.call("append", "hello", "k-1");
  check.equal(r.status, SH_STATUS_OK, "append returns OK");
  check.equal(r.emitted.size(), size_t{1}, "append emits one record");
  if (r.emitted.size() == 1) {
    check.equal(r.emitted[0].value, std::string("hello?"), "the value gets the suffix");
    check.equal(r.emitted[0].key, std::optional<std::string>("k-1"), "the key is kept");
    check.equal(r.emitted[0].topic, std::string("output"), "it goes to the route's topic");
  }

  spt::Result empty = plugin.call("append", "");
  check.equal(empty.status, SH_STATUS_REJECT, "an empty value is rejected");
  check.equal(empty.reason, std::string("empty value"), "the reason says why");
  return check.exit_code();
}
)tmpl";

// The prefix this streamhost binary is installed in when the SDK's package config is there too
// (<prefix>/bin/streamhost and <prefix>/lib*/cmake/streamhost/); nullopt otherwise (a build tree).
std::optional<std::string> installed_sdk_prefix() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || exe.parent_path().filename() != "bin") return std::nullopt;
  const std::filesystem::path prefix = exe.parent_path().parent_path();
  for (const char* lib : {"lib", "lib64"}) {
    if (std::filesystem::exists(prefix / lib / "cmake" / "streamhost" / "streamhostConfig.cmake",
                                ec))
      return prefix.string();
  }
  return std::nullopt;
}

std::string fill(std::string text, const std::string& name, const std::string& class_name) {
  for (const auto& [placeholder, value] :
       {std::pair<std::string, std::string>{"@NAME@", name},
        std::pair<std::string, std::string>{"@CLASS@", class_name}}) {
    for (size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

// "my_plugin" -> "MyPlugin".
std::string class_name_of(const std::string& name) {
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

}  // namespace

int plugins_new_command(const std::string& name, std::ostream& out, std::ostream& err) {
  // The name becomes the plugin's name in manifests (the plugin-name rule), and also a C++ class
  // and a CMake target: so a letter first, and no '-'.
  const bool usable = is_plugin_name(name) && name.front() >= 'a' && name.front() <= 'z' &&
                      name.find('-') == std::string::npos;
  if (!usable) {
    err << "streamhost: plugin name \"" << name
        << "\" must start with a lower-case letter and hold only lower-case letters, digits and "
           "'_'\n";
    return kExitUsage;
  }
  const std::filesystem::path dir(name);
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    err << "streamhost: " << dir.string() << " already exists; nothing was written\n";
    return kExitUsage;
  }
  if (!std::filesystem::create_directory(dir, ec)) {
    err << "streamhost: cannot create " << dir.string() << ": " << ec.message() << "\n";
    return kExitRuntimeFailure;
  }
  const std::string class_name = class_name_of(name);
  const std::pair<std::string, const char*> files[] = {{"CMakeLists.txt", kCMakeLists},
                                                       {name + ".cpp", kSource},
                                                       {name + "_test.cpp", kTest},
                                                       {name + ".yaml", kManifest}};
  for (const auto& [file, text] : files) {
    std::ofstream stream(dir / file, std::ios::binary);
    stream << fill(text, name, class_name);
    if (!stream.flush()) {
      err << "streamhost: cannot write " << (dir / file).string() << "\n";
      return kExitRuntimeFailure;
    }
  }
  // Without CMAKE_PREFIX_PATH, find_package(streamhost) fails unless the SDK is in a system
  // prefix, so the command names where it is (or where to say it is).
  const std::optional<std::string> prefix = installed_sdk_prefix();
  out << "wrote " << dir.string() << "/ (CMakeLists.txt, " << name << ".cpp, " << name
      << "_test.cpp, " << name << ".yaml)\n"
      << "build and test it against the installed SDK"
      << (prefix ? ":\n" : " (replace SDK_PREFIX with the folder the SDK is installed in):\n")
      << "  cmake -S " << name << " -B " << name
      << "/build -DCMAKE_PREFIX_PATH=" << prefix.value_or("SDK_PREFIX") << " && cmake --build "
      << name << "/build && ctest --test-dir " << name << "/build\n"
      << "measure its handler (no Kafka needed):\n"
      << "  cmake --build " << name << "/build --target bench\n";
  return kExitOk;
}

}  // namespace streamhost::host

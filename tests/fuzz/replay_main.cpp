// The replay runner: links with one harness instead of libFuzzer and runs its
// LLVMFuzzerTestOneInput over every file named on the command line (folders are read
// recursively, in name order). CTest runs it over the harness's seed corpus in every build, gcc
// included, so a regression of anything the corpus covers fails CI without clang.
//
//   fuzz_replay_<harness> tests/fuzz/corpus/<harness> [more files or folders]
//
// An invariant failure aborts (fuzz_support.hpp); the signal handler names the input first.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

char g_current[4096] = "(none)";

void write_err(const char* text) {
  ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

extern "C" void on_fatal_signal(int signal) {
  write_err("fuzz replay: input ");
  write_err(g_current);
  write_err(signal == SIGABRT ? " aborted (invariant or uncaught exception)\n"
                              : " crashed with a fatal signal\n");
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void collect(const std::filesystem::path& path, std::vector<std::filesystem::path>& out) {
  if (std::filesystem::is_directory(path)) {
    std::vector<std::filesystem::path> children;
    for (const auto& entry : std::filesystem::directory_iterator(path)) {
      children.push_back(entry.path());
    }
    std::sort(children.begin(), children.end());
    for (const auto& child : children) collect(child, out);
  } else if (std::filesystem::is_regular_file(path)) {
    out.push_back(path);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  for (int s : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(s, on_fatal_signal);

  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!std::filesystem::exists(argv[i])) {
      std::fprintf(stderr, "fuzz replay: %s does not exist\n", argv[i]);
      return 2;
    }
    collect(argv[i], inputs);
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "fuzz replay: no input files (an empty corpus replays nothing)\n");
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  size_t bytes = 0;
  for (const auto& path : inputs) {
    std::snprintf(g_current, sizeof g_current, "%s", path.c_str());
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    bytes += data.size();
    // A heap copy of exactly `size` bytes, as libFuzzer passes it, so a read past the end is
    // caught in a sanitized build (a vector's spare capacity would hide it).
    std::unique_ptr<uint8_t[]> exact(new uint8_t[data.empty() ? 1 : data.size()]);
    std::copy(data.begin(), data.end(), exact.get());
    LLVMFuzzerTestOneInput(exact.get(), data.size());
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("fuzz replay: %zu inputs (%zu bytes) passed in %lld ms\n", inputs.size(), bytes,
              static_cast<long long>(ms));
  return 0;
}

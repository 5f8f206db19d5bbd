// streamhost-loadgen: end-to-end load and demo driver for the coupon pipeline (see runs.hpp).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "options.hpp"
#include "runs.hpp"

int main(int argc, char** argv) {
  using namespace streamhost::loadgen;
  Options options;
  try {
    options = parse_options(std::vector<std::string>(argv + 1, argv + argc),
                            [](const std::string& name) -> std::optional<std::string> {
                              const char* v = std::getenv(name.c_str());
                              if (v == nullptr) return std::nullopt;
                              return std::string(v);
                            });
  } catch (const std::exception& e) {
    std::cerr << "streamhost-loadgen: " << e.what() << "\n\n" << usage();
    return 2;
  }
  if (options.help) {
    std::cout << usage();
    return 0;
  }
  try {
    return options.scenario == Scenario::kDemo ? run_demo(options) : run_load(options);
  } catch (const std::exception& e) {
    std::cerr << "streamhost-loadgen: " << e.what() << "\n";
    return 1;
  }
}

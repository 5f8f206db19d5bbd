// The streamhost binary: the command line over the host library.
#include <iostream>

#include "app/run_pipeline.hpp"
#include "cli/cli.hpp"

int main(int argc, char** argv) {
  return streamhost::host::run_cli(argc, argv, std::cout, std::cerr,
                                   &streamhost::host::run_pipeline);
}

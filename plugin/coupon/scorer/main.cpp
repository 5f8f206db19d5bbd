// coupon-scorer: the HTTP scorer service.
//   coupon-scorer [--listen ADDR] [--port N] [--model PATH]
// Without --model it scores with the model built into the binary. Stops on SIGTERM or SIGINT.
#include <csignal>
#include <cstring>
#include <iostream>
#include <streamhost/coupon/schemas.hpp>
#include <string>

#include "scorer_server.hpp"

namespace {

int usage(const char* why) {
  std::cerr << "coupon-scorer: " << why << "\n"
            << "usage: coupon-scorer [--listen ADDR] [--port N] [--model PATH]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1";
  int port = 18001;
  std::string model_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage("help");
      return 0;
    }
    if (i + 1 >= argc) return usage(("missing value for " + arg).c_str());
    const std::string value = argv[++i];
    if (arg == "--listen") {
      address = value;
    } else if (arg == "--port") {
      try {
        port = std::stoi(value);
      } catch (const std::exception&) {
        return usage("--port needs a number");
      }
      if (port < 1 || port > 65535) return usage("--port must be 1..65535");
    } else if (arg == "--model") {
      model_path = value;
    } else {
      return usage(("unknown option " + arg).c_str());
    }
  }

  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    using streamhost::coupon::Model;
    auto model = std::make_shared<const Model>(
        model_path.empty() ? Model::from_json(streamhost::coupon::default_model_text())
                           : Model::load_file(model_path));
    streamhost::coupon::ScorerServer server(model, address, port);
    server.start();
    std::cout << "coupon-scorer listening on " << server.url() << " (model " << model->name() << " "
              << model->version() << ", " << model->summary()
              << (model_path.empty() ? ", built in" : ", from " + model_path) << ")" << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    std::cout << "coupon-scorer stopping on signal " << signal_number << std::endl;
    server.stop();
  } catch (const std::exception& e) {
    std::cerr << "coupon-scorer: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}

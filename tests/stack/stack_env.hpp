#pragma once

// Reads the endpoints `manifests/local/stack env` exports. A missing variable fails the test with
// the command that fixes it (integration tests never skip silently).

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>

namespace streamhost::stack_test {

inline std::string stack_env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

#define STACK_REQUIRE_ENV(var, name)                                                      \
  const std::string var = ::streamhost::stack_test::stack_env(name);                      \
  ASSERT_FALSE(var.empty()) << name << " is not set: run `manifests/local/stack up` and " \
                            << "`eval \"$(manifests/local/stack env)\"` first"

// A random suffix so each run's topics and groups are its own.
inline std::string random_suffix() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 12; ++i) out += kHex[gen() % 16];
  return out;
}

}  // namespace streamhost::stack_test

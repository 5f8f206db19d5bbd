#include "admin/admin_token.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace streamhost::host::admin {
namespace {

std::string trimmed(std::string_view text) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

std::optional<std::string> load_admin_token(const AdminSpec& admin, const EnvLookup& env) {
  if (!admin.token_file.empty()) {
    std::ifstream in(admin.token_file, std::ios::binary);
    if (!in) throw AdminTokenError("admin.token_file " + admin.token_file + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    std::string token = trimmed(text.str());
    if (token.empty()) throw AdminTokenError("admin.token_file " + admin.token_file + " is empty");
    return token;
  }
  if (!admin.token_env.empty()) {
    std::optional<std::string> value = env(admin.token_env);
    if (!value) {
      throw AdminTokenError("admin.token_env: environment variable " + admin.token_env +
                            " is not set");
    }
    std::string token = trimmed(*value);
    if (token.empty()) {
      throw AdminTokenError("admin.token_env: environment variable " + admin.token_env +
                            " is empty");
    }
    return token;
  }
  return std::nullopt;
}

void require_strong_admin_token(const std::string& token, const AdminSpec& admin) {
  if (token.size() >= kMinAdminTokenLength) return;
  const std::string where = !admin.token_file.empty() ? "admin.token_file " + admin.token_file
                                                      : "admin.token_env " + admin.token_env;
  throw AdminTokenError("the admin token from " + where + " is " + std::to_string(token.size()) +
                        " characters; use at least " + std::to_string(kMinAdminTokenLength) +
                        " (for example `openssl rand -hex 32`)");
}

std::optional<std::string> load_strong_admin_token(const AdminSpec& admin, const EnvLookup& env) {
  std::optional<std::string> token = load_admin_token(admin, env);
  if (token) require_strong_admin_token(*token, admin);
  return token;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  // Every byte of the longer input is visited whatever the contents; a length difference only
  // adds to the accumulated difference.
  const size_t n = std::max(a.size(), b.size());
  unsigned difference = a.size() == b.size() ? 0u : 1u;
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    difference |= static_cast<unsigned>(x ^ y);
  }
  return difference == 0;
}

bool bearer_allows(const std::optional<std::string>& token, std::string_view authorization) {
  if (!token) return true;
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  }
  return constant_time_equals(trimmed(authorization.substr(kScheme.size())), *token);
}

}  // namespace streamhost::host::admin

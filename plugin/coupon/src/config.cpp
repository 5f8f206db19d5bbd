#include <rapidjson/document.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>
#include <streamhost/coupon/config.hpp>
#include <streamhost/coupon/json_schema.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <streamhost/redact/redact.hpp>
#include <streamhost/redact/url.hpp>
#include <utility>

namespace streamhost::coupon {
namespace {

const rapidjson::Value* child(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

template <typename T>
void read_int(const rapidjson::Value* obj, const char* key, T& out) {
  if (obj == nullptr) return;
  if (const auto* v = child(*obj, key)) out = static_cast<T>(v->GetInt64());
}

void read_string(const rapidjson::Value* obj, const char* key, std::string& out) {
  if (obj == nullptr) return;
  if (const auto* v = child(*obj, key)) out.assign(v->GetString(), v->GetStringLength());
}

// A mounted Secret's file: its content, one trailing newline (and a CR before it) removed.
std::string read_password_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::invalid_argument("coupon config: database.password_file: cannot read \"" + path +
                                "\"");
  }
  // A password, not a file of any size: bounded like every read of outside input.
  constexpr std::streamsize kMaxBytes = 4096;
  std::string text(static_cast<size_t>(kMaxBytes) + 1, '\0');
  in.read(text.data(), kMaxBytes + 1);
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > static_cast<size_t>(kMaxBytes)) {
    throw std::invalid_argument("coupon config: database.password_file: \"" + path +
                                "\" is longer than 4096 bytes");
  }
  if (text.ends_with('\n')) text.pop_back();
  if (text.ends_with('\r')) text.pop_back();
  if (text.empty()) {
    throw std::invalid_argument("coupon config: database.password_file: \"" + path + "\" is empty");
  }
  return text;
}

}  // namespace

CouponConfig parse_config(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    throw std::invalid_argument("coupon config is not JSON: " + parse_error_text(doc));
  }
  if (auto why = schema(SchemaId::kPluginConfig).check(doc)) {
    throw std::invalid_argument("coupon config: " + *why);
  }
  CouponConfig config;
  const rapidjson::Value* db = child(doc, "database");
  read_string(db, "host", config.database.host);
  read_int(db, "port", config.database.port);
  read_string(db, "name", config.database.dbname);
  read_string(db, "user", config.database.user);
  read_string(db, "password", config.database.password);
  read_int(db, "pool_size", config.database.pool_size);
  read_int(db, "connect_timeout_s", config.database.connect_timeout_s);
  read_int(db, "statement_timeout_ms", config.database.statement_timeout_ms);
  read_int(db, "acquire_timeout_ms", config.database.acquire_timeout_ms);
  read_int(db, "health_check_timeout_ms", config.database.health_check_timeout_ms);
  read_string(db, "schema", config.database.schema);
  read_string(db, "application_name", config.database.application_name);
  read_string(db, "sslrootcert", config.database.sslrootcert);
  // A CA named without a mode means the operator wants the server checked: libpq's own default
  // (prefer) would read the CA file and then check nothing.
  if (!config.database.sslrootcert.empty()) config.database.sslmode = "verify-full";
  read_string(db, "sslmode", config.database.sslmode);
  read_string(db, "sslcert", config.database.sslcert);
  read_string(db, "sslkey", config.database.sslkey);
  std::string password_file;
  read_string(db, "password_file", password_file);
  if (!password_file.empty()) {
    if (!config.database.password.empty()) {
      throw std::invalid_argument(
          "coupon config: database: set password or password_file, not both");
    }
    config.database.password = read_password_file(password_file);
    struct stat status {};
    if (::stat(password_file.c_str(), &status) == 0 && (status.st_mode & S_IROTH) != 0) {
      config.password_file_readable_by_others = password_file;
    }
  }

  const rapidjson::Value* cache = child(doc, "context_cache");
  read_int(cache, "capacity", config.context_cache_capacity);
  int64_t ttl = config.context_cache_ttl.count();
  read_int(cache, "ttl_s", ttl);
  config.context_cache_ttl = std::chrono::seconds(ttl);

  int64_t refresh = config.catalog_refresh_interval.count();
  read_int(child(doc, "catalog"), "refresh_interval_s", refresh);
  config.catalog_refresh_interval = std::chrono::seconds(refresh);
  int64_t first_retry = config.catalog_first_load_retry.count();
  read_int(child(doc, "catalog"), "first_load_retry_s", first_retry);
  config.catalog_first_load_retry = std::chrono::seconds(first_retry);

  if (const rapidjson::Value* scorer = child(doc, "scorer")) {
    HttpScorerOptions options;
    read_string(scorer, "url", options.url);
    if (!options.url.empty()) {
      int64_t timeout_ms = options.timeout.count();
      read_int(scorer, "timeout_ms", timeout_ms);
      options.timeout = std::chrono::milliseconds(timeout_ms);
      read_int(scorer, "retries", options.retries);
      read_string(scorer, "ca_file", options.ca_file);
      const rapidjson::Value* breaker = child(*scorer, "circuit_breaker");
      read_int(breaker, "failure_threshold", options.breaker_failure_threshold);
      int64_t open_s = options.breaker_open_for.count() / 1000;
      read_int(breaker, "open_s", open_s);
      options.breaker_open_for = std::chrono::seconds(open_s);
      config.scorer = std::move(options);
    }
  }
  read_string(child(doc, "model"), "path", config.model_path);
  read_int(&doc, "top_n", config.top_n);
  if (const auto* t = child(doc, "threshold")) config.threshold = t->GetDouble();
  return config;
}

void check_config_files(const CouponConfig& config) {
  const std::pair<const char*, const std::string*> files[] = {
      {"database.sslrootcert", &config.database.sslrootcert},
      {"database.sslcert", &config.database.sslcert},
      {"database.sslkey", &config.database.sslkey},
      {"scorer.ca_file", config.scorer ? &config.scorer->ca_file : nullptr}};
  for (const auto& [key, path] : files) {
    if (path == nullptr || path->empty()) continue;
    if (!std::ifstream(*path).good()) {
      throw std::invalid_argument(std::string("coupon config: ") + key + ": cannot read \"" +
                                  *path + "\"");
    }
  }
}

std::vector<std::string> security_warnings(const CouponConfig& config) {
  std::vector<std::string> out;
  const std::string& host = config.database.host;
  const bool loopback = url::is_loopback_host(host) || host.starts_with("/");  // a Unix socket
  if (!loopback && config.database.sslmode != "verify-full") {
    out.push_back("database.sslmode is " + config.database.sslmode + " towards " + host +
                  ": the server's certificate and name are not both verified, so the connection "
                  "(and the password) can be intercepted; set sslmode verify-full and sslrootcert");
  }
  if (config.password_file_readable_by_others) {
    out.push_back("database.password_file \"" + *config.password_file_readable_by_others +
                  "\" is readable by every user of this machine: chmod o-r it (chmod 600, or "
                  "640 for a group the host runs in; in Kubernetes, the Secret volume's "
                  "defaultMode 0400)");
  }
  if (config.scorer && !url::is_https(config.scorer->url)) {
    const auto parts = url::split_url(config.scorer->url);
    const bool credentials =
        parts &&
        (parts->has_user_info || redact::redact_url(config.scorer->url) != config.scorer->url);
    if (credentials) {
      out.push_back("scorer.url sends credentials over plain http (" +
                    redact::redact_url(config.scorer->url) + "); use https://");
    }
  }
  return out;
}

}  // namespace streamhost::coupon

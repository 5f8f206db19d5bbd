// The plugin config: schema checks with reasons, and defaults.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <streamhost/coupon/config.hpp>

namespace streamhost::coupon {
namespace {

std::string config_error(const std::string& json) {
  try {
    parse_config(json);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(CouponConfig, AppliesDefaults) {
  const CouponConfig c = parse_config(R"({"database":{"host":"db","name":"shop","user":"u"}})");
  EXPECT_EQ(c.database.host, "db");
  EXPECT_EQ(c.database.port, 5432);
  EXPECT_EQ(c.database.pool_size, 4);
  EXPECT_EQ(c.database.acquire_timeout_ms, 10000);
  EXPECT_EQ(c.database.health_check_timeout_ms, 2000);
  EXPECT_EQ(c.context_cache_capacity, 10000u);
  EXPECT_EQ(c.context_cache_ttl, std::chrono::seconds(3600));
  EXPECT_EQ(c.catalog_refresh_interval, std::chrono::seconds(300));
  EXPECT_EQ(c.catalog_first_load_retry, std::chrono::seconds(5));
  EXPECT_FALSE(c.scorer.has_value());
  EXPECT_EQ(c.top_n, 5u);
  EXPECT_DOUBLE_EQ(c.threshold, 0.2);
}

TEST(CouponConfig, ReadsEveryKey) {
  const CouponConfig c = parse_config(R"({
    "database":{"host":"db","port":6432,"name":"shop","user":"u","password":"p","pool_size":2,
                "connect_timeout_s":3,"schema":"retail","application_name":"x",
                "acquire_timeout_ms":1500,"health_check_timeout_ms":700},
    "context_cache":{"capacity":50,"ttl_s":60},
    "catalog":{"refresh_interval_s":30,"first_load_retry_s":2},
    "scorer":{"url":"http://127.0.0.1:18001","timeout_ms":500,"retries":2,
              "circuit_breaker":{"failure_threshold":3,"open_s":4}},
    "model":{"path":"/m.json"},"top_n":3,"threshold":0.5})");
  EXPECT_EQ(c.database.port, 6432);
  EXPECT_EQ(c.database.acquire_timeout_ms, 1500);
  EXPECT_EQ(c.database.health_check_timeout_ms, 700);
  EXPECT_EQ(c.database.password, "p");
  EXPECT_EQ(c.database.schema, "retail");
  EXPECT_EQ(c.database.application_name, "x");
  EXPECT_EQ(c.context_cache_capacity, 50u);
  EXPECT_EQ(c.catalog_refresh_interval, std::chrono::seconds(30));
  EXPECT_EQ(c.catalog_first_load_retry, std::chrono::seconds(2));
  ASSERT_TRUE(c.scorer.has_value());
  EXPECT_EQ(c.scorer->timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c.scorer->retries, 2);
  EXPECT_EQ(c.scorer->breaker_failure_threshold, 3);
  EXPECT_EQ(c.scorer->breaker_open_for, std::chrono::seconds(4));
  EXPECT_EQ(c.model_path, "/m.json");
  EXPECT_EQ(c.top_n, 3u);
  EXPECT_DOUBLE_EQ(c.threshold, 0.5);
}

TEST(CouponConfig, ModelPathIsAnObjectAndEmptyMeansTheBuiltInModel) {
  EXPECT_EQ(parse_config(R"({"database":{"host":"d","name":"n","user":"u"},"model":{"path":""}})")
                .model_path,
            "");
  // The key of the first release, before model files had their own format.
  EXPECT_EQ(config_error(R"({"database":{"host":"d","name":"n","user":"u"},"model_path":"/m"})"),
            "coupon config: unexpected field model_path");
}

TEST(CouponConfig, EmptyScorerUrlMeansTheEmbeddedModel) {
  EXPECT_FALSE(
      parse_config(R"({"database":{"host":"d","name":"n","user":"u"},"scorer":{"url":""}})")
          .scorer.has_value());
}

TEST(CouponConfig, RejectsUnknownKeysAndBadValuesByName) {
  EXPECT_EQ(config_error(R"({"database":{"host":"d","name":"n","user":"u"},"topn":3})"),
            "coupon config: unexpected field topn");
  EXPECT_EQ(config_error(R"({"database":{"host":"d","name":"n"}})"),
            "coupon config: missing field database.user");
  EXPECT_EQ(config_error(R"({"database":{"host":"d","name":"n","user":"u"},"threshold":2})"),
            "coupon config: threshold: 2 is above the maximum 1");
  EXPECT_EQ(config_error(R"({"database":{"host":"d","name":"n","user":"u","schema":"a;b"}})"),
            "coupon config: database.schema: violates the schema's \"pattern\" rule");
  EXPECT_EQ(config_error("{"),
            "coupon config is not JSON: Missing a name for object member. (offset 1)");
}

}  // namespace
}  // namespace streamhost::coupon

// ---- peers: TLS to PostgreSQL, the scorer's CA, the password as a file ------------------------

namespace streamhost::coupon {
namespace {

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "coupon-config-" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(CouponConfigPeers, TlsSettingsDefaultToPreferAndAreRead) {
  EXPECT_EQ(parse_config(R"({"database":{"host":"db","name":"n","user":"u"}})").database.sslmode,
            "prefer");
  const CouponConfig c = parse_config(R"({"database":{"host":"db","name":"n","user":"u",
      "sslmode":"verify-full","sslrootcert":"/ca.crt","sslcert":"/c.crt","sslkey":"/c.key"},
      "scorer":{"url":"https://s/score","ca_file":"/s-ca.crt"}})");
  EXPECT_EQ(c.database.sslmode, "verify-full");
  EXPECT_EQ(c.database.sslrootcert, "/ca.crt");
  EXPECT_EQ(c.database.sslcert, "/c.crt");
  EXPECT_EQ(c.database.sslkey, "/c.key");
  EXPECT_EQ(c.scorer->ca_file, "/s-ca.crt");
  EXPECT_NE(config_error(R"({"database":{"host":"db","name":"n","user":"u","sslmode":"strict"}})")
                .find("sslmode"),
            std::string::npos);
}

TEST(CouponConfigPeers, ACaWithoutAModeMeansVerifyFull) {
  struct Row {
    const char* database;  // members after host, name and user
    const char* sslmode;
  };
  for (const Row& row : {Row{R"("sslrootcert":"/ca.crt")", "verify-full"},
                         Row{R"("sslrootcert":"/ca.crt","sslmode":"require")", "require"},
                         Row{R"("sslrootcert":"","sslmode":"verify-ca")", "verify-ca"},
                         Row{R"("sslrootcert":"")", "prefer"}, Row{R"("port":5432)", "prefer"}}) {
    const std::string json =
        std::string(R"({"database":{"host":"db","name":"n","user":"u",)") + row.database + "}}";
    EXPECT_EQ(parse_config(json).database.sslmode, row.sslmode) << row.database;
  }
}

TEST(CouponConfigPeers, FilesItNamesMustBeReadable) {
  const std::string ca = temp_file("ca.crt", "-----BEGIN CERTIFICATE-----\n");
  check_config_files(parse_config(R"({"database":{"host":"db","name":"n","user":"u",
      "sslrootcert":")" + ca + R"("}})"));
  for (const char* key : {"sslrootcert", "sslcert", "sslkey"}) {
    const CouponConfig c =
        parse_config(std::string(R"({"database":{"host":"db","name":"n","user":"u",")") + key +
                     R"(":"/nonexistent/x.pem"}})");
    try {
      check_config_files(c);
      ADD_FAILURE() << key << " unreadable was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("database.") + key), std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(check_config_files(parse_config(R"({"database":{"host":"db","name":"n","user":"u"},
      "scorer":{"url":"https://s/score","ca_file":"/nonexistent/ca.pem"}})")),
               std::invalid_argument);
}

TEST(CouponConfigPeers, APasswordFileOthersMayReadIsWarnedAbout) {
  const std::string file = temp_file("shared-password", "from-the-secret\n");
  const std::string json = R"({"database":{"host":"127.0.0.1","name":"n","user":"u",
      "password_file":")" + file +
                           R"("}})";
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  const auto open = security_warnings(parse_config(json));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_NE(open[0].find("database.password_file \"" + file + "\" is readable by every user"),
            std::string::npos)
      << open[0];
  EXPECT_EQ(open[0].find("from-the-secret"), std::string::npos);
  for (mode_t private_mode : {0600, 0640, 0400}) {
    ASSERT_EQ(::chmod(file.c_str(), private_mode), 0);
    EXPECT_TRUE(security_warnings(parse_config(json)).empty()) << std::oct << private_mode;
  }
}

TEST(CouponConfigPeers, ThePasswordCanComeFromAFile) {
  const std::string file = temp_file("password", "from-the-secret\n");
  const CouponConfig c = parse_config(R"({"database":{"host":"db","name":"n","user":"u",
      "password_file":")" + file + R"("}})");
  EXPECT_EQ(c.database.password, "from-the-secret");
  EXPECT_NE(config_error(R"({"database":{"host":"db","name":"n","user":"u","password":"p",
      "password_file":")" +
                         file + R"("}})")
                .find("not both"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"database":{"host":"db","name":"n","user":"u",
      "password_file":"/nonexistent/pw"}})")
                .find("database.password_file: cannot read"),
            std::string::npos);
  const std::string empty = temp_file("empty-password", "\n");
  EXPECT_NE(config_error(R"({"database":{"host":"db","name":"n","user":"u","password_file":")" +
                         empty + R"("}})")
                .find("is empty"),
            std::string::npos);
}

TEST(CouponConfigPeers, WarnsForAnUnverifiedDatabaseAndCredentialsOverHttp) {
  auto warnings = [](const std::string& json) { return security_warnings(parse_config(json)); };
  EXPECT_TRUE(warnings(R"({"database":{"host":"127.0.0.1","name":"n","user":"u"}})").empty());
  EXPECT_TRUE(warnings(R"({"database":{"host":"db.internal","name":"n","user":"u",
      "sslmode":"verify-full"},"scorer":{"url":"https://s/score?api_key=k"}})")
                  .empty());
  auto w = warnings(R"({"database":{"host":"db.internal","name":"n","user":"u","sslmode":"require"},
      "scorer":{"url":"http://s:8001/score?api_key=S3cr3tKey"}})");
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].find("sslmode is require towards db.internal"), std::string::npos) << w[0];
  EXPECT_NE(w[1].find("plain http"), std::string::npos) << w[1];
  EXPECT_EQ(w[1].find("S3cr3tKey"), std::string::npos) << w[1];
  // A name that starts like a loopback address is not one: the warning stays.
  auto evil = warnings(R"({"database":{"host":"127.evil.example","name":"n","user":"u"}})");
  ASSERT_EQ(evil.size(), 1u);
  EXPECT_NE(evil[0].find("towards 127.evil.example"), std::string::npos) << evil[0];
  // An http:// scorer without credentials is only a scorer on a trusted network: no warning.
  EXPECT_TRUE(warnings(R"({"database":{"host":"localhost","name":"n","user":"u"},
      "scorer":{"url":"http://s:8001/score"}})")
                  .empty());
}

}  // namespace
}  // namespace streamhost::coupon

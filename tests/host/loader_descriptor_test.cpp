// The descriptor checks that need no .so: each test breaks one field of an in-process descriptor.
#include <gtest/gtest.h>

#include <cstdio>
#include <string_view>

#include "plugin/loader.hpp"

namespace streamhost::host {
namespace {

sh_status noop(void*, const sh_record*, const sh_emitter*, char*, size_t) {
  return SH_STATUS_OK;
}
void* create(const sh_host_api*, const char*, char*, size_t) {
  return nullptr;
}
// An ABI 1.1 config check that refuses any config naming "bad", and counts its calls.
int checks = 0;
int refuse_bad(const char* config, char* why, size_t cap) {
  ++checks;
  if (std::string_view(config).find("bad") == std::string_view::npos) return 1;
  std::snprintf(why, cap, "model.path %s: cannot be read", "/bad.json");
  return 0;
}

class DescriptorChecks : public ::testing::Test {
 protected:
  DescriptorChecks() { d_.handlers = handlers_.data(); }

  std::string error() {
    try {
      check_plugin_descriptor("libp.so", d_);
    } catch (const PluginError& e) {
      return e.what();
    }
    return "(valid)";
  }

  std::vector<sh_handler_def> handlers_{{"a", "first", &noop}, {"b", nullptr, &noop}};
  sh_plugin_descriptor d_{sizeof(sh_plugin_descriptor),
                          SH_PLUGIN_ABI_MAJOR,
                          SH_PLUGIN_ABI_MINOR,
                          "p",
                          "1.0",
                          nullptr,
                          nullptr,
                          &create,
                          nullptr,
                          nullptr,
                          nullptr,
                          2,
                          nullptr};
};

TEST_F(DescriptorChecks, AcceptsAValidDescriptor) {
  EXPECT_EQ(error(), "(valid)");
}

TEST_F(DescriptorChecks, AcceptsAnOlderMinorAndALargerStruct) {
  d_.struct_size += 64;  // a plugin from a future minor appends fields: fine when minor <= host's
  EXPECT_EQ(error(), "(valid)");
}

TEST_F(DescriptorChecks, StructTooSmallForAVersion) {
  d_.struct_size = 4;
  EXPECT_EQ(error(),
            "libp.so: descriptor struct_size is 4 bytes, too small to hold an ABI version");
}

TEST_F(DescriptorChecks, EmptyOrNullName) {
  d_.name = "";
  EXPECT_EQ(error(), "libp.so: the descriptor's name is empty");
  d_.name = nullptr;
  EXPECT_EQ(error(), "libp.so: the descriptor's name is empty");
}

TEST_F(DescriptorChecks, NameWithForbiddenCharacters) {
  d_.name = "My Plugin";
  EXPECT_EQ(error(),
            "libp.so: plugin name \"My Plugin\" must be lower-case letters, digits, '_' or '-'");
}

TEST_F(DescriptorChecks, NoInstanceCreate) {
  d_.instance_create = nullptr;
  EXPECT_EQ(error(), "libp.so: plugin \"p\" has no instance_create function");
}

TEST_F(DescriptorChecks, NoHandlers) {
  d_.handler_count = 0;
  EXPECT_EQ(error(), "libp.so: plugin \"p\" declares no handlers");
  d_.handlers = nullptr;
  d_.handler_count = 2;
  EXPECT_EQ(error(), "libp.so: plugin \"p\" declares no handlers");  // handlers NULL
}

TEST_F(DescriptorChecks, HandlerWithoutNameOrProcess) {
  handlers_[1].name = nullptr;
  EXPECT_EQ(error(), "libp.so: plugin \"p\" handler #1 has no name");
  handlers_[1] = {"b", nullptr, nullptr};
  EXPECT_EQ(error(), "libp.so: plugin \"p\" handler \"b\" has no process function");
  handlers_[1] = {"B/x", nullptr, &noop};
  EXPECT_EQ(error(),
            "libp.so: plugin \"p\" handler name \"B/x\" must be lower-case letters, digits, '_' or "
            "'-'");
}

TEST_F(DescriptorChecks, DuplicateHandlerNames) {
  handlers_[1].name = "a";
  EXPECT_EQ(error(), "libp.so: plugin \"p\" declares handler \"a\" twice");
}

TEST_F(DescriptorChecks, FindHandlerListsTheAvailableOnes) {
  EXPECT_EQ(&find_handler_or_throw(d_, "p", "b"), &handlers_[1]);
  try {
    find_handler_or_throw(d_, "p", "c");
    FAIL();
  } catch (const PluginError& e) {
    EXPECT_STREQ(e.what(), "plugin \"p\" has no handler \"c\" (its handlers: a, b)");
  }
}

TEST_F(DescriptorChecks, ConfigCheckRunsAfterTheSchemaAndNamesThePluginsReason) {
  d_.config_check = &refuse_bad;
  const PluginLibrary library{"libp.so", &d_};
  checks = 0;
  EXPECT_EQ(validate_plugin_config(library, "p", R"({"path":"good.json"})"),
            R"({"path":"good.json"})");
  EXPECT_EQ(checks, 1);
  try {
    validate_plugin_config(library, "p", R"({"path":"bad.json"})");
    FAIL() << "the plugin's refusal must stop validation";
  } catch (const PluginError& e) {
    EXPECT_STREQ(e.what(), "plugins.p.config: model.path /bad.json: cannot be read");
  }
}

TEST_F(DescriptorChecks, AnAbi10DescriptorHasNoConfigCheckField) {
  // A 1.0 plugin's descriptor ends at handler_count: whatever follows it is not the plugin's.
  d_.abi_minor = 0;
  d_.struct_size = kMinDescriptorSizeV1;
  d_.config_check = &refuse_bad;
  checks = 0;
  EXPECT_NO_THROW(validate_plugin_config(PluginLibrary{"libp.so", &d_}, "p", R"({"x":"bad"})"));
  EXPECT_EQ(checks, 0);
}

}  // namespace
}  // namespace streamhost::host

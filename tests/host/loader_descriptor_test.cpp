// The descriptor checks that need no .so: each test breaks one field of an in-process descriptor.
#include <gtest/gtest.h>

#include <cstdio>
#include <string_view>

#include "plugin/descriptor_read.hpp"
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

  std::vector<sh_handler_def> handlers_{
      {.name = "a", .description = "first", .process = &noop, .emits = SH_EMITS_NOTHING},
      {.name = "b", .description = nullptr, .process = &noop, .emits = SH_EMITS_TO_OUTPUT_TOPIC}};
  sh_plugin_descriptor d_{.struct_size = sizeof(sh_plugin_descriptor),
                          .abi_major = SH_PLUGIN_ABI_MAJOR,
                          .abi_minor = SH_PLUGIN_ABI_MINOR,
                          .name = "p",
                          .version = "1.0",
                          .description = nullptr,
                          .config_schema_json = nullptr,
                          .instance_create = &create,
                          .instance_destroy = nullptr,
                          .instance_ready = nullptr,
                          .handlers = nullptr,
                          .handler_count = 2,
                          .config_check = nullptr,
                          .handler_def_size = sizeof(sh_handler_def),
                          .partitions_assigned = nullptr,
                          .partitions_revoked = nullptr};
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
  handlers_[1] = {.name = "b", .description = nullptr, .process = nullptr, .emits = 1};
  EXPECT_EQ(error(), "libp.so: plugin \"p\" handler \"b\" has no process function");
  handlers_[1] = {.name = "B/x", .description = nullptr, .process = &noop, .emits = 1};
  EXPECT_EQ(error(),
            "libp.so: plugin \"p\" handler name \"B/x\" must be lower-case letters, digits, '_' or "
            "'-'");
}

TEST_F(DescriptorChecks, DuplicateHandlerNames) {
  handlers_[1].name = "a";
  EXPECT_EQ(error(), "libp.so: plugin \"p\" declares handler \"a\" twice");
}

TEST_F(DescriptorChecks, FindHandlerListsTheAvailableOnes) {
  const std::vector<sh_handler_def> handlers = read_handlers(d_);
  EXPECT_EQ(&find_handler_or_throw(handlers, "p", "b"), &handlers[1]);
  try {
    find_handler_or_throw(handlers, "p", "c");
    FAIL();
  } catch (const PluginError& e) {
    EXPECT_STREQ(e.what(), "plugin \"p\" has no handler \"c\" (its handlers: a, b)");
  }
}

TEST_F(DescriptorChecks, ConfigCheckRunsAfterTheSchemaAndNamesThePluginsReason) {
  d_.config_check = &refuse_bad;
  const PluginLibrary library{"libp.so", &d_, {}};
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

TEST_F(DescriptorChecks, FromAbi12EveryHandlerDeclaresWhereItEmits) {
  handlers_[1].emits = SH_EMITS_UNDECLARED;
  EXPECT_EQ(
      error(),
      "libp.so: plugin \"p\" handler \"b\" does not declare where it emits (emits is 0; ABI "
      "1.2 needs one of SH_EMITS_NOTHING, SH_EMITS_TO_OUTPUT_TOPIC, SH_EMITS_TO_NAMED_TOPICS)");
  handlers_[1].emits = 9;
  EXPECT_NE(error(), "(valid)");
}

TEST_F(DescriptorChecks, FromAbi12TheDescriptorStatesItsHandlerSize) {
  d_.struct_size = offsetof(sh_plugin_descriptor, handler_def_size);
  EXPECT_EQ(error(), "libp.so: descriptor struct_size is 96 bytes, ABI 1.3 needs at least 104");
  d_.struct_size = sizeof(sh_plugin_descriptor);
  d_.handler_def_size = 16;
  EXPECT_EQ(error(),
            "libp.so: descriptor handler_def_size is 16 bytes, too small for a handler's name, "
            "description and process function");
  d_.handler_def_size = 1u << 20;
  EXPECT_EQ(error(),
            "libp.so: descriptor handler_def_size is 1048576 bytes, more than the 1024 a handler "
            "definition may take");
}

// A plugin whose handler structs are larger than the host's (fields the host does not know) is
// walked by its own stride, and the extra fields are never read.
TEST_F(DescriptorChecks, HandlersAreWalkedByTheDeclaredStride) {
  struct Wider {
    sh_handler_def def;
    const char* unknown_to_the_host;
  };
  static const Wider wider[] = {
      {{.name = "x", .description = nullptr, .process = &noop, .emits = 1}, "?"},
      {{.name = "y", .description = nullptr, .process = &noop, .emits = 3}, "?"}};
  d_.handlers = &wider[0].def;
  d_.handler_def_size = sizeof(Wider);
  EXPECT_EQ(error(), "(valid)");
  const std::vector<sh_handler_def> read = read_handlers(d_);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_STREQ(read[1].name, "y");
  EXPECT_EQ(read[1].emits, static_cast<uint32_t>(SH_EMITS_TO_NAMED_TOPICS));
}

TEST_F(DescriptorChecks, AnAbi10DescriptorHasNoConfigCheckField) {
  // A 1.0 plugin's descriptor ends at handler_count: whatever follows it is not the plugin's.
  d_.abi_minor = 0;
  d_.struct_size = kMinDescriptorSizeV1;
  d_.config_check = &refuse_bad;
  checks = 0;
  EXPECT_NO_THROW(validate_plugin_config(PluginLibrary{"libp.so", &d_, {}}, "p", R"({"x":"bad"})"));
  EXPECT_EQ(checks, 0);
}

}  // namespace
}  // namespace streamhost::host

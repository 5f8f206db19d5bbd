// field_mapper through the host's own loader and handler call (the SDK's harness), as
// `streamhost run` would load it.
#include <streamhost/plugin_testing.hpp>

namespace spt = streamhost::plugin::testing;

int main() {
  spt::Checks check;
  spt::PluginHarness plugin(STREAMHOST_PLUGIN_PATH);

  check.equal(plugin.config_error(R"({"renames": {}})"),
              std::string("plugins.field_mapper.config: unknown key \"renames\" (did you mean "
                          "\"rename\"?)"),
              "an unknown config key is refused with a suggestion");
  plugin.configure(R"({"require": ["order_id"], "rename": {"cust": "customer_id"},
                       "copy": {"order_id": "id"}, "drop": ["internal_note"]})");
  check.equal(plugin.logs().at(0), std::string("field_mapper ready: 1 renames"), "start-up log");

  spt::Result r = plugin.call(
      "map", R"({"order_id": 5, "cust": "c-7", "internal_note": "x", "total": 9.5})", "c-7");
  check.equal(r.status, SH_STATUS_OK, "a complete event is mapped");
  check.equal(r.emitted.size(), size_t{1}, "one record out");
  if (r.emitted.size() == 1) {
    check.equal(r.emitted[0].value,
                std::string(R"({"order_id":5,"total":9.5,"customer_id":"c-7","id":5})"),
                "renamed, copied and dropped");
    check.equal(r.emitted[0].key, std::optional<std::string>("c-7"), "the key is kept");
  }

  spt::Result not_json = plugin.call("map", "order 5");
  check.equal(not_json.status, SH_STATUS_REJECT, "text that is not JSON is rejected");
  check.equal(not_json.reason, std::string("payload: not JSON: Invalid value. (byte 0)"),
              "with the reason");
  spt::Result not_object = plugin.call("map", R"("order 5")");
  check.equal(not_object.reason, std::string(R"(payload: expected an object, got "order 5")"),
              "a value that is not an object is named");
  spt::Result missing = plugin.call("map", R"({"cust": "c-7"})");
  check.equal(missing.reason, std::string("payload: missing field \"order_id\""),
              "a missing required field is named");
  check.is_true(missing.emitted.empty(), "a rejected record emits nothing");
  return check.exit_code();
}

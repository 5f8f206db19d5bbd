// field_mapper: an example streamhost plugin. Its one handler, `map`, reshapes JSON object events:
// it checks required fields, renames and copies fields, drops fields, and emits the result with the
// input's key. Input that is not a JSON object, or lacks a required field, is rejected (the host
// dead-letters it with the reason, which names the field: `payload: missing field "order_id"`).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <streamhost/plugin.hpp>
#include <streamhost/record_json.hpp>
#include <string>
#include <vector>

namespace {

namespace sp = streamhost::plugin;

class FieldMapper {
 public:
  // Declared once: the host checks the manifest's config against the schema made from this, and the
  // instance gets the values (absent keys keep these defaults). Unknown keys are refused.
  struct Config {
    std::vector<std::string> require, drop;
    std::map<std::string, std::string> rename, copy;
    static constexpr auto options() {
      return sp::options(
          sp::option("require", &Config::require, "fields every input must have"),
          sp::option("rename", &Config::rename, "old name -> new name"),
          sp::option("copy", &Config::copy, "field -> name of its copy, applied after rename"),
          sp::option("drop", &Config::drop, "fields removed last"));
    }
  };

  FieldMapper(sp::Host host, const Config& config) : config_(config) {
    host.info("field_mapper ready: " + std::to_string(config_.rename.size()) + " renames");
  }

  // Runs concurrently for different keys: const, it only reads the config.
  void map(const sp::Record& in, sp::Emitter& out) const {
    // The SDK's JSON view: the host's bounded parser, and errors that name the field. Each throws
    // sp::JsonError, a Reject: the record is dead-lettered with "payload: not JSON: ...",
    // "payload: expected an object, got 5" or "payload: missing field \"order_id\"".
    const sp::Json event = sp::Json::parse(in.value()).as_object();
    for (const std::string& field : config_.require) event[field];  // throws when it is absent
    // The reshaping edits a copy with RapidJSON, which the view is built on.
    rapidjson::Document doc;
    doc.CopyFrom(event.raw(), doc.GetAllocator());
    auto& alloc = doc.GetAllocator();
    for (const auto& [from, to] : config_.rename) {
      auto it = doc.FindMember(from);
      if (it == doc.MemberEnd()) continue;
      rapidjson::Value moved(std::move(it->value));
      doc.EraseMember(it);
      erase(doc, to);
      doc.AddMember(rapidjson::Value(to, alloc), moved, alloc);
    }
    for (const auto& [from, to] : config_.copy) {
      if (!doc.HasMember(from)) continue;
      rapidjson::Value copied(doc[from], alloc);
      erase(doc, to);
      doc.AddMember(rapidjson::Value(to, alloc), copied, alloc);
    }
    for (const std::string& field : config_.drop) erase(doc, field);

    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> writer(text);
    doc.Accept(writer);
    out.emit(std::string_view(text.GetString(), text.GetSize()), in.key());
  }

 private:
  // Removes a field keeping the others in order (RemoveMember would move the last one into its
  // place).
  static void erase(rapidjson::Document& doc, const std::string& name) {
    auto it = doc.FindMember(name);
    if (it != doc.MemberEnd()) doc.EraseMember(it);
  }

  Config config_;
};

constexpr sh_handler_def kHandlers[] = {sp::handler<&FieldMapper::map>(
    {.name = "map",
     .emits = sp::Emits::to_output_topic,
     .description = "requires, renames, copies and drops fields of a JSON object"})};

}  // namespace

STREAMHOST_PLUGIN(FieldMapper, .name = "field_mapper", .version = "1.1.0",
                  .description = "Reshapes JSON object events", .handlers = kHandlers)

// field_mapper: an example streamhost plugin. Its one handler, `map`, reshapes JSON object events:
// it checks required fields, renames and copies fields, drops fields, and emits the result with the
// input's key. Input that is not a JSON object, or lacks a required field, is REJECTed (the host
// dead-letters it with the reason).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <streamhost/plugin.hpp>
#include <string>
#include <utility>
#include <vector>

namespace {

using streamhost::plugin::Emitter;
using streamhost::plugin::Outcome;
using streamhost::plugin::Record;

// The host validates the manifest's config against this before the plugin sees it.
constexpr const char* kConfigSchema = R"schema({
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "require": {"type": "array", "items": {"type": "string"},
                "description": "fields every input must have, checked before any change"},
    "rename": {"type": "object", "additionalProperties": {"type": "string"},
               "description": "old name -> new name"},
    "copy": {"type": "object", "additionalProperties": {"type": "string"},
             "description": "field -> name of its copy, applied after rename"},
    "drop": {"type": "array", "items": {"type": "string"},
             "description": "fields removed last"}
  }
})schema";

using Pairs = std::vector<std::pair<std::string, std::string>>;

class FieldMapper {
 public:
  // `config` is valid JSON matching kConfigSchema; a constructor that throws refuses the config.
  FieldMapper(streamhost::plugin::Host host, std::string_view config) {
    rapidjson::Document doc;
    doc.Parse(config.data(), config.size());
    for (const auto& f : member(doc, "require").GetArray()) require_.emplace_back(f.GetString());
    for (const auto& f : member(doc, "drop").GetArray()) drop_.emplace_back(f.GetString());
    for (const auto& m : member(doc, "rename").GetObject())
      rename_.emplace_back(m.name.GetString(), m.value.GetString());
    for (const auto& m : member(doc, "copy").GetObject())
      copy_.emplace_back(m.name.GetString(), m.value.GetString());
    host.info("field_mapper ready: " + std::to_string(rename_.size()) + " renames");
  }

  // Called concurrently for different keys: it only reads the instance's state.
  Outcome map(const Record& in, Emitter& out) {
    rapidjson::Document doc;
    doc.Parse(in.value().data(), in.value().size());
    if (doc.HasParseError() || !doc.IsObject())
      return Outcome::reject("value is not a JSON object");
    for (const std::string& field : require_) {
      if (!doc.HasMember(field)) return Outcome::reject("missing required field \"" + field + "\"");
    }
    auto& alloc = doc.GetAllocator();
    for (const auto& [from, to] : rename_) {
      auto it = doc.FindMember(from);
      if (it == doc.MemberEnd()) continue;
      rapidjson::Value moved(std::move(it->value));
      doc.EraseMember(it);
      erase(doc, to);
      doc.AddMember(rapidjson::Value(to, alloc), moved, alloc);
    }
    for (const auto& [from, to] : copy_) {
      if (!doc.HasMember(from)) continue;
      rapidjson::Value copied(doc[from], alloc);
      erase(doc, to);
      doc.AddMember(rapidjson::Value(to, alloc), copied, alloc);
    }
    for (const std::string& field : drop_) erase(doc, field);

    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> writer(text);
    doc.Accept(writer);
    out.emit(std::string_view(text.GetString(), text.GetSize()), in.key());
    return Outcome::ok();
  }

 private:
  // Removes a field keeping the others in order (RemoveMember would move the last one into its
  // place).
  static void erase(rapidjson::Document& doc, const std::string& name) {
    auto it = doc.FindMember(name);
    if (it != doc.MemberEnd()) doc.EraseMember(it);
  }

  static const rapidjson::Value& member(const rapidjson::Document& doc, const char* name) {
    static const rapidjson::Value kEmptyArray(rapidjson::kArrayType);
    static const rapidjson::Value kEmptyObject(rapidjson::kObjectType);
    if (doc.HasMember(name)) return doc[name];
    return std::string_view(name) == "rename" || std::string_view(name) == "copy" ? kEmptyObject
                                                                                  : kEmptyArray;
  }

  std::vector<std::string> require_, drop_;
  Pairs rename_, copy_;
};

constexpr sh_handler_def kHandlers[] = {streamhost::plugin::handler<FieldMapper, &FieldMapper::map>(
    "map", "requires, renames, copies and drops fields of a JSON object")};

}  // namespace

STREAMHOST_PLUGIN(FieldMapper, "field_mapper", "1.0.0", "Reshapes JSON object events",
                  kConfigSchema, kHandlers)

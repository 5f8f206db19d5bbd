// `streamhost plugins inspect`: what a plugin library declares, without creating an instance.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <ostream>
#include <streamhost/redact/redact.hpp>

#include "cli/cli.hpp"
#include "plugin/descriptor_read.hpp"
#include "plugin/loader.hpp"

namespace streamhost::host {

int inspect_command(const std::string& library_path, std::ostream& out, std::ostream& err) {
  PluginLibrary library;
  try {
    // A bare file name means the file here, not a search of the system's library path.
    bool bare = library_path.find('/') == std::string::npos;
    library = load_plugin_library(bare ? "./" + library_path : library_path);
  } catch (const PluginError& e) {
    err << redact::redact_text(e.what()) << "\n";
    return kExitUsage;
  }
  const sh_plugin_descriptor& d = *library.descriptor;
  out << "name:        " << d.name << "\n"
      << "version:     " << (d.version ? d.version : "(none)") << "\n"
      << "description: " << (d.description ? d.description : "(none)") << "\n"
      << "abi:         " << d.abi_major << "." << d.abi_minor << " (host supports " << kHostAbiMajor
      << "." << kHostAbiMinor << ")\n"
      << "library:     " << library.path << "\n"
      << "handlers:\n";
  for (const sh_handler_def& h : library.handlers) {
    out << "  " << h.name;
    if (h.description != nullptr) out << " - " << h.description;
    out << " (emits " << describe_emits(h.emits) << ")\n";
  }
  // read_descriptor() leaves config_check NULL for a 1.0 descriptor, which ends before it.
  out << "config check: "
      << (read_descriptor(d).config_check != nullptr
              ? "yes (the plugin checks its config beyond the schema, in validate and at start)"
              : "none (the schema is the whole check)")
      << "\n";
  if (d.config_schema_json == nullptr) {
    out << "config schema: none (any object is accepted)\n";
    return kExitOk;
  }
  rapidjson::Document schema;
  schema.Parse(d.config_schema_json);
  if (schema.HasParseError()) {
    err << library.path << ": plugin \"" << d.name << "\": its config schema is not valid JSON: "
        << rapidjson::GetParseError_En(schema.GetParseError()) << " (offset "
        << schema.GetErrorOffset() << ")\n";
    return kExitUsage;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  schema.Accept(writer);
  out << "config schema:\n" << buffer.GetString() << "\n";
  return kExitOk;
}

}  // namespace streamhost::host

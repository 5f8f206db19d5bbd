#include "manifest/manifest_schema.hpp"

#include <stdexcept>

namespace streamhost::host {

const rapidjson::Document& manifest_schema_json() {
  static const rapidjson::Document doc = [] {
    rapidjson::Document d;
    d.Parse(manifest_schema_text());
    // A broken schema is a build defect: the manifest tests catch it before anyone ships it.
    if (d.HasParseError()) throw std::logic_error("schema/manifest.schema.json is not valid JSON");
    return d;
  }();
  return doc;
}

const rapidjson::SchemaDocument& manifest_schema() {
  static const rapidjson::SchemaDocument schema(manifest_schema_json());
  return schema;
}

}  // namespace streamhost::host

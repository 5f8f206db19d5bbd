// schema/manifest.schema.json, compiled into the binary so `validate` works from any folder.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

namespace streamhost::host {

const char* manifest_schema_text();  // generated at configure time from schema/manifest.schema.json

// Parsed once, on first use; thread-safe.
const rapidjson::Document& manifest_schema_json();
const rapidjson::SchemaDocument& manifest_schema();

}  // namespace streamhost::host

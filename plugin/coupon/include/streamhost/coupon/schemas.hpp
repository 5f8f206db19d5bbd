// The project's JSON Schemas, embedded at build time (see plugin/coupon/cmake/embed_texts.cmake).
#pragma once

#include <streamhost/coupon/json_schema.hpp>
#include <string_view>

namespace streamhost::coupon {

enum class SchemaId {
  kCustomerEntry,
  kCustomerFocus,
  kPredictionResult,
  kScorerRequest,
  kScorerResponse,
  kPluginConfig,
  kCouponModel,
};

// The schema's JSON text; static storage.
std::string_view schema_text(SchemaId id);

// The compiled schema, built once on first use; thread-safe.
const JsonSchema& schema(SchemaId id);

// The model file the plugin falls back to when no model.path is configured.
std::string_view default_model_text();

}  // namespace streamhost::coupon

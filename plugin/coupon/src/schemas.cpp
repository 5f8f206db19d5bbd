#include <memory>
#include <mutex>
#include <streamhost/coupon/schemas.hpp>

namespace streamhost::coupon {
namespace embedded {
// Defined in the generated embedded_texts.cpp.
extern const std::string_view kCustomerEntrySchema;
extern const std::string_view kCustomerFocusSchema;
extern const std::string_view kPredictionResultSchema;
extern const std::string_view kScorerRequestSchema;
extern const std::string_view kScorerResponseSchema;
extern const std::string_view kPluginConfigSchema;
extern const std::string_view kCouponModelSchema;
extern const std::string_view kDefaultModel;
}  // namespace embedded

std::string_view schema_text(SchemaId id) {
  switch (id) {
    case SchemaId::kCustomerEntry:
      return embedded::kCustomerEntrySchema;
    case SchemaId::kCustomerFocus:
      return embedded::kCustomerFocusSchema;
    case SchemaId::kPredictionResult:
      return embedded::kPredictionResultSchema;
    case SchemaId::kScorerRequest:
      return embedded::kScorerRequestSchema;
    case SchemaId::kScorerResponse:
      return embedded::kScorerResponseSchema;
    case SchemaId::kPluginConfig:
      return embedded::kPluginConfigSchema;
    case SchemaId::kCouponModel:
      return embedded::kCouponModelSchema;
  }
  return {};
}

const JsonSchema& schema(SchemaId id) {
  static constexpr int kCount = static_cast<int>(SchemaId::kCouponModel) + 1;
  static std::once_flag once[kCount];
  static std::unique_ptr<JsonSchema> compiled[kCount];
  const int i = static_cast<int>(id);
  std::call_once(once[i], [&] { compiled[i] = std::make_unique<JsonSchema>(schema_text(id)); });
  return *compiled[i];
}

std::string_view default_model_text() {
  return embedded::kDefaultModel;
}

}  // namespace streamhost::coupon

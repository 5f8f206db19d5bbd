#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <streamhost/coupon/json_schema.hpp>
#include <streamhost/coupon/linear_models.hpp>
#include <streamhost/coupon/model.hpp>
#include <streamhost/coupon/schemas.hpp>
#include <streamhost/coupon/tree_ensemble.hpp>

namespace streamhost::coupon {
namespace {

constexpr std::array<const char*, 4> kKinds{"gradient_boosting", "random_forest",
                                            "logistic_regression", "scaled_logistic"};

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("model: " + what);
}

// The model file's schema with "model" narrowed to one kind. The published schema says "oneOf
// the kinds", which a validator can only report as "matches none"; narrowed, a mistake inside a
// tree is reported at its field, in one validation pass.
const JsonSchema& schema_for_kind(size_t kind) {
  static std::once_flag once;
  static std::array<std::unique_ptr<JsonSchema>, kKinds.size()> schemas;
  std::call_once(once, [] {
    for (size_t k = 0; k < kKinds.size(); ++k) {
      rapidjson::Document doc;
      const std::string_view text = schema_text(SchemaId::kCouponModel);
      doc.Parse(text.data(), text.size());
      rapidjson::Value& model = doc["properties"]["model"];
      model.SetObject();
      const std::string ref = std::string("#/definitions/") + kKinds[k];
      model.AddMember("$ref", rapidjson::Value(ref.c_str(), doc.GetAllocator()),
                      doc.GetAllocator());
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
      doc.Accept(writer);
      schemas[k] =
          std::make_unique<JsonSchema>(std::string_view(buffer.GetString(), buffer.GetSize()));
    }
  });
  return *schemas[kind];
}

std::string kinds_text() {
  std::string out;
  for (const char* k : kKinds) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

}  // namespace

Model Model::from_json(std::string_view json_text) {
  rapidjson::Document doc;
  // Full precision: thresholds must read back as exactly the doubles scikit-learn wrote.
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(json_text.data(), json_text.size());
  if (doc.HasParseError()) {
    bad("not JSON: " + parse_error_text(doc));
  }
  if (!doc.IsObject()) bad("expected a JSON object");
  // The few checks that explain themselves better than a schema message, first.
  auto format = doc.FindMember("format");
  if (format == doc.MemberEnd() || !format->value.IsString() ||
      std::string_view(format->value.GetString()) != "streamhost-coupon-model") {
    bad("format: expected \"streamhost-coupon-model\": not a coupon model file "
        "(schema/coupon_model.schema.json; tools/export-model writes one)");
  }
  auto format_version = doc.FindMember("format_version");
  if (format_version == doc.MemberEnd() || !format_version->value.IsInt() ||
      format_version->value.GetInt() != 1) {
    bad("format_version: this plugin reads version 1 of the coupon model format");
  }
  auto encoding_json = doc.FindMember("encoding");
  if (encoding_json == doc.MemberEnd()) bad("missing field encoding");
  FeatureEncoding encoding;
  try {
    encoding = FeatureEncoding::from_json(encoding_json->value);
  } catch (const std::invalid_argument& e) {
    bad(e.what());
  }
  auto model_json = doc.FindMember("model");
  if (model_json == doc.MemberEnd() || !model_json->value.IsObject()) bad("missing field model");
  auto kind_json = model_json->value.FindMember("kind");
  if (kind_json == model_json->value.MemberEnd() || !kind_json->value.IsString())
    bad("model.kind: expected one of " + kinds_text());
  const std::string kind = kind_json->value.GetString();
  size_t k = 0;
  while (k < kKinds.size() && kind != kKinds[k]) ++k;
  if (k == kKinds.size()) bad("model.kind: \"" + kind + "\" is not one of " + kinds_text());
  if (auto why = schema_for_kind(k).check(doc)) bad(*why);

  Model m;
  m.name_ = doc["name"].GetString();
  m.version_ = doc["version"].GetString();
  m.kind_ = kind;
  m.encoding_ = encoding;
  const rapidjson::Value& model = model_json->value;
  try {
    if (kind == "gradient_boosting") {
      m.evaluator_ =
          TreeEnsemble::from_json(model, TreeEnsemble::Kind::kGradientBoosting, encoding);
    } else if (kind == "random_forest") {
      m.evaluator_ = TreeEnsemble::from_json(model, TreeEnsemble::Kind::kRandomForest, encoding);
    } else if (kind == "logistic_regression") {
      m.evaluator_ = LogisticRegression::from_json(model, encoding);
    } else {
      m.evaluator_ = ScaledLogistic::from_json(model, encoding);
    }
  } catch (const std::invalid_argument& e) {
    bad(e.what());
  }
  return m;
}

Model Model::load_file(const std::string& path) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("model file " + path + ": " + why);
  };
  const std::string limit = std::to_string(kMaxModelFileBytes >> 20) + " MiB";
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxModelFileBytes) fail("larger than the limit of " + limit);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot be read");
  // Chunks up to the limit, not the size announced: the path may be a pipe or still growing.
  std::string text;
  std::vector<char> chunk(size_t{1} << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    text.append(chunk.data(), static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxModelFileBytes) fail("larger than the limit of " + limit);
  }
  if (in.bad()) fail("read error");
  try {
    return from_json(text);
  } catch (const std::invalid_argument& e) {
    std::string why = e.what();
    if (why.starts_with("model: ")) why.erase(0, 7);
    fail(why);
  }
  throw std::logic_error("unreachable");
}

CouponTable Model::make_table(const std::vector<CouponFeatures>& coupons) const {
  for (const CouponFeatures& c : coupons) {
    if (!std::isfinite(c.mean_coupon_discount) || !std::isfinite(c.mean_item_price))
      throw std::invalid_argument("coupon " + std::to_string(c.coupon_id) +
                                  ": its features must be finite numbers");
  }
  CouponTable table;
  evaluator_->make_table(coupons, table);
  table.built_by = evaluator_.get();
  return table;
}

void Model::score(const CustomerInfo& customer, const CouponTable& table,
                  std::vector<double>& predictions) const {
  if (table.size != 0 && table.built_by != evaluator_.get())
    throw std::logic_error("coupon table built for another model");
  predictions.resize(table.size);
  if (table.size != 0) evaluator_->score(customer, table, predictions.data());
}

double Model::predict(const CustomerInfo& customer, const CouponFeatures& coupon) const {
  return evaluator_->predict(customer, coupon);
}

}  // namespace streamhost::coupon

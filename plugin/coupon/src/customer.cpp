#include <streamhost/coupon/customer.hpp>

namespace streamhost::coupon {

std::optional<size_t> customer_field_index(std::string_view name) {
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    if (name == kCustomerFields[i].name) return i;
  }
  return std::nullopt;
}

const CustomerFieldDef* first_unknown_field(const CustomerInfo& customer) {
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    if (customer.fields[i].null) return &kCustomerFields[i];
  }
  return nullptr;
}

void write_customer_json(const CustomerInfo& customer,
                         rapidjson::Writer<rapidjson::StringBuffer>& writer) {
  writer.StartObject();
  writer.Key("customer_id");
  writer.Int64(customer.customer_id);
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    const FieldValue& v = customer.fields[i];
    writer.Key(kCustomerFields[i].wire);
    if (v.null) {
      writer.Null();
    } else if (kCustomerFields[i].kind == FieldKind::kText) {
      writer.String(v.text.data(), static_cast<rapidjson::SizeType>(v.text.size()));
    } else if (kCustomerFields[i].kind == FieldKind::kInteger) {
      writer.Int64(static_cast<int64_t>(v.number));
    } else {
      writer.Double(v.number);
    }
  }
  writer.EndObject();
}

std::string customer_to_json(const CustomerInfo& customer) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  write_customer_json(customer, writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

CustomerInfo customer_from_json(const rapidjson::Value& object) {
  CustomerInfo customer;
  customer.customer_id = object["customer_id"].GetInt64();
  for (size_t i = 0; i < kCustomerFields.size(); ++i) {
    auto it = object.FindMember(kCustomerFields[i].wire);
    if (it == object.MemberEnd() || it->value.IsNull()) continue;
    FieldValue& v = customer.fields[i];
    v.null = false;
    if (it->value.IsString()) {
      v.text.assign(it->value.GetString(), it->value.GetStringLength());
    } else if (it->value.IsNumber()) {
      v.number = it->value.GetDouble();
    }
  }
  return customer;
}

}  // namespace streamhost::coupon

#include "admin/readiness.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace streamhost::host::admin {

bool ReadinessReport::ready() const {
  for (const auto& c : checks) {
    if (!c.ok) return false;
  }
  return true;
}

void ReadinessReport::add(std::string name, bool ok, std::string detail) {
  checks.push_back({std::move(name), ok, std::move(detail)});
}

std::string ReadinessReport::to_json() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("ready");
  w.Bool(ready());
  w.Key("checks");
  w.StartArray();
  for (const auto& c : checks) {
    w.StartObject();
    w.Key("name");
    w.String(c.name);
    w.Key("ok");
    w.Bool(c.ok);
    if (!c.ok) {
      w.Key("detail");
      w.String(c.detail);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

}  // namespace streamhost::host::admin

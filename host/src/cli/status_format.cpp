#include "cli/status_format.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <streamhost/json/bounded_parse.hpp>
#include <string_view>
#include <vector>

#include "manifest/utf8.hpp"

namespace streamhost::host {
namespace {

using rapidjson::Value;
using Row = std::vector<std::string>;

// A cell's text as a terminal may show it: the answer is bytes from outside, so a control
// character (an escape sequence that would move the cursor or retitle the window, a line break
// that would forge a row) is written as \uXXXX, and a cell is cut after kMaxCell bytes, at a
// character's start, so one long name cannot widen a column without end.
constexpr size_t kMaxCell = 120;

std::string cell(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size();) {
    if (out.size() >= kMaxCell) return out + "...";
    // JSON parsing already refused what is not UTF-8; a stray byte would be copied as it is.
    const CodePoint cp = decode_utf8(in, i).value_or(CodePoint{0xFFFD, 1});
    if (is_control_character(cp.value)) {
      out += "\\u" + code_point_name(cp.value).substr(2);  // "U+001B" -> "\u001B"
    } else {
      out.append(in, i, cp.bytes);
    }
    i += cp.bytes;
  }
  return out;
}

std::string text(const Value& object, const char* key, const std::string& if_null = "-") {
  if (!object.IsObject() || !object.HasMember(key)) return if_null;
  const Value& v = object[key];
  if (v.IsString()) return cell({v.GetString(), v.GetStringLength()});
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsBool()) return v.GetBool() ? "yes" : "no";
  return if_null;
}

// Left-aligned columns two spaces apart; the last column is not padded.
std::string table(const std::vector<Row>& rows) {
  std::vector<size_t> width;
  for (const Row& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

const Value& array_member(const Value& doc, const char* key) {
  if (!doc.IsObject() || !doc.HasMember(key) || !doc[key].IsArray()) {
    throw std::invalid_argument(std::string("the admin endpoint's answer has no \"") + key +
                                "\" list");
  }
  return doc[key];
}

}  // namespace

std::string format_duration(double seconds) {
  // The figure comes from the answer: a double beyond a long (or NaN) cannot be converted.
  const double bounded = std::isfinite(seconds) && seconds > 0 ? std::min(seconds, 1e15) : 0.0;
  const long total = static_cast<long>(bounded);
  const long h = total / 3600, m = (total % 3600) / 60, s = total % 60;
  char buffer[64];
  if (h > 0) {
    std::snprintf(buffer, sizeof buffer, "%ldh %02ldm %02lds", h, m, s);
  } else if (m > 0) {
    std::snprintf(buffer, sizeof buffer, "%ldm %02lds", m, s);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lds", s);
  }
  return buffer;
}

std::string format_status(const std::string& pipeline_json, const std::string& partitions_json) {
  rapidjson::Document pipeline, partitions;
  // A running host's answers are still bytes from outside: parsed with bounded depth.
  const bool parsed = !json::parse_bounded(pipeline, pipeline_json) &&
                      !json::parse_bounded(partitions, partitions_json);
  if (!parsed || !pipeline.IsObject()) {
    throw std::invalid_argument("the admin endpoint did not answer with the management API's JSON");
  }
  std::string out;
  const std::string reason = text(pipeline, "reason", "");
  const double uptime =
      pipeline.HasMember("uptime_seconds") && pipeline["uptime_seconds"].IsNumber()
          ? pipeline["uptime_seconds"].GetDouble()
          : 0.0;
  out += table(
      {{"pipeline:", text(pipeline, "name")},
       {"state:", text(pipeline, "state") + (reason.empty() ? "" : " (" + reason + ")")},
       {"uptime:", format_duration(uptime)},
       {"polled:", pipeline.HasMember("poll_age_seconds") && pipeline["poll_age_seconds"].IsNumber()
                       ? format_duration(pipeline["poll_age_seconds"].GetDouble()) + " ago"
                       : "-"},
       {"workers:",
        text(pipeline, "workers") + ", " + text(pipeline, "in_flight") + " records in flight" +
            (text(pipeline, "backpressure") == "yes" ? ", in-flight cap reached" : "")}});

  std::vector<Row> routes{{"ROUTE", "TOPIC", "HANDLER", "OUTPUT", "PAUSED"}};
  for (const Value& r : array_member(pipeline, "routes").GetArray()) {
    routes.push_back({text(r, "name"), text(r, "topic"), text(r, "handler"),
                      text(r, "output_topic"), text(r, "paused")});
  }
  out += "\n" + table(routes);

  std::vector<Row> plugins{{"PLUGIN", "VERSION", "ABI", "LIBRARY"}};
  for (const Value& p : array_member(pipeline, "plugins").GetArray()) {
    std::string name = text(p, "name");
    if (text(p, "plugin") != name) name += " (" + text(p, "plugin") + ")";
    plugins.push_back({name, text(p, "version"), text(p, "abi_version"), text(p, "library")});
  }
  out += "\n" + table(plugins);

  const Value& list = array_member(partitions, "partitions");
  if (list.Empty()) {
    out += "\nno partitions assigned (yet)\n";
    return out;
  }
  std::vector<Row> rows{
      {"TOPIC", "PARTITION", "COMMITTED", "LAST HANDED", "LOG END", "LAG", "IN FLIGHT", "PAUSED"}};
  for (const Value& p : list.GetArray()) {
    std::string paused = "no";
    // A partition that is not an object shows as a row of "-" (HasMember is defined only for
    // objects: RapidJSON asserts).
    if (p.IsObject() && p.HasMember("paused_because") && p["paused_because"].IsArray() &&
        !p["paused_because"].Empty()) {
      std::string reasons;
      for (const Value& why : p["paused_because"].GetArray()) {
        if (why.IsString()) {
          reasons +=
              (reasons.empty() ? "" : "; ") + std::string(why.GetString(), why.GetStringLength());
        }
      }
      paused = cell(reasons);
    }
    std::string log_end = text(p, "log_end_offset");
    if (p.IsObject() && p.HasMember("log_end_error")) log_end += " (stale)";
    rows.push_back({text(p, "topic"), text(p, "partition"), text(p, "committed_offset"),
                    text(p, "last_dispatched_offset"), log_end,
                    text(p, "lag") + (text(p, "lag_from_start") == "yes" ? " (from start)" : ""),
                    text(p, "in_flight"), paused});
  }
  out += "\n" + table(rows);
  return out;
}

}  // namespace streamhost::host

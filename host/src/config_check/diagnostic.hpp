// One problem found in a manifest (or a plugin config), located by key path and YAML line.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace streamhost::host {

struct Diagnostic {
  std::string path;  // "routes[1].handler"; empty for the document itself
  int line = 0;      // 1-based YAML line; 0 when unknown
  std::string message;

  // "<file>:<line>: <path>: <message>", leaving out what is unknown.
  std::string format(const std::string& file) const;
};

// Where each JSON value converted from YAML came from, keyed by JSON Pointer ("/routes/1/handler").
struct SourceMap {
  std::unordered_map<std::string, int> lines;  // line of the key (map members) or the item
  std::unordered_map<std::string, std::string> plain_texts;  // plain scalars' text after ${}
  // The ${VAR} references a scalar was interpolated from, as written ("${MIN_DWELL_S}"), so a
  // message about the value names the variable to fix.
  std::unordered_map<std::string, std::string> variables;

  // The line of `pointer` or of its closest ancestor that has one; 0 when none.
  int line_of(const std::string& pointer) const;
  // " (from ${VAR})" when the value at `pointer` came from variables; empty otherwise.
  std::string variables_note(const std::string& pointer) const;
  // The entries at and below `pointer`, re-rooted there: a plugin's config as its own document.
  SourceMap below(const std::string& pointer) const;
};

// Appends one JSON Pointer token, escaped ("~" -> "~0", "/" -> "~1").
std::string pointer_child(const std::string& pointer, const std::string& token);

// The display path of a member or an item: "a" + "b" -> "a.b", "a" + index 1 -> "a[1]".
std::string path_member(const std::string& path, const std::string& key);
std::string path_item(const std::string& path, size_t index);

std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics, const std::string& file);

}  // namespace streamhost::host

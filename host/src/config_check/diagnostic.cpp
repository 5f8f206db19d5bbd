#include "config_check/diagnostic.hpp"

namespace streamhost::host {

std::string Diagnostic::format(const std::string& file) const {
  std::string out = file;
  if (line > 0) out += (out.empty() ? "line " : ":") + std::to_string(line);
  if (!out.empty()) out += ": ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

int SourceMap::line_of(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = lines.find(p);
    if (it != lines.end()) return it->second;
    if (p.empty()) return 0;
    p.erase(p.rfind('/'));
  }
}

std::string SourceMap::variables_note(const std::string& pointer) const {
  auto it = variables.find(pointer);
  return it == variables.end() ? "" : " (from " + it->second + ")";
}

SourceMap SourceMap::below(const std::string& pointer) const {
  SourceMap out;
  auto rebase = [&](const auto& from, auto& to) {
    for (const auto& [p, v] : from) {
      if (p == pointer) {
        to[""] = v;
      } else if (p.size() > pointer.size() && p.compare(0, pointer.size(), pointer) == 0 &&
                 p[pointer.size()] == '/') {
        to[p.substr(pointer.size())] = v;
      }
    }
  };
  rebase(lines, out.lines);
  rebase(plain_texts, out.plain_texts);
  rebase(variables, out.variables);
  return out;
}

std::string pointer_child(const std::string& pointer, const std::string& token) {
  std::string out = pointer + "/";
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string path_member(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string path_item(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics, const std::string& file) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    if (!out.empty()) out += "\n";
    out += d.format(file);
  }
  return out;
}

}  // namespace streamhost::host

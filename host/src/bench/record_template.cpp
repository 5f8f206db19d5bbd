#include "bench/record_template.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace streamhost::host::bench {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = text.find(separator, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

template <typename T>
T number(std::string_view text, std::string_view placeholder) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw TemplateError("{{" + std::string(placeholder) + "}}: \"" + std::string(text) +
                        "\" is not a number");
  }
  return value;
}

}  // namespace

RecordTemplate::Part RecordTemplate::parse_placeholder(std::string_view body) {
  Part part;
  auto fields = split(body, ':');
  const std::string_view name = fields[0];
  auto expect_fields = [&](size_t n, const char* form) {
    if (fields.size() != n) {
      throw TemplateError("{{" + std::string(body) + "}}: expected " + form);
    }
  };
  if (name == "seq") {
    expect_fields(1, "{{seq}}");
    part.kind = Kind::kSeq;
  } else if (name == "key") {
    expect_fields(1, "{{key}}");
    part.kind = Kind::kKey;
  } else if (name == "now_ms") {
    expect_fields(1, "{{now_ms}}");
    part.kind = Kind::kNowMs;
  } else if (name == "int") {
    expect_fields(3, "{{int:MIN:MAX}}");
    part.kind = Kind::kInt;
    part.min = number<int64_t>(fields[1], body);
    part.max = number<int64_t>(fields[2], body);
    if (part.min > part.max) throw TemplateError("{{" + std::string(body) + "}}: MIN > MAX");
  } else if (name == "float") {
    expect_fields(3, "{{float:MIN:MAX}}");
    part.kind = Kind::kFloat;
    part.fmin = number<double>(fields[1], body);
    part.fmax = number<double>(fields[2], body);
    if (!(part.fmin < part.fmax)) throw TemplateError("{{" + std::string(body) + "}}: MIN >= MAX");
  } else if (name == "choice") {
    part.kind = Kind::kChoice;
    const std::string_view list = body.substr(std::min(body.size(), name.size() + 1));
    for (auto choice : split(list, '|')) part.choices.emplace_back(choice);
    if (fields.size() < 2 || list.empty()) {
      throw TemplateError("{{" + std::string(body) + "}}: expected {{choice:A|B|...}}");
    }
  } else {
    throw TemplateError("unknown placeholder {{" + std::string(body) +
                        "}} (known: seq, int:MIN:MAX, float:MIN:MAX, choice:A|B, now_ms, key)");
  }
  return part;
}

void RecordTemplate::push_literal(std::string text) {
  Part part;
  part.literal = std::move(text);
  parts_.push_back(std::move(part));
}

RecordTemplate::RecordTemplate(std::string_view text) {
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 4) == "{{{{") {
      literal += "{{";
      i += 4;
      continue;
    }
    if (text.substr(i, 2) != "{{") {
      literal += text[i++];
      continue;
    }
    size_t close = text.find("}}", i + 2);
    if (close == std::string_view::npos) {
      throw TemplateError("\"{{\" at byte " + std::to_string(i) + " has no closing \"}}\"");
    }
    if (!literal.empty()) push_literal(std::move(literal));
    literal.clear();
    parts_.push_back(parse_placeholder(text.substr(i + 2, close - i - 2)));
    i = close + 2;
  }
  if (!literal.empty()) push_literal(std::move(literal));
}

std::string RecordTemplate::render(uint64_t seq, std::mt19937_64& random,
                                   std::string_view key) const {
  std::string out;
  char buffer[64];
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kLiteral:
        out += p.literal;
        break;
      case Kind::kSeq:
        out += std::to_string(seq);
        break;
      case Kind::kInt:
        out += std::to_string(std::uniform_int_distribution<int64_t>(p.min, p.max)(random));
        break;
      case Kind::kFloat:
        std::snprintf(buffer, sizeof buffer, "%.6f",
                      std::uniform_real_distribution<double>(p.fmin, p.fmax)(random));
        out += buffer;
        break;
      case Kind::kChoice:
        out += p.choices[std::uniform_int_distribution<size_t>(0, p.choices.size() - 1)(random)];
        break;
      case Kind::kKey:
        out += key;
        break;
      case Kind::kNowMs:
        out += std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
        break;
    }
  }
  return out;
}

}  // namespace streamhost::host::bench

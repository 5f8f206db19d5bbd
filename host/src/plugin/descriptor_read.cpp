#include "plugin/descriptor_read.hpp"

#include <algorithm>
#include <cstring>

namespace streamhost::host {
namespace {

template <typename T>
T read_covered(const void* raw, size_t size) {
  T out{};
  std::memcpy(&out, raw, std::min(size, sizeof(T)));
  return out;
}

}  // namespace

sh_plugin_descriptor read_descriptor(const sh_plugin_descriptor& raw) {
  sh_plugin_descriptor d = read_covered<sh_plugin_descriptor>(&raw, raw.struct_size);
  d.struct_size = raw.struct_size;
  return d;
}

size_t handler_def_stride(const sh_plugin_descriptor& raw) {
  const sh_plugin_descriptor d = read_descriptor(raw);
  return d.handler_def_size != 0 ? d.handler_def_size : kHandlerDefSizeV1;
}

std::vector<sh_handler_def> read_handlers(const sh_plugin_descriptor& raw) {
  std::vector<sh_handler_def> handlers;
  if (raw.handlers == nullptr) return handlers;
  const size_t stride = handler_def_stride(raw);
  const auto* base = reinterpret_cast<const char*>(raw.handlers);
  for (size_t i = 0; i < raw.handler_count; ++i) {
    handlers.push_back(read_covered<sh_handler_def>(base + i * stride, stride));
  }
  return handlers;
}

}  // namespace streamhost::host

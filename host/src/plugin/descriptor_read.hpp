// Reading a plugin's descriptor and handler array in the host's own layout, whatever ABI minor the
// plugin was built against: only the bytes the plugin's sizes cover are read, the rest is zero.
// Older plugins have smaller structs (fields appended since are absent); a struct larger than the
// host's (trailing fields the host does not know) has those fields ignored.
#pragma once

#include <streamhost/plugin_api.h>

#include <cstddef>
#include <vector>

namespace streamhost::host {

// sizeof(sh_handler_def) in ABI 1.0 and 1.1, whose descriptors carry no handler_def_size.
inline constexpr size_t kHandlerDefSizeV1 = offsetof(sh_handler_def, emits);
// The largest handler_def_size the loader believes: room for many appended fields, and a bound on
// how far a corrupt value could make the host read.
inline constexpr size_t kMaxHandlerDefSize = 1024;

// The descriptor's fields its struct_size covers; struct_size itself is kept as the plugin gave it.
sh_plugin_descriptor read_descriptor(const sh_plugin_descriptor& raw);

// The stride of the plugin's handler array: handler_def_size, or the 1.1 size before ABI 1.2.
size_t handler_def_stride(const sh_plugin_descriptor& raw);

// Every handler of the plugin, each read with the plugin's stride and covering only its fields.
// Empty when the descriptor has no handler array.
std::vector<sh_handler_def> read_handlers(const sh_plugin_descriptor& raw);

}  // namespace streamhost::host

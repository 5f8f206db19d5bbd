#include "runtime/handler_call.hpp"

#include <array>
#include <chrono>

namespace streamhost::host::runtime {
namespace {

struct EmitContext {
  const Route* route;
  std::vector<EmittedRecord>* outputs;
};

extern "C" int emit_into_context(void* host_ctx, const char* topic, sh_bytes key, sh_bytes value) {
  auto* ctx = static_cast<EmitContext*>(host_ctx);
  try {
    EmittedRecord out;
    if (topic != nullptr) {
      out.topic = topic;
    } else if (ctx->route->output_topic) {
      out.topic = *ctx->route->output_topic;
    } else {
      return 1;  // nowhere to send it: the route declares no output topic
    }
    if (out.topic.empty()) return 1;
    if (key.data != nullptr) out.key.emplace(key.data, key.len);
    if (value.data != nullptr) out.value.assign(value.data, value.len);
    ctx->outputs->push_back(std::move(out));
    return 0;
  } catch (...) {
    return 1;  // never let an exception cross back into the plugin
  }
}

sh_bytes bytes_of(const std::optional<std::string>& s) {
  if (!s) return sh_bytes{nullptr, 0};
  return sh_bytes{s->data(), s->size()};
}

}  // namespace

HandlerResult call_handler(const Route& route, const connector::ConsumedRecord& record) {
  HandlerResult result;
  std::vector<sh_header> headers;
  headers.reserve(record.headers.size());
  for (const auto& h : record.headers) {
    headers.push_back(sh_header{{h.key.data(), h.key.size()}, {h.value.data(), h.value.size()}});
  }
  sh_record raw{};
  raw.struct_size = sizeof(sh_record);
  raw.topic = record.topic.c_str();
  raw.partition = record.partition;
  raw.offset = record.offset;
  raw.timestamp_ms = record.timestamp_ms;
  raw.key = bytes_of(record.key);
  raw.value = bytes_of(record.value);
  raw.headers = headers.empty() ? nullptr : headers.data();
  raw.header_count = headers.size();

  EmitContext ctx{&route, &result.outputs};
  sh_emitter emitter{&ctx, &emit_into_context};
  std::array<char, 1024> reason{};

  auto start = std::chrono::steady_clock::now();
  sh_status status = route.handler.handler->process(route.handler.plugin->instance(), &raw,
                                                    &emitter, reason.data(), reason.size());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  reason.back() = '\0';  // a plugin that forgot to terminate cannot make us read past the buffer

  switch (status) {
    case SH_STATUS_OK:
    case SH_STATUS_RETRY:
    case SH_STATUS_REJECT:
    case SH_STATUS_FATAL:
      result.status = status;
      if (status != SH_STATUS_OK) {
        result.reason = reason.data();
        if (result.reason.empty()) result.reason = "(the handler gave no reason)";
        result.outputs.clear();  // only OK outputs are ever produced
      }
      break;
    default:
      result.status = SH_STATUS_FATAL;
      result.reason = "handler " + route.plugin_name() + "/" + route.handler_name() +
                      " returned unknown status " + std::to_string(static_cast<int>(status));
      result.outputs.clear();
  }
  return result;
}

}  // namespace streamhost::host::runtime

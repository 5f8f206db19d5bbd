#include "plugin/handler_boundary.hpp"

#include <array>
#include <chrono>

namespace streamhost::host {
namespace {

// sh_header as ABI 1.0 and 1.1 lay it out. Plugins built before 1.2 step through the headers by
// their own sizeof(sh_header), so a host whose sh_header grew hands them a copy in this layout.
struct HeaderV1 {
  sh_bytes key;
  sh_bytes value;
};
constexpr bool kHeaderGrew = sizeof(sh_header) != sizeof(HeaderV1);

struct EmitContext {
  const HandlerTarget* target;
  std::vector<EmittedRecord>* outputs;
};

extern "C" int emit_into_context(void* host_ctx, const char* topic, sh_bytes key, sh_bytes value) {
  auto* ctx = static_cast<EmitContext*>(host_ctx);
  try {
    const uint32_t emits = ctx->target->handler->emits;
    if (emits == SH_EMITS_NOTHING) return 1;  // declared to emit nothing
    EmittedRecord out;
    if (topic != nullptr) {
      out.topic = topic;
    } else if (emits == SH_EMITS_TO_NAMED_TOPICS) {
      return 1;  // declared to name its topics, so it may not rely on the route's
    } else if (*ctx->target->output_topic) {
      out.topic = **ctx->target->output_topic;
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

HandlerResult call_plugin_handler(const HandlerTarget& target,
                                  const connector::ConsumedRecord& record) {
  HandlerResult result;
  std::vector<sh_header> headers;
  headers.reserve(record.headers.size());
  for (const auto& h : record.headers) {
    headers.push_back(
        sh_header{.key = {h.key.data(), h.key.size()}, .value = {h.value.data(), h.value.size()}});
  }
  std::vector<HeaderV1> old_layout;
  if (kHeaderGrew && target.plugin_abi_minor < 2) {
    for (const auto& h : record.headers) {
      old_layout.push_back(
          HeaderV1{{h.key.data(), h.key.size()}, {h.value.data(), h.value.size()}});
    }
  }
  const bool use_old = !old_layout.empty();
  sh_record raw{.struct_size = sizeof(sh_record),
                .topic = record.topic.c_str(),
                .partition = record.partition,
                .offset = record.offset,
                .timestamp_ms = record.timestamp_ms,
                .key = bytes_of(record.key),
                .value = bytes_of(record.value),
                .headers = headers.empty() ? nullptr : headers.data(),
                .header_count = headers.size(),
                .header_size = sizeof(sh_header)};
  if (use_old) {
    raw.headers = reinterpret_cast<const sh_header*>(old_layout.data());
    raw.header_size = sizeof(HeaderV1);
  }

  EmitContext ctx{&target, &result.outputs};
  const sh_emitter emitter{.host_ctx = &ctx, .emit = &emit_into_context};
  std::array<char, 1024> reason{};

  auto start = std::chrono::steady_clock::now();
  sh_status status =
      target.handler->process(target.instance, &raw, &emitter, reason.data(), reason.size());
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
      result.reason = "handler " + *target.plugin_name + "/" + target.handler->name +
                      " returned unknown status " + std::to_string(static_cast<int>(status));
      result.outputs.clear();
  }
  return result;
}

}  // namespace streamhost::host

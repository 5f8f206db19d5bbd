// Reads an HTTP body (a cpprestsdk request's or response's) with a limit on its size.
//
// A Content-Length check is not enough: a chunked body has no length, and cpprestsdk's
// extract_*() would read any amount into memory. This reads the body as it arrives and keeps at
// most `limit` bytes of it. What happens past the limit depends on the side:
// - a client stops at the first byte past it, and then cancels the request, which closes the
//   connection (Overflow::kStop);
// - a server cannot answer early: cpprestsdk's listener sends an answer only once the whole
//   request is read, and buffers what nobody reads. So the rest is read and dropped as it
//   arrives, memory stays bounded, and the answer (413) goes out at the end (Overflow::kDrain).
#pragma once

#include <cpprest/streams.h>
#include <pplx/pplxtasks.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace streamhost::net {

class BodyTooLarge : public std::runtime_error {
 public:
  explicit BodyTooLarge(size_t limit)
      : std::runtime_error("the body is over the limit of " + std::to_string(limit) + " bytes"),
        limit_(limit) {}
  size_t limit() const { return limit_; }

 private:
  size_t limit_;
};

enum class Overflow { kStop, kDrain };

namespace detail {

struct BodyRead {
  concurrency::streams::streambuf<uint8_t> source;
  size_t limit;
  Overflow overflow;
  bool over = false;
  std::string bytes;
  static constexpr size_t kChunk = 64 * 1024;
  // Every poll and produce reply is read through here: the buffer is not zero-filled first.
  std::unique_ptr<uint8_t[]> chunk = std::make_unique_for_overwrite<uint8_t[]>(kChunk);
  pplx::task_completion_event<std::string> done;
};

// One chunk per continuation, each starting the next and returning: a body of thousands of
// chunks makes no chain of nested tasks (which would complete recursively, one stack frame set
// per chunk); the result is set once, on `done`.
inline void read_next(std::shared_ptr<BodyRead> read) {
  read->source.getn(read->chunk.get(), BodyRead::kChunk).then([read](pplx::task<size_t> got) {
    try {
      const size_t n = got.get();
      if (n == 0) {
        if (read->over) throw BodyTooLarge(read->limit);
        read->done.set(std::move(read->bytes));
        return;
      }
      if (!read->over && n > read->limit - read->bytes.size()) {
        if (read->overflow == Overflow::kStop) throw BodyTooLarge(read->limit);
        read->over = true;
        read->bytes = std::string();  // freed now, not at the end of the drain
      }
      if (!read->over) {
        read->bytes.append(reinterpret_cast<const char*>(read->chunk.get()), n);
      }
    } catch (...) {
      read->done.set_exception(std::current_exception());
      return;
    }
    read_next(read);
  });
}

}  // namespace detail

// The whole body, or a task that fails with BodyTooLarge when more than `limit` bytes arrived
// (at once with kStop, at the end of the body with kDrain), or with the transport's error. Never
// blocks: chain on it, or get() it off cpprestsdk's pool.
inline pplx::task<std::string> read_body(const concurrency::streams::istream& body, size_t limit,
                                         Overflow overflow) {
  if (!body.is_valid()) return pplx::task_from_result(std::string());  // a message without a body
  auto read = std::make_shared<detail::BodyRead>();
  read->source = body.streambuf();
  read->limit = limit;
  read->overflow = overflow;
  pplx::task<std::string> result = pplx::create_task(read->done);
  detail::read_next(std::move(read));
  return result;
}

// Reads and drops a body nobody reads (a GET's, a 404's): cpprestsdk's listener would otherwise
// hold all of it in memory before answering.
inline void discard_body(const concurrency::streams::istream& body) {
  read_body(body, 0, Overflow::kDrain).then([](pplx::task<std::string> done) {
    try {
      done.get();
    } catch (...) {
      // Dropped on purpose (BodyTooLarge), or the client is gone: nothing to answer either way.
    }
  });
}

}  // namespace streamhost::net

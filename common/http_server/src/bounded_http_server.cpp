#include "streamhost/http_server/bounded_http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <iterator>
#include <limits>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace streamhost::http_server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// What one read may add to the buffer beyond the head limit (Beast reads up to 64 KiB at a time).
constexpr size_t kReadSlack = 64 * 1024;
// What a closing connection reads at a time, and drops, from a client still sending.
constexpr size_t kDrainChunk = 16 * 1024;
// After a failed accept (out of file descriptors), wait before the next one rather than spin.
constexpr std::chrono::milliseconds kAcceptBackoff{100};

// Where responders post their answers. It is cleared once the server thread has ended, so a
// responder that outlives the server finds nothing to post to.
struct PostTarget {
  std::mutex mutex;
  asio::io_context* io = nullptr;
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

// RFC 9112 6.1: a request's transfer codings must end in chunked, applied once; anything else
// leaves its body's length unknowable, and reading it one way while a proxy in front read it
// another is request smuggling. `codings` is every Transfer-Encoding field, joined with commas.
bool codings_end_in_chunked_once(std::string_view codings) {
  std::vector<std::string_view> tokens;
  size_t at = 0;
  while (at <= codings.size()) {
    size_t end = codings.find(',', at);
    if (end == std::string_view::npos) end = codings.size();
    std::string_view token = codings.substr(at, end - at);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    // A coding's parameters (";q=...") do not change its name.
    token = token.substr(0, token.find(';'));
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty()) tokens.push_back(token);
    at = end + 1;
  }
  if (tokens.empty() || !equal_ignoring_case(tokens.back(), "chunked")) return false;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (equal_ignoring_case(tokens[i], "chunked")) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equal_ignoring_case(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

class Session;

// One request's answer, shared by every copy of its responder: the first call sends it. If no
// copy ever calls, the last one's destruction sends a 500 instead, so a handler that loses its
// responder cannot hold the connection (and a slot under the cap) forever.
class PendingAnswer {
 public:
  PendingAnswer(std::shared_ptr<PostTarget> target, std::weak_ptr<Session> session)
      : target_(std::move(target)), session_(std::move(session)) {}
  PendingAnswer(const PendingAnswer&) = delete;
  PendingAnswer& operator=(const PendingAnswer&) = delete;
  ~PendingAnswer() {
    try {
      post(std::nullopt);
    } catch (...) {  // out of memory: the request deadline is all that is left
    }
  }

  void answer(HttpResponse response) { post(std::move(response)); }

 private:
  // nullopt: dropped unanswered.
  void post(std::optional<HttpResponse> response);

  std::shared_ptr<PostTarget> target_;
  std::weak_ptr<Session> session_;
  std::once_flag answered_;
};

class BoundedHttpServer::Impl {
 public:
  Impl(HttpLimits server_limits, HttpHandlers server_handlers)
      : limits(server_limits),
        handlers(std::move(server_handlers)),
        post_target(std::make_shared<PostTarget>()) {}

  void start(const std::string& host, uint16_t requested_port);
  void stop() noexcept;
  void accept();
  void admit(tcp::socket socket);
  void forget(const std::shared_ptr<Session>& session);
  // An exception escaped a callback on the server thread: say so, never throw.
  void report(const std::string& what) noexcept;
  void run() noexcept;

  const HttpLimits limits;
  const HttpHandlers handlers;
  std::shared_ptr<PostTarget> post_target;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_backoff{io};
  // Oldest first; touched on the server thread only.
  std::list<std::shared_ptr<Session>> sessions;
  uint16_t bound_port = 0;
  std::thread thread;
};

// One connection: read a head, maybe its body, hand the request over, write the answer; again
// while the client keeps the connection alive. Runs on the server thread only.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(BoundedHttpServer::Impl& server, tcp::socket socket)
      : server_(server),
        socket_(std::move(socket)),
        buffer_(server.limits.max_header_bytes + kReadSlack),
        timer_(server.io) {}

  // Waiting for (or receiving) a request head, or its answer's write stalled (the client does not
  // read): the connection a new one may displace at the cap.
  bool displaceable() const {
    if (state_ == State::kHead || state_ == State::kDraining) return true;
    return state_ == State::kWriting &&
           std::chrono::steady_clock::now() - write_started_ >= server_.limits.write_stall_timeout;
  }

  void begin() { read_head(); }

  void close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    ++deadline_generation_;
    timer_.cancel();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    server_.forget(shared_from_this());
  }

  // The handler's answer, on the server thread; nullopt when it dropped its responder unanswered.
  void respond(std::optional<HttpResponse> response) {
    if (state_ != State::kHandling) return;
    if (!response) return refuse(500, "the request was dropped without an answer");
    write(std::move(*response));
  }

 private:
  enum class State { kHead, kBody, kHandling, kWriting, kDraining, kClosed };

  // The connection closes when `after` passes, unless another deadline replaces this one first.
  void set_deadline(std::chrono::milliseconds after) {
    const uint64_t generation = ++deadline_generation_;
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
      if (!ec && generation == self->deadline_generation_) self->close();
    });
  }

  void clear_deadline() {
    ++deadline_generation_;
    timer_.cancel();
  }

  void read_head() {
    state_ = State::kHead;
    request_ = HttpRequest{};
    unread_body_ = false;
    head_request_ = false;
    head_.emplace();
    head_->header_limit(static_cast<uint32_t>(server_.limits.max_header_bytes));
    // The body is not read through this parser (nor counted by it): read_body() counts it. Not
    // boost::none: Boost 1.74 compares a Content-Length with it as if it were 0.
    head_->body_limit(std::numeric_limits<std::uint64_t>::max());
    if (buffer_.size() > 0) return read_header();  // pipelined: its clock has started
    set_deadline(server_.limits.idle_timeout);
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const error_code& ec) {
      if (self->state_ == State::kClosed) return;
      if (ec) return self->close();
      self->read_header();
    });
  }

  // From a request's first byte: the rest of it must arrive before request_timeout.
  void read_header() {
    set_deadline(server_.limits.request_timeout);
    http::async_read_header(
        socket_, buffer_, *head_,
        [self = shared_from_this()](const error_code& ec, size_t) { self->on_head_read(ec); });
  }

  void on_head_read(const error_code& ec) {
    if (state_ == State::kClosed) return;
    if (ec == http::error::header_limit || ec == asio::error::no_buffer_space) {
      return refuse(431, "the request head exceeds " +
                             std::to_string(server_.limits.max_header_bytes) + " bytes");
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == asio::error::eof) {
      return close();
    }
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        return refuse(400, "the request is not valid HTTP/1.1");
      }
      return close();
    }
    on_head();
  }

  void on_head() {
    const auto& message = head_->get();
    if (static_cast<size_t>(std::distance(message.begin(), message.end())) >
        server_.limits.max_header_count) {
      return refuse(431, "the request has more than " +
                             std::to_string(server_.limits.max_header_count) + " headers");
    }
    std::string codings;
    for (const auto& field : message) {
      if (field.name() != http::field::transfer_encoding) continue;
      if (!codings.empty()) codings += ',';
      codings += std::string(field.value());
    }
    if (message.count(http::field::transfer_encoding) > 0 &&
        (!codings_end_in_chunked_once(codings) || !head_->chunked())) {
      return refuse(400, "a request's Transfer-Encoding must end in chunked");
    }
    head_request_ = message.method() == http::verb::head;
    request_.method = std::string(message.method_string());
    request_.target = std::string(message.target());
    for (const auto& field : message) {
      request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    keep_alive_ = head_->keep_alive();
    const bool has_body = head_->chunked() || head_->content_length().value_or(0) > 0;
    if (!has_body) return handle();
    bool wanted = false;
    try {
      wanted = server_.handlers.wants_body(request_);
    } catch (...) {
    }
    if (!wanted) {
      unread_body_ = true;
      return handle();
    }
    if (head_->content_length().value_or(0) > server_.limits.max_body_bytes) {
      request_.body_too_large = true;
      unread_body_ = true;
      return handle();
    }
    read_body();
  }

  void read_body() {
    state_ = State::kBody;
    body_.emplace(std::move(*head_));
    head_.reset();
    body_->body_limit(server_.limits.max_body_bytes);
    auto self = shared_from_this();
    if (equal_ignoring_case(request_.header("Expect").value_or(""), "100-continue")) {
      continue_ = std::make_unique<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(socket_, *continue_, [self](const error_code& ec, size_t) {
        if (self->state_ == State::kClosed) return;
        if (ec) return self->close();
        self->read_body_rest();
      });
      return;
    }
    read_body_rest();
  }

  void read_body_rest() {
    http::async_read(
        socket_, buffer_, *body_,
        [self = shared_from_this()](const error_code& ec, size_t) { self->on_body(ec); });
  }

  void on_body(const error_code& ec) {
    if (state_ == State::kClosed) return;
    if (ec == http::error::body_limit) {
      request_.body_too_large = true;
      unread_body_ = true;
      body_.reset();
      return handle();
    }
    if (ec) return close();
    request_.body = std::move(body_->get().body());
    body_.reset();
    handle();
  }

  void handle() {
    state_ = State::kHandling;
    clear_deadline();
    head_.reset();
    auto pending = std::make_shared<PendingAnswer>(server_.post_target, weak_from_this());
    HttpResponder responder = [pending](HttpResponse response) {
      pending->answer(std::move(response));
    };
    pending.reset();  // the responder's copies alone decide when it is dropped
    try {
      server_.handlers.handle(std::move(request_), std::move(responder));
    } catch (...) {
      close();  // a handler that throws has no answer to give; the server thread goes on
    }
  }

  void refuse(int status, const std::string& reason) {
    unread_body_ = true;  // whatever else the client sends is dropped, not parsed
    keep_alive_ = false;
    HttpResponse answer{status, "text/plain; charset=utf-8", reason + "\n", {}};
    try {
      answer = server_.handlers.refusal(status, reason);
    } catch (const std::exception& e) {
      server_.report(std::string("the refusal handler failed: ") + e.what());
    } catch (...) {
      server_.report("the refusal handler failed");
    }
    write(std::move(answer));
  }

  void write(HttpResponse answer) {
    state_ = State::kWriting;
    write_started_ = std::chrono::steady_clock::now();
    if (unread_body_) keep_alive_ = false;
    try {
      response_ = std::make_unique<http::response<http::string_body>>();
      response_->version(11);
      response_->result(static_cast<unsigned>(answer.status));
      if (!answer.content_type.empty()) {
        response_->set(http::field::content_type, answer.content_type);
      }
      for (auto& [name, value] : answer.headers) response_->set(name, value);
      response_->body() = std::move(answer.body);
      response_->keep_alive(keep_alive_);
      response_->prepare_payload();
      // HEAD: the headers GET would get, Content-Length included, and no body (RFC 9110 9.3.2).
      if (head_request_) response_->body().clear();
    } catch (const std::exception& e) {
      server_.report(std::string("an answer could not be built: ") + e.what());
      return close();
    }
    set_deadline(server_.limits.request_timeout);
    http::async_write(
        socket_, *response_,
        [self = shared_from_this()](const error_code& ec, size_t) { self->on_written(ec); });
  }

  void on_written(const error_code& ec) {
    if (state_ == State::kClosed) return;
    response_.reset();
    if (ec) return close();
    if (keep_alive_) return read_head();
    // Closing at once, with the client's bytes unread, would reset the connection and could
    // destroy the answer before the client reads it: say we are done, then drop what still
    // arrives until the client closes or the deadline passes.
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    state_ = State::kDraining;
    set_deadline(server_.limits.request_timeout);
    drain_buffer_ = std::make_unique<char[]>(kDrainChunk);
    drain();
  }

  void drain() {
    socket_.async_read_some(asio::buffer(drain_buffer_.get(), kDrainChunk),
                            [self = shared_from_this()](const error_code& ec, size_t) {
                              if (self->state_ == State::kClosed) return;
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  BoundedHttpServer::Impl& server_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  asio::steady_timer timer_;
  State state_ = State::kHead;
  uint64_t deadline_generation_ = 0;
  bool keep_alive_ = true;
  bool unread_body_ = false;
  bool head_request_ = false;
  std::chrono::steady_clock::time_point write_started_;
  HttpRequest request_;
  std::optional<http::request_parser<http::empty_body>> head_;
  std::optional<http::request_parser<http::string_body>> body_;
  std::unique_ptr<http::response<http::empty_body>> continue_;
  std::unique_ptr<http::response<http::string_body>> response_;
  std::unique_ptr<char[]> drain_buffer_;
};

void PendingAnswer::post(std::optional<HttpResponse> response) {
  std::call_once(answered_, [&] {
    std::lock_guard lock(target_->mutex);
    if (target_->io == nullptr) return;
    asio::post(*target_->io, [session = session_, response = std::move(response)]() mutable {
      if (auto open = session.lock()) open->respond(std::move(response));
    });
  });
}

void BoundedHttpServer::Impl::report(const std::string& what) noexcept {
  try {
    if (handlers.on_error) return handlers.on_error(what);
  } catch (...) {
  }
  std::fprintf(stderr, "http server: %s\n", what.c_str());
}

// An exception escaping a callback would end the thread and, uncaught, the process: report it
// and run on (Asio allows run() to be called again after a handler threw).
void BoundedHttpServer::Impl::run() noexcept {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      report(std::string("a callback failed: ") + e.what());
    } catch (...) {
      report("a callback failed");
    }
  }
}

void BoundedHttpServer::Impl::start(const std::string& host, uint16_t requested_port) {
  const std::string address = host + ":" + std::to_string(requested_port);
  try {
    tcp::resolver resolver(io);
    const auto endpoints =
        resolver.resolve(host, std::to_string(requested_port),
                         tcp::resolver::passive | tcp::resolver::numeric_service);
    if (endpoints.empty()) throw std::runtime_error("no address for " + host);
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    bound_port = acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error("cannot listen on " + address + ": " + e.what());
  }
  {
    std::lock_guard lock(post_target->mutex);
    post_target->io = &io;
  }
  accept();
  thread = std::thread([this] { run(); });
}

void BoundedHttpServer::Impl::accept() {
  acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of file descriptors or similar: the pending connection stays in the backlog.
      accept_backoff.expires_after(kAcceptBackoff);
      accept_backoff.async_wait([this](const error_code& wait_ec) {
        if (!wait_ec) accept();
      });
      return;
    }
    admit(std::move(socket));
    accept();
  });
}

void BoundedHttpServer::Impl::admit(tcp::socket socket) {
  if (sessions.size() >= limits.max_connections) {
    std::shared_ptr<Session> oldest_waiting;
    for (const auto& session : sessions) {
      if (session->displaceable()) {
        oldest_waiting = session;
        break;
      }
    }
    if (!oldest_waiting) {
      error_code ignored;
      socket.close(ignored);
      return;
    }
    oldest_waiting->close();
  }
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<Session>(*this, std::move(socket));
  sessions.push_back(session);
  session->begin();
}

void BoundedHttpServer::Impl::forget(const std::shared_ptr<Session>& session) {
  sessions.remove(session);
}

void BoundedHttpServer::Impl::stop() noexcept {
  if (!thread.joinable()) return;
  asio::post(io, [this] {
    error_code ignored;
    acceptor.close(ignored);
    accept_backoff.cancel();
    // close() removes each from the list: close a copy.
    auto open = sessions;
    for (const auto& session : open) session->close();
    io.stop();
  });
  thread.join();
  std::lock_guard lock(post_target->mutex);
  post_target->io = nullptr;
}

BoundedHttpServer::BoundedHttpServer(HttpLimits limits, HttpHandlers handlers)
    : impl_(std::make_unique<Impl>(limits, std::move(handlers))) {}

BoundedHttpServer::~BoundedHttpServer() {
  stop();
}

void BoundedHttpServer::start(const std::string& host, uint16_t port) {
  impl_->start(host, port);
}

uint16_t BoundedHttpServer::port() const {
  return impl_->bound_port;
}

void BoundedHttpServer::stop() noexcept {
  impl_->stop();
}

}  // namespace streamhost::http_server

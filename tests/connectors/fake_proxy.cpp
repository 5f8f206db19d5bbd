#include "fake_proxy.hpp"

#include <arpa/inet.h>
#include <cpprest/http_listener.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace streamhost::testing {

struct FakeProxy::Impl {
  Handler handler;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
  mutable std::mutex mutex;
  std::vector<RecordedRequest> requests;
  std::vector<std::thread> delayed;  // late replies, joined on destruction

  void serve(web::http::http_request request) {
    RecordedRequest recorded;
    recorded.method = request.method();
    recorded.path = web::uri::decode(request.relative_uri().path());
    recorded.query = request.relative_uri().query();
    for (const auto& [name, value] : request.headers()) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      recorded.headers[lower] = value;
    }
    request.extract_utf8string(true).then(
        [this, request, recorded](pplx::task<std::string> body) mutable {
          try {
            recorded.body = body.get();
          } catch (...) {
          }
          FakeReply reply = handler(recorded);
          {
            std::lock_guard lock(mutex);
            requests.push_back(recorded);
          }
          auto send = [request, reply]() mutable {
            web::http::http_response response(static_cast<web::http::status_code>(reply.status));
            for (const auto& [name, value] : reply.headers) response.headers().add(name, value);
            if (!reply.body.empty()) response.set_body(reply.body, reply.content_type);
            request.reply(response).then([](pplx::task<void> done) {
              try {
                done.get();
              } catch (...) {  // the client gave up waiting: expected for slow replies
              }
            });
          };
          if (reply.delay.count() > 0) {
            std::lock_guard lock(mutex);
            delayed.emplace_back([send, delay = reply.delay]() mutable {
              std::this_thread::sleep_for(delay);
              send();
            });
          } else {
            send();
          }
        });
  }
};

FakeProxy::FakeProxy(Handler handler) : FakeProxy(std::move(handler), "", "") {}

FakeProxy::FakeProxy(Handler handler, const std::string& cert_file, const std::string& key_file)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  const bool tls = !cert_file.empty();
  url_ = (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(free_local_port());
  web::http::experimental::listener::http_listener_config config;
  if (tls) {
    config.set_ssl_context_callback([cert_file, key_file](boost::asio::ssl::context& context) {
      context.use_certificate_chain_file(cert_file);
      context.use_private_key_file(key_file, boost::asio::ssl::context::pem);
    });
  }
  impl_->listener =
      std::make_unique<web::http::experimental::listener::http_listener>(url_, config);
  impl_->listener->support([impl = impl_.get()](web::http::http_request r) { impl->serve(r); });
  impl_->listener->open().wait();
}

FakeProxy::~FakeProxy() {
  std::vector<std::thread> delayed;
  {
    std::lock_guard lock(impl_->mutex);
    delayed.swap(impl_->delayed);
  }
  for (auto& t : delayed) t.join();
  try {
    impl_->listener->close().wait();
  } catch (...) {
  }
}

std::vector<RecordedRequest> FakeProxy::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::vector<RecordedRequest> FakeProxy::requests_to(const std::string& method,
                                                    const std::string& suffix) const {
  std::vector<RecordedRequest> out;
  for (auto& r : requests()) {
    if (r.method == method && r.path.size() >= suffix.size() &&
        r.path.compare(r.path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace streamhost::testing

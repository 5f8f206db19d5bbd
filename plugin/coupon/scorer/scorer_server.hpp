// The coupon-scorer HTTP server: POST /score (schema/scorer_request -> scorer_response) and
// GET /healthcheck, scoring with the same Model the plugin embeds.
#pragma once

#include <cpprest/http_listener.h>

#include <memory>
#include <streamhost/coupon/model.hpp>
#include <string>

namespace streamhost::coupon {

// Answers one POST /score body: the response JSON, or throws RejectError (-> HTTP 400) with a
// reason naming the field. Exposed for tests.
std::string score_request_json(const Model& model, std::string_view request_body);

class ScorerServer {
 public:
  ScorerServer(std::shared_ptr<const Model> model, std::string address, int port);
  ~ScorerServer();
  ScorerServer(const ScorerServer&) = delete;
  ScorerServer& operator=(const ScorerServer&) = delete;

  // Starts listening; throws when the address cannot be bound.
  void start();
  void stop();
  // "http://<address>:<port>".
  std::string url() const;

 private:
  void handle(web::http::http_request request);

  std::shared_ptr<const Model> model_;
  std::string address_;
  int port_;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
};

}  // namespace streamhost::coupon

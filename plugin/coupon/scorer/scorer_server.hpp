// The coupon-scorer HTTP server: the original prediction service's API, POST /score
// (schema/scorer_request -> scorer_response; 422 with FastAPI's {"detail": [...]} for a request
// that fails validation) and GET /healthcheck (200 "OK"), scoring with the plugin's own Model.
#pragma once

#include <cpprest/http_listener.h>

#include <memory>
#include <streamhost/coupon/model.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace streamhost::coupon {

// A POST /score body that fails validation: the reason, where (the path below "body"), and
// pydantic's name for the kind of error ("missing", "int_type", "json_invalid", ...).
struct InvalidScorerRequest : std::runtime_error {
  InvalidScorerRequest(const std::string& reason, std::vector<std::string> where, std::string kind)
      : std::runtime_error(reason), location(std::move(where)), type(std::move(kind)) {}
  std::vector<std::string> location;
  std::string type;
};

// Answers one POST /score body: the response JSON, or throws InvalidScorerRequest (-> HTTP 422).
// Exposed for tests.
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

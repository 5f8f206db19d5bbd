// The coupon-scorer HTTP server: the original prediction service's API, POST /score
// (schema/scorer_request -> scorer_response; 422 with FastAPI's {"detail": [...]} for a request
// that fails validation) and GET /healthcheck (200 "OK"), scoring with the plugin's own Model.
// Served by streamhost::http_server (a request's head, body, timing and the connections are
// bounded: 16 KiB head, 8 MiB body, 60 s idle, 10 s per request, 64 connections); scoring runs on
// a pool of its own, one thread per core.
#pragma once

#include <memory>
#include <stdexcept>
#include <streamhost/coupon/model.hpp>
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

  // Starts listening; throws std::runtime_error naming the address when it cannot be bound.
  void start();
  // Closes every connection and joins the server's threads. Idempotent.
  void stop();
  // "http://<address>:<port>".
  std::string url() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::string address_;
  int port_;
};

}  // namespace streamhost::coupon

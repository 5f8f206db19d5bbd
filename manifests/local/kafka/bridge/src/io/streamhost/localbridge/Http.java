package io.streamhost.localbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Utilities for answering in the Strimzi bridge's wire format. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KAFKA_V2 = "application/vnd.kafka.v2+json";
  static final String KAFKA_JSON = "application/vnd.kafka.json.v2+json";
  static final String KAFKA_BINARY = "application/vnd.kafka.binary.v2+json";
  static final String KAFKA_TEXT = "application/vnd.kafka.text.v2+json";

  /** A request that cannot be served; carries the HTTP status the bridge would answer with. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Failure(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private Http() {}

  static byte[] body(HttpExchange ex) throws IOException {
    return ex.getRequestBody().readAllBytes();
  }

  /** Parses a JSON object body; an empty body yields null (several endpoints accept none). */
  static ObjectNode objectBody(HttpExchange ex) throws IOException {
    byte[] raw = body(ex);
    if (raw.length == 0) return null;
    JsonNode node;
    try {
      node = JSON.readTree(raw);
    } catch (IOException e) {
      throw new Failure(400, "Validation error on: body: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new Failure(400, "Validation error on: body: a JSON object is expected");
    }
    return (ObjectNode) node;
  }

  /** The bridge rejects unknown fields (its schemas set additionalProperties=false). */
  static void onlyFields(ObjectNode body, String... allowed) {
    if (body == null) return;
    body.fieldNames().forEachRemaining(name -> {
      for (String a : allowed) {
        if (a.equals(name)) return;
      }
      throw new Failure(400, "Validation error on: body: unknown property '" + name + "'");
    });
  }

  static void send(HttpExchange ex, int status, String contentType, JsonNode body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
    if (body != null) ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  static void noContent(HttpExchange ex) throws IOException {
    ex.sendResponseHeaders(204, -1);
    ex.close();
  }

  static void error(HttpExchange ex, int status, String message) throws IOException {
    ObjectNode err = JSON.createObjectNode();
    err.put("error_code", status);
    err.put("message", message == null ? "" : message);
    send(ex, status, KAFKA_V2, err);
  }

  static String query(HttpExchange ex, String name) {
    String q = ex.getRequestURI().getRawQuery();
    if (q == null) return null;
    for (String part : q.split("&")) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}

package io.streamhost.localbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.KafkaException;

/** The /consumers/... routes: named consumer instances kept in this process, as in the real bridge. */
final class Consumers {
  private final Properties baseProps;
  private final String bridgeId;
  private final Map<String, ConsumerInstance> instances = new ConcurrentHashMap<>();

  Consumers(Properties baseProps, String bridgeId) {
    this.baseProps = baseProps;
    this.bridgeId = bridgeId;
  }

  void closeAll() {
    instances.values().forEach(ConsumerInstance::close);
    instances.clear();
  }

  /** parts = path split on '/', starting after "consumers". */
  void route(HttpExchange ex, String[] parts) throws IOException {
    String method = ex.getRequestMethod();
    String group = parts[0];
    if (parts.length == 1 && method.equals("POST")) {
      create(ex, group);
      return;
    }
    if (parts.length < 3 || !parts[1].equals("instances")) throw new Http.Failure(404, "Not found");
    String key = group + "/" + parts[2];
    if (parts.length == 3 && method.equals("DELETE")) {
      ConsumerInstance gone = instances.remove(key);
      if (gone == null) throw new Http.Failure(404, "The specified consumer instance was not found.");
      gone.close();
      Http.noContent(ex);
      return;
    }
    ConsumerInstance c = instances.get(key);
    if (c == null) throw new Http.Failure(404, "The specified consumer instance was not found.");
    String action = String.join("/", java.util.Arrays.copyOfRange(parts, 3, parts.length));
    switch (method + " " + action) {
      case "POST subscription" -> {
        c.subscribe(Http.objectBody(ex));
        Http.noContent(ex);
      }
      case "DELETE subscription" -> {
        c.unsubscribe();
        Http.noContent(ex);
      }
      case "GET subscription" -> Http.send(ex, 200, Http.KAFKA_V2, c.subscription());
      case "POST assignments" -> {
        c.assign(Http.objectBody(ex));
        Http.noContent(ex);
      }
      case "GET records" -> records(ex, c);
      case "POST offsets" -> {
        c.commit(Http.objectBody(ex));
        Http.noContent(ex);
      }
      case "POST positions" -> {
        c.seek(Http.objectBody(ex));
        Http.noContent(ex);
      }
      case "POST positions/beginning" -> {
        c.seekToBeginning(Http.objectBody(ex));
        Http.noContent(ex);
      }
      case "POST positions/end" -> {
        c.seekToEnd(Http.objectBody(ex));
        Http.noContent(ex);
      }
      default -> throw new Http.Failure(404, "Not found");
    }
  }

  private void create(HttpExchange ex, String group) throws IOException {
    ObjectNode body = Http.objectBody(ex);
    Http.onlyFields(body, "name", "format", "auto.offset.reset", "enable.auto.commit", "fetch.min.bytes",
        "consumer.request.timeout.ms", "isolation.level");
    String name = text(body, "name", bridgeId + "-" + UUID.randomUUID());
    String format = text(body, "format", "binary");
    if (!format.equals("binary") && !format.equals("json") && !format.equals("text")) {
      throw new Http.Failure(422, "Invalid format type.");
    }
    Properties props = new Properties();
    props.putAll(baseProps);
    props.put("group.id", group);
    props.put("client.id", name);
    if (body != null) {
      JsonNode autoCommit = body.get("enable.auto.commit");
      if (autoCommit != null) {
        if (!autoCommit.isBoolean()) {
          throw new Http.Failure(400, "Instance type string is invalid. Expected boolean");
        }
        props.put("enable.auto.commit", String.valueOf(autoCommit.asBoolean()));
      }
      copy(body, props, "auto.offset.reset", "auto.offset.reset");
      copy(body, props, "fetch.min.bytes", "fetch.min.bytes");
      copy(body, props, "consumer.request.timeout.ms", "request.timeout.ms");
      copy(body, props, "isolation.level", "isolation.level");
    }
    String key = group + "/" + name;
    if (instances.containsKey(key)) {
      throw new Http.Failure(409,
          "A consumer instance with the specified name already exists in the Kafka Bridge.");
    }
    ConsumerInstance c;
    try {
      c = new ConsumerInstance(group, name, format, props);
    } catch (KafkaException e) {
      throw new Http.Failure(422, e.getMessage());
    }
    if (instances.putIfAbsent(key, c) != null) {
      c.close();
      throw new Http.Failure(409,
          "A consumer instance with the specified name already exists in the Kafka Bridge.");
    }
    ObjectNode reply = Http.JSON.createObjectNode();
    reply.put("instance_id", name);
    String host = ex.getRequestHeaders().getFirst("Host");
    if (host == null) host = ex.getLocalAddress().getHostString() + ":" + ex.getLocalAddress().getPort();
    if (!host.contains(":")) host = host + ":80";
    reply.put("base_uri", "http://" + host + "/consumers/" + group + "/instances/" + name);
    Http.send(ex, 200, Http.KAFKA_V2, reply);
  }

  private void records(HttpExchange ex, ConsumerInstance c) throws IOException {
    String accept = ex.getRequestHeaders().getFirst("Accept");
    String wanted = switch (c.format) {
      case "json" -> Http.KAFKA_JSON;
      case "text" -> Http.KAFKA_TEXT;
      default -> Http.KAFKA_BINARY;
    };
    if (!wanted.equals(accept)) {
      throw new Http.Failure(406,
          "Consumer format does not match the embedded format requested by the Accept header.");
    }
    if (Http.query(ex, "max_bytes") != null) {
      // Size limits are not implemented here; refuse instead of silently ignoring the bound.
      throw new Http.Failure(422, "max_bytes is not supported by this bridge");
    }
    String t = Http.query(ex, "timeout");
    long timeout = t == null || t.isEmpty() ? 100 : Long.parseLong(t);
    Http.send(ex, 200, wanted, c.poll(timeout));
  }

  private static String text(ObjectNode body, String field, String dflt) {
    return body != null && body.hasNonNull(field) ? body.get(field).asText() : dflt;
  }

  private static void copy(ObjectNode body, Properties props, String field, String kafkaKey) {
    if (body.hasNonNull(field)) props.put(kafkaKey, body.get(field).asText());
  }
}

package io.streamhost.localbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** POST /topics/{topic}[/partitions/{p}]: one shared producer, a per-record result as the bridge gives. */
final class Producing {
  private final KafkaProducer<byte[], byte[]> producer;

  Producing(Properties kafkaProps) {
    producer = new KafkaProducer<>(kafkaProps, new ByteArraySerializer(), new ByteArraySerializer());
  }

  void close() {
    producer.close();
  }

  void produce(HttpExchange ex, String topic, Integer pathPartition) throws IOException {
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    // Exact match on purpose: the real bridge picks its converter by string equality.
    if (!Http.KAFKA_JSON.equals(type) && !Http.KAFKA_BINARY.equals(type) && !Http.KAFKA_TEXT.equals(type)) {
      throw new Http.Failure(500, "Unsupported Content-Type: " + type);
    }
    ObjectNode body = Http.objectBody(ex);
    if (body == null || !body.path("records").isArray()) {
      throw new Http.Failure(400, "Validation error on: body: 'records' array is required");
    }
    Http.onlyFields(body, "records");
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    List<String> conversionErrors = new ArrayList<>();
    for (JsonNode rec : body.get("records")) {
      if (!rec.isObject() || !rec.has("value")) {
        throw new Http.Failure(400, "Validation error on: body: each record needs a 'value'");
      }
      Http.onlyFields((ObjectNode) rec, "key", "value", "partition", "timestamp", "headers");
      Integer partition = pathPartition;
      if (rec.has("partition")) {
        if (pathPartition != null) throw new Http.Failure(422, "Partition specified in body and in request path");
        partition = rec.get("partition").asInt();
      }
      Long ts = rec.has("timestamp") ? rec.get("timestamp").asLong() : null;
      ProducerRecord<byte[], byte[]> pr = new ProducerRecord<>(topic, partition, ts,
          encode(type, rec.get("key")), encode(type, rec.get("value")));
      for (JsonNode h : rec.path("headers")) {
        pr.headers().add(new RecordHeader(h.path("key").asText(),
            Base64.getDecoder().decode(h.path("value").asText(""))));
      }
      sends.add(producer.send(pr));
    }
    ArrayNode offsets = Http.JSON.createArrayNode();
    for (Future<RecordMetadata> f : sends) {
      ObjectNode o = offsets.addObject();
      try {
        RecordMetadata md = f.get();
        o.put("partition", md.partition());
        o.put("offset", md.offset());
      } catch (ExecutionException e) {
        String msg = String.valueOf(e.getCause() == null ? e : e.getCause().getMessage());
        o.put("error_code", msg.contains("not present in metadata") ? 404 : 500);
        o.put("message", msg);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        o.put("error_code", 500);
        o.put("message", "interrupted");
      }
    }
    ObjectNode reply = Http.JSON.createObjectNode();
    reply.set("offsets", offsets);
    Http.send(ex, 200, Http.KAFKA_V2, reply);
  }

  private static byte[] encode(String type, JsonNode node) throws IOException {
    if (node == null || node.isNull()) return null;
    if (Http.KAFKA_JSON.equals(type)) return Http.JSON.writeValueAsBytes(node);
    if (Http.KAFKA_TEXT.equals(type)) {
      if (!node.isTextual()) throw new Http.Failure(422, "text format needs string keys and values");
      return node.asText().getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw new Http.Failure(422, "binary format needs base64 keys and values");
    }
  }
}

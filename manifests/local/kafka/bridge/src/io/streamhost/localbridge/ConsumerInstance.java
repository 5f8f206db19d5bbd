package io.streamhost.localbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One named consumer of one group. KafkaConsumer is single-threaded, so every call on an instance is
 * synchronized; different instances run in parallel.
 */
final class ConsumerInstance {
  final String group;
  final String name;
  final String format;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private boolean subscribed;

  ConsumerInstance(String group, String name, String format, Properties props) {
    this.group = group;
    this.name = name;
    this.format = format;
    this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  synchronized void subscribe(ObjectNode body) {
    boolean hasTopics = body != null && body.has("topics");
    boolean hasPattern = body != null && body.has("topic_pattern");
    if (hasTopics && hasPattern) {
      throw new Http.Failure(409, "Subscriptions to topics, partitions, and patterns are mutually exclusive.");
    }
    if (!hasTopics && !hasPattern) {
      throw new Http.Failure(422, "A list (of Topics type) or a topic_pattern must be specified.");
    }
    try {
      if (hasTopics) {
        List<String> topics = new ArrayList<>();
        body.get("topics").forEach(t -> topics.add(t.asText()));
        consumer.subscribe(topics);
      } else {
        consumer.subscribe(Pattern.compile(body.get("topic_pattern").asText()));
      }
    } catch (IllegalStateException e) {
      throw new Http.Failure(409, e.getMessage());
    }
    subscribed = true;
  }

  synchronized void unsubscribe() {
    consumer.unsubscribe();
    subscribed = false;
  }

  synchronized ObjectNode subscription() {
    ObjectNode out = Http.JSON.createObjectNode();
    ArrayNode topics = out.putArray("topics");
    Map<String, ArrayNode> parts = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      parts.computeIfAbsent(tp.topic(), t -> {
        topics.add(t);
        return Http.JSON.createArrayNode();
      }).add(tp.partition());
    }
    ArrayNode partitions = out.putArray("partitions");
    parts.forEach((t, ps) -> partitions.addObject().set(t, ps));
    return out;
  }

  synchronized void assign(JsonNode body) {
    List<TopicPartition> tps = partitions(body);
    try {
      consumer.assign(tps);
    } catch (IllegalStateException e) {
      throw new Http.Failure(409, e.getMessage());
    }
    subscribed = true;
  }

  synchronized ArrayNode poll(long timeoutMs) throws IOException {
    if (!subscribed) {
      throw new Http.Failure(500, "Consumer is not subscribed to any topics or assigned any partitions");
    }
    ArrayNode out = Http.JSON.createArrayNode();
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(timeoutMs))) {
      ObjectNode o = out.addObject();
      o.put("topic", r.topic());
      o.set("key", decode(r.key()));
      o.set("value", decode(r.value()));
      o.put("partition", r.partition());
      o.put("offset", r.offset());
      o.put("timestamp", r.timestamp());
      if (r.headers().toArray().length > 0) {
        ArrayNode hs = o.putArray("headers");
        for (Header h : r.headers()) {
          ObjectNode ho = hs.addObject();
          ho.put("key", h.key());
          ho.put("value", h.value() == null ? "" : Base64.getEncoder().encodeToString(h.value()));
        }
      }
    }
    return out;
  }

  /** Commits exactly the offsets given (Kafka convention: next offset to read), or all polled so far. */
  synchronized void commit(ObjectNode body) {
    if (body == null) {
      consumer.commitSync();
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (JsonNode o : body.path("offsets")) {
      Http.onlyFields((ObjectNode) o, "topic", "partition", "offset");
      offsets.put(new TopicPartition(o.path("topic").asText(), o.path("partition").asInt()),
          new OffsetAndMetadata(o.path("offset").asLong()));
    }
    try {
      consumer.commitSync(offsets);
    } catch (RuntimeException e) {
      throw new Http.Failure(500, e.getMessage());
    }
  }

  synchronized void seek(JsonNode body) {
    for (JsonNode o : body.path("offsets")) {
      consumer.seek(new TopicPartition(o.path("topic").asText(), o.path("partition").asInt()),
          o.path("offset").asLong());
    }
  }

  synchronized void seekToBeginning(JsonNode body) {
    consumer.seekToBeginning(partitions(body));
  }

  synchronized void seekToEnd(JsonNode body) {
    consumer.seekToEnd(partitions(body));
  }

  synchronized void close() {
    consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
  }

  private JsonNode decode(byte[] data) throws IOException {
    if (data == null) return Http.JSON.nullNode();
    switch (format) {
      case "json":
        try {
          return Http.JSON.readTree(data);
        } catch (IOException e) {
          throw new Http.Failure(406, "Failed to decode a record value as JSON");
        }
      case "text":
        return Http.JSON.getNodeFactory().textNode(new String(data, StandardCharsets.UTF_8));
      default:
        return Http.JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(data));
    }
  }

  private static List<TopicPartition> partitions(JsonNode body) {
    List<TopicPartition> tps = new ArrayList<>();
    if (body != null) {
      for (JsonNode p : body.path("partitions")) {
        tps.add(new TopicPartition(p.path("topic").asText(), p.path("partition").asInt()));
      }
    }
    return tps;
  }
}

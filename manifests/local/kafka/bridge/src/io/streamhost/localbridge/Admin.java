package io.streamhost.localbridge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Topic listing, metadata, offsets and creation (GET /topics..., POST /admin/topics). */
final class Admin {
  private final AdminClient admin;

  Admin(Properties kafkaProps) {
    admin = AdminClient.create(kafkaProps);
  }

  void close() {
    admin.close();
  }

  void listTopics(HttpExchange ex) throws IOException {
    ArrayNode out = Http.JSON.createArrayNode();
    new TreeSet<>(await(admin.listTopics().names())).forEach(out::add);
    Http.send(ex, 200, Http.KAFKA_V2, out);
  }

  void describeTopic(HttpExchange ex, String topic) throws IOException {
    TopicDescription d = await(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("name", topic);
    out.putObject("configs");
    ArrayNode parts = out.putArray("partitions");
    for (TopicPartitionInfo p : d.partitions()) {
      ObjectNode po = parts.addObject();
      po.put("partition", p.partition());
      po.put("leader", p.leader() == null ? -1 : p.leader().id());
      ArrayNode reps = po.putArray("replicas");
      for (Node n : p.replicas()) {
        ObjectNode r = reps.addObject();
        r.put("broker", n.id());
        r.put("leader", p.leader() != null && p.leader().id() == n.id());
        r.put("in_sync", p.isr().contains(n));
      }
    }
    Http.send(ex, 200, Http.KAFKA_V2, out);
  }

  void partitionOffsets(HttpExchange ex, String topic, int partition) throws IOException {
    TopicPartition tp = new TopicPartition(topic, partition);
    long begin = await(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all()).get(tp).offset();
    long end = await(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all()).get(tp).offset();
    ObjectNode out = Http.JSON.createObjectNode();
    out.put("beginning_offset", begin);
    out.put("end_offset", end);
    Http.send(ex, 200, Http.KAFKA_V2, out);
  }

  void createTopic(HttpExchange ex) throws IOException {
    ObjectNode body = Http.objectBody(ex);
    if (body == null || !body.hasNonNull("topic_name")) {
      throw new Http.Failure(400, "Validation error on: body: 'topic_name' is required");
    }
    Http.onlyFields(body, "topic_name", "partitions_count", "replication_factor");
    Optional<Integer> partitions = body.hasNonNull("partitions_count")
        ? Optional.of(body.get("partitions_count").asInt()) : Optional.empty();
    Optional<Short> replicas = body.hasNonNull("replication_factor")
        ? Optional.of((short) body.get("replication_factor").asInt()) : Optional.empty();
    await(admin.createTopics(List.of(new NewTopic(body.get("topic_name").asText(), partitions, replicas)))
        .all());
    Http.send(ex, 201, Http.KAFKA_V2, null);
  }

  /** Waits on an admin future and maps Kafka's errors to the statuses the bridge answers with. */
  private static <T> T await(org.apache.kafka.common.KafkaFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof UnknownTopicOrPartitionException) throw new Http.Failure(404, c.getMessage());
      if (c instanceof TopicExistsException) throw new Http.Failure(409, c.getMessage());
      throw new Http.Failure(500, String.valueOf(c == null ? e.getMessage() : c.getMessage()));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new Http.Failure(503, "Kafka did not answer in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Http.Failure(500, "interrupted");
    }
  }
}

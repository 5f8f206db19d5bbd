package io.streamhost.localbridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP-to-Kafka bridge speaking the Strimzi Kafka Bridge's v2 dialect (the subset the
 * project uses): produce, consumer instances, subscribe, poll, commit, seek, topic metadata, topic
 * creation and the /healthy and /ready probes. Configured by the same application.properties keys:
 * bridge.id, http.host, http.port, kafka.* (all clients), kafka.producer.*, kafka.consumer.*,
 * kafka.admin.*. Unlike the real bridge it never reads environment variables.
 */
public final class LocalBridge {
  static final String VERSION = "0.33.1-compatible (streamhost local bridge)";

  private LocalBridge() {}

  public static void main(String[] args) throws Exception {
    String configFile = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config-file") && i + 1 < args.length) configFile = args[++i];
      else if (args[i].startsWith("--config-file=")) configFile = args[i].substring(14);
    }
    if (configFile == null) {
      System.err.println("usage: LocalBridge --config-file <application.properties>");
      System.exit(2);
    }
    Properties config = new Properties();
    try (InputStream in = new FileInputStream(configFile)) {
      config.load(in);
    }
    String bridgeId = config.getProperty("bridge.id", "local-bridge");
    String host = config.getProperty("http.host", "127.0.0.1");
    int port = Integer.parseInt(config.getProperty("http.port", "8080"));

    Producing producing = new Producing(clientProps(config, "producer", bridgeId));
    Consumers consumers = new Consumers(clientProps(config, "consumer", bridgeId), bridgeId);
    Admin admin = new Admin(clientProps(config, "admin", bridgeId));

    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    // Long polls block a worker, so keep more workers than a handful of concurrent consumers.
    ExecutorService workers = Executors.newFixedThreadPool(32);
    server.setExecutor(workers);
    server.createContext("/", ex -> dispatch(ex, producing, consumers, admin));
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(1);
      consumers.closeAll();
      producing.close();
      admin.close();
      workers.shutdownNow();
    }));
    System.err.println("HTTP-Kafka Bridge started and listening on port " + port);
  }

  /** kafka.* then kafka.<client>.* (the latter wins), the same layering as the real bridge. */
  private static Properties clientProps(Properties config, String client, String bridgeId) {
    Properties p = new Properties();
    String own = "kafka." + client + ".";
    for (String k : config.stringPropertyNames()) {
      if (k.startsWith("kafka.") && !k.startsWith("kafka.producer.") && !k.startsWith("kafka.consumer.")
          && !k.startsWith("kafka.admin.")) {
        p.put(k.substring(6), config.getProperty(k));
      }
    }
    for (String k : config.stringPropertyNames()) {
      if (k.startsWith(own)) p.put(k.substring(own.length()), config.getProperty(k));
    }
    if (!client.equals("consumer")) p.putIfAbsent("client.id", bridgeId + "-" + client);
    return p;
  }

  private static void dispatch(HttpExchange ex, Producing producing, Consumers consumers, Admin admin)
      throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      String[] parts = path.replaceAll("^/+|/+$", "").split("/");
      String method = ex.getRequestMethod();
      if (path.equals("/healthy") || path.equals("/ready")) {
        Http.noContent(ex);
      } else if (path.equals("/") && method.equals("GET")) {
        ObjectNode info = Http.JSON.createObjectNode();
        info.put("bridge_version", VERSION);
        Http.send(ex, 200, "application/json", info);
      } else if (parts[0].equals("topics")) {
        topics(ex, parts, method, producing, admin);
      } else if (parts[0].equals("consumers") && parts.length >= 2) {
        consumers.route(ex, java.util.Arrays.copyOfRange(parts, 1, parts.length));
      } else if (path.equals("/admin/topics") && method.equals("POST")) {
        admin.createTopic(ex);
      } else {
        throw new Http.Failure(404, "Not found");
      }
    } catch (Http.Failure f) {
      Http.error(ex, f.status, f.getMessage());
    } catch (NumberFormatException e) {
      Http.error(ex, 422, "Invalid number: " + e.getMessage());
    } catch (RuntimeException e) {
      Http.error(ex, 500, String.valueOf(e.getMessage()));
    }
  }

  private static void topics(HttpExchange ex, String[] parts, String method, Producing producing,
      Admin admin) throws IOException {
    if (parts.length == 1 && method.equals("GET")) {
      admin.listTopics(ex);
    } else if (parts.length == 2 && method.equals("POST")) {
      producing.produce(ex, parts[1], null);
    } else if (parts.length == 2 && method.equals("GET")) {
      admin.describeTopic(ex, parts[1]);
    } else if (parts.length == 4 && parts[2].equals("partitions") && method.equals("POST")) {
      producing.produce(ex, parts[1], Integer.parseInt(parts[3]));
    } else if (parts.length == 5 && parts[2].equals("partitions") && parts[4].equals("offsets")
        && method.equals("GET")) {
      admin.partitionOffsets(ex, parts[1], Integer.parseInt(parts[3]));
    } else {
      throw new Http.Failure(404, "Not found");
    }
  }
}

"""Checks a pipeline's KafkaTopic resources (the Strimzi Topic Operator's) against the topics its
pipeline manifest reads and writes once its variables are resolved: one KafkaTopic each, none
left over, enough partitions for the replicas, room for a broker's loss, a retention written down
for the dead-letter topic, and the Kafka cluster the KafkaBridge uses. The checks return the
problems they find, so their own tests can show that each one fails."""

import re

import deploy_files as df


def pipeline_topics(doc, env):
    """{topic: role} of a pipeline manifest (parsed YAML) with `env` resolving its variables; role
    is input, output or dead-letter."""
    topics = {}
    for route in doc.get("routes", []):
        topics[df.interpolate(route["topic"], env)] = "input"
        if route.get("output_topic"):
            topics.setdefault(df.interpolate(route["output_topic"], env), "output")
    if doc.get("dead_letter_topic"):
        topics[df.interpolate(doc["dead_letter_topic"], env)] = "dead-letter"
    return topics


def bridge_cluster(kafka_bridge):
    """The Strimzi cluster name of a KafkaBridge's bootstrap address (<cluster>-kafka-bootstrap)."""
    m = re.fullmatch(r"([a-z0-9-]+)-kafka-bootstrap(\.[a-z0-9.-]+)?:\d+", kafka_bridge["spec"]["bootstrapServers"])
    return m.group(1) if m else None


def problems(topics, kafka_topics, consumer_replicas, cluster):
    """Problems of `kafka_topics` (KafkaTopic objects) for a pipeline reading and writing `topics`
    ({name: role}) with `consumer_replicas` hosts in its group, on Strimzi cluster `cluster`."""
    found = []
    by_name = {}
    for kt in kafka_topics:
        name = kt["spec"].get("topicName") or kt["metadata"]["name"]
        if name in by_name:
            found.append(f"topic {name} has two KafkaTopics")
        by_name[name] = kt
    for name, role in sorted(topics.items()):
        kt = by_name.get(name)
        if kt is None:
            found.append(f"the {role} topic {name} has no KafkaTopic")
            continue
        spec = kt["spec"]
        config = spec.get("config") or {}
        if kt["apiVersion"] != "kafka.strimzi.io/v1beta2":
            found.append(f"{name}: apiVersion {kt['apiVersion']}, not kafka.strimzi.io/v1beta2")
        if (kt["metadata"].get("labels") or {}).get("strimzi.io/cluster") != cluster:
            found.append(f"{name}: strimzi.io/cluster is not {cluster}, the KafkaBridge's cluster")
        partitions, replicas = spec.get("partitions"), spec.get("replicas")
        if not isinstance(partitions, int) or partitions < 1:
            found.append(f"{name}: partitions {partitions!r}")
        elif role == "input" and partitions < consumer_replicas:
            found.append(f"{name}: {partitions} partitions for {consumer_replicas} replicas: a replica stays idle")
        min_isr = int(config.get("min.insync.replicas", 1))
        if not isinstance(replicas, int) or replicas <= min_isr:
            found.append(f"{name}: replicas {replicas!r} with min.insync.replicas {min_isr}: "
                         "one broker lost stops every write (acks=all)")
        if role == "dead-letter" and "retention.ms" not in config:
            found.append(f"{name}: the dead-letter topic's retention.ms is not written down")
    for name in sorted(set(by_name) - set(topics)):
        found.append(f"KafkaTopic {name} is not a topic of the pipeline")
    return found

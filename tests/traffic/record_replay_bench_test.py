#!/usr/bin/env python3
"""`streamhost replay`, `record` and `bench --input` against the local stack (real Kafka, the real
REST proxy): a JSONL file replayed to a topic is recorded back whole and unchanged, a recorded
slice honours its partitions and offsets, a recording replays again at its recorded pace, and
the recorded file benches through the field_mapper plugin.

Usage: record_replay_bench_test.py STREAMHOST_BIN PLUGIN_DIR FIELD_MAPPER_MANIFEST STACK_SCRIPT
Needs the stack's environment (eval "$(manifests/local/stack env)").
"""
import json
import os
import random
import subprocess
import sys
import tempfile

BIN, PLUGIN_DIR, MANIFEST, STACK = sys.argv[1:5]
# Like the other stack tests: another checkout's stack script when the stack runs from there.
STACK = os.environ.get("STREAMHOST_STACK_SCRIPT", STACK)
PROXY = os.environ.get("STREAMHOST_REST_PROXY_URL")
if not PROXY:
    sys.exit("STREAMHOST_REST_PROXY_URL is not set: run manifests/local/stack up and "
             "eval \"$(manifests/local/stack env)\" first")
DIALECT = os.environ.get("STREAMHOST_REST_PROXY_DIALECT", "strimzi")
SUFFIX = f"{random.randrange(10**9)}"
failures = []
passed = 0


def check(condition, message):
    global passed
    if condition:
        passed += 1
    else:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(*args, expect=0):
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)
    if result.returncode != expect:
        sys.exit(f"streamhost {' '.join(args)} exited {result.returncode}, expected {expect}\n"
                 f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result


def topic(name, partitions):
    subprocess.run([STACK, "topic", name, str(partitions)], check=True, capture_output=True)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def key_value(records):
    """What a record carries that replay sends: key and value, the value compared as JSON."""
    out = []
    for r in records:
        value = r.get("value")
        try:
            value = json.loads(value)
        except (TypeError, ValueError):
            pass
        out.append((r.get("key"), json.dumps(value, sort_keys=True)))
    return sorted(out)


proxy = ["--proxy", PROXY, "--dialect", DIALECT]
with tempfile.TemporaryDirectory() as tmp:
    source_topic, copy_topic = f"traffic-{SUFFIX}", f"traffic-copy-{SUFFIX}"
    topic(source_topic, 2)
    topic(copy_topic, 2)

    # 60 orders over 6 customers, 10 ms apart, plus one value that is not JSON.
    original = os.path.join(tmp, "orders.jsonl")
    with open(original, "w", encoding="utf-8") as f:
        for i in range(60):
            f.write(json.dumps({"key": f"c-{i % 6}", "timestamp": 1765100000000 + 10 * i,
                                "value": json.dumps({"order_id": i, "cust": f"c-{i % 6}",
                                                     "internal_note": "x"})}) + "\n")
        f.write(json.dumps({"key": "c-9", "timestamp": 1765100000600,
                            "value": "not JSON \u00e9"}) + "\n")

    replayed = run("replay", *proxy, "--input", original, "--topic", source_topic)
    check("61 of 61 records acknowledged" in replayed.stdout, f"replay said {replayed.stdout!r}")

    recorded = os.path.join(tmp, "recorded.jsonl")
    run("record", *proxy, "--topic", source_topic, "--partitions", "0,1", "-o", recorded)
    got = read_jsonl(recorded)
    check(len(got) == 61, f"recorded {len(got)} records, expected 61")
    check(key_value(got) == key_value(read_jsonl(original)),
          "the recorded keys and values differ from those replayed")
    check(all(r["topic"] == source_topic and r["partition"] in (0, 1) and r["offset"] >= 0
              and r.get("timestamp", -1) >= 0 for r in got) or DIALECT == "confluent",
          "a recorded record lacks its topic, partition, offset or timestamp")
    by_partition = {}
    for r in got:
        by_partition.setdefault(r["partition"], []).append(r["offset"])
    check(all(offsets == sorted(offsets) for offsets in by_partition.values()),
          "a partition's offsets were recorded out of order")

    # A slice: partition 0 from offset 2, before offset 5, is exactly those three records.
    if 0 in by_partition and len(by_partition[0]) >= 5:
        sliced = os.path.join(tmp, "slice.jsonl")
        run("record", *proxy, "--topic", source_topic, "--partitions", "0", "--from-offset", "2",
            "--to-offset", "5", "-o", sliced)
        check([r["offset"] for r in read_jsonl(sliced)] == [2, 3, 4],
              f"the slice holds offsets {[r['offset'] for r in read_jsonl(sliced)]}")
    limited = os.path.join(tmp, "limited.jsonl")
    run("record", *proxy, "--topic", source_topic, "--max-records", "7", "-o", limited)
    check(len(read_jsonl(limited)) == 7, "--max-records 7 did not record 7 records")

    # The recording replays again at its recorded pace (10 times faster) and comes back whole.
    if DIALECT != "confluent":  # Confluent v2 gives no timestamps to pace by
        run("replay", *proxy, "--input", recorded, "--topic", copy_topic, "--speed", "10")
        copied = os.path.join(tmp, "copied.jsonl")
        run("record", *proxy, "--topic", copy_topic, "--partitions", "0,1", "-o", copied)
        check(key_value(read_jsonl(copied)) == key_value(got),
              "the re-replayed recording came back different")

    # The recording benches through the field_mapper plugin: 60 mapped, the non-JSON one
    # rejected, as the pipeline would.
    env = dict(os.environ, STREAMHOST_PLUGIN_DIR=PLUGIN_DIR)
    bench = subprocess.run([BIN, "bench", "-f", MANIFEST, "--route", "orders", "--input", recorded,
                            "--count", "610", "--warmup", "61", "--rounds", "10"],
                           capture_output=True, text=True, timeout=120, env=env)
    check(bench.returncode == 0, f"bench exited {bench.returncode}: {bench.stderr}")
    check("610 records, OK 600, REJECT 10, RETRY 0, FATAL 0, 600 outputs" in bench.stdout,
          f"bench said {bench.stdout}")

print(f"traffic: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)

"""The REST proxy from Python, in either dialect (Strimzi bridge, Confluent REST Proxy / Karapace):
produce, a reading consumer, end offsets."""

import base64
import json
import random
import threading
import urllib.error
import urllib.request

from ..settings import now

BIN_CT = "application/vnd.kafka.binary.v2+json"
V2_CT = "application/vnd.kafka.v2+json"


def http_call(url, method="GET", body=None, headers=None, timeout=30):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, raw
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def b64(b):
    return None if b is None else base64.b64encode(b).decode()


class Bridge:
    def __init__(self, url, dialect):
        self.url = url
        self.dialect = dialect

    def produce(self, topic, records):
        """records: [(key bytes, value bytes)]; returns [(partition, offset) or error text]."""
        body = {"records": [{"key": b64(k), "value": b64(v)} for k, v in records]}
        st, raw = http_call("%s/topics/%s" % (self.url, topic), "POST", body,
                            {"Content-Type": BIN_CT, "Accept": V2_CT}, timeout=60)
        if st != 200:
            raise IOError("produce to %s: HTTP %d %s" % (topic, st, raw[:300]))
        out = []
        for o in json.loads(raw)["offsets"]:
            if o.get("error_code") is not None or "offset" not in o:
                # The text is in "message" on Strimzi, in "error" on Confluent.
                out.append("error %s: %s" % (o.get("error_code"), o.get("message") or o.get("error")))
            else:
                out.append((o["partition"], o["offset"]))
        return out

    def end_offset(self, topic, partition):
        st, raw = http_call("%s/topics/%s/partitions/%d/offsets" % (self.url, topic, partition),
                            headers={"Accept": V2_CT}, timeout=10)
        if st != 200:
            raise IOError("offsets of %s/%d: HTTP %d" % (topic, partition, st))
        return json.loads(raw)["end_offset"]


class Reader(threading.Thread):
    """Reads the output and dead-letter topics from the beginning with its own group, all the time,
    keeping every record once by (topic, partition, offset). Never commits; when its consumer
    instance is gone (bridge restarted, idle expiry) it makes a new one and reads again from the
    beginning, skipping what it has."""

    def __init__(self, bridge, topics, group):
        super().__init__(daemon=True)
        self.bridge, self.topics, self.group = bridge, topics, group
        self.records = {}
        self.lock = threading.Lock()
        self.stop_ev = threading.Event()
        self.base = None
        self.errors = 0

    def _create(self):
        name = "chaos-reader-%d" % random.randrange(1 << 30)
        body = {"name": name, "format": "binary", "auto.offset.reset": "earliest"}
        if self.bridge.dialect == "strimzi":
            body["enable.auto.commit"] = False
        else:
            body["auto.commit.enable"] = "false"
        group_url = "%s/consumers/%s" % (self.bridge.url, self.group)
        st, raw = http_call(group_url, "POST", body, {"Content-Type": V2_CT}, timeout=20)
        if st != 200:
            raise IOError("create reader: HTTP %d %s" % (st, raw[:200]))
        # Built from the configured URL, not base_uri, which names whatever host the proxy thinks
        # it is (a Confluent proxy's advertised listener, Karapace's rest_base_uri).
        base = "%s/instances/%s" % (group_url, json.loads(raw)["instance_id"])
        st, raw = http_call(base + "/subscription", "POST", {"topics": self.topics},
                            {"Content-Type": V2_CT}, timeout=20)
        if st != 204:
            raise IOError("subscribe reader: HTTP %d %s" % (st, raw[:200]))
        self.base = base

    def run(self):
        while not self.stop_ev.is_set():
            try:
                if self.base is None:
                    self._create()
                st, raw = http_call(self.base + "/records?timeout=500", headers={"Accept": BIN_CT},
                                    timeout=30)
                if st != 200:
                    raise IOError("poll: HTTP %d %s" % (st, raw[:200]))
                t = now()
                with self.lock:
                    for r in json.loads(raw):
                        k = (r["topic"], r["partition"], r["offset"])
                        if k not in self.records:
                            self.records[k] = {
                                "topic": r["topic"], "partition": r["partition"],
                                "offset": r["offset"], "ts": r.get("timestamp", 0) / 1000.0,
                                "seen": t,
                                "key": base64.b64decode(r["key"]) if r.get("key") else None,
                                "value": base64.b64decode(r["value"]) if r.get("value") else None}
            except Exception:  # noqa: BLE001 - any failure: a new instance after a pause
                self.errors += 1
                self.base = None
                self.stop_ev.wait(0.5)

    def snapshot(self):
        with self.lock:
            return list(self.records.values())

    def close(self):
        self.stop_ev.set()
        self.join(10)
        if self.base:
            try:
                http_call(self.base, "DELETE", timeout=5)
            except Exception:  # noqa: BLE001
                pass

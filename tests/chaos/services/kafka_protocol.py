"""Committed offsets and group state straight from Kafka (the Strimzi bridge has no "get committed"
route): FindCoordinator v1, DescribeGroups v1 and OffsetFetch v1 over the wire protocol, to the
single broker of the local stack (which coordinates every group)."""

import socket
import struct
import time


def _kstr(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


class KafkaOffsets:
    def __init__(self, addr):
        self.addr = addr
        self.sock = None
        self.corr = 0
        self.coordinated = None

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise IOError("kafka closed the connection")
            buf += chunk
        return buf

    def _call(self, api_key, version, body):
        if self.sock is None:
            self.sock = socket.create_connection(self.addr, timeout=10)
        self.corr += 1
        req = struct.pack(">hhi", api_key, version, self.corr) + _kstr("streamhost-chaos") + body
        try:
            self.sock.sendall(struct.pack(">i", len(req)) + req)
            size = struct.unpack(">i", self._recv(4))[0]
            return self._recv(size)
        except Exception:
            self.sock.close()
            self.sock = None
            raise

    def find_coordinator(self, group):
        """FindCoordinator v1; also makes the broker create __consumer_offsets when it is missing.
        Returns the Kafka error code (0 when the coordinator is known)."""
        resp = self._call(10, 1, _kstr(group) + struct.pack(">b", 0))
        (err,) = struct.unpack_from(">h", resp, 8)
        return err

    def group_state(self, group):
        """DescribeGroups v1: (state, number of members)."""
        resp = self._call(15, 1, struct.pack(">i", 1) + _kstr(group))
        pos = 4 + 4 + 4  # correlation id, throttle time, array length
        (err,) = struct.unpack_from(">h", resp, pos)
        pos += 2

        def string():
            nonlocal pos
            (ln,) = struct.unpack_from(">h", resp, pos)
            pos += 2
            v = resp[pos:pos + max(ln, 0)].decode(errors="replace")
            pos += max(ln, 0)
            return v
        string()  # group id
        state = string()
        string()  # protocol type
        string()  # protocol
        (members,) = struct.unpack_from(">i", resp, pos)
        return ("error %d" % err if err else state), members

    def fetch(self, group, topic_partitions):
        """{(topic, partition): committed offset or -1}."""
        while self.coordinated != group:
            for _ in range(50):
                if self.find_coordinator(group) == 0:
                    break
                time.sleep(0.2)
            self.coordinated = group
        body = _kstr(group) + struct.pack(">i", len(topic_partitions))
        for topic, parts in topic_partitions.items():
            body += _kstr(topic) + struct.pack(">i", len(parts))
            body += b"".join(struct.pack(">i", p) for p in parts)
        resp = self._call(9, 1, body)  # OffsetFetch v1
        pos = 4  # correlation id
        out = {}
        (nt,) = struct.unpack_from(">i", resp, pos)
        pos += 4
        for _ in range(nt):
            (ln,) = struct.unpack_from(">h", resp, pos)
            pos += 2
            topic = resp[pos:pos + ln].decode()
            pos += ln
            (np_,) = struct.unpack_from(">i", resp, pos)
            pos += 4
            for _ in range(np_):
                part, off, mlen = struct.unpack_from(">iqh", resp, pos)
                pos += 14
                if mlen > 0:
                    pos += mlen
                (err,) = struct.unpack_from(">h", resp, pos)
                pos += 2
                if err != 0:
                    raise IOError("OffsetFetch %s/%d: Kafka error %d" % (topic, part, err))
                out[(topic, part)] = off
        return out

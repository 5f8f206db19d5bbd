#!/usr/bin/env python3
"""The admin endpoint's resident set under the clients issue 27's review measured, against a running
`streamhost run` (BENCHMARKS.md, "Admin endpoint: RSS under hostile clients").

    hostile_clients.py PID PORT

PID is the host's process, PORT its admin port (a testing_without_kafka manifest is enough). Each
case prints the host's VmRSS before, at its peak (sampled every 2 ms) and after, what the client was
answered, and what a GET /healthz sent right after it is answered.
"""
import socket
import sys
import threading
import time


def vm_rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    return 0


def probe(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return s.recv(100).split(b"\r\n")[0].decode()


def big_head(port):
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * (64 << 20) + b"\r\n\r\n")
        except OSError:
            pass
        return s.recv(200).split(b"\r\n")[0].decode()


def big_chunk(port):
    # One 64 MiB chunk (its size line says so) of a chunked POST to a mutating endpoint.
    with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
        try:
            s.sendall(b"POST /pipeline/pause HTTP/1.1\r\nHost: x\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n4000000\r\n")
            for _ in range(64):
                s.sendall(b"[" * (1 << 20))
        except OSError:
            pass
        return s.recv(200).split(b"\r\n")[0].decode()


def idle_connections(port):
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(1000)]
    answer = probe(port)
    time.sleep(0.5)
    for s in sockets:
        s.close()
    return "1,000 opened; probe meanwhile: " + answer


def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    with open("/proc/loadavg") as f:
        print("loadavg", f.read().strip())
    for name, case in [("64 MiB request head", big_head),
                       ("64 MiB chunk of a chunked POST /pipeline/pause", big_chunk),
                       ("1,000 idle connections", idle_connections)]:
        peak = [0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], vm_rss_kb(pid))
                time.sleep(0.002)

        sampler = threading.Thread(target=sample)
        before = vm_rss_kb(pid)
        sampler.start()
        answer = case(port)
        stop.set()
        sampler.join()
        print(f"{name}: VmRSS {before / 1024:.1f} MiB before, {peak[0] / 1024:.1f} peak, "
              f"{vm_rss_kb(pid) / 1024:.1f} after; answer {answer!r}; probe after: {probe(port)}")
    with open("/proc/loadavg") as f:
        print("loadavg", f.read().strip())


if __name__ == "__main__":
    main()

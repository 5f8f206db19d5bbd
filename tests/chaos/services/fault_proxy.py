"""An HTTP fault proxy: in front of the scorer (stall, drip) or of the bridge (slow sink). The real
scorer and bridge cannot be made to stall or drip on demand, so the faults put this in front of them."""

import http.client
import http.server
import socketserver
import threading
import time


class FaultProxy:
    """Forwards HTTP/1.1 requests to `target` (host, port). `policy(method, path)` returns one of
    ("pass",), ("delay", seconds), ("stall",) (no answer until the policy changes; then the
    connection is closed), ("drip", seconds_per_byte)."""

    def __init__(self, target):
        self.target = target
        self.policy = lambda method, path: ("pass",)
        self.counts = {}
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _handle(self):
                try:
                    self._forward()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (its timeout): fine
                    proxy.counts["client gone"] = proxy.counts.get("client gone", 0) + 1

            def _forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                action = proxy.policy(self.command, self.path)
                proxy.counts[action[0]] = proxy.counts.get(action[0], 0) + 1
                if action[0] == "stall":
                    while proxy.policy(self.command, self.path)[0] == "stall":
                        time.sleep(0.2)
                    self.close_connection = True
                    return
                if action[0] == "delay":
                    time.sleep(action[1])
                conn = http.client.HTTPConnection(*proxy.target, timeout=120)
                hdrs = {k: v for k, v in self.headers.items()
                        if k.lower() not in ("host", "connection", "keep-alive", "content-length")}
                conn.request(self.command, self.path, body=body, headers=hdrs)
                r = conn.getresponse()
                data = r.read()
                conn.close()
                head = "HTTP/1.1 %d %s\r\n" % (r.status, r.reason)
                for k, v in r.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        head += "%s: %s\r\n" % (k, v)
                head += "Content-Length: %d\r\n\r\n" % len(data)
                out = head.encode() + data
                if action[0] == "drip":
                    for i in range(len(out)):
                        self.wfile.write(out[i:i + 1])
                        self.wfile.flush()
                        time.sleep(action[1])
                else:
                    self.wfile.write(out)

            def do_GET(self):
                self._handle()

            def do_POST(self):
                self._handle()

            def do_DELETE(self):
                self._handle()

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):
                proxy.counts["errors"] = proxy.counts.get("errors", 0) + 1

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.policy = lambda method, path: ("pass",)
        self.server.shutdown()
        self.server.server_close()


def url_target(url):
    rest = url.split("://", 1)[1].split("/", 1)[0]
    h, p = rest.rsplit(":", 1)
    return h, int(p)

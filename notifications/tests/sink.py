"""A group-robot endpoint on 127.0.0.1 for tests: records every POST, can fail, stall or signal."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RobotSink:
    def __init__(self, *, fail_first: int = 0, delay: float = 0.0):
        self.fail_first = fail_first
        self.delay = delay
        self.received: list[dict] = []  # every POST, including the failed ones
        self.accepted: list[dict] = []
        self.on_request = None  # callable(index) run before answering (e.g. to kill the sender mid-request)
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                entry = {"key": self.headers.get("X-Idempotency-Key"), "body": body}
                with sink.lock:
                    sink.received.append(entry)
                    index = len(sink.received)
                    failing = index <= sink.fail_first
                if sink.on_request is not None:
                    sink.on_request(index)
                if sink.delay:
                    time.sleep(sink.delay)
                if failing:
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"robot down")
                    return
                with sink.lock:
                    sink.accepted.append(entry)
                payload = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RobotSink:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

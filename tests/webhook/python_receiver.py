#!/usr/bin/env python3
"""A webhook consumer we did not write: Python's http.server, answering every POST with one
status. Prints its port on the first line of stdout, then appends each request's webhook-id to
the log file. Used by tests/webhook/python_receiver_test.cc.

usage: python_receiver.py STATUS PROTOCOL CONNECTION LOG
  STATUS      200, 201, 202, 204, ...
  PROTOCOL    HTTP/1.0 (one request per connection, as http.server does by default) or HTTP/1.1
  CONNECTION  keep-alive (HTTP/1.1: Content-Length, connection kept) or close (Connection: close
              sent, body delimited by the close)
"""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

status, protocol, connection, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = protocol

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock, open(log_path, "a") as log:
            log.write(f"{self.headers.get('webhook-id')} {len(body)}\n")
        self.send_response(status)
        if connection == "close":
            self.send_header("Connection", "close")
        if status == 204:
            self.end_headers()  # no body, no Content-Length: what frameworks send
            return
        payload = b'{"received":true}'
        if connection == "keep-alive":
            self.send_header("Content-Length", str(len(payload)))
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()

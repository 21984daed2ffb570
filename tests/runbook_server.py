"""Loopback HTTP servers for the runbook sync tests (library and CLI, and the hostile pty tests):
`Server` answers scripted replies per path and records the requests; `Trickler` answers one byte
at a time, so only the sync's overall deadline can end a fetch."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RUNBOOK = "# Failover drill\n\nPromote the replica with `patronictl failover`.\n"


@dataclass
class Reply:
    status: int = 200
    body: bytes = RUNBOOK.encode()
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Server:
    """Serves scripted replies per path (the last one repeats) and records every request."""

    def __init__(self) -> None:
        self.script: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                replies = server.script.get(self.path) or [Reply(404, b"not here")]
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
                if reply.delay:
                    server.release.wait(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    body = b"" if reply.status == 304 else reply.body
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class Trickler:
    """A raw 127.0.0.1 server that answers one byte at a time, every 20 ms, for as long as the
    client listens: in the status line and headers (`headers`), or in a long body (`body`)."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.stop = threading.Event()
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str = "/slow.md") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            if self.where == "body":
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\nContent-Length: 100000\r\n\r\n# Slow\n"
                )
                drip = b"x"
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                drip = b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
            while not self.stop.is_set():
                for byte in drip:
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        return  # the client hung up: the deadline cut it
                    if self.stop.wait(0.02):
                        return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(2)

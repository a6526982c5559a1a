"""A loopback HTTP server for a `ReplicaSite`, for tests, `scraper demo` and benchmarks.

    with ReplicaPortal(ReplicaSite(5)) as portal:
        httpx.get(portal.base_url + "/robots.txt")
        assert portal.hits["/robots.txt"] == 1

It speaks HTTP/1.1 with keep-alive (a benchmark crawl of 50,000 articles should not pay a TCP
handshake per page) on daemon threads, and records every request so tests can assert what a
crawler fetched.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

from scraper.replica.feeds import Response
from scraper.replica.pages import route
from scraper.replica.site import ReplicaSite

FaultHook = Callable[[str], Response | None]
"""Fault injection seam: called with the request target (path and query) before normal routing.

Return None to serve the page normally, or a `Response` to send instead (a 500, a 429 with
Retry-After...). A hook may sleep before returning to imitate a slow server, and may put its own
Content-Length in the headers, larger than the body, to imitate a truncated response: the server
then sends the body as given and closes the connection. Hooks run on server threads, concurrently.
A `Response` with status `ABORT` drops the connection without answering (a reset), and a body
that is an iterable of byte chunks instead of bytes is streamed (sizes beyond memory).
"""
ABORT = 0


class ReplicaPortal:
    """Serves `site` on http://host:port (port 0 picks a free port) from a background thread."""

    def __init__(
        self, site: ReplicaSite, host: str = "127.0.0.1", port: int = 0, faults: FaultHook | None = None
    ) -> None:
        self.site, self.host, self.port, self.faults = site, host, port, faults
        self.hits: Counter[str] = Counter()
        self.requests_log: list[tuple[float, str, str]] = []  # (time.monotonic(), method, target)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the portal is not running: call start() first")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _QuietServer((self.host, self.port), _handler_for(self))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"replica-portal-{self.base_url}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close idle keep-alive connections and release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # wakes handler threads blocked on a keep-alive read
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def reset_counters(self) -> None:
        with self._lock:
            self.hits.clear()
            self.requests_log.clear()

    def respond(self, method: str, target: str) -> Response:
        """Record the request, then answer it: fault hook first, then the site's routes."""
        with self._lock:
            self.hits[target] += 1
            self.requests_log.append((time.monotonic(), method, target))
        response = self.faults(target) if self.faults is not None else None
        if response is None:
            response = route(self.site, self.base_url, target)
        return response

    def _track(self, connection: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must never keep the process alive

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up mid-response (crawlers cancelling, benchmarks ending) are normal
        here; anything else is a bug in the replica and keeps the default traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def _handler_for(portal: ReplicaPortal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ReplicaVIVA/1.0"
        timeout = 30  # drop idle keep-alive connections eventually

        def setup(self) -> None:
            super().setup()
            portal._track(self.connection, True)

        def finish(self) -> None:
            portal._track(self.connection, False)
            super().finish()

        def do_GET(self) -> None:
            self._send(portal.respond("GET", self.path), with_body=True)

        def do_HEAD(self) -> None:
            self._send(portal.respond("HEAD", self.path), with_body=False)

        def _send(self, response: Response, with_body: bool) -> None:
            if response.status == ABORT:
                # Linger 0: closing sends a TCP reset, as a crashed server or middlebox would.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            self.send_response(response.status)
            headers = {key.lower(): (key, value) for key, value in response.headers.items()}
            for key, value in headers.values():
                self.send_header(key, value)
            declared = headers.get("content-length", (None, None))[1]
            streamed = not isinstance(response.body, bytes)
            if declared is None and not streamed:
                self.send_header("Content-Length", str(len(response.body)))
            elif declared is None or (not streamed and int(declared) != len(response.body)):
                self.close_connection = True  # the body will not match: the client must not reuse
                self.send_header("Connection", "close")
            self.end_headers()
            if with_body:
                for chunk in (response.body,) if not streamed else response.body:
                    self.wfile.write(chunk)

        def log_message(self, format: str, *args: object) -> None:
            pass  # tests and benchmarks would drown in access logs; `portal.requests_log` has them

    return Handler

"""A loopback HTTP server for a `ReplicaSite`, for tests, `scraper demo` and benchmarks.

    with ReplicaPortal(ReplicaSite(5)) as portal:
        httpx.get(portal.base_url + "/robots.txt")
        assert portal.hits["/robots.txt"] == 1

It speaks HTTP/1.1 with keep-alive (a benchmark crawl of 50,000 articles should not pay a TCP
handshake per page) on daemon threads, one per connection, and records every request so tests can
assert what a crawler fetched.

The server shares the machine with the crawler it serves, so it is kept cheap: a minimal HTTP/1.x
parser (request line, then only the headers it needs) instead of `http.server`'s email-parser
one, and each response goes out in one write. Pages come as their pre-encoded parts
(`pages.Chunks`), joined once with the response head.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import BinaryIO, Protocol, Self

from scraper.replica.document import Chunks
from scraper.replica.feeds import Response
from scraper.replica.pages import route_chunks
from scraper.replica.site import ReplicaSite


class ServedSite(Protocol):
    """A replica other than VIVA's (`family_layout.FamilyLayout`, `plain_site.PlainSite`): it
    answers every request target itself."""

    def respond(self, base_url: str, target: str) -> Response: ...


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

SERVER = f"ReplicaVIVA/1.0 Python/{sys.version.split()[0]}"
IDLE_TIMEOUT = 30.0  # drop idle keep-alive connections eventually
MAX_LINE = 65_536  # longest request or header line (http.server's limit)
MAX_HEADERS = 100
MAX_REQUEST_BODY = 1024 * 1024  # a GET with a body is odd; one larger than this closes the connection
_REASONS = {code: reason for code, (reason, _) in BaseHTTPRequestHandler.responses.items()}


class ReplicaPortal:
    """Serves `site` on http://host:port (port 0 picks a free port) from a background thread."""

    def __init__(
        self,
        site: ReplicaSite | ServedSite,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultHook | None = None,
    ) -> None:
        self.site, self.host, self.port, self.faults = site, host, port, faults
        self.hits: Counter[str] = Counter()
        self.requests_log: list[tuple[float, str, str]] = []  # (time.monotonic(), method, target)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._base_url = ""
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the portal is not running: call start() first")
        return self._base_url

    def start(self) -> Self:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _handler_for(self))
        self._server = server
        self._base_url = f"http://{self.host}:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"replica-portal-{self._base_url}",
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
        """Record the request, then answer it: fault hook first, then the site's routes. An HTML
        page of the site comes with a `pages.Chunks` body (see `route_chunks`)."""
        with self._lock:
            self.hits[target] += 1
            self.requests_log.append((time.monotonic(), method, target))
        response = self.faults(target) if self.faults is not None else None
        if response is None and isinstance(self.site, ReplicaSite):
            response = route_chunks(self.site, self.base_url, target)
        elif response is None:
            response = self.site.respond(self.base_url, target)
        return response

    def _track(self, connection: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # as http.server: a restarted benchmark can take the port back
    daemon_threads = True  # a stuck client must never keep the process alive
    request_queue_size = 128  # a crawler opening 16+ connections at once must not wait for SYN retries

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up mid-response (crawlers cancelling, benchmarks ending) are normal
        here; anything else is a bug in the replica and keeps the default traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Clock:
    """The Date header, formatted once per second rather than once per response."""

    def __init__(self) -> None:
        self.second, self.text = -1, ""

    def now(self) -> str:
        second = int(time.time())
        if second != self.second:  # threads may race here: both write the same text
            self.text, self.second = formatdate(second, usegmt=True), second
        return self.text


_clock = _Clock()


def _handler_for(portal: ReplicaPortal) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        """One keep-alive connection: requests are read and answered in turn until either side
        closes, the client goes idle for IDLE_TIMEOUT, or a response cannot be followed by more."""

        request: socket.socket

        def setup(self) -> None:
            self.request.settimeout(IDLE_TIMEOUT)
            with contextlib.suppress(OSError):  # responses are single writes: no need to coalesce
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.rfile: BinaryIO = self.request.makefile("rb")
            portal._track(self.request, True)

        def finish(self) -> None:
            portal._track(self.request, False)
            with contextlib.suppress(OSError):
                self.rfile.close()

        def handle(self) -> None:
            with contextlib.suppress(TimeoutError):  # an idle keep-alive connection: just close
                while _serve_one(portal, self.request, self.rfile):
                    pass

    return Handler


def _serve_one(portal: ReplicaPortal, connection: socket.socket, rfile: BinaryIO) -> bool:
    """Read one request and answer it; True if the connection stays open for another."""
    line = rfile.readline(MAX_LINE + 1)
    if line in (b"\r\n", b"\n"):  # RFC 9112 2.2: ignore an empty line before a request line
        line = rfile.readline(MAX_LINE + 1)
    if not line:
        return False  # the client closed the connection
    if len(line) > MAX_LINE:
        return _error(connection, 414)
    words = line.decode("latin-1").split()
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return _error(connection, 400)
    method, target, version = words
    keep_alive = version == "HTTP/1.1"
    body_length = 0
    for _ in range(MAX_HEADERS + 1):
        header = rfile.readline(MAX_LINE + 1)
        if header in (b"\r\n", b"\n", b""):
            break
        if len(header) > MAX_LINE:
            return _error(connection, 431)
        name, _, value = header.partition(b":")
        name = name.strip().lower()
        if name == b"connection":
            tokens = value.strip().lower()
            if tokens == b"close":
                keep_alive = False
            elif tokens == b"keep-alive":
                keep_alive = True
        elif name == b"content-length":
            body_length = int(value) if value.strip().isdigit() else -1
        elif name == b"transfer-encoding":
            keep_alive = False  # a chunked request body is not read: nothing may follow it
    else:
        return _error(connection, 431)
    if not 0 <= body_length <= MAX_REQUEST_BODY:
        keep_alive = False
    elif body_length:
        rfile.read(body_length)  # never used, but read so that the next request starts clean
    if method not in ("GET", "HEAD"):
        return _error(connection, 501)
    if target.startswith("//"):  # as http.server (gh-87389): never a scheme-relative path
        target = "/" + target.lstrip("/")
    response = portal.respond(method, target)
    if response.status == ABORT:
        # Linger 0: closing sends a TCP reset, as a crashed server or middlebox would.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False
    return _send(connection, response, method == "GET") and keep_alive


def _send(connection: socket.socket, response: Response, with_body: bool) -> bool:
    """Write the response; False if the connection must close after it."""
    lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, '')}", f"Server: {SERVER}"]
    lines.append(f"Date: {_clock.now()}")
    keep = True
    declared: str | None = None
    for key, (name, value) in {key.lower(): (key, value) for key, value in response.headers.items()}.items():
        lines.append(f"{name}: {value}")
        if key == "content-length":
            declared = value
        elif key == "connection":  # as http.server's send_header: the hook decides
            keep = value.lower() != "close"
    body = response.body
    parts: Chunks | None = (
        body if isinstance(body, Chunks) else Chunks((body,)) if isinstance(body, bytes) else None
    )
    size = sum(map(len, parts)) if parts is not None else 0
    if declared is None and parts is not None:
        lines.append(f"Content-Length: {size}")
    elif declared is None or (parts is not None and int(declared) != size):
        keep = False  # the body will not match: the client must not reuse the connection
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if not with_body:
        connection.sendall(head)
    elif parts is not None:
        connection.sendall(b"".join((head, *parts)))  # one write; joining costs less than a syscall
    else:  # an iterable of chunks, streamed as it comes
        connection.sendall(head)
        chunks: Iterable[bytes] = body
        for chunk in chunks:
            connection.sendall(chunk)
    return keep


def _error(connection: socket.socket, status: int) -> bool:
    """A plain-text error for a request the server cannot take; the connection then closes."""
    reason = _REASONS.get(status, "")
    body = f"{status} {reason}\n".encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nServer: {SERVER}\r\nDate: {_clock.now()}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        connection.sendall(head.encode("latin-1") + body)
    return False

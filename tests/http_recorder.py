"""A local HTTP server that records the headers of the requests it gets and answers 404, as a git remote that a
test points ``origin`` at to see what a fetch sends:

    with recorder() as (port, seen):
        ...  # git fetch from http://127.0.0.1:{port}/...
    assert {request.authorization for request in seen} == {None}
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    authorization: str | None
    user_agent: str | None


class _Recorder(http.server.BaseHTTPRequestHandler):
    """An HTTP "origin" that records each request's Authorization and User-Agent headers and has no repository."""
    seen: list[Request]

    def do_GET(self) -> None:
        self.seen.append(Request(self.headers.get("Authorization"), self.headers.get("User-Agent")))
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        del args


@contextmanager
def recorder() -> Iterator[tuple[int, list[Request]]]:
    """A local HTTP server on a free port: (its port, the requests it got)."""
    handler = type("Handler", (_Recorder,), {"seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port, handler.seen
    finally:
        server.shutdown()
        server.server_close()

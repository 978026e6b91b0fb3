"""A stand-in for a team's Slack or Teams webhook: an HTTP server on 127.0.0.1 that records.

``make demo`` points the demo tenant's ``demo_alerts`` connection at it, so alerts have a real
destination without a network (and a person sees where they would go); the alert tests assert
on what it received. Each POSTed JSON body is kept, with the request path, in ``received``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class AlertRecorder:
    """Start with ``with AlertRecorder("/demo/alerts") as recorder:``; ``recorder.url``."""

    def __init__(self, path: str = "/alerts") -> None:
        self.path = path
        self.received: list[dict[str, Any]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    parsed: Any = json.loads(body)
                except ValueError:
                    parsed = body.decode(errors="replace")
                received.append({"path": self.path, "body": parsed})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass  # the demo's output is the summary, not an access log

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{self.path}"

    def connection(self) -> str:
        """The Airflow connection (``AIRFLOW_CONN_*`` JSON form) whose host is the URL."""
        return json.dumps({"conn_type": "http", "host": self.url})

    def __enter__(self) -> AlertRecorder:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

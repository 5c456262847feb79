"""A loopback HTTP file server with byte-range support.

It serves clip videos to a local Label Studio and stands in for YouTube in tests, benchmarks and
the demo (the download URL is a template, so `http://127.0.0.1:PORT/{youtube_id}.mp4` works with
yt-dlp's generic extractor). Chosen files can answer with an HTTP error (404, 403, 429, ...),
every request can be delayed, and Range support can be switched off, to exercise the
downloader's error paths. It binds to 127.0.0.1 only and records every request it answers.
"""

from __future__ import annotations

import mimetypes
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # Clients (ffmpeg, yt-dlp) drop keep-alive connections when they seek or finish: normal here.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


@dataclass
class Request:
    method: str
    path: str
    range: str | None
    status: int
    time: float = field(default_factory=time.monotonic)


class MediaServer:
    """Serve the files under `root` on 127.0.0.1.

    errors: {file name: status or list of statuses}. A list is used up one request at a time
    (429, 429, then the file), a single status answers every request.
    """

    def __init__(self, root: str | os.PathLike, *, port: int = 0, range_support: bool = True,
                 delay_s: float = 0.0, errors: dict[str, int | list[int]] | None = None):
        self.root = Path(root).resolve()
        self.range_support = range_support
        self.delay_s = delay_s
        self.errors = {k: (list(v) if isinstance(v, list) else v) for k, v in (errors or {}).items()}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_template(self, suffix: str = ".mp4") -> str:
        """A `--url-template` that maps a YouTube id to a file of this server."""
        return f"{self.url}/{{youtube_id}}{suffix}"

    def start(self) -> "MediaServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="media-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "MediaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def requests_for(self, name: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.lstrip("/") == name]

    # -- internals ----------------------------------------------------------------------------
    def _error_for(self, name: str) -> int | None:
        with self._lock:
            rule = self.errors.get(name)
            if isinstance(rule, list):
                return rule.pop(0) if rule else None
            return rule

    def _record(self, method: str, path: str, rng: str | None, status: int) -> None:
        with self._lock:
            self.requests.append(Request(method, path, rng, status))

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_HEAD(self) -> None:
                self._serve(send_body=False)

            def do_GET(self) -> None:
                self._serve(send_body=True)

            def _fail(self, status: int, rng: str | None) -> None:
                server._record(self.command, self.path, rng, status)
                body = f"{status}\n".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _serve(self, send_body: bool) -> None:
                if server.delay_s:
                    time.sleep(server.delay_s)
                rel = unquote(urlsplit(self.path).path).lstrip("/")
                rng = self.headers.get("Range") if server.range_support else None
                status = server._error_for(rel)
                if status is not None:
                    return self._fail(status, rng)
                path = (server.root / rel).resolve()
                if server.root not in path.parents or not path.is_file():
                    return self._fail(404, rng)
                size = path.stat().st_size
                start, end = 0, size - 1
                status = 200
                if rng:
                    m = _RANGE.match(rng.strip())
                    if not m or (not m.group(1) and not m.group(2)):
                        return self._fail(416, rng)
                    if m.group(1):
                        start = int(m.group(1))
                        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                    else:  # suffix range: the last N bytes
                        start = max(0, size - int(m.group(2)))
                    if start >= size or start > end:
                        return self._fail(416, rng)
                    status = 206
                server._record(self.command, self.path, rng, status)
                self.send_response(status)
                self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
                self.send_header("Content-Length", str(end - start + 1))
                if server.range_support:
                    self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.end_headers()
                if not send_body:
                    return
                with open(path, "rb") as f:
                    f.seek(start)
                    left = end - start + 1
                    try:
                        while left > 0:
                            chunk = f.read(min(left, 1 << 16))
                            if not chunk:
                                break
                            self.wfile.write(chunk)
                            left -= len(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client stopped reading (ffmpeg seeks by closing)

        return Handler

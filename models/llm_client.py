"""One chat-completion request to an OpenAI-compatible endpoint that no server can hang or break.

The server is outside our control: it may stream forever, send one byte every few seconds, send a
garbage status line or half a body, ask us to slow down, or answer something that is not a chat
completion. Each of these ends as a `QueryFailed` with a reason (never another exception, never a
wait past the deadline), so a long run records it for the clip and goes on:
- one deadline per request (`timeout_s`), the whole response included: a watchdog shuts the socket
  when it passes, whatever the server is doing;
- a cap on the response size (`max_response_bytes`);
- 429 and 503 are retried (`retries` times), after the server's Retry-After (seconds or an HTTP
  date) where it gives one, else after 1, 2, 4, ... s; each wait is at most `max_wait_s`;
- the answer must be a chat completion whose first choice's `content` is text.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

RETRY_STATUSES = (429, 503)


@dataclass(frozen=True)
class QueryOptions:
    endpoint: str  # base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1
    model: str
    api_key: str | None = None
    timeout_s: float = 120.0  # per request, the whole response included
    max_tokens: int = 256
    max_response_bytes: int = 8 << 20
    retries: int = 3  # further tries after a 429 / 503
    max_wait_s: float = 300.0  # the longest wait before a retry, whatever Retry-After says


class QueryFailed(Exception):
    """A request that gave no usable answer; str() is the reason recorded for the clip."""


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), None if absent or
    unreadable.

    >>> retry_after("7"), retry_after(None), retry_after("soon")
    (7.0, None, None)
    >>> retry_after("Sun, 29 Nov 2026 08:00:10 GMT", datetime(2026, 11, 29, 8, 0, 0, tzinfo=timezone.utc))
    10.0
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _connection(endpoint: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    url = urllib.parse.urlsplit(endpoint.rstrip("/") + "/chat/completions")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise QueryFailed(f"endpoint {endpoint!r}: expected an http:// or https:// URL")
    kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    path = url.path + (f"?{url.query}" if url.query else "")
    return kind(url.hostname, url.port, timeout=timeout), path


def _post_once(body: bytes, headers: dict, opts: QueryOptions) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one POST, within the deadline and the size cap."""
    conn, path = _connection(opts.endpoint, opts.timeout_s)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked on a slow server
            except OSError:
                pass

    watchdog = threading.Timer(opts.timeout_s, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        chunks, size = [], 0
        while chunk := resp.read1(1 << 16):
            size += len(chunk)
            if size > opts.max_response_bytes:
                raise QueryFailed(f"response larger than {opts.max_response_bytes} bytes: not read further")
            chunks.append(chunk)
            if expired.is_set():
                break
        if expired.is_set():
            raise QueryFailed(f"no complete response within {opts.timeout_s:g} s (--timeout)")
        if resp.length:  # the server closed before the Content-Length it announced
            raise QueryFailed(f"transport: IncompleteRead: {size} bytes read, {resp.length} more expected")
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, b"".join(chunks)
    except QueryFailed:
        raise
    except (OSError, http.client.HTTPException, ValueError) as e:
        if expired.is_set():
            raise QueryFailed(f"no complete response within {opts.timeout_s:g} s (--timeout)") from None
        raise QueryFailed(f"transport: {type(e).__name__}: {str(e)[:200]}") from None
    finally:
        watchdog.cancel()
        conn.close()


def completion_text(data: bytes) -> str:
    """The first choice's text of a chat completion, or QueryFailed saying what came instead."""
    try:
        reply = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise QueryFailed(f"not JSON: {data[:120]!r}") from None
    try:
        content = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise QueryFailed(f"not a chat completion: {str(reply)[:200]}") from None
    if not isinstance(content, str):
        raise QueryFailed(f"expected the answer's content to be text, but got {type(content).__name__}: "
                          f"{str(content)[:120]}")
    return content


def post_chat(payload: dict, opts: QueryOptions, sleep: Callable[[float], None] = time.sleep) -> str:
    """POST a chat completion and return its text; QueryFailed (with the reason) otherwise."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if opts.api_key:
        headers["Authorization"] = f"Bearer {opts.api_key}"
    for attempt in range(opts.retries + 1):
        status, resp_headers, data = _post_once(body, headers, opts)
        if status in RETRY_STATUSES and attempt < opts.retries:
            wait = retry_after(resp_headers.get("retry-after"))
            sleep(min(opts.max_wait_s, 2.0 ** attempt if wait is None else wait))
            continue
        if status != 200:
            text = data[:200].decode("utf-8", "replace")
            tries = f" after {attempt + 1} tries" if status in RETRY_STATUSES else ""
            raise QueryFailed(f"HTTP {status}{tries}: {text}")
        return completion_text(data)
    raise AssertionError("unreachable")

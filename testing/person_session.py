"""One person's own browser session on Label Studio, without a browser: log in (or sign up through
the lead's invitation) with email and password, then call the API as that person, with the session
cookie and CSRF token the page itself uses.

Used by the scripted annotators (so that their answers are made, and recorded, by their own
accounts, as a person's are) and by the tests that try, as one annotator, to reach another's work.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from ovavel.errors import OvavelError


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 302 after a login is the answer itself
        return None


class PersonSession:
    def __init__(self, url: str, timeout: float = 120.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.email: str | None = None

    def __repr__(self) -> str:  # never the cookies
        return f"PersonSession({self.url!r}, {self.email!r})"

    def _cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def _form(self, path: str, fields: dict[str, str]) -> int:
        """GET the form page (for its CSRF cookie), then POST `fields`; the HTTP status."""
        self.call("GET", path)
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self._cookie("csrftoken")}).encode()
        status, _ = self.call("POST", path, body, content_type="application/x-www-form-urlencoded")
        return status

    def login(self, email: str, password: str) -> "PersonSession":
        status = self._form("/user/login/", {"email": email, "password": password})
        if status != 302 or not self._cookie("sessionid"):
            raise OvavelError(f"{email} could not log in to {self.url} (HTTP {status}): wrong password or no account")
        self.email = email
        return self

    def signup(self, invite_token: str, email: str, password: str) -> "PersonSession":
        """Make the account through the lead's invitation link (what `/api/invite` gives)."""
        path = "/user/signup/?token=" + urllib.parse.quote(invite_token)
        status = self._form(path, {"email": email, "password": password})
        if status != 302 or not self._cookie("sessionid"):
            raise OvavelError(f"signing up {email} on {self.url} failed (HTTP {status})")
        self.email = email
        return self

    def call(self, method: str, path: str, body=None, content_type: str = "application/json"):
        """(status, answer): the answer parsed as JSON where it is JSON, else its bytes."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if method not in ("GET", "HEAD"):
            request.add_header("X-CSRFToken", self._cookie("csrftoken"))
            request.add_header("Referer", self.url + "/")
        try:
            with self.opener.open(request, timeout=self.timeout) as resp:
                return resp.status, _parse(resp.read(), resp.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as e:
            return e.code, _parse(e.read(), e.headers.get("Content-Type", "") if e.headers else "")

    def post_answer(self, task_id: int, result: list[dict], lead_time: float = 0.0) -> int:
        """Submit an answer on a task as this person; the new annotation's id."""
        status, answer = self.call("POST", f"/api/tasks/{task_id}/annotations/", {"result": result,
                                                                                 "lead_time": lead_time})
        if status != 201:
            raise OvavelError(f"{self.email} could not answer task {task_id}: HTTP {status} {str(answer)[:200]}")
        return answer["id"]


def _parse(raw: bytes, content_type: str):
    if "json" in content_type:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return raw


def invite_token(client) -> str:
    """The token of the lead's invitation link (Label Studio's Organization -> Invite people)."""
    link = client.invite_link()
    found = re.search(r"token=([^&]+)", link)
    if not found:
        raise OvavelError(f"Label Studio at {client.url} gave no invitation token")
    return urllib.parse.unquote(found.group(1))

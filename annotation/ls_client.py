"""Talking to Label Studio, only through label-studio-sdk (2.x).

The URL and token come from flags, from $OVAVEL_LS_URL / $OVAVEL_LS_TOKEN, or from the server
this toolkit started for the data folder. The token is never printed or logged.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from ovavel.annotation.server import read_state, token_path
from ovavel.errors import OvavelError


def _guarded(method):
    """Connection failures become one clear error (the callers write nothing before all is fetched)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except OvavelError:
            raise
        except Exception as e:
            raise OvavelError(f"Label Studio at {self.url} failed during {method.__name__} ({_short(e)}); nothing "
                              "was written for this step: rerun the same command once it answers") from None
    return wrapper


# Label Studio takes a task out of every queue once `maximum_annotations` accounts have answered it
# (default 1), and it leaves out of a person's queue the tasks they answered. A project here has one
# owner; the lead may answer there too (a check, a correction). With 2, the lead's answer leaves the
# task in its owner's queue (and the owner's count of tasks left) until the owner answers it.
OWNER_AND_LEAD = 2


class LabelStudioClient:
    def __init__(self, url: str, token: str):
        try:
            from label_studio_sdk import LabelStudio
        except ImportError:
            raise OvavelError("label-studio-sdk is not installed: pip install 'ovavel[annotation]'") from None
        self.url = url.rstrip("/")
        self._token = token
        self.sdk = LabelStudio(base_url=self.url, api_key=token, timeout=300)

    def __repr__(self) -> str:  # never show the token
        return f"LabelStudioClient({self.url!r})"

    def check(self) -> None:
        try:
            self.sdk.users.whoami()
        except Exception as e:
            raise OvavelError(f"cannot use Label Studio at {self.url}: {_short(e)}") from None

    @_guarded
    def create_project(self, title: str, config: str, description: str = "") -> int:
        return self.sdk.projects.create(title=title[:50], label_config=config, show_skip_button=True,
                                        description=description, maximum_annotations=OWNER_AND_LEAD).id

    @_guarded
    def ensure_project(self, project_id: int, description: str) -> None:
        """A project made by an earlier version gets the description and overlap of a new one."""
        project = self.sdk.projects.get(project_id)
        if (project.description or "") != description or project.maximum_annotations != OWNER_AND_LEAD:
            self.sdk.projects.update(project_id, description=description, maximum_annotations=OWNER_AND_LEAD)

    @_guarded
    def clip_ids(self, project_id: int) -> set[str]:
        return {(t.data or {}).get("clip_id") for t in self.sdk.tasks.list(project=project_id, fields="all")}

    @_guarded
    def import_tasks(self, project_id: int, tasks: list[dict], batch_size: int = 1000) -> int:
        """Import in batches: one request per batch, not per task."""
        for i in range(0, len(tasks), batch_size):
            self.sdk.projects.import_tasks(project_id, request=tasks[i:i + batch_size])
        return len(tasks)

    @_guarded
    def export_tasks(self, project_id: int) -> list[dict]:
        """Every task of a project with its annotations (Label Studio's JSON export)."""
        data = b"".join(self.sdk.projects.exports.download_sync(project_id, export_type="JSON",
                                                                  download_all_tasks=True))
        return json.loads(data)

    @_guarded
    def user_emails(self) -> dict[int, str]:
        return {u.id: u.email for u in self.sdk.users.list()}

    @_guarded
    def ensure_local_storage(self, project_id: int, path: str) -> int:
        """The Local Files storage of a project that serves files under `path` (created when
        missing): Label Studio serves /data/local-files/ only for files a storage covers."""
        for storage in self.sdk.import_storage.local.list(project=project_id):
            if storage.path == path:
                return storage.id
        return self.sdk.import_storage.local.create(project=project_id, path=path, title="ovavel clips",
                                                    use_blob_urls=False).id

    def media_check(self, url: str) -> str:
        """"" when `url` (absolute, or a path on this server) answers 200 with a video, else why not."""
        full = url if url.startswith(("http://", "https://")) else self.url + url
        # The token goes to this Label Studio only, never to another server named by --video-url.
        own = full.startswith(self.url + "/")
        request = urllib.request.Request(full, headers={"Authorization": f"Token {self._token}"} if own else {})
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                kind = resp.headers.get("Content-Type", "")
                return "" if kind.startswith("video/") else f"{full} answered {kind or 'no content type'}, not a video"
        except urllib.error.HTTPError as e:
            return f"{full} answered HTTP {e.code}"
        except OSError as e:
            return f"{full} failed ({_short(e)})"

    @_guarded
    def invite_link(self) -> str:
        """The organisation's invitation link (/user/signup/?token=...), as the lead sees it."""
        request = urllib.request.Request(self.url + "/api/invite", headers={"Authorization": f"Token {self._token}"})
        with urllib.request.urlopen(request, timeout=60) as resp:
            return json.loads(resp.read()).get("invite_url", "")


def connect(data_dir: Path, url: str | None = None, token: str | None = None) -> LabelStudioClient:
    annotation_dir = data_dir / "annotation"
    state = read_state(annotation_dir)
    url = url or os.environ.get("OVAVEL_LS_URL") or (state.url if state else None)
    if not url:
        raise OvavelError("no Label Studio: pass --url (or set OVAVEL_LS_URL), or start one with "
                          f"`annotate server start --data {data_dir}`")
    token = token or os.environ.get("OVAVEL_LS_TOKEN") or os.environ.get("LABEL_STUDIO_API_KEY")
    if not token and token_path(annotation_dir).exists():
        token = token_path(annotation_dir).read_text().strip()
    if not token:
        raise OvavelError("no Label Studio API token: pass --token or set OVAVEL_LS_TOKEN")
    client = LabelStudioClient(url, token)
    client.check()
    return client


def _short(e: Exception) -> str:
    text = str(e)
    status = getattr(e, "status_code", None)
    return f"HTTP {status}" if status else text.splitlines()[0][:200] if text else type(e).__name__

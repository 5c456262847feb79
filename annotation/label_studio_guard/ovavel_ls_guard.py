"""Label Studio settings with the ovavel guard: annotators reach their own project and nothing else.

Label Studio's open-source edition has no roles: every account may open every project, list every
account, add storages, invite people and change any answer. `annotate server start` runs Label
Studio with this file as its settings module (DJANGO_SETTINGS_MODULE=ovavel_ls_guard): Label
Studio's own settings plus one middleware, AnnotatorGuard, that lets each request through only if

- it comes from the lead (the server's admin account, $OVAVEL_LS_LEAD): everything, as before;
- it comes from nobody logged in: Label Studio's own rules (the login page; every API needs a login);
- it comes from any other account (an annotator): only what the labelling page needs on the
  projects whose description says `annotator: <their email>` (`annotate export` writes it; only
  the lead can change a project) — the project and its tasks, answers and drafts of their own, the
  clips of their own tasks — and with the lists of projects and accounts cut down to their own. Everything else
  (other projects, storages, imports, exports, invitations, settings, deleting) is answered 403 and
  written to Label Studio's log.

The guard also serves the toolkit's additions to the labelling page (ovavel_page.js beside this
file: small clips enlarged to the frame, the timeline view's seconds and its waveform aligned under
them, quiet waveforms scaled up) and adds them to every page, for every account.

This file is run by Label Studio's Python, not the toolkit's: it imports nothing of ovavel.
"""

import functools
import json
import logging
import os
import posixpath
import re
from urllib.parse import unquote

# Label Studio's settings read `django.conf.settings` (this module, half loaded) while they load, so
# its base settings come in first, as its own settings module does it.
from core.settings.base import *  # noqa: F401,F403,E402
from label_studio.core.settings.label_studio import *  # noqa: F401,F403,E402  (Label Studio's own settings)
from label_studio.core.settings.label_studio import MIDDLEWARE  # noqa: E402

MIDDLEWARE = [*MIDDLEWARE, "ovavel_ls_guard.AnnotatorGuard"]

log = logging.getLogger("ovavel.guard")

# Files of the page itself, readable by every account.
PAGE_SCRIPT = "/ovavel/page.js"
PAGE_SCRIPT_TAG = f'<script src="{PAGE_SCRIPT}" defer></script>'.encode()
ASSET_PREFIXES = (PAGE_SCRIPT, "/static/", "/react-app/", "/label-studio-frontend/", "/dm/", "/favicon", "/health",
                  "/version", "/heidi-tips", "/user/login", "/user/logout", "/sw.js", "/manifest")
CLIP_FILE = re.compile(r"^clips/([A-Za-z0-9_-]+)\.mp4$")
ID = r"(\d+)"


OWNER_LINE = re.compile(r"^annotator: (\S+)$", re.M)  # in a project's description, written by `annotate export`


def own_projects(email):
    """The projects whose description names `email` as their annotator (only the lead, through
    `annotate export`, writes descriptions: annotators cannot change projects)."""
    from projects.models import Project
    rows = Project.objects.filter(description__contains="annotator: ").values_list("id", "description")
    return frozenset(pid for pid, text in rows
                     if any(found.lower() == email.lower() for found in OWNER_LINE.findall(text or "")))


def clip_in(projects, clip_id):
    from tasks.models import Task
    return Task.objects.filter(project_id__in=projects, data__clip_id=clip_id).exists()


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _body(request):
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


class AnnotatorGuard:
    def __init__(self, get_response):
        self.get_response = get_response
        self.lead = os.environ.get("OVAVEL_LS_LEAD", "").lower()

    def __call__(self, request):
        if request.path == PAGE_SCRIPT:
            return self._page_script()
        user = self._user(request)
        if user is None or (self.lead and user.email.lower() == self.lead):
            return self._with_page_script(self.get_response(request))
        # The page's own files and the login need no project: no query on the requests most frequent.
        projects = frozenset() if request.path.startswith(ASSET_PREFIXES) else own_projects(user.email)
        verdict = self._verdict(request, user, projects)
        if verdict is False:
            log.warning("ovavel guard: refused %s %s for %s", request.method, request.get_full_path()[:200], user.email)
            return self._refusal(request)
        response = self.get_response(request)
        if verdict in ("projects", "users") and response.status_code == 200:
            self._cut_down(response, verdict, user, projects)
        return self._with_page_script(response)

    # -- who is asking ---------------------------------------------------------------------------
    @staticmethod
    def _user(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        if not request.META.get("HTTP_AUTHORIZATION"):
            return None
        from rest_framework.request import Request
        from rest_framework.settings import api_settings
        from rest_framework.authentication import SessionAuthentication
        drf = Request(request)
        for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
            if issubclass(cls, SessionAuthentication):
                continue
            try:
                found = cls().authenticate(drf)
            except Exception:  # a bad token: Label Studio answers it itself
                return None
            if found:
                return found[0]
        return None

    # -- what an annotator may do ----------------------------------------------------------------
    def _verdict(self, request, user, projects):
        """False (refused), True (let through), or "projects"/"users" (through, answer cut down)."""
        path, method = request.path, request.method
        query = request.GET
        own = lambda pid: _int(pid) in projects  # noqa: E731
        if path.startswith(ASSET_PREFIXES):
            return method in ("GET", "HEAD") or path.startswith(("/user/login", "/user/logout"))
        if path in ("/", "/projects", "/projects/"):
            return method == "GET"
        m = re.fullmatch(rf"/projects/{ID}/data/?", path)
        if m:
            return method == "GET" and own(m.group(1))
        if path.rstrip("/") == "/data/local-files":
            found = CLIP_FILE.match(posixpath.normpath(unquote(query.get("d", ""))))
            return method in ("GET", "HEAD") and bool(found) and clip_in(projects, found.group(1))
        if not path.startswith("/api/"):
            return False
        api = path[len("/api"):].rstrip("/") or "/"
        reading = method in ("GET", "HEAD")
        if api in ("/version", "/current-user/whoami"):
            return reading
        if api == "/projects":
            return "projects" if reading else False
        if api == "/users":
            return "users" if reading else False
        m = re.fullmatch(rf"/users/{ID}", api)
        if m:
            return reading and _int(m.group(1)) == user.id
        m = re.fullmatch(rf"/projects/{ID}(/label-stream-history|/next)?", api)
        if m:
            return reading and own(m.group(1))
        if api in ("/ml", "/dm/columns", "/dm/project", "/label_links"):
            return reading and own(query.get("project"))
        if api == "/dm/views":
            body_project = _body(request).get("project", query.get("project")) if method == "POST" else None
            return own(query.get("project")) and (reading or (method == "POST" and own(body_project)))
        m = re.fullmatch(rf"/dm/views/{ID}(/.*)?", api)
        if m:
            return method in ("GET", "HEAD", "PATCH", "PUT") and self._view_project(m.group(1)) in projects
        if api == "/dm/actions":
            return own(query.get("project")) and (reading or (method == "POST" and query.get("id") == "next_task"))
        if api == "/tasks":
            view = query.get("view")
            return reading and own(query.get("project")) and (view is None or self._view_project(view) in projects)
        m = re.fullmatch(rf"/tasks/{ID}(/annotations|/drafts)?", api)
        if m:
            if self._task_project(m.group(1)) not in projects:
                return False
            if reading:
                return True
            if method != "POST" or not m.group(2):
                return False
            by = _body(request).get("completed_by")
            return by is None or _int(by) == user.id  # nobody posts in another's name
        m = re.fullmatch(rf"/annotations/{ID}", api)
        if m:
            project, author = self._annotation(m.group(1))
            if project not in projects:
                return False
            by = _body(request).get("completed_by") if method in ("PATCH", "PUT") else None
            return reading or (method in ("PATCH", "PUT") and author == user.id and by in (None, user.id))
        m = re.fullmatch(rf"/drafts/{ID}", api)
        if m:
            return method in ("GET", "HEAD", "PATCH", "PUT", "DELETE") and self._draft_user(m.group(1)) == user.id
        return False

    @staticmethod
    def _task_project(task_id):
        from tasks.models import Task
        return Task.objects.filter(pk=_int(task_id)).values_list("project_id", flat=True).first()

    @staticmethod
    def _annotation(annotation_id):
        from tasks.models import Annotation
        row = Annotation.objects.filter(pk=_int(annotation_id)).values_list("project_id", "completed_by_id").first()
        return row or (None, None)

    @staticmethod
    def _draft_user(draft_id):
        from tasks.models import AnnotationDraft
        return AnnotationDraft.objects.filter(pk=_int(draft_id)).values_list("user_id", flat=True).first()

    @staticmethod
    def _view_project(view_id):
        from data_manager.models import View
        return View.objects.filter(pk=_int(view_id)).values_list("project_id", flat=True).first()

    # -- the page's additions ----------------------------------------------------------------------
    @staticmethod
    @functools.lru_cache(maxsize=1)
    def _page_script_bytes():
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ovavel_page.js"), "rb") as f:
            return f.read()  # read once per server process

    def _page_script(self):
        from django.http import HttpResponse
        return HttpResponse(self._page_script_bytes(), content_type="text/javascript; charset=utf-8")

    @staticmethod
    def _with_page_script(response):
        """An HTML page of Label Studio's with ovavel_page.js loaded at its end."""
        if (response.status_code != 200 or getattr(response, "streaming", False)
                or not response.get("Content-Type", "").startswith("text/html") or b"</body>" not in response.content):
            return response
        response.content = response.content.replace(b"</body>", PAGE_SCRIPT_TAG + b"</body>", 1)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response

    # -- answers ---------------------------------------------------------------------------------
    @staticmethod
    def _refusal(request):
        from django.http import HttpResponseForbidden, JsonResponse
        text = "ovavel: an annotator reaches only their own project (ask the lab lead)"
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": text}, status=403)
        return HttpResponseForbidden(text, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _cut_down(response, kind, user, projects):
        """Keep, in a list of projects or accounts, only the annotator's own."""
        try:
            data = json.loads(response.content)
        except (ValueError, AttributeError):
            response.content = b"[]"
            return
        keep = (lambda item: item.get("id") in projects) if kind == "projects" else (lambda item: item.get("id") == user.id)
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data["results"] = [i for i in data["results"] if isinstance(i, dict) and keep(i)]
            data["count"] = len(data["results"])
            data["next"] = None
        elif isinstance(data, list):
            data = [i for i in data if isinstance(i, dict) and keep(i)]
        else:
            data = []
        response.content = json.dumps(data).encode()
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))

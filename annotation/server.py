"""`annotate server start|stop|status`: a real Label Studio on 127.0.0.1, in its own virtualenv.

Label Studio pins Django, pandas 3 and numpy 2.2, so it lives in a virtualenv of its own
($OVAVEL_LABEL_STUDIO_VENV, default ~/.cache/ovavel/label-studio-venv), installed on first use.
Facts this module works around (checked on these machines): the organisation needs legacy tokens
enabled at creation for a plain token to work with SDK 2.x; a busy port makes Label Studio move
to port+1 silently (so the port is checked first); it reads bare HOST/PORT/USERNAME/PASSWORD
variables (so it starts with a clean environment); Sentry and the version check are turned off.
SQLite and media live under the data folder: DIR/annotation/label-studio/. The clips are served
by Label Studio's local-files storage from a document root that holds media only,
DIR/annotation/media/ (one entry: `clips`, a link to DIR/clips), so no storage any account makes
can reach a secret, the database or a label file.

Isolation: Label Studio runs with the settings module `ovavel_ls_guard` (annotation/
label_studio_guard/), its own settings plus a middleware that lets annotators reach only their own
project (see that module and the README's threat model).

Secrets: the admin password and the API token reach Label Studio through its environment
(LABEL_STUDIO_PASSWORD / LABEL_STUDIO_USER_TOKEN), never its command line, which any local user
can read with `ps`; the server's folder is 0700 and everything in it 0600 (the SQLite database
holds the token in plain text). Open signup is closed: accounts come from `annotate users add`.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from ovavel.errors import OvavelError
from ovavel.private import make_private_tree, private_dir, read_or_create_secret
from ovavel.tables import atomic_write_text

LABEL_STUDIO_REQUIREMENT = "label-studio>=1.23,<1.24"
DEFAULT_ADMIN = "admin@ovavel.local"
LOOPBACK = "127.0.0.1"
GUARD_DIR = Path(__file__).parent / "label_studio_guard"  # holds ovavel_ls_guard.py, Label Studio's settings


def venv_path() -> Path:
    return Path(os.environ.get("OVAVEL_LABEL_STUDIO_VENV", Path.home() / ".cache" / "ovavel" / "label-studio-venv"))


def ensure_label_studio(venv: Path | None = None, echo=print) -> Path:
    """The label-studio program of the dedicated virtualenv; installs it if missing."""
    venv = venv or venv_path()
    exe = venv / "bin" / "label-studio"
    if exe.exists():
        return exe
    echo(f"installing Label Studio into {venv} (once; about 1.5 min and 1 GB) ...")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", LABEL_STUDIO_REQUIREMENT],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0 or not exe.exists():
        raise OvavelError(f"installing {LABEL_STUDIO_REQUIREMENT} into {venv} failed: {result.stderr.strip()[-500:]}")
    return exe


@dataclass
class ServerState:
    pid: int
    port: int
    url: str
    base_dir: str
    document_root: str
    admin: str
    log: str
    host: str = LOOPBACK  # the address it listens on
    public_url: str = ""  # what people on other machines open ("" = same as url)
    guarded: bool = False  # started with the annotator guard (a server of an older version is not)

    @property
    def people_url(self) -> str:
        """The address to give annotators."""
        return self.public_url or self.url


def state_path(annotation_dir: Path) -> Path:
    return annotation_dir / "server.json"


def token_path(annotation_dir: Path) -> Path:
    return annotation_dir / ".label_studio_token"


def read_state(annotation_dir: Path) -> ServerState | None:
    path = state_path(annotation_dir)
    return ServerState(**json.loads(path.read_text())) if path.exists() else None


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # "::" serves IPv6 (and v4) clients
    with socket.socket(family, socket.SOCK_STREAM) as s:
        # As a server binds: connections of an earlier server left in TIME_WAIT do not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def stored_token(annotation_dir: Path) -> str:
    """The API token: $OVAVEL_LS_TOKEN, else the one this toolkit generated at first start (kept
    in a file only its owner can read). Never printed or logged."""
    token = os.environ.get("OVAVEL_LS_TOKEN") or os.environ.get("LABEL_STUDIO_API_KEY")
    if token:
        return token
    return read_or_create_secret(token_path(annotation_dir))


def server_dir(data_dir: Path) -> Path:
    """Label Studio's own folder (SQLite database, media, export files), an absolute path: a
    relative one makes Label Studio nest a second copy of the path inside it."""
    return (data_dir / "annotation" / "label-studio").resolve()


def media_root(data_dir: Path) -> Path:
    """Label Studio's local-files document root: a folder holding one link, `clips` -> DIR/clips
    (the tasks' URLs stay /data/local-files/?d=clips/ID.mp4)."""
    return (data_dir / "annotation" / "media").resolve()


def make_media_root(data_dir: Path) -> Path:
    root = media_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    stray = [p.name for p in root.iterdir() if p.name != "clips"]
    if stray:
        raise OvavelError(f"{root} is Label Studio's document root and must hold only the link `clips`; "
                          f"remove {', '.join(sorted(stray))}")
    link = root / "clips"
    target = Path("..") / ".." / "clips"
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return root
    if link.exists() or link.is_symlink():
        raise OvavelError(f"{link} must be a link to {data_dir.resolve() / 'clips'}; remove it and start again")
    link.symlink_to(target)
    return root


def label_studio_env(data_dir: Path) -> dict[str, str]:
    """A clean environment for Label Studio's programs (it reads bare HOST/PORT/USERNAME/PASSWORD
    variables, so nothing of the caller's environment is passed on), with the guard's settings."""
    base = server_dir(data_dir)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(base),
        "LANG": "C.UTF-8",
        "LABEL_STUDIO_BASE_DATA_DIR": str(base),
        "LABEL_STUDIO_SENTRY_DSN": "",
        "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
        "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
        "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
        "LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED": "true",
        "LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT": str(media_root(data_dir)),
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",  # accounts come from `annotate users add`
        "PYTHONPATH": str(GUARD_DIR),
        "DJANGO_SETTINGS_MODULE": "ovavel_ls_guard",
    }


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def people_url(host: str, port: int) -> str:
    """The address other machines use: the host itself, or this machine's name for 0.0.0.0."""
    return _http_url(socket.gethostname() if host in ("0.0.0.0", "::") else host, port)


def _http_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def start_server(data_dir: Path, port: int = 8080, timeout: float = 240.0, venv: Path | None = None,
                 echo=print, host: str = LOOPBACK) -> ServerState:
    """Start Label Studio for the data folder (idempotent: a running server is reused).

    `host` is the address it listens on: 127.0.0.1 (default) serves this machine only; any
    other address serves other machines too, over plain HTTP."""
    annotation_dir = data_dir / "annotation"
    current = read_state(annotation_dir)
    if current and pid_alive(current.pid) and healthy(current.url):
        if not current.guarded:
            echo(f"warning: the Label Studio running for {data_dir} was started by an older ovavel, without the "
                 "annotator guard: every account sees every project. Restart it: annotate server stop; "
                 "annotate server start")
        return current
    if not port_is_free(port, host):
        raise OvavelError(f"port {port} on {host} is busy (Label Studio would silently move to {port + 1}); "
                          "pass --port with a free port")
    exe = ensure_label_studio(venv, echo)
    annotation_dir.mkdir(parents=True, exist_ok=True)
    base = private_dir(server_dir(data_dir))
    make_media_root(data_dir)
    make_private_tree(base)  # a folder made by an older version was world-readable
    admin = os.environ.get("OVAVEL_LS_ADMIN", DEFAULT_ADMIN)
    password = os.environ.get("OVAVEL_LS_PASSWORD") or _stored_password(annotation_dir)
    token = stored_token(annotation_dir)
    public = "" if is_loopback(host) else people_url(host, port)
    # The admin account and its token go through the environment, never the command line.
    env = {**label_studio_env(data_dir), "LABEL_STUDIO_USERNAME": admin, "LABEL_STUDIO_PASSWORD": password,
           "LABEL_STUDIO_USER_TOKEN": token, "LABEL_STUDIO_HOST": public, "OVAVEL_LS_LEAD": admin}
    log = annotation_dir / "label-studio.log"
    args = [str(exe), "start", "--data-dir", str(base), "--internal-host", host, "--port", str(port),
            "--no-browser", "--enable-legacy-api-token", "--log-level", "WARNING"]
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as out:
        # umask 077: the database, media and exports it writes are its owner's alone.
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, umask=0o077)
    url = _http_url(LOOPBACK if host in ("0.0.0.0", "::", "localhost") else host, port)
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if proc.poll() is not None:
            raise OvavelError(f"Label Studio exited with code {proc.returncode} while starting; see {log}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGTERM)
            raise OvavelError(f"Label Studio did not answer on {url} within {timeout:.0f} s; see {log}")
        time.sleep(1.0)
    state = ServerState(proc.pid, port, url, str(base), str(media_root(data_dir)), admin, str(log), host, public,
                        guarded=True)
    atomic_write_text(state_path(annotation_dir), json.dumps(asdict(state), indent=2) + "\n")
    return state


def stop_server(data_dir: Path, timeout: float = 30.0) -> bool:
    annotation_dir = data_dir / "annotation"
    state = read_state(annotation_dir)
    if state is None:
        return False
    if pid_alive(state.pid):
        try:
            os.killpg(state.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while pid_alive(state.pid) and time.monotonic() < deadline:
            _reap(state.pid)
            time.sleep(0.2)
        if pid_alive(state.pid):
            os.killpg(state.pid, signal.SIGKILL)
    state_path(annotation_dir).unlink(missing_ok=True)
    return True


def server_status(data_dir: Path) -> dict:
    state = read_state(data_dir / "annotation")
    if state is None:
        return {"running": False}
    return {"running": pid_alive(state.pid) and healthy(state.url), "url": state.url, "pid": state.pid,
            "log": state.log}


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _stored_password(annotation_dir: Path) -> str:
    return read_or_create_secret(annotation_dir / ".label_studio_password")

"""`annotate users add`: annotator accounts that can log in to the toolkit's Label Studio.

Label Studio's API creates accounts without a password that its login page accepts, and its
open signup is closed on servers this toolkit starts. So accounts are made, or given a new
password, with Label Studio's own user model (`set_password`, as its `reset_password` command
does), in a short program run by Label Studio's Python against the server's database. The
passwords travel to it on standard input, never on a command line, and are kept in
DIR/annotation/users.csv, readable by its owner alone; the lab lead hands each one over.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ovavel.annotation.server import ensure_label_studio, label_studio_env, read_state
from ovavel.errors import OvavelError
from ovavel.private import new_secret, write_private_text
from ovavel.tables import read_csv

USERS_COLUMNS = ["email", "password"]
# A plain address: no quotes, spaces, commas or display names (it becomes a CSV cell and a login).
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")

# Run by Label Studio's own Python (its virtualenv), with the server's environment: reads
# [{"email", "password"}] on stdin, writes {email: "created" | "updated"} on stdout.
_SET_PASSWORDS = r"""
import json, sys
from label_studio.server import _setup_env
_setup_env()
from organizations.models import Organization
from users.models import User
wanted = json.load(sys.stdin)
org = Organization.objects.first()
if org is None:
    sys.exit("Label Studio has no organisation yet: start the server once first")
done = {}
for item in wanted:
    user = User.objects.filter(email=item["email"]).first()
    if user is None:
        user = User.objects.create_user(email=item["email"], password=item["password"],
                                        username=item["email"].split("@")[0])
        done[item["email"]] = "created"
    else:
        user.set_password(item["password"])
        user.save()
        done[item["email"]] = "updated"
    org.add_user(user)
    user.active_organization = org
    user.save(update_fields=["active_organization"])
json.dump(done, sys.stdout)
"""

# Run likewise: writes every account of the organisation with its dates and answers so far.
_LIST_USERS = r"""
import json, sys
from label_studio.server import _setup_env
_setup_env()
from organizations.models import Organization
from tasks.models import Annotation
org = Organization.objects.first()
rows = []
for u in (org.users.all() if org else []):
    rows.append({"email": u.email, "created": u.date_joined.isoformat(timespec="seconds"),
                 "last_login": u.last_login.isoformat(timespec="seconds") if u.last_login else "",
                 "answers": Annotation.objects.filter(completed_by=u, was_cancelled=False).count(),
                 "active": bool(u.is_active)})
json.dump(sorted(rows, key=lambda r: r["email"]), sys.stdout)
"""

# Run likewise: reads {"email"} on stdin, deactivates that account (no login; its answers stay).
_DEACTIVATE = r"""
import json, sys
from label_studio.server import _setup_env
_setup_env()
from users.models import User
email = json.load(sys.stdin)["email"]
user = User.objects.filter(email__iexact=email).first()
if user is None:
    json.dump("unknown", sys.stdout)
else:
    user.is_active = False
    user.save(update_fields=["is_active"])
    json.dump("deactivated", sys.stdout)
"""


def _run_in_label_studio(data_dir: Path, program: str, payload, venv: Path | None = None):
    """Run `program` with Label Studio's Python and the server's environment; its JSON answer."""
    if read_state(data_dir / "annotation") is None:
        raise OvavelError(f"no Label Studio started for {data_dir}: run `annotate server start --data {data_dir}` "
                          "first")
    python = ensure_label_studio(venv).parent / "python"
    result = subprocess.run([str(python), "-c", program], env=label_studio_env(data_dir), input=json.dumps(payload),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise OvavelError(f"Label Studio's accounts could not be read or changed: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def list_users(data_dir: Path, venv: Path | None = None) -> list[dict]:
    """Every account: email, created, last login, answers so far (not cancelled), active."""
    return _run_in_label_studio(data_dir, _LIST_USERS, None, venv)


def remove_user(data_dir: Path, email: str, venv: Path | None = None) -> str:
    """Deactivate an account: it can no longer log in; its answers stay and are still credited."""
    state = read_state(data_dir / "annotation")
    if state is not None and email.lower() == (state.admin or "").lower():
        raise OvavelError(f"{email} is the server's admin account; it is not removed")
    status = _run_in_label_studio(data_dir, _DEACTIVATE, {"email": email}, venv)
    if status == "unknown":
        raise OvavelError(f"no account {email!r} on this server (annotate users list)")
    return status


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    status: str  # created | updated (a password set for an account made elsewhere) | kept


def users_file(data_dir: Path) -> Path:
    return data_dir / "annotation" / "users.csv"


def read_users(data_dir: Path) -> dict[str, str]:
    """{email: password} of DIR/annotation/users.csv (empty when there is none)."""
    path = users_file(data_dir)
    return {r["email"]: r["password"] for r in read_csv(path, required=USERS_COLUMNS)} if path.exists() else {}


def check_emails(emails: list[str]) -> list[str]:
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise OvavelError(f"--emails: expected email addresses like a@lab.org, but got {bad[0]!r}")
    if not emails:
        raise OvavelError("--emails: expected at least one email address, e.g. --emails a@lab.org,b@lab.org")
    return list(dict.fromkeys(emails))


def add_users(data_dir: Path, emails: list[str], venv: Path | None = None) -> list[Account]:
    """Create (or reuse) an account with a generated password for each email; users.csv keeps
    every password. An account already in users.csv keeps its password."""
    emails = check_emails(emails)
    state = read_state(data_dir / "annotation")
    if state is None:
        raise OvavelError(f"no Label Studio started for {data_dir}: run `annotate server start --data {data_dir}` "
                          "first (accounts on another server are made in its own Organization page)")
    admin = [e for e in emails if e.lower() == (state.admin or "").lower()]
    if admin:
        raise OvavelError(f"--emails: {admin[0]} is the server's admin account; its password is the server's own "
                          "(annotate server start) and is not reset here")
    known = read_users(data_dir)
    wanted = {e: known.get(e) or new_secret(12) for e in emails}
    status = _run_in_label_studio(data_dir, _SET_PASSWORDS, [{"email": e, "password": p} for e, p in wanted.items()],
                                  venv)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(USERS_COLUMNS)
    writer.writerows({**known, **wanted}.items())
    write_private_text(users_file(data_dir), buf.getvalue())
    return [Account(e, p, "kept" if e in known and status[e] == "updated" else status[e]) for e, p in wanted.items()]


def require_accounts(client, emails: list[str]) -> None:
    """Stop when an annotator has no account on the server (answers could never be theirs)."""
    existing = {e.lower() for e in client.user_emails().values()}
    missing = [e for e in emails if e.lower() not in existing]
    if missing:
        raise OvavelError(f"no Label Studio account for {', '.join(missing)}: create it with "
                          f"`annotate users add --data DIR --emails {','.join(missing)}`")

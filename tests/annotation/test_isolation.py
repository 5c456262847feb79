"""Annotators isolated on the toolkit's Label Studio (the ovavel_ls_guard settings): each one, logged
in with their own password, tries to reach secrets, other projects and other people's answers;
every move is refused, and their own labelling still works. The import trusts an answer only if
its owner gave it and nobody else changed it."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from ovavel.testing.browser_annotator import AnnotatorPage
from ovavel.annotation.config import result_for
from ovavel.annotation.server import media_root, server_dir
from ovavel.testing.person_session import PersonSession, invite_token
from ovavel.annotation.state import AnnotationState
from ovavel.annotation.users import read_users
from ovavel.app.cli import app
from ovavel.errors import OvavelError
from ovavel.tables import read_csv

from ..conftest import serve_data_folder
from .conftest import make_served_data_dir

pytestmark = pytest.mark.slow

CLIPS = {"dogAAAAAAAA_000010": "dog barking", "dogBBBBBBBB_000020": "dog barking"}
A, B = "ann1@lab.test", "ann2@lab.test"


@pytest.fixture
def round1(label_studio, tmp_path, ffmpeg_available):
    """A data folder with two clips, its own Label Studio, accounts for A and B, round 1 exported
    (one clip each)."""
    data = make_served_data_dir(tmp_path / "data", CLIPS)
    server = serve_data_folder(label_studio, data.root)
    runner = CliRunner()
    for args in (["users", "add", "--emails", f"{A},{B}"], ["export", "--round", "1", "--annotators", f"{A},{B}"]):
        r = runner.invoke(app, ["annotate", *args, "--data", str(data.root)])
        assert r.exit_code == 0, r.output
    rnd = AnnotationState(data.root).round("1")
    client = server.client()
    tasks = {e: next(iter(client.sdk.tasks.list(project=b.project_id, fields="all"))).id for e, b in rnd.batches.items()}
    yield data, server, client, rnd, tasks
    server.stop()


def login(server, data, email) -> PersonSession:
    return PersonSession(server.url).login(email, read_users(data.root)[email])


def secrets(data) -> dict[str, bytes]:
    ann = data.root / "annotation"
    files = [ann / "users.csv", ann / ".label_studio_token", ann / ".label_studio_password", ann / "projects.json",
             server_dir(data.root) / "label_studio.sqlite3", data.clips_csv]
    return {str(f): f.read_bytes()[:64] for f in files}


def test_no_storage_or_path_reaches_a_secret(round1):
    data, server, client, rnd, tasks = round1
    a = login(server, data, A)
    own_project = rnd.batches[A].project_id
    root = media_root(data.root)
    assert sorted(p.name for p in root.iterdir()) == ["clips"]  # the document root holds media only
    # Storages on every folder above the secrets, by the annotator: refused.
    above = [data.root, data.root / "annotation", server_dir(data.root), root, root / "clips", "/"]
    for folder in above:
        status, _ = a.call("POST", "/api/storages/localfiles", {"project": own_project, "path": str(folder),
                                                                "title": "x", "use_blob_urls": True})
        assert status == 403, folder
    # The lead's own storages: Label Studio refuses any folder that is not under the media root.
    for folder in above[:3]:
        with pytest.raises(OvavelError, match="HTTP 400"):  # Label Studio's own refusal
            client.ensure_local_storage(own_project, str(folder))
    # Every secret by every relative path, as the annotator: never its bytes.
    names = ["users.csv", ".label_studio_token", ".label_studio_password", "projects.json",
             "label-studio/label_studio.sqlite3"]
    paths = [p for n in names for p in (f"../{n}", f"clips/../../{n}", f"../../annotation/{n}", f"%2e%2e/{n}",
                                        str(data.root / "annotation" / n), f"clips/../../../annotation/{n}")]
    paths += ["../../clips.csv", "clips/../../../clips.csv", str(data.clips_csv)]
    leaked = secrets(data)
    lead = PersonSession(server.url).login(server.state.admin,
                                           (data.root / "annotation" / ".label_studio_password").read_text().strip())
    for session in (a, lead):
        for p in paths:
            status, body = session.call("GET", "/data/local-files/?d=" + p)
            assert status != 200 and not any(v in (body if isinstance(body, bytes) else str(body).encode())
                                             for v in leaked.values()), (session.email, p, status)
    # The annotator's own clip still plays; the other annotator's does not.
    own_clip, other_clip = rnd.batches[A].clips[0], rnd.batches[B].clips[0]
    status, body = a.call("GET", f"/data/local-files/?d=clips/{own_clip}.mp4")
    assert status == 200 and body == data.clip(own_clip).read_bytes()
    assert a.call("GET", f"/data/local-files/?d=clips/{other_clip}.mp4")[0] == 403


def test_each_annotator_reaches_only_their_own_project(round1):
    data, server, client, rnd, tasks = round1
    a, b = login(server, data, A), login(server, data, B)
    pa, pb = rnd.batches[A].project_id, rnd.batches[B].project_id
    ids = {e: i for i, e in client.user_emails().items()}
    # What A's labelling page needs, on A's own project: allowed.
    status, projects = a.call("GET", "/api/projects?page_size=30")
    assert status == 200 and [p["id"] for p in projects["results"]] == [pa]
    status, users = a.call("GET", f"/api/users?project={pa}")
    assert status == 200 and [u["email"] for u in users] == [A]  # no other account's email
    assert a.call("GET", f"/api/projects/{pa}")[0] == 200
    assert a.call("GET", f"/api/tasks/{tasks[A]}?project={pa}")[0] == 200
    assert a.call("POST", f"/api/dm/actions?id=next_task&project={pa}", {})[0] == 200
    # Every move on B's work, on the project itself or on accounts: refused.
    refused = [
        ("GET", f"/api/projects/{pb}", None), ("GET", f"/api/tasks?project={pb}&page=1", None),
        ("GET", f"/api/tasks/{tasks[B]}", None), ("GET", f"/api/tasks/{tasks[B]}/annotations", None),
        ("POST", f"/api/tasks/{tasks[B]}/annotations", {"result": result_for("1111111111")}),
        ("GET", f"/projects/{pb}/data", None), ("GET", f"/projects/{pb}/settings", None),
        ("PATCH", f"/api/projects/{pa}", {"title": "mine now"}), ("DELETE", f"/api/projects/{pa}", None),
        ("DELETE", f"/api/projects/{pb}", None), ("POST", "/api/projects", {"title": "new"}),
        ("POST", f"/api/projects/{pa}/import", [{"video": "x"}]),
        ("POST", f"/api/dm/actions?id=delete_tasks&project={pa}", {"selectedItems": {"all": True}}),
        ("GET", f"/api/projects/{pa}/export?exportType=JSON", None), ("GET", "/api/invite", None),
        ("GET", f"/api/users/{ids[B]}", None), ("GET", "/api/storages/localfiles", None),
        ("GET", "/api/current-user/token", None), ("GET", "/organization/", None), ("GET", "/user/account/", None),
        # A posts on A's own task in B's name.
        ("POST", f"/api/tasks/{tasks[A]}/annotations", {"result": result_for("1000000000"), "completed_by": ids[B]}),
    ]
    for method, path, body in refused:
        assert a.call(method, path, body)[0] == 403, (method, path)
    # B answers their own task; A may not change or delete it.
    answer = b.post_answer(tasks[B], result_for("0000011111"))
    for method in ("GET", "PATCH", "DELETE"):
        assert a.call(method, f"/api/annotations/{answer}", {"result": result_for("1" * 10)})[0] == 403, method
    # An invitation link makes an account that sees nothing.
    newcomer = PersonSession(server.url).signup(invite_token(client), "new@lab.test", "a-long-password-1")
    status, projects = newcomer.call("GET", "/api/projects")
    assert status == 200 and projects["results"] == []
    assert newcomer.call("GET", f"/api/projects/{pa}")[0] == 403
    # Nothing of that reached the server: projects and answers as they were.
    assert client.sdk.projects.get(pa).title == f"ovavel r1 {A}"
    assert len(client.export_tasks(pa)) == 1 and client.export_tasks(pa)[0]["annotations"] == []


def test_import_takes_only_answers_their_owner_gave_and_nobody_changed(round1):
    data, server, client, rnd, tasks = round1
    a, b = login(server, data, A), login(server, data, B)
    ids = {e: i for i, e in client.user_emails().items()}
    mine = a.post_answer(tasks[A], result_for("1111100000"))
    runner = CliRunner()
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    state = AnnotationState(data.root)
    assert [(x["annotator"], x["labels"]) for x in read_csv(state.round_file("1"))] == [(A, "1111100000")]
    # The lead changes A's answer; an answer is posted on B's task in B's name by the lead.
    client.sdk.annotations.update(mine, result=result_for("0000000001"))
    client.sdk.annotations.create(tasks[B], result=result_for("0101010101"), completed_by=ids[B])
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    rows = read_csv(state.round_file("1"))
    assert [(x["annotator"], x["labels"]) for x in rows] == [(A, "1111100000")]  # A's labels intact
    reasons = {x["clip_id"]: x["reason"] for x in read_csv(state.rejects_file("1"))}
    assert reasons[rnd.batches[A].clips[0]].startswith(f"edited by {server.state.admin}")
    assert reasons[rnd.batches[B].clips[0]].startswith(f"edited by {server.state.admin}")  # never credited to B
    # An answer imported with a task under A's name (no person submitted it): never credited.
    client.import_tasks(rnd.batches[A].project_id, [{"data": {"clip_id": rnd.batches[A].clips[0], "video": "x"},
                                                     "annotations": [{"result": result_for("0000011111"),
                                                                      "completed_by": ids[A]}]}])
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    assert [(x["annotator"], x["labels"]) for x in read_csv(state.round_file("1"))] == [(A, "1111100000")]
    assert any(x["reason"].startswith(f"no record that {A} gave it (no updated_by")
               for x in read_csv(state.rejects_file("1")))
    # status and import agree on what is left: B has 1 left, A none.
    r = runner.invoke(app, ["annotate", "status", "--data", str(data.root)])
    assert r.exit_code == 0, r.output
    assert re.search(rf"^1\s+{re.escape(A)}\s+1\s+1\s+0\s", r.output, re.M), r.output
    assert re.search(rf"^1\s+{re.escape(B)}\s+1\s+0\s+1\s", r.output, re.M), r.output
    # B answers their own task: counted.
    b.post_answer(tasks[B], result_for("0000011111"))
    summary = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert summary.exit_code == 0
    assert {x["annotator"]: x["labels"] for x in read_csv(state.round_file("1"))} == {A: "1111100000", B: "0000011111"}


def test_the_leads_answer_leaves_the_task_in_its_owners_queue(round1):
    data, server, client, rnd, tasks = round1
    a = login(server, data, A)
    pa = rnd.batches[A].project_id
    client.sdk.annotations.create(tasks[A], result=result_for("0000000001"))  # the lead, in the lead's name
    status, task = a.call("GET", f"/api/projects/{pa}/next")
    assert status == 200 and task["id"] == tasks[A]  # still A's to answer
    status, project = a.call("GET", f"/api/projects/{pa}")
    assert status == 200 and (project["queue_total"], project["queue_done"]) == (1, 0)
    a.post_answer(tasks[A], result_for("1100000000"))
    status, project = a.call("GET", f"/api/projects/{pa}")
    assert (project["queue_total"], project["queue_done"]) == (1, 1)
    assert a.call("GET", f"/api/projects/{pa}/next")[0] == 404  # A answered it: "No More Tasks Left"
    r = CliRunner().invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    assert [(x["annotator"], x["labels"]) for x in read_csv(AnnotationState(data.root).round_file("1"))] \
        == [(A, "1100000000")]


def test_in_the_real_page_an_annotator_sees_only_their_own_project(round1, browser):
    data, server, client, rnd, tasks = round1
    pa, pb = rnd.batches[A].project_id, rnd.batches[B].project_id
    page = AnnotatorPage(browser, server.url, width=1280, height=800)
    try:
        page.login(A, read_users(data.root)[A])
        page.page.goto(f"{server.url}/projects/")
        page.page.wait_for_selector(f"text=ovavel r1 {A}", timeout=60_000)
        assert f"ovavel r1 {B}" not in page.page.inner_text("body")  # B's project is not listed
        response = page.page.goto(f"{server.url}/projects/{pb}/data?task={tasks[B]}")
        assert response.status == 403
        # The page's own session, used by hand from its console: a storage on the data folder.
        status = page.page.evaluate(
            """async ([project, path]) => {
                 const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
                 const r = await fetch('/api/storages/localfiles', {method: 'POST', headers: {
                     'Content-Type': 'application/json', 'X-CSRFToken': csrf},
                     body: JSON.stringify({project, path, title: 'x'})});
                 return r.status; }""", [pa, str(data.root)])
        assert status == 403
        video = page.open_task(pa, tasks[A])  # A's own clip still plays
        assert video.ready_state >= 2 and abs(video.duration - 10.0) < 0.2
    finally:
        page.close()

"""Annotation for people, in a real browser: accounts, logging in, a clip that plays, labelling
with keys (`--ui seconds`) or a painted span (`--ui timeline`), and only the project owner's
answers imported."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import stat
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from ovavel.testing.browser_annotator import AnnotatorPage
from ovavel.annotation.server import read_state
from ovavel.testing.person_session import PersonSession
from ovavel.annotation.config import result_for
from ovavel.annotation.state import AnnotationState
from ovavel.annotation.users import read_users
from ovavel.app.cli import app
from ovavel.testing.synthetic_media import make_test_video
from ovavel.tables import read_csv

from ..conftest import REPO, serve_data_folder
from .conftest import make_data_dir

pytestmark = pytest.mark.slow

CLIPS = {"dogA_000010": "dog barking", "dogB_000020": "dog barking"}
PEOPLE = ["ann1@lab.test", "ann2@lab.test"]


@pytest.fixture
def people_round(label_studio, tmp_path, ffmpeg_available):
    """A data folder with two real clips, its own Label Studio, and two annotator accounts."""
    # Quiet clips, as the manifest says: a tone of 0.0126 full scale is 20 log10(0.0126 / sqrt 2) = -41 dB.
    data = make_data_dir(tmp_path / "data", CLIPS, mean_volume_db=dict.fromkeys(CLIPS, "-41.0"))
    data.clips_dir.mkdir()
    for cid in CLIPS:
        make_test_video(data.clip(cid), duration=10.0, size=(320, 240), amplitude=0.0126)
    server = serve_data_folder(label_studio, data.root)
    runner = CliRunner()
    r = runner.invoke(app, ["annotate", "users", "add", "--data", str(data.root), "--emails", ",".join(PEOPLE)])
    assert r.exit_code == 0, r.output
    yield data, server, runner, r.output
    server.stop()


def export(runner, data, *extra):
    r = runner.invoke(app, ["annotate", "export", "--data", str(data.root), "--round", "1",
                            "--annotators", ",".join(PEOPLE), *extra])
    assert r.exit_code == 0, r.output
    assert "/user/login/ : each logs in with their own account" in r.output  # the link to send
    return AnnotationState(data.root).round("1")


def task_of(client, project_id: int) -> int:
    return next(iter(client.sdk.tasks.list(project=project_id, fields="all"))).id


def test_users_add_makes_accounts_that_log_in_and_closes_signup(people_round, browser):
    data, server, runner, output = people_round
    users = read_users(data.root)
    assert sorted(users) == PEOPLE
    assert all(re.fullmatch(r"[0-9a-f]{24}", p) for p in users.values())
    path = data.annotation_dir / "users.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for email in PEOPLE:
        assert f"{email}: created; log in at {server.url}/user/login/ with the password in {path}" in output
    # Adding again reuses the accounts and keeps the passwords.
    r = runner.invoke(app, ["annotate", "users", "add", "--data", str(data.root), "--emails", PEOPLE[0]])
    assert r.exit_code == 0 and f"{PEOPLE[0]}: kept" in r.output
    assert read_users(data.root) == users
    # The admin's account is not reset through users add; an address with a quote is refused.
    admin = read_state(data.annotation_dir).admin
    r = runner.invoke(app, ["annotate", "users", "add", "--data", str(data.root), "--emails", admin.upper()])
    assert r.exit_code == 1 and "is the server's admin account" in r.output
    r = runner.invoke(app, ["annotate", "users", "add", "--data", str(data.root), "--emails", 'x"y@lab.test'])
    assert r.exit_code == 1 and "expected email addresses like a@lab.org" in r.output
    assert read_users(data.root) == users

    # users list: every account with its dates and answers; remove deactivates (no login after)
    r = runner.invoke(app, ["annotate", "users", "list", "--data", str(data.root)])
    assert r.exit_code == 0, r.output
    listed = {line.split()[0]: line.split() for line in r.output.splitlines()[2:]}
    assert set(PEOPLE) <= set(listed) and admin in listed
    assert all(listed[p][-2] == "0" and listed[p][-1] == "yes" for p in PEOPLE)
    r = runner.invoke(app, ["annotate", "users", "remove", "--data", str(data.root), admin])
    assert r.exit_code == 1 and "is the server's admin account; it is not removed" in r.output
    r = runner.invoke(app, ["annotate", "users", "remove", "--data", str(data.root), "nobody@lab.test"])
    assert r.exit_code == 1 and "no account 'nobody@lab.test'" in r.output

    page = AnnotatorPage(browser, server.url)
    page.login(PEOPLE[1], users[PEOPLE[1]])  # raises when the login page refuses
    page.close()
    with pytest.raises(RuntimeError, match="login as ann1@lab.test failed"):
        bad = AnnotatorPage(browser, server.url)
        try:
            bad.login(PEOPLE[0], "0" * 24)
        finally:
            bad.close()
    # A removed account can no longer log in, and the list says so.
    r = runner.invoke(app, ["annotate", "users", "add", "--data", str(data.root), "--emails", "temp@lab.test"])
    assert r.exit_code == 0, r.output
    temp_password = read_users(data.root)["temp@lab.test"]
    r = runner.invoke(app, ["annotate", "users", "remove", "--data", str(data.root), "temp@lab.test"])
    assert r.exit_code == 0 and "temp@lab.test: deactivated" in r.output
    with pytest.raises(RuntimeError, match="login as temp@lab.test failed"):
        gone = AnnotatorPage(browser, server.url)
        try:
            gone.login("temp@lab.test", temp_password)
        finally:
            gone.close()
    r = runner.invoke(app, ["annotate", "users", "list", "--data", str(data.root)])
    assert re.search(r"^temp@lab\.test .* 0 +no \(removed\)$", r.output, re.M), r.output
    # Open signup is closed: a sign-up form posted without the organisation's invite link is refused.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{server.url}/user/signup/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "email": "stranger@x.test",
                                   "password": "a-long-password-1"}).encode()
    request = urllib.request.Request(f"{server.url}/user/signup/", data=form, headers={"Referer": f"{server.url}/"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request)
    assert refused.value.code == 403
    assert "stranger@x.test" not in server.client().user_emails().values()


def test_export_refuses_an_unknown_account(people_round):
    data, server, runner, _ = people_round
    r = runner.invoke(app, ["annotate", "export", "--data", str(data.root), "--round", "1",
                            "--annotators", "ann1@lab.test,nobody@lab.test"])
    assert r.exit_code == 1
    assert "no Label Studio account for nobody@lab.test" in r.output
    assert "annotate users add --data DIR --emails nobody@lab.test" in r.output
    assert server.client().sdk.projects.list().items == []  # nothing was created


def test_seconds_view_in_a_real_browser(people_round, browser, tmp_path):
    data, server, runner, _ = people_round
    rnd = export(runner, data)
    client = server.client()
    batch = rnd.batches[PEOPLE[0]]
    assert batch.storage_id is not None
    clip = batch.clips[0]
    assert client.media_check(f"/data/local-files/?d=clips/{clip}.mp4") == ""

    page = AnnotatorPage(browser, server.url, width=1280, height=800)  # a laptop's window
    page.login(PEOPLE[0], read_users(data.root)[PEOPLE[0]])
    video = page.open_task(batch.project_id, task_of(client, batch.project_id))
    assert video.ready_state >= 2 and video.duration == pytest.approx(10.0, abs=0.05)
    assert page.page.get_by_text("Class: dog barking").count() == 1
    assert page.page.locator("video").first.bounding_box() is not None
    # The page script: the 320x240 clip fills the 360-px frame (1.5x); the quiet clip's waveform is
    # drawn 11.22x (-41 dB mean, to -20 dB); the waveform is in the window without scrolling.
    shown = page.page.wait_for_function(
        """() => { const c = document.querySelector('.lsf-video-canvas__view canvas');
                   const a = Htx.annotationStore.selected.names.get('audio');
                   return c && c.dataset.ovavelScale && a._ws && a._ws.ovavelAmp
                          && [c.dataset.ovavelScale, c.getBoundingClientRect().height, a._ws.ovavelAmp]; }""",
        timeout=30_000).json_value()
    assert shown == ["1.5000", 540, 11.22]
    wave = page.page.locator("canvas#waveform-layer-main").bounding_box()
    assert wave["y"] + wave["height"] <= 800
    # Clicking the waveform at 3.5 s seeks the video into second 3.
    assert 3.0 <= page.click_seek(3.5) < 4.0
    page.press_seconds([1, 2, 3, 7])
    page.screenshot(tmp_path / "annotation-view.png")
    page.submit()
    page.close()
    if os.environ.get("OVAVEL_WRITE_DOCS"):  # refresh the README's picture
        shutil.copy(tmp_path / "annotation-view.png", REPO / "docs" / "annotation-view.png")
    assert (tmp_path / "annotation-view.png").stat().st_size > 20_000

    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    rows = {x["clip_id"]: x for x in read_csv(AnnotationState(data.root).round_file("1"))}
    assert rows == {clip: {**rows[clip], "labels": "0111000100", "annotator": PEOPLE[0], "round": "1"}}
    assert float(rows[clip]["lead_time"]) > 0  # a person's answer has a time spent on it


def test_timeline_view_in_a_real_browser(people_round, browser):
    data, server, runner, _ = people_round
    rnd = export(runner, data, "--ui", "timeline")
    assert rnd.ui == "timeline"
    client = server.client()
    batch = rnd.batches[PEOPLE[1]]
    page = AnnotatorPage(browser, server.url, width=1280, height=800)  # a laptop's window
    page.login(PEOPLE[1], read_users(data.root)[PEOPLE[1]])
    video = page.open_task(batch.project_id, task_of(client, batch.project_id))
    assert video.duration == pytest.approx(10.0, abs=0.05)
    # All ten seconds on the timeline at once: its 50 steps (5 a second) fit the visible ruler.
    box = page.page.locator(".lsf-timeline-frames").bounding_box()
    size, offset = page.page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.lsf-timeline-frames'));"
        " return [parseFloat(s.getPropertyValue('--frame-size')), parseFloat(s.getPropertyValue('--offset'))]; })()")
    assert offset + 50 * size <= box["width"] and box["x"] + box["width"] <= 1280
    # The page script writes the seconds on the timeline and lays the waveform under its steps:
    # second k at offset + 5 k steps, the waveform's 0 and 10 s under the timeline's.
    marks = page.page.wait_for_function(
        """() => { const r = document.querySelectorAll('.ovavel-seconds span');
                   return r.length === 11 && [...r].map(m => [m.textContent, m.getBoundingClientRect().x]); }""",
        timeout=30_000).json_value()
    assert [m[0] for m in marks] == ["0 s", *map(str, range(1, 11))]
    assert [m[1] for m in marks] == pytest.approx([box["x"] + offset + 5 * k * size for k in range(11)], abs=1)
    page.page.wait_for_function(
        f"""() => Math.abs(document.querySelector('canvas#waveform-layer-main').getBoundingClientRect().width
                           - {50 * size}) < 2""", timeout=30_000)
    wave = page.page.locator("canvas#waveform-layer-main").bounding_box()
    assert wave["x"] == pytest.approx(box["x"] + offset, abs=1) and wave["width"] == pytest.approx(50 * size, abs=1)
    assert 3.0 <= page.click_seek(3.5) < 4.0  # a click on the aligned waveform still seeks the video there
    assert not page.page.locator(".lsf-sidepanels__wrapper_align_right").is_visible()  # no regions panel
    assert page.page.get_by_text("(clip 1 of 1)").count() == 1
    rows = drag_1_2_to_3_8_and_import(page, runner, data)
    assert [(x["clip_id"], x["labels"], x["annotator"]) for x in rows] == [(batch.clips[0], "0111000000", PEOPLE[1])]


def drag_1_2_to_3_8_and_import(page, runner, data) -> list[dict]:
    """Drag a span over 1.2-3.8 s on the open task, submit, close the page, import round 1: its rows."""
    page.drag_span(1.2, 3.8)
    page.submit()
    page.close()
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    return read_csv(AnnotationState(data.root).round_file("1"))


def test_timeline_answers_map_to_seconds_whatever_the_clips_frame_rate(people_round, browser):
    """A data folder curated at 30 fps (`curate download --fps 30`): the timeline counts its own
    5 steps a second, so a span dragged over 1.2-3.8 s still names seconds 1, 2 and 3."""
    data, server, runner, _ = people_round
    for cid in CLIPS:
        make_test_video(data.clip(cid), duration=10.0, size=(320, 240), fps=30)
    rnd = export(runner, data, "--ui", "timeline")
    client = server.client()
    batch = rnd.batches[PEOPLE[0]]
    page = AnnotatorPage(browser, server.url, width=1280, height=800)
    page.login(PEOPLE[0], read_users(data.root)[PEOPLE[0]])
    video = page.open_task(batch.project_id, task_of(client, batch.project_id))
    assert video.duration == pytest.approx(10.0, abs=0.05)
    rows = drag_1_2_to_3_8_and_import(page, runner, data)
    assert [(x["clip_id"], x["labels"]) for x in rows] == [(batch.clips[0], "0111000000")]


def test_answers_in_someone_elses_project_are_rejected(people_round):
    data, server, runner, _ = people_round
    rnd = export(runner, data)
    client = server.client()
    ids = {e: i for i, e in client.user_emails().items()}
    own, other = rnd.batches[PEOPLE[0]], rnd.batches[PEOPLE[1]]
    # An answer in ann1's project given in ann2's name (the guard keeps ann2 out; the lead's
    # account, or a server without the guard, can still put one there); ann2 answers their own.
    client.sdk.annotations.create(task_of(client, own.project_id), result=result_for("1111100000"),
                                  completed_by=ids[PEOPLE[1]])
    PersonSession(server.url).login(PEOPLE[1], read_users(data.root)[PEOPLE[1]]).post_answer(
        task_of(client, other.project_id), result_for("0000011111"))
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    state = AnnotationState(data.root)
    rows = read_csv(state.round_file("1"))
    assert [(x["clip_id"], x["labels"], x["annotator"]) for x in rows] == [(other.clips[0], "0000011111", PEOPLE[1])]
    rejects = read_csv(state.rejects_file("1"))
    assert [(x["annotator"], x["clip_id"], x["reason"]) for x in rejects] == [
        (PEOPLE[1], own.clips[0], f"answer by {PEOPLE[1]} in the project of {PEOPLE[0]}: only {PEOPLE[0]}'s "
                                  "answers count in it")]
    assert re.search(r"^clips without an answer\s+1$", r.output, re.M)

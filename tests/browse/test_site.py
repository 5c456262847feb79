"""`ovavel browse`: the site built from the small benchmark of conftest.py, used in headless
Chromium as a person would: overview, filters, the URL, the clip view's video and timelines,
keyboard, the annotation view; screenshots checked to be non-blank."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from ovavel.browse.errors import error_types, runs
from ovavel.app.cli import app
from ovavel.formats import METRIC_KEYS
from ovavel.metrics.published import published_rows
from ovavel.metrics.report import pct

from .conftest import CLIPS, EXPECTED_ERRORS

IDS = list(CLIPS)


def test_error_types_by_hand():
    for cid, (cls, labels, pred) in CLIPS.items():
        assert error_types(cls, labels, pred) == EXPECTED_ERRORS[cid], cid
    assert runs(["a", "a", "background", "b", "unassigned", "b"]) == [("a", 0, 2), ("b", 3, 4), ("b", 5, 6)]
    # Two seconds off at one edge is not a boundary error (it still overlaps: no miss, no false event).
    assert error_types("a", "0011110000", ["background"] * 4 + ["a"] * 4 + ["background"] * 2) == []
    # Beside the event, not on it: the event is missed and the prediction is a false event.
    assert error_types("a", "0011000000", ["a"] * 2 + ["background"] * 8) == ["missed", "false"]
    # One of two events found: missed; fewer predicted events than true ones is no boundary error.
    assert error_types("a", "0011000011", ["background"] * 3 + ["a"] + ["background"] * 6) == ["missed"]


@pytest.fixture(scope="module")
def site(bench_site_inputs, tmp_path_factory):
    root, data = bench_site_inputs
    out = tmp_path_factory.mktemp("site") / "site"
    r = CliRunner().invoke(app, ["browse", "--data", str(data.root), "--labels", str(root / "labels.csv"),
                                 "--split", str(root / "test.csv"), "--results", str(root / "results" / "training_free"),
                                 str(root / "results" / "fine_tuned"), "--out", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "with video: 5" in r.output and "with frames + audio only: 1" in r.output
    assert f"open it: file://{out.resolve()}/index.html" in r.output
    return out


def test_data_file(site):
    text = (site / "data.js").read_text()
    assert text.startswith("window.OVAVEL_DATA = ")
    d = json.loads(text[len("window.OVAVEL_DATA = "):].rstrip().rstrip(";"))
    assert [m["name"] for m in d["methods"]] == ["training-free", "fine-tuned"]
    assert [c["id"] for c in d["clips"]] == IDS
    assert d["methods"][1]["summary"]["total"]["avg"] == 1.0  # the truth itself
    for m in d["methods"]:  # shown as the report rounds them (never rounded twice)
        for g, s in m["summary"].items():
            assert s["shown"] == {k: pct(s[k] if s[k] is not None else float("nan")) for k in METRIC_KEYS}
    for c in d["clips"]:
        assert [d["error_types"][e] for e in c["errors"]["training-free"]] == EXPECTED_ERRORS[c["id"]]
        assert c["errors"]["fine-tuned"] == []
    assert (site / "thumbs" / "clip0000001_000000.jpg").exists() and (site / "media" / "clip0000001_000000.mp4").exists()
    assert (site / "media" / "clip0000006_000000" / "frame_9.jpg").exists() and (site / "media" / "clip0000006_000000" / "audio.wav").exists()
    assert [x["id"] for x in d["annotation"]["disputed"]] == ["clip0000002_000000", "clip0000004_000000"]
    assert d["annotation"]["scripted"] is False  # the rounds' answers took people 3 s each


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.base = (site / "index.html").resolve().as_uri()
    yield page
    context.close()


def non_blank(path) -> bool:
    from PIL import Image, ImageStat

    with Image.open(path) as im:
        stat = ImageStat.Stat(im.convert("L"))
        colours = len(im.convert("RGB").getcolors(1 << 20) or [])
    return stat.stddev[0] > 10 and colours > 20


def filtered(page) -> list[str]:
    return page.evaluate("window.OVAVEL_STATE.filtered")


def rendered(page) -> list[str]:
    return page.eval_on_selector_all("#list .row", "rows => rows.map(r => r.dataset.id)")


def test_overview_loads_without_console_errors(page, tmp_path):
    page.goto(page.base)
    page.wait_for_selector("#metrics")
    rows = page.eval_on_selector_all("#metrics tr", "rows => rows.map(r => r.innerText.split('\\t'))")
    # The user's two methods among the paper's eight Table 2 rows, best total Avg first.
    published = published_rows("2")
    assert len(rows) == 1 + 2 + len(published) == 11
    assert [r[:2] for r in rows[1:] if r[1] == "yours"] == [["fine-tuned", "yours"], ["training-free", "yours"]]
    assert rows[1][0] == "fine-tuned" and rows[1][-2] == "100.0"  # fine-tuned total Avg (the truth)
    shown = {r[0]: r for r in rows[1:] if r[1] == "published (paper, Table 2)"}
    assert set(shown) == set(published)
    assert shown["psp"][2:14] == [f"{published['psp'][g][m]:.1f}" for g in ("seen", "unseen", "total")
                                  for m in ("acc", "seg", "eve", "avg")]
    totals = [float(r[13]) for r in rows[1:]]
    assert totals == sorted(totals, reverse=True)
    page.click("#metrics th[data-col='name']")  # sort by name
    names = page.eval_on_selector_all("#metrics tr td:first-child", "cells => cells.map(c => c.innerText)")
    assert names == sorted(names)
    classes = page.eval_on_selector_all("#per-class tr td:first-child", "cells => cells.map(c => c.innerText)")
    assert classes == ["cat purring", "dog barking", "people burping"]
    page.click("#per-class th[data-col='videos']")  # sort by videos: 3, 2, 1 descending
    classes = page.eval_on_selector_all("#per-class tr td:first-child", "cells => cells.map(c => c.innerText)")
    assert classes == ["dog barking", "people burping", "cat purring"]
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert non_blank(tmp_path / "overview.png")
    assert page.errors == []


def test_the_clip_list_has_sortable_column_headers(page):
    page.goto(page.base + "#/clips")
    page.wait_for_selector("#list .row")
    heads = page.eval_on_selector_all("#list-header span", "cells => cells.map(c => c.innerText)")
    assert heads == ["", "clip", "class", "seen/unseen", "training-free avg %", "fine-tuned avg %",
                     "error types (training-free)"]
    page.click("#list-header [data-col='id']")
    assert filtered(page) == sorted(IDS)
    page.click("#list-header [data-col='id']")
    assert filtered(page) == sorted(IDS, reverse=True)
    page.click("#list-header [data-col='avg:training-free']")
    scores = page.evaluate("window.OVAVEL_STATE.filtered.map(id => { const c = window.OVAVEL_DATA.clips.find("
                           "x => x.id === id); const s = c.scores['training-free']; return (s[0] + s[1] + s[2]) / 3; })")
    assert scores == sorted(scores)
    assert page.errors == []


def test_class_filter_error_filter_and_the_url(page):
    page.goto(page.base + "#/clips?class=dog%20barking")
    page.wait_for_selector("#list .row")
    assert filtered(page) == ["clip0000001_000000", "clip0000002_000000", "clip0000003_000000"]
    assert sorted(rendered(page)) == ["clip0000001_000000", "clip0000002_000000", "clip0000003_000000"]
    assert page.inner_text("#count") == "3 of 6"
    page.select_option("#f-class", "")
    page.select_option("#f-method", "training-free")
    page.select_option("#f-error", "missed")
    assert filtered(page) == ["clip0000003_000000", "clip0000005_000000"]
    assert sorted(rendered(page)) == ["clip0000003_000000", "clip0000005_000000"] and page.inner_text("#count") == "2 of 6"
    url = page.url
    assert "error=missed" in url and "method=training-free" in url
    for error, expected in (("false", ["clip0000004_000000"]), ("boundary", ["clip0000002_000000"]),
                            ("wrong-class", ["clip0000004_000000", "clip0000005_000000"]), ("correct", ["clip0000001_000000", "clip0000006_000000"])):
        page.select_option("#f-error", error)
        assert filtered(page) == expected, error
    page.select_option("#f-error", "missed")
    page.fill("#f-q", "0000005")
    assert filtered(page) == ["clip0000005_000000"]
    # The URL restores the filter in a fresh page.
    shared = page.url
    fresh = page.context.new_page()
    fresh.goto(shared)
    fresh.wait_for_selector("#list .row")
    assert fresh.evaluate("window.OVAVEL_STATE.filtered") == ["clip0000005_000000"]
    assert fresh.input_value("#f-error") == "missed" and fresh.input_value("#f-q") == "0000005"
    assert page.errors == []


def test_clip_view_plays_seeks_and_walks(page, tmp_path):
    page.goto(page.base + "#/clip/clip0000004_000000")
    page.wait_for_function("document.getElementById('player') && document.getElementById('player').readyState >= 2",
                           timeout=20000)
    sources = page.eval_on_selector_all(".strip", "s => s.map(x => x.dataset.source)")
    assert sources == ["truth", "round-1", "round-2", "method-training-free", "method-fine-tuned"]
    if page.locator("text=provenance").count():  # the letters are explained where they are shown
        assert "a = both rounds agreed, j = the adjudicator decided" in page.inner_text("#provenance-legend")
    names = page.eval_on_selector_all(".strip-name", "s => s.map(x => x.innerText)")
    assert names[1] == "round 1 (ann@a.org)" and names[2] == "round 2 (ann@b.org)"
    # Every colour of the strips is named in full in the legend; the source video is linked.
    keys = page.eval_on_selector_all("#colour-legend .key", "k => k.map(x => x.dataset.class)")
    assert keys == ["cat purring", "people burping", "background"]
    assert page.get_attribute("#source-link", "href") == "https://www.youtube.com/watch?v=clip0000004&t=0s"
    tf = page.eval_on_selector_all(".strip[data-source='method-training-free'] .cell",
                                   "c => c.map(x => x.classList.contains('bg') ? 'bg' : x.innerText)")
    assert tf == ["cat purring", "cat purring", "bg", "bg", "bg"] + ["people burping"] * 5
    page.click(".strip[data-source='truth'] .cell[data-second='7']")
    t = page.evaluate("document.getElementById('player').currentTime")
    assert 7 <= t < 8
    left = page.eval_on_selector(".strip[data-source='truth'] .playhead", "h => parseFloat(h.style.left)")
    assert 70 <= left < 80
    page.screenshot(path=str(tmp_path / "clip.png"), full_page=True)
    assert non_blank(tmp_path / "clip.png")
    page.keyboard.press(" ")
    page.wait_for_function("!document.getElementById('player').paused", timeout=10000)
    page.keyboard.press(" ")
    assert page.evaluate("document.getElementById('player').paused")
    page.keyboard.press("j")
    page.wait_for_function("location.hash.startsWith('#/clip/clip0000005_000000')")
    page.keyboard.press("k")
    page.keyboard.press("k")
    page.wait_for_function("location.hash.startsWith('#/clip/clip0000003_000000')")
    assert page.errors == []


def test_clip_with_segments_only_shows_frames_and_audio(page):
    page.goto(page.base + "#/clip/clip0000006_000000")
    page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=20000)
    assert page.evaluate("document.getElementById('player').tagName") == "AUDIO"
    page.click(".strip[data-source='truth'] .cell[data-second='3']")
    assert re.search(r"media/clip0000006_000000/frame_3\.jpg$", page.get_attribute("#frame", "src"))


def test_annotation_view(page):
    page.goto(page.base + "#/annotation")
    page.wait_for_selector("#disputed")
    heads = page.eval_on_selector_all("#disputed h3", "h => h.map(x => x.innerText)")
    assert page.inner_text("text=Disputed clips") == f"Disputed clips ({len(heads)})"  # the count is what is listed
    assert heads == ["clip0000002_000000 · dog barking · disputed seconds 6", "clip0000004_000000 · people burping · disputed seconds 0, 1"]
    pair = page.eval_on_selector_all("#agree-pair tr", "rows => rows.map(r => r.innerText)")
    assert len(pair) == 2 and pair[1].startswith("ann@a.org & ann@b.org\t6\t95")  # 57 of 60 seconds agree
    assert page.errors == []


def test_unassigned_seconds_are_not_a_wrong_class():
    assert error_types("a", "0011000000", ["background"] * 2 + ["a"] * 2 + ["unassigned"] + ["background"] * 5) == []
    assert error_types("a", "0011000000", ["background"] * 2 + ["a"] * 2 + ["b"] + ["background"] * 5) == [
        "false", "wrong-class"]


def test_rounds_answered_in_no_time_are_called_scripted(tmp_path):
    from ovavel.annotation.state import ROUND_COLUMNS
    from ovavel.browse.site import annotation_data
    from ovavel.layout import DataDir
    from ovavel.tables import write_csv

    data = DataDir.at(tmp_path)
    data.annotation_dir.mkdir()
    row = {"clip_id": "clip0000001_000000", "class": "dog barking", "labels": "0011000000", "round": "1",
           "annotator": "a@x", "annotation_id": "1", "lead_time": "", "created_at": ""}
    write_csv(data.annotation_dir / "labels_round1.csv", [row, {**row, "lead_time": "0"}], ROUND_COLUMNS)
    assert annotation_data(data, {})["scripted"] is True
    write_csv(data.annotation_dir / "labels_round1.csv", [row, {**row, "lead_time": "4.2"}], ROUND_COLUMNS)
    assert annotation_data(data, {})["scripted"] is False

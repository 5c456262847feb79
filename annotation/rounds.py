"""`annotate export` and `annotate import`: the rounds, on a Label Studio server or offline.

Export: one project per annotator and round (the open-source edition has no per-user task
assignment), tasks imported in batches, each showing the clip's video and class, optionally
pre-filled (round-1 answers for round 2 in review mode, or a model's predictions). A project is
recorded as "creating" before its first task goes in and "ready" after the last, so an export
that stopped half-way completes on rerun without duplicates.

Import: every project's tasks come back in one export request each; skipped and cancelled
annotations are dropped and counted; results that do not fit the config go to a rejects file with
the reason; the round file is written once, atomically, from everything fetched, so a server that
stops mid-import leaves nothing half-written and a re-import gives the same file.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from ovavel import BACKGROUND
from ovavel.annotation.assign import assign_round1, assign_round2
from ovavel.annotation.config import TIMELINE_FPS, labeling_config, labels_from_result, result_for, waveform_scale
from ovavel.annotation.state import (REJECT_COLUMNS, ROUND_COLUMNS, AnnotationState, Batch, RoundState,
                                     check_round)
from ovavel.annotation.server import media_root
from ovavel.annotation.users import require_accounts
from ovavel.layout import DataDir
from ovavel.curation.manifest import usable_clips
from ovavel.errors import InputError, OvavelError
from ovavel.formats import PREDICTION_COLUMNS, SEGMENTS_PER_CLIP
from ovavel.progress import progress_bar
from ovavel.tables import atomic_write_text, read_csv, write_csv

VIDEO_URL = "/data/local-files/?d=clips/{clip_id}.mp4"  # Label Studio local-files storage (annotation/media)
NO_RECORD = "no record"  # an answer whose export names nobody as its last writer (see _authors)


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class ExportOptions:
    annotators: list[str] | None = None
    predictions: str | None = None  # predictions.csv of a model
    mode: str = "review"  # round 2: review (pre-filled with round 1) or blind
    adjudicator: str | None = None
    offline: bool = False
    video_url: str = VIDEO_URL
    batch_size: int = 1000
    ui: str | None = None  # the labelling view: seconds (ten toggles, keys 0-9; a new round's default) or
    # timeline (spans); None: the round's own


@dataclass
class ImportSummary:
    rows: int = 0
    skipped: int = 0
    rejected: int = 0
    left: dict[str, int] = field(default_factory=dict)  # annotator -> tasks without an answer
    missing: list[str] = field(default_factory=list)  # clip ids without an answer


def clip_classes(data: DataDir) -> dict[str, str]:
    return {r["clip_id"]: r["class"] for r in usable_clips(data)}


def clip_waveform_scales(clips: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """{clip: {"amp": scale}} for the manifest rows `clips` quiet enough to need their waveform scaled up."""
    scales = {r["clip_id"]: waveform_scale(r.get("mean_volume_db")) for r in clips}
    return {cid: {"amp": f"{amp:g}"} for cid, amp in scales.items() if amp > 1}


def read_round(state: AnnotationState, name: str) -> dict[str, dict[str, str]]:
    path = state.round_file(name)
    if not path.exists():
        raise OvavelError(f"no {path.name}: run `annotate import --round {name}` first")
    return {r["clip_id"]: r for r in read_csv(path, required=ROUND_COLUMNS)}


def model_prefill(path: str, classes: dict[str, str]) -> dict[str, str]:
    """0/1 labels from a predictions.csv: 1 where the model names the clip's class."""
    rows = read_csv(path, required=PREDICTION_COLUMNS)
    out = {}
    for line, r in enumerate(rows, start=2):
        cid = r["clip_id"]
        if cid not in classes:
            continue
        segs = [r[f"seg_{k}"].strip() for k in range(SEGMENTS_PER_CLIP)]
        if not all(segs):
            raise InputError(f"clip {cid!r}: expected a class name or {BACKGROUND!r} in every segment", path=path, line=line)
        out[cid] = "".join("1" if s == classes[cid] else "0" for s in segs)
    return out


def plan_round(state: AnnotationState, name: str, opts: ExportOptions,
               classes: dict[str, str]) -> tuple[dict[str, str], str]:
    """({clip: annotator}, prefill kind) of a round about to be exported; `classes`: {clip: class}
    of the usable clips."""
    if name == "1":
        if not opts.annotators:
            raise OvavelError("--annotators: round 1 needs the annotators, e.g. --annotators a@x,b@x,c@x")
        return assign_round1(list(classes.items()), opts.annotators), "predictions" if opts.predictions else "none"
    if name == "2":
        r1 = state.round("1")
        first = r1.annotator_of()
        assignment = assign_round2([(c, classes[c]) for c in first if c in classes], first,
                                   opts.annotators or list(r1.batches))
        return assignment, "predictions" if opts.predictions else "round1" if opts.mode == "review" else "none"
    if not opts.adjudicator:
        raise OvavelError("--adjudicator: the adjudication round needs one person, e.g. --adjudicator x@y")
    return {c: opts.adjudicator for c in adjudication_data(state)}, "none"


def adjudication_data(state: AnnotationState) -> dict[str, dict]:
    """Per disputed clip, what the adjudicator is shown: both earlier answers and who gave them."""
    path = state.dir / "disagreements.csv"
    if not path.exists():
        raise OvavelError("no disagreements.csv: run `annotate reconcile` first")
    rows = read_csv(path, required=["clip_id", "r1_annotator", "r1_labels", "r2_annotator", "r2_labels", "disputed"])
    keys = ("r1_labels", "r2_labels", "r1_annotator", "r2_annotator", "disputed")
    return {r["clip_id"]: {k: r[k] for k in keys} for r in rows}


def build_tasks(clips: list[str], classes: dict[str, str], extra: dict, prefill: dict[str, str], name: str,
                video_url: str, model_version: str, ui: str, fps: int = TIMELINE_FPS) -> list[dict]:
    tasks = []
    for i, cid in enumerate(clips):
        task = {"data": {"video": video_url.format(clip_id=cid), "clip_id": cid, "class": classes[cid],
                         "round": name, "position": f"{i + 1} of {len(clips)}", **extra.get(cid, {})}}
        if cid in prefill:
            task["predictions"] = [{"model_version": model_version, "result": result_for(prefill[cid], ui, fps)}]
        tasks.append(task)
    return tasks


def export_round(data: DataDir, name: str, opts: ExportOptions, client=None, echo=print,
                 progress: bool = True) -> RoundState:
    name = check_round(name)
    state = AnnotationState(data.root)
    rnd = state.rounds.get(name)
    usable = usable_clips(data)
    classes = {r["clip_id"]: r["class"] for r in usable}
    if rnd is not None and opts.ui is not None and rnd.ui != "grid" and opts.ui != rnd.ui:
        raise OvavelError(f"round {name} was exported with --ui {rnd.ui}; its answers are read in that view, so it "
                          f"cannot change to --ui {opts.ui} (omit --ui to export it again as it is)")
    if rnd is None:
        opts = replace(opts, ui=opts.ui or "seconds")
        assignment, prefill_kind = plan_round(state, name, opts, classes)
        batches: dict[str, Batch] = {}
        for cid, a in assignment.items():
            batches.setdefault(a, Batch(clips=[])).clips.append(cid)
        if not opts.offline:
            require_accounts(client, list(batches))  # before anything is created on the server
        rnd = RoundState(mode="offline" if opts.offline else "server", batches=batches, prefill=prefill_kind,
                         review=(name == "2" and opts.mode == "review"), ui=opts.ui, timeline_fps=TIMELINE_FPS)
        state.rounds[name] = rnd
        state.save()
    extra = adjudication_data(state) if name == "adjudicate" else {}
    for cid, scale in clip_waveform_scales(usable).items():
        extra[cid] = {**extra.get(cid, {}), **scale}
    prefill: dict[str, str] = {}
    if rnd.prefill == "round1":
        prefill = {c: r["labels"] for c, r in read_round(state, "1").items()}
    elif rnd.prefill == "predictions":
        if not opts.predictions:
            raise OvavelError(f"round {name} was exported with --predictions; pass the same file again")
        prefill = model_prefill(opts.predictions, classes)
    ui = rnd.ui if rnd.ui != "grid" else (opts.ui or "seconds")
    config = labeling_config(adjudication=(name == "adjudicate"), ui=ui, timeline_fps=rnd.timeline_fps)
    with progress_bar(len(rnd.batches), f"round {name}", "annotator", progress, echo) as (bar, echo):
        for annotator, batch in rnd.batches.items():
            if batch.status == "ready":
                if rnd.mode == "server":
                    _ensure_playable(client, data, batch, opts.video_url, annotator, name, state)
            else:
                tasks = build_tasks(batch.clips, classes, extra, prefill, name, opts.video_url,
                                    "round1" if rnd.prefill == "round1" else "model", ui, rnd.timeline_fps)
                _export_batch(data, state, rnd, name, annotator, batch, tasks, config, opts, client)
                echo(f"round {name}: {len(batch.clips)} tasks for {annotator}"
                     + (f" (project {batch.project_id})" if batch.project_id else f" ({batch.file})"))
            bar.update()
    return rnd


def _export_batch(data: DataDir, state: AnnotationState, rnd: RoundState, name: str, annotator: str, batch: Batch,
                  tasks: list[dict], config: str, opts: ExportOptions, client) -> None:
    """One annotator's tasks: a file (offline) or a project (made once, tasks added that it lacks)."""
    if rnd.mode == "offline":
        folder = state.dir / "offline" / f"round{name}"
        atomic_write_text(folder / "config.xml", config)
        target = folder / f"{annotator}.json"
        atomic_write_text(target, json.dumps(tasks, indent=1) + "\n")
        batch.file = str(target.relative_to(data.root))
    else:
        if batch.project_id is None:
            batch.project_id = client.create_project(f"ovavel r{name} {annotator}", config,
                                                     project_description(name, annotator))
            state.save()  # recorded before the first task goes in
        present = client.clip_ids(batch.project_id)
        client.import_tasks(batch.project_id, [t for t in tasks if t["data"]["clip_id"] not in present],
                            opts.batch_size)
        _ensure_playable(client, data, batch, opts.video_url, annotator, name, state)
    batch.status = "ready"
    state.save()


def project_description(name: str, annotator: str) -> str:
    """A project's description; its `annotator:` line is what the guard of the toolkit's Label Studio
    (annotation/label_studio_guard) reads to give that account, and no other, the project."""
    return f"ovavel round {name}\nannotator: {annotator}"


def _ensure_playable(client, data: DataDir, batch: Batch, video_url: str, annotator: str, name: str,
                     state: AnnotationState) -> None:
    """Make sure the project names its annotator (the guard reads it) and keeps a task in its owner's
    queue until the owner answers (ls_client.OWNER_AND_LEAD), make its clips playable (a
    Local Files storage over the media-only document root's clips/ for the default local-files
    URL) and check one clip URL through the server: HTTP 200 and a video."""
    client.ensure_project(batch.project_id, project_description(name, annotator))
    if video_url == VIDEO_URL:
        storage = client.ensure_local_storage(batch.project_id, str(media_root(data.root) / "clips"))
        if storage != batch.storage_id:  # a round of an older version: its storage was on DIR/clips
            batch.storage_id = storage
            state.save()
    if batch.clips:
        problem = client.media_check(video_url.format(clip_id=batch.clips[0]))
        if problem:
            raise OvavelError(f"the clips of {annotator}'s project {batch.project_id} do not play: {problem}. "
                              f"Label Studio must see {media_root(data.root) / 'clips'} (its local-files document "
                              "root when `annotate server start` started it; a server started by an older version "
                              "needs `annotate server stop` and `start`); rerun the same command once fixed")


def import_round(data: DataDir, name: str, client=None, files: list[str] | None = None,
                 after_fetch: Callable[[str], None] | None = None) -> ImportSummary:
    """Fetch every answer of a round and write DIR/annotation/labels_round{N}.csv."""
    name = check_round(name)
    state = AnnotationState(data.root)
    rnd = state.round(name)
    rows, rejects, summary = collect_round(data, name, rnd, client, files, after_fetch)
    write_csv(state.round_file(name), list(rows.values()), ROUND_COLUMNS)
    write_csv(state.rejects_file(name), rejects, REJECT_COLUMNS)
    return summary


def collect_round(data: DataDir, name: str, rnd: RoundState, client=None, files: list[str] | None = None,
                  after_fetch: Callable[[str], None] | None = None) -> tuple[dict[str, dict], list[dict], ImportSummary]:
    """({clip: round row} in task order, rejects, summary) of a round, fetched now: what an import
    writes and what `annotate status` counts, by the same rule."""
    classes = clip_classes(data)
    owner = rnd.annotator_of()
    emails: dict[int, str] = client.user_emails() if rnd.mode == "server" else {}
    exported: dict[str, list] = {}  # who gave the answers in them (server: the project's owner) -> tasks
    if rnd.mode == "server":
        for annotator, batch in rnd.batches.items():
            exported[annotator] = client.export_tasks(batch.project_id)
            if after_fetch:
                after_fetch(annotator)
    else:
        exported = _read_offline_exports(data, rnd, files)
    rows: dict[str, dict] = {}
    rejects: list[dict] = []
    summary = ImportSummary()
    for annotator, tasks in exported.items():
        for task in tasks:
            cid = _task_clip(task)
            answers = task.get("annotations") if isinstance(task, dict) else None
            if not isinstance(answers, list):
                rejects.append(_reject(name, annotator, cid, {}, f"not a Label Studio task: {str(task)[:80]}"))
                continue
            if cid not in owner:
                rejects += [_reject(name, annotator, cid, a, "annotation for a clip not in this round's tasks")
                            for a in answers if isinstance(a, dict)]
                continue
            chosen = _choose_answer(name, cid, owner[cid], annotator, answers, emails, rnd, summary, rejects)
            if chosen:
                who, labels, a = chosen
                rows[cid] = {"clip_id": cid, "class": classes.get(cid, ""), "labels": labels, "round": name,
                             "annotator": who, "annotation_id": str(a.get("id", "")),
                             "lead_time": a.get("lead_time") or "", "created_at": a.get("created_at") or ""}
    _keep_imported_before(data, name, rows, rejects, owner)
    order = [c for b in rnd.batches.values() for c in b.clips]
    rows = {c: rows[c] for c in order if c in rows}
    summary.rows, summary.rejected = len(rows), len(rejects)
    summary.missing = [c for c in order if c not in rows]
    summary.left = dict(Counter(owner[c] for c in summary.missing))
    return rows, rejects, summary


def _keep_imported_before(data: DataDir, name: str, rows: dict[str, dict], rejects: list[dict],
                          owner: dict[str, str]) -> None:
    """An answer imported before and changed since by someone else keeps the labels its owner gave
    (the round file's row); the change stays in the rejects."""
    path = AnnotationState(data.root).round_file(name)
    if not path.exists():
        return
    before = {r["clip_id"]: r for r in read_csv(path, required=ROUND_COLUMNS)}
    for reject in rejects:
        cid, old = reject["clip_id"], before.get(reject["clip_id"])
        if (reject["reason"].startswith("edited by") and cid not in rows and old is not None
                and old["annotation_id"] == str(reject["annotation_id"]) and old["annotator"] == owner.get(cid)):
            rows[cid] = old
            reject["reason"] += f"; the labels {old['annotator']} gave, imported before, are kept"


def round_status(data: DataDir, client=None) -> list[dict]:
    """Per round and annotator: tasks, done, left. A server round is counted now, by the import's
    own rule (an answer counts once its owner gave it and nobody else changed it); an offline
    round by its last import."""
    state = AnnotationState(data.root)
    out = []
    for name, rnd in state.rounds.items():
        if rnd.mode == "server" and client is not None:
            done_ids = set(collect_round(data, name, rnd, client)[0])
        else:
            path = state.round_file(name)
            done_ids = {r["clip_id"] for r in read_csv(path)} if path.exists() else set()
        for annotator, batch in rnd.batches.items():
            total, done = len(batch.clips), sum(c in done_ids for c in batch.clips)
            out.append({"round": name, "annotator": annotator, "tasks": total, "done": done, "left": total - done,
                        "where": f"project {batch.project_id}" if batch.project_id else (batch.file or ""),
                        "status": batch.status})
    return out


def _choose_answer(name: str, cid: str, owner: str, source: str, answers: list, emails: dict[int, str],
                   rnd: RoundState, summary: ImportSummary, rejects: list[dict]) -> tuple[str, str, dict] | None:
    """(who, labels, annotation) kept for a clip: the latest valid answer that its owner gave and
    nobody else changed. `source` is who the answers come from when the export does not say (an
    offline file's author). An answer by anyone else, or changed by anyone else (Label Studio's
    `updated_by` / `last_created_by`), goes to the rejects with the reason: it is not theirs to give,
    and counting it could hand the clip back to them in round 2. Cancelled answers are counted."""
    mine = []
    for bad in [a for a in answers if not isinstance(a, dict)]:
        rejects.append(_reject(name, source, cid, {}, f"not an annotation: {str(bad)[:80]}"))
    answers = [a for a in answers if isinstance(a, dict)]
    for a in sorted(answers, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), str(a.get("id")))):
        if a.get("was_cancelled"):
            summary.skipped += 1
            continue
        who, changed_by = _authors(a, emails, source, rnd.mode)
        if who.lower() != owner.lower():
            rejects.append(_reject(name, who, cid, a, f"answer by {who} in the project of {owner}: only "
                                                      f"{owner}'s answers count in it"))
            continue
        if changed_by is not None:
            rejects.append(_reject(name, who, cid, a, (
                f"no record that {who} gave it (no updated_by: imported with the tasks?)" if changed_by == NO_RECORD
                else f"edited by {changed_by}") + f": only answers that {owner} gave and nobody else changed count"))
            continue
        labels, reason = labels_from_result(a.get("result"), rnd.ui, rnd.timeline_fps)
        if labels is None:
            rejects.append(_reject(name, who, cid, a, reason))
        else:
            mine.append((owner, labels, a))
    chosen = mine[-1] if mine else None
    for v in mine[:-1]:
        rejects.append(_reject(name, v[0], cid, v[2], f"second annotation by {v[0]}; the later one "
                                                      f"(id {chosen[2].get('id')}) is kept"))
    return chosen


def _authors(annotation: dict, emails: dict[int, str], source: str, mode: str) -> tuple[str, str | None]:
    """(who gave the answer, who else changed it or None). On a server, from the fields every
    annotation carries in the bulk export: `completed_by`, then `updated_by` and `last_created_by`
    (set by Label Studio to whoever made the last request on it; a person's own submit sets
    `updated_by` to them, so an answer without one is not trusted either); offline, the file's
    author."""
    by = annotation.get("completed_by")
    if isinstance(by, dict):
        by = by.get("id", by.get("email"))
    if mode != "server":
        return (by if isinstance(by, str) and "@" in by else source), None
    if not isinstance(by, int):
        return f"an unknown account ({str(by)[:40]})", None
    who = emails.get(by, f"user id {by}")
    for key in ("updated_by", "last_created_by"):
        other = annotation.get(key)
        if other is not None and other != by:
            return who, emails.get(other, f"user id {other}") if isinstance(other, int) else f"{key} {str(other)[:40]}"
    if annotation.get("updated_by") is None:
        # A person's submit records them as updated_by; an answer without it came in another way
        # (imported with the tasks, under any completed_by the importer chose).
        return who, NO_RECORD
    return who, None


def _task_clip(task) -> str | None:
    """The clip id a task names, or None for anything that is not a task of ours."""
    data = task.get("data") if isinstance(task, dict) else None
    cid = data.get("clip_id") if isinstance(data, dict) else None
    return cid if isinstance(cid, str) else None


def _reject(name: str, annotator: str, cid, annotation: dict, reason: str) -> dict:
    return {"round": name, "annotator": annotator, "clip_id": cid or "", "annotation_id": annotation.get("id", ""),
            "reason": reason}


def _read_offline_exports(data: DataDir, rnd: RoundState, files: list[str] | None) -> dict[str, list]:
    """{author: tasks} of an offline round, from Label Studio JSON exports: by default each
    annotator's file beside their task file ({annotator}.export.json, theirs), or the files passed
    with --from, each credited to the annotator whose clips most of its tasks are (an answer in it
    on a clip of someone else is then theirs, not the clip owner's, and is rejected)."""
    owner = rnd.annotator_of()
    out: dict[str, list] = {}
    if not files:
        for annotator, batch in rnd.batches.items():
            path = data.root / Path(batch.file).with_suffix(".export.json")
            if not path.exists():
                raise OvavelError(f"no export for {annotator}: expected {path} (Label Studio: Export -> JSON)")
            out.setdefault(annotator, []).extend(_read_export_file(path))
        return out
    for name in files:
        path = Path(name)
        if not path.exists():
            raise OvavelError(f"--from: no file {path}")
        tasks = _read_export_file(path)
        counts = Counter(owner[c] for c in map(_task_clip, tasks) if c in owner)
        if not counts:
            raise InputError("none of its tasks is a clip of this round: expected the JSON export of a project "
                             "of this round", path=path)
        out.setdefault(counts.most_common(1)[0][0], []).extend(tasks)
    return out


def _read_export_file(path: Path) -> list:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"not a Label Studio JSON export ({e})", path=path) from None
    if not isinstance(content, list):
        raise InputError("expected a JSON list of tasks (Label Studio's JSON export)", path=path)
    return content

"""Label Studio labeling configs and the answers they produce.

Two views (`--ui`), both with the video (a 360- or 300-px-high frame, at the clips' 25 fps) and, under it,
the audio waveform played in sync with it (Label Studio's `sync` attribute), so an annotator sees
where the sound is and can click a moment to seek. The class, the control and the media come first
and fit a 1280x800 window with the waveform in view; the instructions follow under the media:
- `seconds` (default): one row of ten toggles "0".."9", the seconds that hold the event, bound to
  the keys 0-9; nothing selected means all background. Ctrl+Enter submits.
- `timeline`: paint spans of "event" on the video's timeline. Second k is an event when a span
  covers the instant k + 0.5 s (the same rule as the middle frames). The timeline counts
  TIMELINE_FPS (5) steps a second, not the clips' 25 frames: Label Studio draws at least 10 px a
  step, so the whole 10 s (50 steps; 16 px each at 1280 px) fits a 1280-px window (at 25 it showed
  2.24 s at a time). Rounds exported before keep their 25 (RoundState.timeline_fps).

Both views hide Label Studio's side panels (regions, relations, history: nothing to do there in
these views), say what key k means with an example, and show which clip of how many this is.

Answers of projects made by earlier versions (ten required event/background blocks seg0..seg9,
the `grid` view) are still read. The adjudication config adds both earlier answers above.
"""

from __future__ import annotations

import math
from typing import Literal

from ovavel import SEGMENTS_PER_CLIP

UI = Literal["seconds", "timeline", "grid"]
UIS: tuple[str, ...] = ("seconds", "timeline")  # what `annotate export --ui` offers; grid is read only
FPS = 25  # the clips' frame rate (curation normalises every clip to 25 fps CFR)
TIMELINE_FPS = 5  # steps a second on the timeline view's ruler (new rounds; see the module doc)
SECOND_NAMES = frozenset(str(k) for k in range(SEGMENTS_PER_CLIP))  # the seconds view's choice values
SECONDS_CONTROL = "seconds"
TIMELINE_CONTROL = "events"
EVENT_LABEL = "event"
SEGMENT_NAMES = [f"seg{k}" for k in range(SEGMENTS_PER_CLIP)]  # the legacy grid's controls

RULE = ("A second holds the event when its middle frame shows the class AND that second of audio "
        "sounds like it; otherwise it is background. Example: a dog heard barking while no dog is in the "
        "picture is background.")
# Label Studio's side panels (regions, relations, info, history) mean nothing in these views.
PAGE_STYLE = (".lsf-sidepanels__wrapper_align_right { display: none !important; } "
              ".lsf-sidepanels { padding-right: 0 !important; }")


# Frame heights (px) with which the class, the control, the video with its controls (and the timeline
# view's track) and the waveform fit a 1280x800 window.
VIDEO_HEIGHT = {"seconds": 360, "timeline": 300}


def _media(fps: int, ui: str) -> str:
    return (f'  <Video name="video" value="$video" height="{VIDEO_HEIGHT[ui]}" frameRate="{fps}" sync="audio"/>\n'
            '  <Audio name="audio" value="$video" sync="video" height="64"/>\n')


SECONDS_HELP = ("Key k marks the second from k to k+1 s (key 0: 0-1 s, key 9: 9-10 s) as holding the event; press it "
                "again to unmark; nothing marked = all background; Ctrl+Enter submits")
TIMELINE_HELP = ("Press 1, then drag on the timeline over the spans that hold the event; second k counts when a span "
                 "covers its middle (k + 0.5 s); no span = all background; Ctrl+Enter submits")


def _seconds_control() -> str:
    choices = "\n".join(f'    <Choice value="{k}" hotkey="{k}"/>' for k in range(SEGMENTS_PER_CLIP))
    return (f'  <Choices name="{SECONDS_CONTROL}" toName="video" choice="multiple" showInline="true">\n'
            f"{choices}\n  </Choices>\n")


def _timeline_control() -> str:
    return (f'  <TimelineLabels name="{TIMELINE_CONTROL}" toName="video">\n'
            f'    <Label value="{EVENT_LABEL}" background="#e4572e"/>\n  </TimelineLabels>\n')


def labeling_config(adjudication: bool = False, ui: str = "seconds", timeline_fps: int = TIMELINE_FPS) -> str:
    if ui not in UIS:
        raise ValueError(f"Expected `ui` to be one of {UIS}, but got {ui!r}")
    extra = ('  <Header value="Round 1 ($r1_annotator): $r1_labels    Round 2 ($r2_annotator): $r2_labels    '
             'disputed seconds: $disputed" size="5"/>\n') if adjudication else ""
    timeline = ui == "timeline"
    return ("<View>\n"
            f"  <Style>{PAGE_STYLE}</Style>\n"
            '  <Header value="Class: $class    (clip $position)"/>\n'
            + extra + (_timeline_control() if timeline else _seconds_control())
            + _media(timeline_fps if timeline else FPS, ui)
            + f'  <Header value="{TIMELINE_HELP if timeline else SECONDS_HELP}" size="6"/>\n'
            f'  <Text name="rule" value="{RULE}"/>\n' + "</View>\n")


def result_for(labels: str, ui: str = "seconds", fps: int = FPS) -> list[dict]:
    """A Label Studio result (for predictions / pre-annotations) holding ten 0/1 answers."""
    if ui == "seconds":
        chosen = [str(k) for k, bit in enumerate(labels) if bit == "1"]
        return [{"from_name": SECONDS_CONTROL, "to_name": "video", "type": "choices",
                 "value": {"choices": chosen}}] if chosen else []
    if ui == "timeline":
        # Steps are numbered from 1; second k is steps k*fps+1 .. (k+1)*fps.
        return [{"from_name": TIMELINE_CONTROL, "to_name": "video", "type": "timelinelabels",
                 "value": {"ranges": [{"start": a * fps + 1, "end": b * fps}], "timelinelabels": [EVENT_LABEL]}}
                for a, b in label_runs(labels)]
    return [{"from_name": name, "to_name": "video", "type": "choices",
             "value": {"choices": ["event" if bit == "1" else "background"]}}
            for name, bit in zip(SEGMENT_NAMES, labels)]


WAVE_TARGET_DB = -20.0  # the mean level a waveform is drawn as if it had (a clip at -41 dB: about 11x)
MAX_WAVE_SCALE = 100.0  # Label Studio's "Audio zoom y-axis" goes to 150


def waveform_scale(mean_volume_db) -> float:
    """The height scale of a clip's waveform (the task's `amp`, applied by the page script) from its
    mean loudness in dBFS as `curate check` measured it: 1 at WAVE_TARGET_DB or louder, more for a
    quieter clip (at most MAX_WAVE_SCALE); 1 when not measured."""
    try:
        mean = float(mean_volume_db)
    except (TypeError, ValueError):
        return 1.0
    if not math.isfinite(mean):
        return 1.0
    return round(min(MAX_WAVE_SCALE, max(1.0, 10 ** ((WAVE_TARGET_DB - mean) / 20))), 2)


MAX_RESULT_ITEMS = 100  # a real answer has at most a few dozen; more is a hostile or broken payload


def labels_from_result(result: list[dict], ui: str, fps: int = FPS) -> tuple[str | None, str]:
    """(labels, "") from a Label Studio result, or (None, reason) when it does not fit the view
    (Label Studio does not check results posted through the API, so any JSON can arrive here: a
    wrong type anywhere is a reason, never an exception)."""
    parse = {"seconds": _from_seconds, "timeline": lambda r: _from_timeline(r, fps), "grid": _from_grid}[ui]
    if result is None:
        result = []
    if not isinstance(result, list):
        return None, f"expected a list of results, but got {type(result).__name__}"
    if len(result) > MAX_RESULT_ITEMS:
        return None, f"expected at most {MAX_RESULT_ITEMS} result items, but got {len(result)}"
    for item in result:
        if not isinstance(item, dict) or not isinstance(item.get("value") or {}, dict):
            return None, f"expected result items {{from_name, value: {{...}}}}, but got {_shown(item)}"
    return parse(result)


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def span_seconds(start_frame: float, end_frame: float, fps: int = FPS) -> list[int]:
    """The seconds whose middle instant k + 0.5 s lies in steps start..end (numbered from 1, so
    the span covers the times [(start - 1) / fps, end / fps))."""
    t0, t1 = (start_frame - 1) / fps, end_frame / fps
    return [k for k in range(SEGMENTS_PER_CLIP) if t0 <= k + 0.5 < t1]


def _from_seconds(result: list[dict]) -> tuple[str | None, str]:
    bits = ["0"] * SEGMENTS_PER_CLIP
    for item in result:
        if item.get("from_name") != SECONDS_CONTROL:
            return None, f"unexpected control {item.get('from_name')!r} (expected {SECONDS_CONTROL!r})"
        choices = (item.get("value") or {}).get("choices")
        if not isinstance(choices, list) or len(choices) > SEGMENTS_PER_CLIP:
            return None, f"{SECONDS_CONTROL}: expected a list of at most ten seconds, but got {_shown(choices)}"
        for c in choices:
            if isinstance(c, bool) or not isinstance(c, (str, int)) or str(c) not in SECOND_NAMES:
                return None, f"{SECONDS_CONTROL}: expected seconds 0..9, but got {_shown(c)}"
            bits[int(c)] = "1"
    return "".join(bits), ""


def _from_timeline(result: list[dict], fps: int) -> tuple[str | None, str]:
    bits = ["0"] * SEGMENTS_PER_CLIP
    for item in result:
        if item.get("from_name") != TIMELINE_CONTROL:
            return None, f"unexpected control {item.get('from_name')!r} (expected {TIMELINE_CONTROL!r})"
        value = item.get("value") or {}
        if value.get("timelinelabels") != [EVENT_LABEL]:
            return None, f"{TIMELINE_CONTROL}: expected the label {EVENT_LABEL!r}, but got {value.get('timelinelabels')!r}"
        ranges = value.get("ranges") or []
        if not isinstance(ranges, list) or len(ranges) > MAX_RESULT_ITEMS:
            return None, f"{TIMELINE_CONTROL}: expected a list of ranges, but got {_shown(ranges)}"
        last_frame = SEGMENTS_PER_CLIP * fps
        for r in ranges:
            start = r.get("start") if isinstance(r, dict) else None
            end = r.get("end") if isinstance(r, dict) else None
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                       for x in (start, end)):
                return None, f"{TIMELINE_CONTROL}: expected ranges with numeric start and end frames, but got {_shown(r)}"
            if not 1 <= start <= end <= last_frame:
                return None, (f"{TIMELINE_CONTROL}: expected 1 <= start <= end <= {last_frame} (frames of the 10 s), "
                              f"but got start {start!r}, end {end!r}")
            for k in span_seconds(start, end, fps):
                bits[k] = "1"
    return "".join(bits), ""


def _from_grid(result: list[dict]) -> tuple[str | None, str]:
    answers: dict[str, str] = {}
    for item in result:
        name = item.get("from_name")
        if name not in SEGMENT_NAMES:
            return None, f"unexpected control {name!r}"
        choices = (item.get("value") or {}).get("choices")
        if not isinstance(choices, list) or len(choices) != 1:
            return None, f"{name}: expected exactly one choice, but got {_shown(choices)}"
        value = {"event": "1", "background": "0", "1": "1", "0": "0"}.get(choices[0]) \
            if isinstance(choices[0], str) else None
        if value is None:
            return None, f"{name}: expected event/background (1/0), but got {_shown(choices[0])}"
        if name in answers:
            return None, f"{name}: answered twice"
        answers[name] = value
    missing = [n for n in SEGMENT_NAMES if n not in answers]
    if missing:
        return None, f"missing answers for {', '.join(missing)}"
    return "".join(answers[n] for n in SEGMENT_NAMES), ""


def label_runs(labels: str) -> list[tuple[int, int]]:
    """Maximal runs of "1" as half-open (start, end) second intervals."""
    out, start = [], None
    for k, bit in enumerate(labels + "0"):
        if bit == "1" and start is None:
            start = k
        elif bit != "1" and start is not None:
            out.append((start, k))
            start = None
    return out

"""The audio-visual LLM row of Table 2 (Video-LLaMA2): the paper's prompt (Appendix G), a parser
from the model's text answer to predictions, and a resumable client for any OpenAI-compatible
chat endpoint that accepts video (a served Video-LLaMA2, say).

The prompt asks for `ave: [x, ..., x]` (ten 0/1 values: does the second hold an audio-visual
event) and `class: NAME` (one name of the candidate list). A second is an event of NAME where the
list holds 1; an answer that does not parse is rejected with the reason and scores as all
background.
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ovavel import BACKGROUND, SEGMENTS_PER_CLIP
from ovavel.errors import OvavelError
from ovavel.models.llm_client import QueryFailed, QueryOptions, post_chat
from ovavel.tables import append_jsonl, read_jsonl, repair_jsonl_tail

# The paper's wording (Appendix G), with the candidate list filled in from the catalog.
PROMPT = ("Instruction: For the given 10-second video, divide it into 10 one-second segments. For each segment, if "
          "its audio and visual streams describe the same event, assign the label \u201cx\" as \u201c1\"; otherwise, "
          "label this segment as \u201c0\". User request: After processing all 10 video segments, you will obtain a "
          "list with 10 elements, each element being either \u201c1\" or \u201c0\" according to the above Instruction. "
          "Finally, return the most relevant event category of the video from the candidate category list: "
          "[{candidates}]. The output format should be: \u201cave:\" A python list [x, x, x, x, x, x, x, x, x, x] "
          "(replace \u201cx\" with \u201c1\" or \u201c0\" according to the prediction); Insert a line break. "
          "\u201cclass:\" the most highly relevant class from the given category list (no punctuation needed at the "
          "end).")

_AVE = re.compile(r"ave\W*:\W*\[([^\]]*)\]", re.I)
_CLASS = re.compile(r"class\W*:\s*(.+)", re.I)


def build_prompt(class_names: list[str]) -> str:
    """The prompt with every candidate, in alphabetical order as the paper shows them."""
    return PROMPT.format(candidates=", ".join(f"\u201c{n}\"" for n in sorted(class_names)))


@dataclass(frozen=True)
class ParsedAnswer:
    labels: str  # ten 0/1 characters
    cls: str


def parse_answer(text: str, class_names: list[str]) -> tuple[ParsedAnswer | None, str]:
    """(answer, "") or (None, why it does not parse)."""
    m = _AVE.search(text or "")
    if not m:
        return None, "no `ave: [...]` list in the answer"
    values = [v.strip().strip("'\"\u201c\u201d") for v in m.group(1).split(",") if v.strip()]
    if len(values) != SEGMENTS_PER_CLIP or set(values) - {"0", "1"}:
        return None, f"`ave:` must list ten 0/1 values, but got [{m.group(1).strip()}]"
    c = _CLASS.search(text[m.end():]) or _CLASS.search(text)
    if not c:
        return None, "no `class: NAME` line in the answer"
    said = c.group(1).strip().splitlines()[0].strip().strip(".,;:'\"\u201c\u201d").strip()
    by_lower = {n.lower(): n for n in class_names}
    if said.lower() not in by_lower:
        return None, f"class {said!r} is not one of the candidates"
    return ParsedAnswer("".join(values), by_lower[said.lower()]), ""


def answers_to_predictions(answers: dict[str, str], clip_ids: list[str], class_names: list[str]
                           ) -> tuple[dict[str, list[str]], list[dict]]:
    """(predictions, rejects): clips without a usable answer are all background, with the reason."""
    preds, rejects = {}, []
    for cid in clip_ids:
        if cid not in answers:
            parsed, why = None, "no answer (run `baseline llm-query` for it)"
        else:
            parsed, why = parse_answer(answers[cid], class_names)
        if parsed is None:
            rejects.append({"clip_id": cid, "reason": why})
            preds[cid] = [BACKGROUND] * SEGMENTS_PER_CLIP
        else:
            preds[cid] = [parsed.cls if b == "1" else BACKGROUND for b in parsed.labels]
    return preds, rejects


def read_answers(folder: str | os.PathLike) -> dict[str, str]:
    """{clip id: the model's text} of a `baseline llm-query` folder (the latest answer per clip)."""
    path = Path(folder) / "answers.jsonl"
    if not path.exists():
        raise OvavelError(f"{folder} holds no answers.jsonl: run `baseline llm-query --out {folder}` first")
    return {r["clip_id"]: r["answer"] for r in read_jsonl(path)
            if r.get("status") == "ok" and isinstance(r.get("answer"), str) and isinstance(r.get("clip_id"), str)}


def chat_request(prompt: str, video: bytes, opts: QueryOptions) -> dict:
    """The chat completion body: the prompt and the clip as a base64 data URL."""
    url = "data:video/mp4;base64," + base64.b64encode(video).decode("ascii")
    return {"model": opts.model, "max_tokens": opts.max_tokens, "temperature": 0,
            "messages": [{"role": "user", "content": [{"type": "video_url", "video_url": {"url": url}},
                                                       {"type": "text", "text": prompt}]}]}


def ask(prompt: str, video: bytes, opts: QueryOptions, sleep: Callable[[float], None] = time.sleep) -> str:
    """The model's text answer about one clip; QueryFailed with the reason otherwise (llm_client)."""
    return post_chat(chat_request(prompt, video, opts), opts, sleep)


def query_clips(videos: dict[str, Path], class_names: list[str], out: str | os.PathLike, opts: QueryOptions,
                progress: bool = True, sleep: Callable[[float], None] = time.sleep) -> dict[str, int]:
    """Ask the model about every clip without an answer in OUT/answers.jsonl (resumable per clip:
    one line per attempt; a failed clip is asked again on the next run, the answered ones never).
    Whatever the server does, each clip ends as "ok" or "error" with the reason. Returns counts."""
    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    log = out / "answers.jsonl"
    repair_jsonl_tail(log)
    done = {r["clip_id"] for r in read_jsonl(log) if r.get("status") == "ok"}
    prompt = build_prompt(class_names)
    counts = {"answered now": 0, "answered before": len(done & set(videos)), "failed": 0}
    for cid, path in tqdm([(c, p) for c, p in videos.items() if c not in done], desc="llm-query", unit="clip",
                          disable=not progress, dynamic_ncols=True):
        try:
            answer = ask(prompt, path.read_bytes(), opts, sleep)
        except QueryFailed as e:
            reason = str(e)
        except Exception as e:  # noqa: BLE001 -- one clip never stops the run, whatever broke
            reason = f"{type(e).__name__}: {e}"
        else:
            append_jsonl(log, {"clip_id": cid, "status": "ok", "answer": answer})
            counts["answered now"] += 1
            continue
        append_jsonl(log, {"clip_id": cid, "status": "error", "message": reason[:300]})
        counts["failed"] += 1
    return counts

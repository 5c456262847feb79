"""Label Studio labeling configs: ten required single-choice blocks seg0..seg9 under the video.

Each block shows "event" / "background" and stores the alias "1" / "0", so a finished annotation
holds exactly ten 0/1 answers. The adjudication config also shows both earlier answers.
"""

from __future__ import annotations

from ovavel import SEGMENTS_PER_CLIP

SEGMENT_NAMES = [f"seg{k}" for k in range(SEGMENTS_PER_CLIP)]

INSTRUCTIONS = ("Mark a second as event when its middle frame shows the class AND that second of audio "
                "sounds like it; otherwise background.")


def _grid() -> str:
    blocks = []
    for k, name in enumerate(SEGMENT_NAMES):
        blocks.append(
            f'    <View style="padding: 2px; border: 1px solid #ddd; border-radius: 4px">\n'
            f'      <Header value="{k}-{k + 1} s" size="6"/>\n'
            f'      <Choices name="{name}" toName="video" choice="single-radio" required="true" '
            f'requiredMessage="Answer second {k}-{k + 1} s">\n'
            f'        <Choice value="event" alias="1"/>\n'
            f'        <Choice value="background" alias="0"/>\n'
            f'      </Choices>\n'
            f'    </View>')
    return ('  <View style="display: grid; grid-template-columns: repeat(5, 1fr); gap: 4px">\n'
            + "\n".join(blocks) + "\n  </View>")


def labeling_config(adjudication: bool = False) -> str:
    extra = ('  <Header value="Round 1 ($r1_annotator): $r1_labels    Round 2 ($r2_annotator): $r2_labels    '
             'disputed seconds: $disputed" size="5"/>\n') if adjudication else ""
    return ("<View>\n"
            '  <Header value="Class: $class"/>\n'
            f'  <Text name="instructions" value="{INSTRUCTIONS}"/>\n'
            '  <Video name="video" value="$video" height="320"/>\n'
            + extra + _grid() + "\n</View>\n")


def result_for(labels: str) -> list[dict]:
    """A Label Studio result (for predictions / pre-annotations) holding ten 0/1 answers."""
    return [{"from_name": name, "to_name": "video", "type": "choices",
             "value": {"choices": ["event" if bit == "1" else "background"]}}
            for name, bit in zip(SEGMENT_NAMES, labels)]


def labels_from_result(result: list[dict]) -> tuple[str | None, str]:
    """(labels, "") from a Label Studio result, or (None, reason) when it does not fit the config
    (Label Studio does not check results posted through the API)."""
    answers: dict[str, str] = {}
    for item in result or []:
        name = item.get("from_name")
        if name not in SEGMENT_NAMES:
            return None, f"unexpected control {name!r}"
        choices = (item.get("value") or {}).get("choices")
        if not isinstance(choices, list) or len(choices) != 1:
            return None, f"{name}: expected exactly one choice, but got {choices!r}"
        value = {"event": "1", "background": "0", "1": "1", "0": "0"}.get(choices[0])
        if value is None:
            return None, f"{name}: expected event/background (1/0), but got {choices[0]!r}"
        if name in answers:
            return None, f"{name}: answered twice"
        answers[name] = value
    missing = [n for n in SEGMENT_NAMES if n not in answers]
    if missing:
        return None, f"missing answers for {', '.join(missing)}"
    return "".join(answers[n] for n in SEGMENT_NAMES), ""

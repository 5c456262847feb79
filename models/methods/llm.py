"""`llm` (Table 2: "Video-LLaMA2 [7]"): an audio-visual LLM's text answers to the paper's prompt,
asked with `baseline llm-query`, parsed into predictions (ovavel.models.llm). Scored with
`baseline eval --method llm --run ANSWERS_DIR`; answers that do not parse score as all background
and are listed with the reason in ANSWERS_DIR/parse_rejects.csv."""

from __future__ import annotations

from pathlib import Path

from ovavel.errors import OvavelError
from ovavel.models.methods import Method, PredictContext, register
from ovavel.tables import write_csv


def predict(ctx: PredictContext) -> dict[str, list[str]]:
    from ovavel.models.llm import answers_to_predictions, read_answers

    if not ctx.run_dir:
        raise OvavelError("--method llm needs --run DIR (the folder `baseline llm-query --out DIR` wrote)")
    preds, rejects = answers_to_predictions(read_answers(ctx.run_dir), ctx.features.clip_ids, ctx.class_names)
    write_csv(Path(ctx.run_dir) / "parse_rejects.csv", rejects, ["clip_id", "reason"])
    return preds


METHOD = register(Method("llm", "Video-LLaMA2 [7]", "Audio-visual LLM answers", predict, encoder="none",
                         needs_features=False))

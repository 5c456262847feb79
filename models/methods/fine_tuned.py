"""`fine-tuned` (Table 2: "Fine-tuning (our)"): the released temporal head trained on the seen
classes over frozen ImageBind features (ovavel.models.head, ovavel.models.train)."""

from __future__ import annotations

from typing import Callable

from ovavel.errors import OvavelError
from ovavel.models.methods import Method, PredictContext, register


def trained_predict(name: str) -> Callable[[PredictContext], dict[str, list[str]]]:
    """Predict with a run of `baseline train --method NAME` (the run must be of this method)."""

    def predict(ctx: PredictContext) -> dict[str, list[str]]:
        from ovavel.models.run import Run, predict_with_run

        if not ctx.run_dir:
            raise OvavelError(f"--method {name} needs --run RUN (a folder made by `baseline train --method {name}`)")
        trained = Run(ctx.run_dir).settings().get("method", "fine-tuned")
        if trained != name:
            raise OvavelError(f"the run {ctx.run_dir} was trained with --method {trained}, not {name}")
        without_other = "released-v0" if ctx.postprocess == "released-v0" else "paper"
        return predict_with_run(ctx.run_dir, ctx.features, ctx.class_names, ctx.device, ctx.background_text,
                                without_other)

    return predict


METHOD = register(Method("fine-tuned", "Fine-tuning (our)", "Fine-tuned ImageBind", trained_predict("fine-tuned"),
                         trainable=True))

"""`fine-tuned` (Table 2: "Fine-tuning (our)"): the released temporal head trained on the seen
classes over frozen ImageBind features (ovavel.models.head, ovavel.models.train)."""

from __future__ import annotations

from ovavel.errors import OvavelError
from ovavel.models.methods import Method, PredictContext, register


def predict(ctx: PredictContext) -> dict[str, list[str]]:
    from ovavel.models.train import predict_with_run

    if not ctx.run_dir:
        raise OvavelError("--method fine-tuned needs --run RUN (a folder made by `baseline train`)")
    return predict_with_run(ctx.run_dir, ctx.features, ctx.class_names, ctx.device, ctx.background_text)


METHOD = register(Method("fine-tuned", "Fine-tuning (our)", "Fine-tuned ImageBind", predict, trainable=True))

"""`training-free` (Table 2: "Training-free (our)"): ImageBind's audio and frame each pick their
closest text; agreement is an event (ovavel.models.training_free)."""

from __future__ import annotations

from ovavel import BACKGROUND_TEXT
from ovavel.models.methods import Method, PredictContext, register


def predict(ctx: PredictContext) -> dict[str, list[str]]:
    from ovavel.models.training_free import predict_training_free

    return predict_training_free(ctx.features, ctx.class_names, ctx.background_text or BACKGROUND_TEXT, ctx.postprocess)


METHOD = register(Method("training-free", "Training-free (our)", "Training-free ImageBind", predict))

"""`clip-clap` (Table 2: "CLIP [37]&CLAP [44]"; Table A10 "separate"): the training-free rule on
features of `--encoder clip-clap` (frames against CLIP's texts, audio against CLAP's): the two
argmaxes agree -> that class, otherwise background; the same background text and post-processing
choices as `training-free`."""

from __future__ import annotations

from ovavel import BACKGROUND_TEXT
from ovavel.errors import OvavelError
from ovavel.models.methods import Method, PredictContext, register


def predict(ctx: PredictContext) -> dict[str, list[str]]:
    from ovavel.models.training_free import predict_training_free

    if not ctx.features.separate:
        raise OvavelError(f"--method clip-clap needs features made with --encoder clip-clap (separate CLIP and CLAP "
                          f"text spaces); this store was made with {ctx.features.meta.get('encoder')!r}")
    return predict_training_free(ctx.features, ctx.class_names, ctx.background_text or BACKGROUND_TEXT, ctx.postprocess)


METHOD = register(Method("clip-clap", "CLIP [37]&CLAP [44]", "Training-free CLIP & CLAP", predict,
                         encoder="separate"))

"""The method registry: every way of turning features into predictions is one module in this
package that registers itself; `baseline eval|train|methods|reproduce` find methods here, so a
new method is one new file (no edit to the CLI).

A module calls `register(Method(...))` at import. This package imports every module it holds
(and any module in a folder added to its `__path__`) the first time the registry is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

from ovavel import registry
from ovavel.feature_store import Features

EncoderKind = Literal["joint", "separate", "none"]  # one audio-visual-text space (ImageBind), one per modality, or no encoder


@dataclass(frozen=True)
class PredictContext:
    """What `baseline eval` / `baseline predict` hand a method."""

    features: Features  # the clips to predict (a split of the store)
    class_names: list[str]
    background_text: str | None = None  # None: the method's default
    postprocess: str = "paper"
    run_dir: str | None = None  # a training run, for trainable methods
    device: str = "auto"


@dataclass(frozen=True)
class Method:
    name: str  # what users type: `--method NAME`
    table2_row: str  # its row in the paper's Table 2 ("" when it has none)
    summary: str
    predict: Callable[[PredictContext], dict[str, list[str]]]
    encoder: EncoderKind = "joint"
    trainable: bool = False  # trained with `baseline train --method NAME`
    head: dict = field(default_factory=dict)  # HeadConfig fields a trainable method sets
    needs_features: bool = True  # False: it reads only the clip ids (e.g. the LLM's answers)

    def title(self, ctx: PredictContext) -> str:
        return f"{self.summary} ({ctx.run_dir})" if self.trainable else self.summary


_REGISTRY: dict[str, Method] = {}


def register(method: Method) -> Method:
    return registry.add(_REGISTRY, method.name, method, "methods")


def load_methods() -> dict[str, Method]:
    """Every registered method, importing the modules of this package (once, and again for
    modules added since)."""
    registry.import_all(__name__, __path__)
    return dict(_REGISTRY)


def get_method(name: str) -> Method:
    return registry.lookup(load_methods(), name, "--method")

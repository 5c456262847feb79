"""The fine-tuned comparison heads of the paper's Table 2 (lower part): a closed-set AVEL method's
fusion module in place of the temporal layers, on frozen ImageBind features, trained and scored
exactly as the fine-tuned baseline (the text scores, loss, recipes and epoch selection of
ovavel.models.train).

Two variants of each, on one registry (ovavel.registry, like methods and encoders): a module of
this package calls `register(HeadSpec(...))` at import.

- **released** (the default; the published rows): the modules the OV-AVEL authors compiled into
  their repository (jasongief/OV-AVEL, `imagebind_finetune/models/__pycache__/`: avel, psp, cmran,
  MPAM), read from the compiled files and written anew (`released_*.py`). Each works on the D-sized
  embeddings directly: no input projection, no spatial attention, no classifier, no projection
  into the text space. Only the layers their forward pass uses are built.
- **source**: adaptations of the methods' original repositories at their original sizes, with a
  projection into the text space (`ave.py`, `psp.py`, `cmra.py`, `mm_pyramid.py`; what the toolkit
  had before). Not what produced the published rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ovavel import registry
from ovavel.models.scored_head import ScoredHead

NAMES = ("ave", "psp", "cmra", "mm-pyramid")
VARIANTS = ("released", "source")


@dataclass(frozen=True)
class HeadSpec:
    name: str  # one of NAMES: what `--method` / `--head` say
    variant: str  # one of VARIANTS
    summary: str
    build: Callable[[object], ScoredHead]  # HeadConfig -> head


_REGISTRY: dict[str, HeadSpec] = {}


def register(spec: HeadSpec) -> HeadSpec:
    if spec.name not in NAMES or spec.variant not in VARIANTS:
        raise ValueError(f"Expected a head of {NAMES} in a variant of {VARIANTS}, but got {spec.name!r} {spec.variant!r}")
    return registry.add(_REGISTRY, f"{spec.name}/{spec.variant}", spec, "comparison heads")


def load_heads() -> dict[str, HeadSpec]:
    """Every registered head as {"name/variant": spec}."""
    registry.import_all(__name__, __path__)
    return dict(_REGISTRY)


def heads_divide(dim: int, heads: int, name: str) -> int:
    """`dim`, if attention with `heads` heads can split it; else a ValueError naming the head."""
    if dim % heads:
        raise ValueError(f"Expected a feature size divisible by {heads} ({name}'s heads), but got {dim}")
    return dim


def lookup(name: str, variant: str) -> HeadSpec:
    return registry.lookup(load_heads(), f"{name}/{variant}", "--head/--variant")

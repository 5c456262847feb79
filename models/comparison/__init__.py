"""The fine-tuned comparison heads of the paper's Table 2 (lower part): the core audio-visual
fusion module of a closed-set AVEL method in place of the temporal layers, on frozen ImageBind
features, trained and scored exactly as the fine-tuned baseline (the text classifier, loss,
recipes and epoch selection of ovavel.models.train).

Each module follows its authors' public code (named in its docstring) at the sizes of their
training script, written anew here. What every one of them adapts:
- inputs: the source modules take VGGish audio (128-d) and VGG/ResNet visual maps; here both
  modalities are ImageBind embeddings of size D (1024 for ImageBind-Huge), one vector per second;
- spatial attention over a 7x7 map has a single region to attend to (a pooled embedding per
  second), so it passes the frame through unchanged; its layers are kept, so the structure and
  parameter count stay the source's;
- the source classifiers (Linear -> 28/29 classes) are replaced by one Linear(width, D) per
  modality into the text space, which is what open-vocabulary scoring needs;
- only layers the source's forward pass uses are built (the counts pinned in the tests are
  those of the source's used layers, classifier excluded).
"""

from __future__ import annotations

from ovavel.models.comparison.ave import AVEHead
from ovavel.models.comparison.cmra import CMRAHead
from ovavel.models.comparison.mm_pyramid import MMPyramidHead
from ovavel.models.comparison.psp import PSPHead

COMPARISON_HEADS = {"ave": AVEHead, "psp": PSPHead, "cmra": CMRAHead, "mm-pyramid": MMPyramidHead}

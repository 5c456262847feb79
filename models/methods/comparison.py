"""The fine-tuned comparison rows of Table 2: `ave`, `psp`, `cmra`, `mm-pyramid`. Each is the
fine-tuned baseline with a closed-set AVEL method's fusion module in place of the temporal layers
(ovavel.models.comparison), trained with `baseline train --method NAME` and scored with
`baseline eval --method NAME --run RUN`."""

from __future__ import annotations

from ovavel.models.methods import Method, register
from ovavel.models.methods.fine_tuned import trained_predict

ROWS = {"cmra": ("CMRA [46]", "CMRA fusion on ImageBind"), "ave": ("AVE [39]", "AVE fusion on ImageBind"),
        "psp": ("PSP [51]", "PSP fusion on ImageBind"), "mm-pyramid": ("MM-Pyramid [48]", "MM-Pyramid on ImageBind")}

METHODS = [register(Method(name, row, summary, trained_predict(name), trainable=True, head={"head": name}))
           for name, (row, summary) in ROWS.items()]

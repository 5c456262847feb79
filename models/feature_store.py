"""The feature store: a folder FEATS holding, per clip id, audio and visual embeddings [10, D]
(ImageBind's own postprocessed outputs) and the text embeddings of every candidate name.

Layout: meta.json (encoder, dim, texts, random weights or not), texts.npy [T, D], and the clip
embeddings in features.npz (clip_ids, audio, visual) plus, while a run is going, part files
parts/part-r{rank}-{n}.npz, each written to a dot-name and renamed, so a killed run leaves a
valid store and a rerun skips every clip already in it. `compact` folds the parts into
features.npz; `load` reads everything in one call.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ovavel.errors import OvavelError
from ovavel.tables import atomic_write_text


@dataclass
class Features:
    clip_ids: list[str]
    audio: np.ndarray  # [N, 10, D]
    visual: np.ndarray  # [N, 10, D]
    texts: list[str]
    text_emb: np.ndarray  # [T, D]
    meta: dict

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.clip_ids)}

    def text_index(self, name: str) -> int:
        try:
            return self.texts.index(name)
        except ValueError:
            raise OvavelError(f"the feature store has no text embedding for {name!r}; extract features with "
                              "--classes covering it") from None

    def select(self, ids: list[str], source: str = "the split") -> "Features":
        pos = self.index()
        missing = [c for c in ids if c not in pos]
        if missing:
            raise OvavelError(f"the feature store lacks {len(missing)} clip(s) of {source}, first {missing[0]!r}; "
                              "run `baseline features` for them")
        idx = np.array([pos[c] for c in ids], dtype=np.int64)
        return Features(list(ids), self.audio[idx], self.visual[idx], self.texts, self.text_emb, self.meta)


class FeatureStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.parts = self.root / "parts"

    @property
    def meta_path(self) -> Path:
        return self.root / "meta.json"

    def exists(self) -> bool:
        return self.meta_path.exists()

    def meta(self) -> dict:
        if not self.exists():
            raise OvavelError(f"{self.root} is not a feature store (no meta.json): run `baseline features` first")
        return json.loads(self.meta_path.read_text())

    def init(self, meta: dict, texts: list[str], text_emb: np.ndarray) -> None:
        """Create the store, or check that an existing one was made the same way."""
        if self.exists():
            old = self.meta()
            for key in ("encoder", "random_init", "dim", "checkpoint_sha256"):
                if old.get(key) != meta.get(key):
                    raise OvavelError(f"{self.root} was made with {key}={old.get(key)!r}, not {meta.get(key)!r}; "
                                      "use another --out")
            if old["texts"] != texts:
                # New names (e.g. another --classes): keep the store's clips, extend its texts.
                known = dict(zip(old["texts"], np.load(self.root / "texts.npy")))
                known.update(zip(texts, text_emb))
                texts = list(known)
                text_emb = np.stack([known[t] for t in texts])
        self.root.mkdir(parents=True, exist_ok=True)
        self.parts.mkdir(exist_ok=True)
        _save_npy(self.root / "texts.npy", text_emb.astype(np.float32))
        atomic_write_text(self.meta_path, json.dumps({**meta, "texts": texts}, indent=2) + "\n")

    def done_ids(self) -> set[str]:
        ids: set[str] = set()
        for path in self._files():
            with np.load(path) as z:
                ids.update(z["clip_ids"].tolist())
        return ids

    def write_part(self, rank: int, clip_ids: list[str], audio: np.ndarray, visual: np.ndarray) -> Path:
        n = len(list(self.parts.glob(f"part-r{rank}-*.npz")))
        path = self.parts / f"part-r{rank}-{n:05d}.npz"
        _save_npz(path, clip_ids=np.array(clip_ids), audio=audio.astype(np.float32), visual=visual.astype(np.float32))
        return path

    def compact(self) -> int:
        """Fold every part into features.npz (atomic); returns the number of clips."""
        f = self.load()
        _save_npz(self.root / "features.npz", clip_ids=np.array(f.clip_ids), audio=f.audio, visual=f.visual)
        for p in self.parts.glob("part-*.npz"):
            p.unlink()
        return len(f.clip_ids)

    def load(self) -> Features:
        meta = self.meta()
        ids, audio, visual = [], [], []
        for path in self._files():
            with np.load(path) as z:
                ids += z["clip_ids"].tolist()
                audio.append(z["audio"])
                visual.append(z["visual"])
        dim = meta["dim"]
        seen: dict[str, int] = {}
        for i, c in enumerate(ids):  # a clip redone after a crash: the later copy wins
            seen[c] = i
        keep = sorted(seen.values())
        a = np.concatenate(audio) if audio else np.zeros((0, 10, dim), np.float32)
        v = np.concatenate(visual) if visual else np.zeros((0, 10, dim), np.float32)
        return Features([ids[i] for i in keep], a[keep], v[keep], meta["texts"],
                        np.load(self.root / "texts.npy"), meta)

    def _files(self) -> list[Path]:
        files = [self.root / "features.npz"] if (self.root / "features.npz").exists() else []
        return files + sorted(self.parts.glob("part-*.npz")) if self.parts.exists() else files


def _save_npz(path: Path, **arrays) -> None:
    tmp = path.with_name(f".{path.name}.part")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _save_npy(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(f".{path.name}.part")
    with open(tmp, "wb") as f:
        np.save(f, array)
    os.replace(tmp, path)

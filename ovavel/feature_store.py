"""The feature store: a folder FEATS holding, per clip id, audio and visual embeddings [10, D]
(ImageBind's own postprocessed outputs) and the text embeddings of every candidate name.

Layout: meta.json (encoder, its space, dim, texts, random weights or not), the text embeddings,
and the clip embeddings in features.npz (clip_ids, audio, visual) plus, while a run is going, part files
parts/part-r{rank}-{n}.npz, each written to a dot-name and renamed, so a killed run leaves a
valid store and a rerun skips every clip already in it.

Text embeddings: texts.npy [T, D] for an encoder with one joint space (ImageBind); for one whose
audio and frames come from separate models with their own text encoders (CLIP & CLAP),
texts-audio.npy [T, D_a] and texts-visual.npy [T, D_v], rows in the order of meta.json's texts. `compact` folds the parts into
features.npz; `load` reads everything in one call.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ovavel.names import check_clip_id
from ovavel.errors import OvavelError
from ovavel.tables import atomic_write, atomic_write_text


@dataclass
class Features:
    clip_ids: list[str]
    audio: np.ndarray  # [N, 10, D]
    visual: np.ndarray  # [N, 10, D]
    texts: list[str]
    text_emb: np.ndarray  # [T, D]: the joint space, or the audio model's text space
    meta: dict
    visual_text_emb: np.ndarray | None = None  # [T, D_v]: the visual model's text space (separate spaces only)

    @property
    def separate(self) -> bool:
        return self.visual_text_emb is not None

    def text_table(self, names: list[str], modality: str = "audio") -> np.ndarray:
        """The rows of `names` in the text space that `modality` ("audio" or "visual") is compared in."""
        table = self.visual_text_emb if modality == "visual" and self.separate else self.text_emb
        return table[[self.text_index(n) for n in names]]

    def require_joint(self, what: str) -> None:
        if self.separate:
            raise OvavelError(f"{what} needs features in one joint audio-visual-text space (e.g. --encoder "
                              f"imagebind-huge); this store's encoder {self.meta.get('encoder')!r} has separate "
                              "audio and visual text spaces")

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.clip_ids)}

    def text_index(self, name: str) -> int:
        try:
            return self.texts.index(name)
        except ValueError:
            raise OvavelError(f"the feature store has no text embedding for {name!r}; extract features with "
                              "--catalog covering it") from None

    def select(self, ids: list[str], source: str = "the split") -> "Features":
        pos = self.index()
        missing = [c for c in ids if c not in pos]
        if missing:
            raise OvavelError(f"the feature store lacks {len(missing)} clip(s) of {source}, first {missing[0]!r}; "
                              "run `baseline features` for them")
        idx = np.array([pos[c] for c in ids], dtype=np.int64)
        return Features(list(ids), self.audio[idx], self.visual[idx], self.texts, self.text_emb, self.meta,
                        self.visual_text_emb)


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
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict) or not isinstance(meta.get("texts"), list) or "dim" not in meta:
                raise ValueError("expected an object with texts and dim")
            return meta
        except (ValueError, UnicodeDecodeError) as e:
            raise self._damaged(self.meta_path, e) from None

    def _damaged(self, path: Path, error: Exception) -> OvavelError:
        return OvavelError(f"{path} is damaged ({type(error).__name__}: {str(error)[:120] or 'empty'}); the store "
                           f"cannot be read: run `baseline features` again into a new --out (or remove {self.root} "
                           "and rerun the same command)")

    def _read(self, path: Path) -> dict[str, np.ndarray]:
        """The arrays of one .npz (or .npy under key "array"), or a clear error when it is damaged."""
        try:
            if path.suffix == ".npy":
                return {"array": np.load(path)}
            with np.load(path) as z:
                return {k: z[k] for k in ("clip_ids", "audio", "visual")}
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as e:
            raise self._damaged(path, e) from None

    def init(self, meta: dict, texts: list[str], tables: dict[str, np.ndarray] | np.ndarray) -> None:
        """Create the store, or check that an existing one was made the same way. `tables`:
        {"joint": [T, D]} (or the array itself) or {"audio": [T, D_a], "visual": [T, D_v]}."""
        if isinstance(tables, np.ndarray):
            tables = {"joint": tables}
        if set(tables) not in ({"joint"}, {"audio", "visual"}):
            raise ValueError(f"Expected text tables 'joint' or 'audio' + 'visual', but got {sorted(tables)}")
        if self.exists():
            old = self.meta()
            for key in ("encoder", "random_init", "dim", "checkpoint_sha256"):
                if old.get(key) != meta.get(key):
                    raise OvavelError(f"{self.root} was made with {key}={old.get(key)!r}, not {meta.get(key)!r}; "
                                      "use another --out")
            if old["texts"] != texts:
                # New names (e.g. another --classes): keep the store's clips, extend its texts.
                merged = {}
                for space, emb in tables.items():
                    known = dict(zip(old["texts"], self._read(self._text_file(space))["array"]))
                    known.update(zip(texts, emb))
                    merged[space] = np.stack([known[t] for t in known])
                texts = list(known)
                tables = merged
        self.root.mkdir(parents=True, exist_ok=True)
        self.parts.mkdir(exist_ok=True)
        for space, emb in tables.items():
            _save_npy(self._text_file(space), emb.astype(np.float32))
        atomic_write_text(self.meta_path, json.dumps({**meta, "texts": texts}, indent=2) + "\n")

    def _text_file(self, space: str) -> Path:
        return self.root / ("texts.npy" if space == "joint" else f"texts-{space}.npy")

    def done_ids(self) -> set[str]:
        ids: set[str] = set()
        for path in self._files():
            ids.update(self._read(path)["clip_ids"].tolist())
        return ids

    def write_part(self, rank: int, clip_ids: list[str], audio: np.ndarray, visual: np.ndarray) -> Path:
        n = len(list(self.parts.glob(f"part-r{rank}-*.npz")))
        path = self.parts / f"part-r{rank}-{n:05d}.npz"
        _save_npz(path, clip_ids=np.array(clip_ids), audio=audio.astype(np.float32), visual=visual.astype(np.float32))
        return path

    def compact(self) -> int:
        """Fold every part into features.npz (atomic); returns the number of clips. The temporary
        files of a run killed while writing a part go too (the store's writer holds its lock)."""
        f = self.load()
        _save_npz(self.root / "features.npz", clip_ids=np.array(f.clip_ids), audio=f.audio, visual=f.visual)
        for p in [*self.parts.glob("part-*.npz"), *self.parts.glob(".*.part"), *self.root.glob(".*.part")]:
            p.unlink(missing_ok=True)
        return len(f.clip_ids)

    def load(self) -> Features:
        meta = self.meta()
        ids, audio, visual = [], [], []
        for path in self._files():
            z = self._read(path)
            vdim = meta.get("visual_dim", meta["dim"])
            if z["audio"].shape[1:] != (10, meta["dim"]) or z["visual"].shape[1:] != (10, vdim) \
                    or len(z["clip_ids"]) != len(z["audio"]) or len(z["visual"]) != len(z["audio"]):
                raise self._damaged(path, ValueError(f"expected audio [N, 10, {meta['dim']}] and visual [N, 10, {vdim}] "
                                                     f"for N clip ids, but got {z['audio'].shape} and "
                                                     f"{z['visual'].shape} for {len(z['clip_ids'])}"))
            new_ids = z["clip_ids"].tolist()
            for cid in new_ids:
                check_clip_id(cid, path=path)
            ids += new_ids
            audio.append(z["audio"])
            visual.append(z["visual"])
        dim, vdim = meta["dim"], meta.get("visual_dim", meta["dim"])
        separate = self._text_file("audio").exists()
        tables = {}
        for space, d in ((("audio", dim), ("visual", vdim)) if separate else (("joint", dim),)):
            path = self._text_file(space)
            tables[space] = self._read(path)["array"]
            if tables[space].shape != (len(meta["texts"]), d):
                raise self._damaged(path, ValueError(
                    f"expected [{len(meta['texts'])}, {d}] text embeddings, but got {tables[space].shape}"))
        seen: dict[str, int] = {}
        for i, c in enumerate(ids):  # a clip redone after a crash: the later copy wins
            seen[c] = i
        keep = sorted(seen.values())
        a = np.concatenate(audio) if audio else np.zeros((0, 10, dim), np.float32)
        v = np.concatenate(visual) if visual else np.zeros((0, 10, vdim), np.float32)
        return Features([ids[i] for i in keep], a[keep], v[keep], meta["texts"], tables.get("joint", tables.get("audio")),
                        meta, tables.get("visual"))

    def _files(self) -> list[Path]:
        files = [self.root / "features.npz"] if (self.root / "features.npz").exists() else []
        return files + sorted(self.parts.glob("part-*.npz")) if self.parts.exists() else files


def _save_npz(path: Path, **arrays) -> None:
    atomic_write(path, lambda f: np.savez(f, **arrays))


def _save_npy(path: Path, array: np.ndarray) -> None:
    atomic_write(path, lambda f: np.save(f, array))

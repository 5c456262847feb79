"""`curate download`: fetch each clip's ten seconds, normalise it, verify it, record it.

Per clip: yt-dlp fetches only the needed section where the source allows it; the result is
verified (ffprobe: streams, duration) because yt-dlp can report success and leave an unplayable
file; failing that, the whole video is fetched and trimmed here. ffmpeg then normalises the clip
to exactly 10.0 s (see normalise.py), and the verified file is renamed into DIR/clips/.

Resumable by clip id: a rerun skips clips whose file matches the ledger's size and modification
time (rsync's quick check; size and sha256 with --verify, or when the time changed), redoes
half-done ones, retries transient failures and leaves permanent ones (unless --retry-failed).
Scratch files live under DIR/.work/ and end in .part, so a SIGKILL never leaves a partial file
under a final name. On rate limiting or a bot check every worker waits together (RateGate).
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ovavel.curation.ffmpeg_tools import FFmpegError, probe, require_ffmpeg
from ovavel.curation.ledger import PERMANENT, Ledger, LedgerEntry
from ovavel.curation.manifest import build_manifest
from ovavel.curation.normalise import CLIP_SECONDS, NormaliseOptions, normalise_clip, sha256_of, verify_clip
from ovavel.curation.vggsound_index import IndexRow
from ovavel.curation.ytdlp_fetch import SOURCE_STATUSES, FetchFailed, fetch
from ovavel.errors import DiskFull
from ovavel.layout import DataDir
from ovavel.names import check_clip_id

YOUTUBE_URL = "https://www.youtube.com/watch?v={youtube_id}"
DEFAULT_FORMAT = "bv*[height<=720]+ba/b[height<=720]/bv*+ba/b"


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class DownloadOptions:
    url_template: str = YOUTUBE_URL
    workers: int = 4
    retries: int = 3
    backoff_base_s: float = 2.0
    backoff_max_s: float = 600.0
    cookies: str | None = None
    retry_failed: bool = False
    verify: bool = False  # hash every finished clip on a rerun, not only those whose size or time changed
    fmt: str = DEFAULT_FORMAT
    sections: bool = True
    socket_timeout: float = 30.0
    normalise: NormaliseOptions = field(default_factory=NormaliseOptions)


class RateGate:
    """One back-off shared by all workers: after a rate-limit answer nobody sends a request until
    the pause is over; each further hit doubles the pause (up to a cap), a success resets it."""

    def __init__(self, base_s: float, max_s: float, clock=time.monotonic, sleep=time.sleep):
        self.base_s, self.max_s = base_s, max_s
        self.delay_s = base_s
        self.until = 0.0
        self.pauses: list[float] = []  # every pause taken, for the summary (and tests)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()

    def wait(self) -> None:
        while True:
            with self._lock:
                left = self.until - self._clock()
            if left <= 0:
                return
            self._sleep(min(left, 0.25))

    def hit(self) -> float:
        with self._lock:
            pause = self.delay_s
            self.until = max(self.until, self._clock() + pause)
            self.pauses.append(pause)
            self.delay_s = min(self.delay_s * 2, self.max_s)
            return pause

    def success(self) -> None:
        with self._lock:
            self.delay_s = self.base_s


@dataclass
class DownloadSummary:
    counts: Counter  # final status of every clip of this run (done before: "ok (kept)")
    pauses: list[float]
    elapsed_s: float

    @property
    def failed(self) -> int:
        return sum(v for k, v in self.counts.items() if not k.startswith("ok"))


def _is_intact(path: str | os.PathLike, entry: LedgerEntry, verify: bool = False) -> tuple[bool, int | None]:
    """(intact, the file's modification time when it had to be hashed to tell). Checked on disk,
    never trusted blindly: the file exists with the recorded size and, as rsync's quick check, the
    recorded modification time; a file whose time changed (or every file with `verify`, or one
    recorded before times were) is hashed against the recorded sha256."""
    try:
        st = os.stat(path)
    except OSError:
        return False, None
    if st.st_size != entry.size:
        return False, None
    if not verify and entry.mtime_ns is not None and st.st_mtime_ns == entry.mtime_ns:
        return True, None
    try:
        return sha256_of(path) == entry.sha256, st.st_mtime_ns
    except OSError:
        return False, None


def plan(rows: list[IndexRow], data: DataDir, ledger: Ledger, retry_failed: bool,
         verify: bool = False) -> tuple[list[IndexRow], Counter]:
    """Which clips to fetch now; the rest are counted by why they are left."""
    latest = ledger.latest("download")
    todo, left = [], Counter()
    clips = str(data.clips_dir)  # plain strings: at 63,526 clips pathlib alone took a second
    for r in rows:
        e = latest.get(r.clip_id)
        if e is None:
            todo.append(r)
        elif e.status == "ok":
            intact, hashed_at = _is_intact(os.path.join(clips, check_clip_id(r.clip_id) + ".mp4"), e, verify)
            if intact:
                left["ok (kept)"] += 1
                if hashed_at is not None and hashed_at != e.mtime_ns:  # the same bytes at a new time
                    ledger.append(dataclasses.replace(e, mtime_ns=hashed_at, message="re-verified", attempts=0,
                                                      time=time.strftime("%Y-%m-%dT%H:%M:%S%z")))
            else:
                todo.append(r)  # the file is gone or changed: redo it
        elif e.status in PERMANENT and not retry_failed:
            left[f"{e.status} (kept)"] += 1
        else:
            todo.append(r)
    return todo, left


def clean_scratch(data: DataDir) -> None:
    """Remove what a killed run left half-done."""
    shutil.rmtree(data.work_dir, ignore_errors=True)
    if data.clips_dir.exists():
        for p in data.clips_dir.glob("*.part"):
            p.unlink(missing_ok=True)


def download_clips(rows: list[IndexRow], data: DataDir, opts: DownloadOptions = DownloadOptions(),
                   progress: bool = True) -> DownloadSummary:
    """Fetch, normalise and verify every clip of `rows` into DIR/clips/; record each attempt in
    DIR/ledger.jsonl; rewrite DIR/clips.csv at the end (also when interrupted)."""
    require_ffmpeg()
    t0 = time.monotonic()
    data.clips_dir.mkdir(parents=True, exist_ok=True)
    clean_scratch(data)
    ledger = Ledger(data.ledger)
    todo, counts = plan(rows, data, ledger, opts.retry_failed, opts.verify)
    gate = RateGate(opts.backoff_base_s, opts.backoff_max_s)
    bar = tqdm(total=len(todo), desc="download", unit="clip", disable=not progress, dynamic_ncols=True)
    pool = ThreadPoolExecutor(max_workers=max(1, opts.workers))
    try:
        futures = [pool.submit(fetch_clip, r, data, opts, gate, ledger) for r in todo]
        for fut in as_completed(futures):
            counts[fut.result().status] += 1  # DiskFull stops the run here (the rest are cancelled)
            bar.update(1)
            bar.set_postfix({k: v for k, v in counts.items() if "(kept)" not in k}, refresh=False)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        try:
            build_manifest(data)
        except OSError as e:
            raise_if_disk_full(e, data)
            raise
    return DownloadSummary(counts, gate.pauses, time.monotonic() - t0)


def fetch_clip(row: IndexRow, data: DataDir, opts: DownloadOptions, gate: RateGate, ledger: Ledger) -> LedgerEntry:
    """All attempts for one clip; transient failures are retried with back-off."""
    attempt = 0
    while True:
        attempt += 1
        gate.wait()
        t0 = time.monotonic()
        entry = attempt_clip(row, data, opts)
        entry.attempts = attempt
        entry.elapsed_s = round(time.monotonic() - t0, 3)
        try:
            ledger.append(entry)
        except OSError as e:
            raise_if_disk_full(e, data)
            raise
        if entry.status == "rate_limited":
            gate.hit()
        elif entry.status == "ok":
            gate.success()
        if entry.status in PERMANENT or entry.status == "ok" or attempt > opts.retries:
            return entry
        if entry.status != "rate_limited":  # the gate already paused everyone for those
            time.sleep(min(opts.backoff_base_s * 2 ** (attempt - 1), opts.backoff_max_s))


def attempt_clip(row: IndexRow, data: DataDir, opts: DownloadOptions) -> LedgerEntry:
    """One attempt: fetch, check the source, normalise, verify, rename into place."""
    def entry(status: str, message: str = "", **kw) -> LedgerEntry:
        return LedgerEntry(row.clip_id, status, message=message, youtube_id=row.youtube_id,
                           start_s=row.start_s, cls=row.cls, **kw)

    work = data.work_dir / row.clip_id
    part = data.clips_dir / f"{row.clip_id}.mp4.part"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        source, path, offset = fetch_source(row, work, opts)
        info = probe(path)
        if not info.has_video:
            return entry("no_video", "the source has no video stream", source=source)
        if not info.has_audio:
            return entry("no_audio", "the source has no audio stream", source=source)
        available = (info.duration or 0.0) - offset
        if available < CLIP_SECONDS - opts.normalise.max_pad_s:
            return entry("too_short", f"the source has {max(available, 0):.2f} s from {row.start_s} s on; "
                         f"a clip needs {CLIP_SECONDS:.0f} s", source=source)
        normalise_clip(path, part, offset, opts.normalise)
        out = verify_clip(part)
        size, digest = part.stat().st_size, sha256_of(part)
        os.replace(part, data.clip(row.clip_id))
        return entry("ok", size=size, mtime_ns=data.clip(row.clip_id).stat().st_mtime_ns, duration=out.duration,
                     sha256=digest, source=source, frame_rate=out.frame_rate)
    except FetchFailed as e:
        raise_if_disk_full(e, data)
        return entry(e.status, e.message)
    except FFmpegError as e:
        raise_if_disk_full(e, data)
        return entry("ffmpeg_error", e.message)
    except Exception as e:  # one bad clip never stops the run: it gets a status and a reason
        raise_if_disk_full(e, data)
        return entry("error", f"{type(e).__name__}: {e}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        part.unlink(missing_ok=True)


DISK_FULL_TEXTS = ("No space left on device", "Disk quota exceeded")
LOW_SPACE_BYTES = 64 * 1024 * 1024  # a failure with less free than this is blamed on the disk


def raise_if_disk_full(error: BaseException, data: DataDir) -> None:
    """A failure caused by a full disk is the machine's problem, not the clip's: raise DiskFull
    (the run stops, the clip gets no ledger line) instead of recording a permanent failure. Tools
    report it in words (ffmpeg, yt-dlp), Python with ENOSPC/EDQUOT, and a truncated output file
    ("moov atom not found") with neither, so little free space left also counts."""
    if isinstance(error, DiskFull):
        raise error
    text = str(getattr(error, "message", "") or error)
    errno_full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
    try:
        low = shutil.disk_usage(data.root).free < LOW_SPACE_BYTES
    except OSError:
        low = False
    if errno_full or any(t in text for t in DISK_FULL_TEXTS) or low:
        raise DiskFull(data.root) from error


def fetch_source(row: IndexRow, work: Path, opts: DownloadOptions) -> tuple[str, Path, float]:
    """(how, file, offset of the clip start in the file). Section first, whole video second."""
    url = opts.url_template.format(youtube_id=row.youtube_id)
    kw = dict(fmt=opts.fmt, cookies=opts.cookies, socket_timeout=opts.socket_timeout)
    if opts.sections:
        try:
            path = fetch(url, work / "section", section=(row.start_s, row.start_s + CLIP_SECONDS), **kw)
            info = probe(path)
            if (info.duration or 0) >= CLIP_SECONDS - opts.normalise.max_pad_s and (info.has_video or info.has_audio):
                return "section", path, 0.0
            # Too short or unplayable: maybe the source ends early, maybe the section fetch broke
            # (yt-dlp against a server without range support): the whole file tells.
        except FetchFailed as e:
            if e.status in SOURCE_STATUSES:
                raise
        except FFmpegError:
            pass
        for p in work.glob("section*"):
            p.unlink(missing_ok=True)
    path = fetch(url, work / "full", section=None, **kw)
    return "full", path, float(row.start_s)

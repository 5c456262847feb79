"""`ovavel demo`: the whole pipeline on a small offline example, with the real commands printed.

1. a VGGSound-style index of a dozen clips in four classes, served from a loopback HTTP server
   (real videos from ../shared/data/media where present, plus clips made with ffmpeg):
   curate download, segments, check;
2. a real Label Studio: round 1 and round 2 with three SCRIPTED annotator accounts, reconcile,
   adjudication by a scripted lead, final labels;
3. splits (two classes unseen);
4. features and both baselines (ImageBind-Huge with --checkpoint, else the tiny architecture with
   random weights, and a banner saying the numbers mean nothing);
5. demo_out/report.md with the tables, the plots and a timeline picture of a few clips.
Like the rest of the toolkit it sits above the stages: it only calls their commands.
"""

from __future__ import annotations

import csv
import json
import random
import shlex
import shutil
import socket
from pathlib import Path

import click

from ovavel import SEGMENTS_PER_CLIP
from ovavel.annotation.ls_client import connect
from ovavel.testing.scripted_annotators import answer_round, ensure_accounts
from ovavel.annotation.state import AnnotationState
from ovavel.catalog import load_catalog
from ovavel.curation.status import data_status, format_status
from ovavel.testing.synthetic_media import make_test_video
from ovavel.formats import SEG_COLUMNS, read_labels, read_split
from ovavel.layout import DataDir
from ovavel.testing.media_server import MediaServer
from ovavel.metrics.report import markdown_table
from ovavel.tables import atomic_write_text, read_csv

SEEN = ["cat purring", "race car"]
UNSEEN = ["dog barking", "playing piano"]
ANNOTATORS = ["ann1@demo.ovavel", "ann2@demo.ovavel", "ann3@demo.ovavel"]
LEAD = "lead@demo.ovavel"
SCRIPTED = "SCRIPTED ANNOTATORS: every answer in this demo was posted by a script, not by a person."
RANDOM = ("RANDOM WEIGHTS: no ImageBind-Huge checkpoint was given, so the features come from the tiny "
          "architecture with random weights; the numbers below mean nothing.")


def demo_truth(clip_id: str) -> str:
    """The planted labels of a demo clip (what the scripted annotators mostly answer)."""
    rng = random.Random(clip_id)
    start = rng.randint(0, 4)
    # (the end is drawn again at each second from the start on, as the demo always has)
    return "".join("1" if start <= k < start + rng.randint(3, SEGMENTS_PER_CLIP - start) else "0"
                   for k in range(SEGMENTS_PER_CLIP))


def scripted_answer(annotator: str, clip_id: str, cls: str) -> str:
    """The truth, except that each annotator misjudges one second on some clips."""
    labels = list(demo_truth(clip_id))
    rng = random.Random(annotator + clip_id)
    if rng.random() < 0.4:
        k = rng.randrange(SEGMENTS_PER_CLIP)
        labels[k] = "1" if labels[k] == "0" else "0"
    return "".join(labels)


class Demo:
    def __init__(self, out: Path, shared: Path | None, checkpoint: str | None, ls_url: str | None,
                 ls_token: str | None, epochs: int, echo=click.echo, cli: click.Group | None = None):
        self.cli = cli  # the `ovavel` app the commands run through (handed in: the demo never imports the CLI)
        self.out, self.shared, self.checkpoint = out, shared, checkpoint
        self.ls_url, self.ls_token, self.epochs, self.echo = ls_url, ls_token, epochs, echo
        self.data = out / "data"
        self.commands: list[str] = []

    def run_cmd(self, *args: str) -> None:
        line = " ".join(shlex.quote(str(a)) for a in args)
        self.commands.append(line)
        self.echo(click.style(f"\n$ {line}", bold=True))
        self.cli.main(args=[str(a) for a in args], prog_name="ovavel", standalone_mode=False)

    def media(self) -> tuple[Path, Path]:
        """The media folder and the raw VGGSound-style index (no header, like the real one)."""
        media = self.out / "media"
        media.mkdir(parents=True, exist_ok=True)
        catalog = load_catalog()
        rows = []
        for ci, cls in enumerate(SEEN + UNSEEN):
            for j in range(3):
                yid = f"demoClip{ci}{j}x"
                make_test_video(media / f"{yid}.mp4", duration=14 + j, size=(320, 240))
                rows.append((yid, j + 1, catalog.get(cls).vggsound_label, "train"))
        if self.shared and (self.shared / "media").is_dir():  # real footage: ends as too_short / no_audio
            shutil.copy(self.shared / "media" / "bigbuckbunny.mp4", media / "realBunny01.mp4")
            shutil.copy(self.shared / "media" / "bikes.mp4", media / "realBikes01.mp4")
            rows += [("realBunny01", 0, "cat purring", "train"), ("realBikes01", 0, "race car, auto racing", "train")]
        index = self.out / "vggsound_demo.csv"
        with open(index, "w", newline="") as f:  # the raw VGGSound format: no header, CRLF
            csv.writer(f, lineterminator="\r\n").writerows(rows)
        return media, index

    def run(self) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        classes = self.out / "classes.txt"
        classes.write_text("\n".join(SEEN + UNSEEN) + "\n")
        catalog = self.out / "classes.csv"
        load_catalog().subset(SEEN + UNSEEN).write(catalog)
        media, index = self.media()
        with MediaServer(media) as srv:
            self.run_cmd("curate", "download", "--index", index, "--classes", classes, "--out", self.data,
                         "--url-template", srv.url_template(), "--workers", "2", "--backoff", "0.2")
        self.run_cmd("curate", "check", "--data", self.data)
        self.run_cmd("curate", "segments", "--data", self.data)
        self.run_cmd("curate", "status", "--data", self.data)
        self.annotate()
        splits = self.out / "splits"
        self.run_cmd("splits", "make", "--labels", self.data / "annotation" / "labels.csv", "--catalog", catalog,
                     "--seed", "0", "--out", splits, "--force")
        self.run_cmd("splits", "stats", splits)
        report = self.baselines(catalog, splits)
        results = self.out / "results"
        self.run_cmd("browse", "--data", self.data, "--labels", splits / "labels.csv", "--split", splits / "test.csv",
                     "--catalog", catalog, "--results", results / "training_free", results / "fine_tuned",
                     "--out", self.out / "site", "--no-progress")
        return report

    def annotate(self) -> None:
        if not self.ls_url:
            self.run_cmd("annotate", "server", "start", "--data", self.data, "--port", str(free_port()))
            self.annotation_rounds([])
            self.run_cmd("annotate", "server", "stop", "--data", self.data)
            return
        # Another Label Studio does not serve this data folder: the clips come from a loopback
        # server, named with --video-url (as a lab would name its own web server).
        with MediaServer(self.data / "clips") as clips:
            self.annotation_rounds(["--url", self.ls_url, "--token", self.ls_token],
                                   ["--video-url", f"{clips.url}/{{clip_id}}.mp4"])

    def annotation_rounds(self, ls: list[str], video: tuple[str, ...] | list[str] = ()) -> None:
        client = connect(self.data, self.ls_url, self.ls_token)
        users = ensure_accounts(client, ANNOTATORS + [LEAD])
        self.echo(click.style(f"\n{SCRIPTED}", fg="yellow"))
        self.run_cmd("annotate", "export", "--data", self.data, "--round", "1", "--annotators", ",".join(ANNOTATORS),
                     *ls, *video)
        self.echo(f"[scripted] {answer_round(client, AnnotationState(self.data), '1', scripted_answer, users)} answers posted")
        self.run_cmd("annotate", "import", "--data", self.data, "--round", "1", *ls)
        self.run_cmd("annotate", "export", "--data", self.data, "--round", "2", "--mode", "review", *ls, *video)
        self.echo(f"[scripted] {answer_round(client, AnnotationState(self.data), '2', scripted_answer, users)} answers posted")
        self.run_cmd("annotate", "import", "--data", self.data, "--round", "2", *ls)
        self.run_cmd("annotate", "reconcile", "--data", self.data)
        if read_csv(self.data / "annotation" / "disagreements.csv"):
            self.run_cmd("annotate", "export", "--data", self.data, "--round", "adjudicate", "--adjudicator", LEAD,
                         *ls, *video)
            truth = lambda a, c, k: demo_truth(c)  # noqa: E731  (the lead knows the planted truth)
            self.echo(f"[scripted] {answer_round(client, AnnotationState(self.data), 'adjudicate', truth, users)} "
                      "adjudications posted")
            self.run_cmd("annotate", "import", "--data", self.data, "--round", "adjudicate", *ls)
            self.run_cmd("annotate", "reconcile", "--data", self.data)
        self.run_cmd("annotate", "status", "--data", self.data, *ls)

    def baselines(self, catalog: Path, splits: Path) -> Path:
        feats, runs, results = self.out / "features", self.out / "runs", self.out / "results"
        enc = ["--checkpoint", self.checkpoint] if self.checkpoint else ["--encoder", "imagebind-tiny", "--random-init"]
        self.run_cmd("baseline", "features", "--data", self.data, "--out", feats, "--catalog", catalog, *enc,
                     "--workers", "0")
        common = ["--features", feats, "--labels", splits / "labels.csv", "--catalog", catalog]
        self.run_cmd("baseline", "eval", "--method", "training-free", "--split", splits / "test.csv", *common,
                     "--out", results / "training_free")
        self.run_cmd("baseline", "train", "--train", splits / "train.csv", "--val", splits / "val.csv", *common,
                     "--out", runs / "demo", "--epochs", str(self.epochs), "--lr", "1e-3", "--select-on", "val",
                     "--force")
        self.run_cmd("baseline", "eval", "--method", "fine-tuned", "--run", runs / "demo", "--split",
                     splits / "test.csv", *common, "--out", results / "fine_tuned")
        return self.report(splits, results)

    def report(self, splits: Path, results: Path) -> Path:
        from ovavel.models.predict_video import plot_rows

        figures = self.out / "figures"
        figures.mkdir(exist_ok=True)
        labels = read_labels(splits / "labels.csv")
        test = [r.clip_id for r in read_split(splits / "test.csv")]
        preds = {name: {r["clip_id"]: [r[c] for c in SEG_COLUMNS] for r in read_csv(results / name / "predictions.csv")}
                 for name in ("training_free", "fine_tuned")}
        timelines = []
        for cid in test[:3]:
            truth = [labels[cid].cls if b == "1" else "background" for b in labels[cid].labels]
            path = figures / f"timeline_{cid}.png"
            plot_rows([("ground truth", truth), ("training-free", preds["training_free"][cid]),
                       ("fine-tuned", preds["fine_tuned"][cid])], path, f"{cid} ({labels[cid].cls})")
            timelines.append(path)
        for name in ("videos_per_class.png", "event_length.png"):
            shutil.copy(splits / name, figures / name)
        shutil.copy(results / "fine_tuned" / "per_class.png", figures / "per_class.png")
        tf = json.loads((results / "training_free" / "report.json").read_text())
        ft = json.loads((results / "fine_tuned" / "report.json").read_text())
        agreement = json.loads((self.data / "annotation" / "agreement.json").read_text())["overall"]
        random_weights = not self.checkpoint
        lines = ["# ovavel demo report", ""]
        if random_weights:
            lines += [f"> **{RANDOM}**", ""]
        lines += [f"> **{SCRIPTED}**", "",
                  "## 1. Curation", "", "```", format_status(data_status(DataDir.at(self.data))), "```", "",
                  "## 2. Annotation (two rounds, exchanged annotators, adjudication)", "",
                  f"Round 1 vs round 2: {agreement['percent_agreement']}% of {agreement['segments']} segments agree, "
                  f"Cohen's kappa {agreement['kappa']}. Details: data/annotation/agreement.md.", "",
                  "## 3. Splits", "", f"Seen classes: {', '.join(SEEN)}; unseen: {', '.join(UNSEEN)}.", "",
                  "![videos per class](figures/videos_per_class.png)", "", "![event length](figures/event_length.png)",
                  "", "## 4. Baselines on the test split", "",
                  markdown_table(tf, "Training-free ImageBind"), markdown_table(ft, "Fine-tuned ImageBind"),
                  "![per class (fine-tuned)](figures/per_class.png)", "", "## 5. Timelines of test clips", ""]
        lines += [f"![{p.stem}](figures/{p.name})" for p in timelines]
        lines += ["", "## 6. Results browser", "",
                  "`site/index.html` (made by `ovavel browse` after this report): every test clip with its video, "
                  "ground truth, both annotation rounds and both methods' timelines; filters by class and error "
                  "type.", "", "## Commands run", "", "```", *[f"$ {c}" for c in self.commands], "```", ""]
        path = self.out / "report.md"
        atomic_write_text(path, "\n".join(lines))
        return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MARKER = ".ovavel-demo"


def run_demo(out: Path, cli: click.Group, shared: Path | None = None, checkpoint: str | None = None,
             ls_url: str | None = None, ls_token: str | None = None, epochs: int = 20, echo=click.echo) -> Path:
    """Run the demo into `out` (a previous demo there is replaced; any other content is refused),
    every step through `cli` (the `ovavel` app)."""
    from ovavel.errors import OvavelError

    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise OvavelError(f"{out} is not empty and holds no earlier demo; choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by `ovavel demo`; rerunning the demo replaces this folder\n")
    return Demo(out, shared, checkpoint, ls_url, ls_token, epochs, echo, cli).run()

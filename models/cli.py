"""The `baseline` command group: features, the two baselines, predictions."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ovavel import BACKGROUND, BACKGROUND_TEXT
from ovavel.catalog import load_catalog
from ovavel.cli_common import (
    Group, Renamed, catalog_option, echo_summary, example, format_table, locks_folders, no_progress, parse_csv_list)
from ovavel.errors import OvavelError
from ovavel.metrics.report import markdown_table
from ovavel.extras import needs
from ovavel.models.encoders import encoder_names
from ovavel.models.training_free import POSTPROCESS


@click.group(cls=Group, help="ImageBind features and the OV-AVEL baselines (needs ovavel[models]).")
def baseline():
    pass


def _encoder_help() -> str:
    from ovavel.models.encoders import load_encoders

    return "A registered encoder. " + "; ".join(f"{s.name}: {s.summary}" for s in load_encoders().values()) + "."


_encoder = [
    click.option("--encoder", type=click.Choice(encoder_names()), default="imagebind-huge", show_default=True,
                 help=_encoder_help()),
    click.option("--checkpoint", type=click.Path(dir_okay=False),
                 help="ImageBind-Huge weights (default: $OVAVEL_IMAGEBIND_CHECKPOINT or a cached download)."),
    click.option("--clip-model", metavar="DIR|NAME",
                 help="clip-clap: the CLIP model, a save_pretrained folder or a cached hub name (default: "
                      "$OVAVEL_CLIP_MODEL or openai/clip-vit-large-patch14)."),
    click.option("--clap-model", metavar="DIR|NAME",
                 help="clip-clap: the CLAP model (default: $OVAVEL_CLAP_MODEL or laion/clap-htsat-unfused)."),
    click.option("--random-init", is_flag=True, help="Random weights (tests, demos, timing): outputs say so."),
    click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True),
]


def encoder_options(fn):
    for opt in reversed(_encoder):
        fn = opt(fn)
    return fn


@baseline.command("features", epilog=example(
    "baseline features --data data/ovave --out feats/ovave --split splits/v1/test.csv --checkpoint imagebind_huge.pth",
    "baseline features --official-root OV-AVEBench/ --split splits/official/test.csv --out feats/official",
    "baseline features --data data/demo --out feats/demo --encoder imagebind-tiny --random-init",
    "baseline features --data data/ovave --out feats/clipclap --encoder clip-clap --clip-model models/clip "
    "--clap-model models/clap",
    "torchrun --nproc_per_node 4 -m ovavel baseline features --data data/ovave --out feats/ovave"))
@click.option("--data", type=click.Path(file_okay=False, exists=True), help="Data folder DIR (its usable clips' segments).")
@click.option("--official-root", type=click.Path(file_okay=False, exists=True), help="The official release layout instead.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Feature store folder FEATS.")
@click.option("--split", type=click.Path(dir_okay=False, exists=True), help="Only the clips of this split file.")
@catalog_option("Class catalog whose names get text embeddings.")
@encoder_options
@click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True, help="Clips per forward pass.")
@click.option("--workers", "num_workers", cls=Renamed, aliases=("--num-workers",), type=click.IntRange(min=0), default=2, show_default=True, help="Decoding workers.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of random weights.")
@click.option("--part-size", type=click.IntRange(min=1), default=64, show_default=True,
              help="Clips per part file written during the run (what a kill can lose at most).")
@click.option("--precision", type=click.Choice(["fp32", "bf16"]), default="fp32", show_default=True,
              help="fp32 as the released code; bf16 autocast is faster on a GPU (benchmarks/bench_precision.py "
                   "measures how often it changes a decision).")
@no_progress
@locks_folders("out")
@needs("models")
def features_cmd(data, official_root, out, split, classes, encoder, checkpoint, clip_model, clap_model, random_init,
                 device, batch_size, num_workers, seed, part_size, precision, no_progress):
    """Audio and visual embeddings [10, D] per clip, and text embeddings of every class name (one table per
    text space), by any registered encoder."""
    from ovavel.models.features import FeatureOptions, extract_features
    from ovavel.models.sources import from_data_dir, from_official_root

    if bool(data) == bool(official_root):
        raise OvavelError("pass exactly one of --data DIR and --official-root ROOT")
    clips, missing = from_data_dir(data, split) if data else from_official_root(official_root, split)
    opts = FeatureOptions(encoder, checkpoint, random_init, device, batch_size, num_workers, seed, precision=precision,
                          clip_model=clip_model, clap_model=clap_model)
    if random_init:
        click.echo("RANDOM WEIGHTS: the features made now carry no meaning (tests, demos, timing only)", err=True)
    s = extract_features(clips, out, load_catalog(classes), opts, missing, progress=not no_progress,
                         part_size=part_size)
    rows = [["extracted now", s.extracted], ["already in the store", s.kept], ["without segments (skipped)", len(s.missing)],
            ["damaged segments (failed)", len(s.failed)]]
    echo_summary(f"features -> {out} ({s.device}, {s.dtype}; decode {s.decode_s:.1f} s, encode {s.encode_s:.1f} s)",
                 "\n".join(f"{k}: {v}" for k, v in rows))
    if s.missing:
        click.echo(f"first clip without segments: {s.missing[0]} (run `curate segments`)")
    if s.failed:
        click.echo(f"first damaged clip: {s.failed[0][0]} ({s.failed[0][1]}); all are listed in {out}/failed-r*.csv: "
                   "run `curate segments --force` for them, then this command again")


def _clips_only(split):
    """The split's clip ids as a feature set without embeddings (for methods that need none)."""
    import numpy as np

    from ovavel.formats import read_split
    from ovavel.feature_store import Features

    ids = [r.clip_id for r in read_split(split)]
    return Features(ids, np.zeros((len(ids), 10, 0)), np.zeros((len(ids), 10, 0)), [], np.zeros((0, 0)), {})


def _load(features, split):
    from ovavel.models.evaluate import split_features
    from ovavel.feature_store import FeatureStore

    return split_features(FeatureStore(features).load(), split)


@baseline.command("eval", epilog=example(
    "baseline eval --method training-free --features feats/official --split splits/official/test.csv "
    "--labels splits/official/labels.csv --out results/tf",
    "baseline eval --method fine-tuned --run runs/paper --features feats/official --split test.csv "
    "--labels labels.csv --out results/ft"))
@click.option("--method", required=True, metavar="NAME", help="A registered method (`baseline methods` lists them).")
@click.option("--features", type=click.Path(file_okay=False, exists=True),
              help="Feature store (every method but llm).")
@click.option("--split", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--labels", required=True, type=click.Path(dir_okay=False, exists=True))
@catalog_option()
@click.option("--out", required=True, type=click.Path(file_okay=False))
@click.option("--run", "run_dir", type=click.Path(file_okay=False, exists=True),
              help="Training run (trainable methods) or answers folder (llm).")
@click.option("--background-text", type=click.Choice([BACKGROUND_TEXT, BACKGROUND, "none"]), default=None,
              help="Background candidate text (training-free default: other; fine-tuned: as trained).")
@click.option("--postprocess", type=click.Choice(POSTPROCESS), default="paper", show_default=True,
              help="Training-free: per-second agreement (paper), the released script's strategy v01 (one class per "
                   "video, agreement on the background text included) or v0 (no background text).")
@click.option("--protocol", type=click.Choice(["mean", "official-batched"]), default="mean", show_default=True)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@needs("models")
def eval_cmd(method, features, split, labels, classes, out, run_dir, background_text, postprocess, protocol, device):
    """Predict a split and score it: predictions.csv plus the metrics report."""
    from ovavel.metrics.report import ScoreSettings
    from ovavel.models.evaluate import write_and_score

    from ovavel.models.methods import PredictContext, get_method

    chosen = get_method(method)
    catalog = load_catalog(classes)
    if chosen.needs_features and not features:
        raise OvavelError(f"--method {method} needs --features FEATS")
    feats = _load(features, split) if chosen.needs_features else _clips_only(split)
    ctx = PredictContext(feats, catalog.names, background_text, postprocess, run_dir, device)
    preds = chosen.predict(ctx)
    title = chosen.title(ctx) + (f" ({postprocess} post-processing)" if not chosen.trainable else "")
    report = write_and_score(preds, out, labels, catalog, classes, split, feats, title, ScoreSettings(protocol))
    if feats.meta.get("random_init"):
        click.echo("RANDOM WEIGHTS: these numbers mean nothing", err=True)
    click.echo(markdown_table(report.summary, title))
    click.echo(f"written: {out}/predictions.csv and the metrics report")


@baseline.command("predict", epilog=example(
    "baseline predict --features feats/new --out predictions.csv",
    "baseline predict --features feats/new --run runs/paper --out predictions.csv"))
@click.option("--features", required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option("--split", type=click.Path(dir_okay=False, exists=True), help="Only these clips.")
@catalog_option(help=None)
@click.option("--run", "run_dir", type=click.Path(file_okay=False, exists=True), help="Use a fine-tuned run.")
@click.option("--background-text", type=click.Choice([BACKGROUND_TEXT, BACKGROUND, "none"]), default=None)
@click.option("--postprocess", type=click.Choice(POSTPROCESS), default="paper", show_default=True,
              help="Training-free post-processing, as for `baseline eval`.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--method", metavar="NAME", help="A registered method (default: fine-tuned with --run, else "
                                            "training-free).")
@needs("models")
def predict_cmd(features, out, split, classes, run_dir, background_text, postprocess, device, method):
    """predictions.csv for clips without labels (e.g. to pre-fill annotation)."""
    from ovavel.formats import write_predictions

    from ovavel.models.methods import PredictContext, get_method

    chosen = get_method(method or ("fine-tuned" if run_dir else "training-free"))
    catalog = load_catalog(classes)
    feats = _load(features, split)
    preds = chosen.predict(PredictContext(feats, catalog.names, background_text, postprocess, run_dir, device))
    write_predictions(out, preds)
    click.echo(f"{len(preds)} clips -> {out}" + ("  (RANDOM WEIGHTS)" if feats.meta.get("random_init") else ""))


def parse_class_names(value: str) -> list[str]:
    names = parse_csv_list(value)
    if not names:
        raise OvavelError("--names: expected comma-separated class names, e.g. 'dog barking,car horn'")
    return names


def _apply(options: list, fn):
    """Decorate `fn` with click options in the order listed (as if stacked above it)."""
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def _head_options(fn):
    opts = [
        click.option("--head", "head_kind", type=click.Choice(["released", "transformer"]), default="released",
                     show_default=True, help="released: the authors' code; transformer: nn.TransformerEncoderLayer (FFN 2048)."),
        click.option("--share-temporal", is_flag=True, help="One temporal layer for both modalities."),
        click.option("--temporal", type=click.Choice(["attention", "linear"]), default="attention", show_default=True),
        click.option("--layers", type=click.IntRange(min=1), default=1, show_default=True),
        click.option("--attention", type=click.Choice(["intra", "cross", "intra+cross"]), default="intra",
                     show_default=True, help="Temporal attention within each modality, across them (from the raw "
                                             "features), or both summed (the paper's Table A9)."),
        click.option("--cross-modal", is_flag=True, help="The same as --attention intra+cross."),
        click.option("--fusion", type=click.Choice(["sqrt", "prob-avg", "fea-avg"]), default="sqrt", show_default=True,
                     help="sqrt (released GEN1), prob-avg (GEN2: mean of the cosines), fea-avg (GEN3: mean feature)."),
        click.option("--residual-dropout", type=click.FloatRange(0, 1), default=0.0, show_default=True,
                     help="Dropout on the residual branches too (not in the released layer)."),
        click.option("--init", "init", type=click.Choice(["released", "independent"]), default="released",
                     show_default=True, help="released: every temporal layer (audio, visual, all --layers) starts as a "
                                             "copy of one block, as the released module; independent: each its own draw."),
        click.option("--variant", type=click.Choice(["released", "source"]), default="released", show_default=True,
                     help="ave / psp / cmra / mm-pyramid: the OV-AVEL authors' compiled modules (the published Table 2 "
                          "rows) or adaptations of the methods' original repositories."),
        click.option("--width", type=click.IntRange(min=8), default=None,
                     help="--variant source cmra / mm-pyramid: inner width (default: the authors' 256 / 512; "
                          "smaller for CPU runs). The released modules have no width apart from the features'."),
        click.option("--background-text", type=click.Choice([BACKGROUND_TEXT, BACKGROUND, "none"]), default=BACKGROUND_TEXT,
                     show_default=True),
    ]
    return _apply(opts, fn)


def _online_options(fn):
    """--online-encoder and where its segments and weights come from (baseline train, reproduce)."""
    opts = [
        click.option("--online-encoder", is_flag=True,
                     help="Re-encode each training batch with the feature store's encoder in training mode (its "
                          "audio drop-path active), as the released script does; needs --data or --official-root. "
                          "Slow: a GPU's job."),
        click.option("--data", "segments_data", type=click.Path(file_okay=False, exists=True),
                     help="--online-encoder: the data folder whose segments made the features."),
        click.option("--official-root", type=click.Path(file_okay=False, exists=True),
                     help="--online-encoder: the official release layout instead."),
        click.option("--checkpoint", type=click.Path(dir_okay=False, exists=True),
                     help="--online-encoder: ImageBind-Huge weights (default: as recorded in the feature store)."),
    ]
    return _apply(opts, fn)


@baseline.command("train", epilog=example(
    "baseline train --features feats/official --train splits/official/train.csv --val splits/official/val.csv "
    "--labels splits/official/labels.csv --out runs/paper",
    "baseline train ... --recipe released --test splits/official/test.csv --out runs/released",
    "baseline train ... --head transformer --share-temporal --out runs/shared8m",
    "baseline train ... --method psp --out runs/psp",
    "baseline train ... --resume --out runs/paper"))
@click.option("--features", required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--train", "train_split", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--val", "val_split", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--test", "test_split", type=click.Path(dir_okay=False, exists=True), help="Needed for --select-on test-seen/test.")
@click.option("--labels", required=True, type=click.Path(dir_okay=False, exists=True))
@catalog_option()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Run folder runs/NAME.")
@click.option("--recipe", type=click.Choice(["paper", "released"]), default="paper", show_default=True,
              help="paper: 5 epochs, batch 32, Adam 5e-5; released: 10 epochs and best epoch on test's seen classes.")
@click.option("--epochs", type=click.IntRange(min=1), help="Default: the recipe's.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Default: the recipe's (32).")
@click.option("--lr", type=float, help="Default: the recipe's (5e-5).")
@click.option("--seed", type=int, default=123, show_default=True)
@click.option("--select-on", type=click.Choice(["val-seen", "val", "test-seen", "test"]),
              help="Which videos pick the best epoch (default val-seen: unseen classes never steer training).")
@_head_options
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--precision", type=click.Choice(["fp32", "bf16"]), default="fp32", show_default=True,
              help="fp32 as the released code; bf16 autocast.")
@click.option("--method", default="fine-tuned", show_default=True, metavar="NAME",
              help="A trainable registered method (`baseline methods`).")
@_online_options
@click.option("--nan-batches", type=click.Choice(["raise", "skip"]), default="raise", show_default=True,
              help="A batch whose scores hold a NaN: stop the run, or leave the batch out (counted in log.jsonl) as "
                   "the released script does.")
@click.option("--resume", is_flag=True, help="Continue a stopped run.")
@click.option("--force", is_flag=True, help="Start over in an existing run folder.")
@no_progress
@locks_folders("out")
@needs("models")
def train_cmd(features, train_split, val_split, test_split, labels, classes, out, recipe, epochs, batch_size, lr,
              seed, select_on, head_kind, share_temporal, temporal, layers, attention, cross_modal, fusion,
              residual_dropout, init, variant, width, background_text, device, precision, method, online_encoder,
              segments_data, official_root, checkpoint, nan_batches, resume, force, no_progress):
    """Train the temporal head (or a comparison head: --method ave|psp|cmra|mm-pyramid) on the seen classes
    (frozen ImageBind features)."""
    from ovavel.models.train_files import OnlineSource, train_from_files, training_settings

    settings = training_settings(recipe, method, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
                                 select_on=select_on, background_text=background_text, device=device,
                                 precision=precision, nan_batches=nan_batches, cross_modal=cross_modal, head=head_kind,
                                 temporal=temporal, layers=layers, share_temporal=share_temporal, attention=attention,
                                 fusion=fusion, residual_dropout=residual_dropout, init=init, variant=variant,
                                 width=width)
    best = train_from_files(features, train_split, val_split, labels, out, settings, test_split=test_split,
                            catalog=classes, resume=resume, force=force, progress=not no_progress, echo=click.echo,
                            online=OnlineSource(segments_data, official_root, checkpoint) if online_encoder
                            else None)["best"]
    click.echo(f"best epoch {best['epoch']} ({settings.select_on} avg {100 * best['avg']:.1f}); run in {out}")


@baseline.command("ablate", epilog=example(
    "baseline ablate --grid 'fusion=sqrt,prob-avg,fea-avg' --seeds 0,1,2 --features feats --train train.csv "
    "--val val.csv --test test.csv --labels labels.csv --out ablations/fusion",
    "baseline ablate --grid 'temporal=attention,linear;layers=1,2' --features feats ... --out ablations/temporal",
    "baseline ablate --grid 'method=fine-tuned,ave,psp,cmra,mm-pyramid' --features feats ... --out ablations/heads"))
@click.option("--grid", required=True, help="key=v1,v2;key2=... over head switches (head, share_temporal, temporal, "
                                            "layers, attention, cross_modal, fusion, residual_dropout, width), "
                                            "method (any trainable method), background_text and train.")
@click.option("--seeds", default="0,1,2", show_default=True)
@click.option("--features", required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--train", "train_split", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--val", "val_split", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--test", "test_split", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--labels", required=True, type=click.Path(dir_okay=False, exists=True))
@catalog_option(help=None)
@click.option("--recipe", type=click.Choice(["paper", "released"]), default="paper", show_default=True,
              help="Where epochs and learning rate come from (the paper's Table 6 reports best epochs beyond 5).")
@click.option("--epochs", type=click.IntRange(min=1), help="Default: the recipe's.")
@click.option("--lr", type=float, help="Default: the recipe's.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--out", required=True, type=click.Path(file_okay=False))
@no_progress
@locks_folders("out")
@needs("models")
def ablate_cmd(grid, seeds, features, train_split, val_split, test_split, labels, classes, recipe, epochs, lr, device,
               out, no_progress):
    """Train and test a grid of ablation settings over seeds; one comparison table."""
    from ovavel.models.ablate import parse_grid, run_grid
    from ovavel.models.train import RECIPES

    r = RECIPES[recipe]
    table = run_grid(parse_grid(grid), [int(s) for s in parse_csv_list(seeds)], features, train_split, val_split,
                     test_split, labels, load_catalog(classes), epochs or r["epochs"], lr or r["lr"], device, out,
                     echo=click.echo, progress=not no_progress)
    click.echo(table)


@click.command("predict", epilog=example(
    "ovavel predict my_video.mp4 --names 'dog barking,car horn,playing piano' --checkpoint imagebind_huge.pth --out pred/",
    "ovavel predict my_video.mp4 --names 'dog barking,cat purring' --run runs/paper --out pred/",
    "ovavel predict clip.mp4 --names 'dog barking' --encoder imagebind-tiny --random-init --out pred/"))
@click.argument("video", type=click.Path(dir_okay=False, exists=True))
@click.option("--names", "class_list", cls=Renamed, aliases=("--classes",), required=True, help="Comma-separated class names (any vocabulary).")
@click.option("--run", "head_run", cls=Renamed, aliases=("--head",), type=click.Path(file_okay=False, exists=True), help="A fine-tuned run.")
@encoder_options
@click.option("--out", required=True, type=click.Path(file_okay=False))
@needs("models")
def predict_video_cmd(video, class_list, head_run, encoder, checkpoint, clip_model, clap_model, random_init, device,
                      out):
    """Per-second open-vocabulary events in any video: timeline printed, JSON and PNG written."""
    from ovavel.models.features import FeatureOptions
    from ovavel.models.predict_video import format_timeline, predict_video

    result = predict_video(video, parse_class_names(class_list), out,
                           FeatureOptions(encoder, checkpoint, random_init, device, clip_model=clip_model,
                                          clap_model=clap_model), head_run)
    if random_init:
        click.echo("RANDOM WEIGHTS: this timeline means nothing", err=True)
    for note in result["notes"]:
        click.echo(f"note: {note}", err=True)
    click.echo(format_timeline(result["timeline"]))
    click.echo(f"written: {out}/timeline.json, {out}/timeline.png")


@baseline.command("llm-query", epilog=example(
    "baseline llm-query --data data/ovave --split splits/v1/test.csv --endpoint http://127.0.0.1:8000/v1 "
    "--model VideoLLaMA2 --out answers/videollama2",
    "baseline eval --method llm --run answers/videollama2 --split splits/v1/test.csv --labels splits/v1/labels.csv "
    "--out results/llm"))
@click.option("--data", required=True, type=click.Path(file_okay=False, exists=True), help="Data folder DIR (its clips).")
@click.option("--split", type=click.Path(dir_okay=False, exists=True), help="Only the clips of this split.")
@catalog_option("Candidate classes (default: bundled 67).")
@click.option("--endpoint", required=True, help="Base URL of an OpenAI-compatible API (…/v1) that accepts video.")
@click.option("--model", "model_name", required=True, help="The model name the endpoint serves.")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True,
              help="Environment variable holding the API key (if the endpoint wants one).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Answers folder (answers.jsonl).")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
              help="Seconds per request, the whole response included.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Further tries of a request answered 429 or 503 (after its Retry-After).")
@click.option("--max-response-mb", type=click.FloatRange(min=0.001), default=8.0, show_default=True,
              help="A larger response is not read further and the clip is recorded as failed.")
@no_progress
@locks_folders("out")
def llm_query_cmd(data, split, classes, endpoint, model_name, api_key_env, out, timeout_s, retries, max_response_mb,
                  no_progress):
    """Ask an audio-visual LLM the paper's prompt about each clip (resumable per clip)."""
    from ovavel.layout import DataDir
    from ovavel.curation.manifest import usable_clips
    from ovavel.formats import read_split
    from ovavel.models.llm import QueryOptions, query_clips

    d = DataDir.at(data)
    ids = [r["clip_id"] for r in usable_clips(d)]
    if split:
        wanted = {r.clip_id for r in read_split(split)}
        ids = [c for c in ids if c in wanted]
    opts = QueryOptions(endpoint, model_name, os.environ.get(api_key_env), timeout_s=timeout_s, retries=retries,
                        max_response_bytes=int(max_response_mb * (1 << 20)))
    counts = query_clips({c: d.clip(c) for c in ids}, load_catalog(classes).names, out, opts,
                         progress=not no_progress)
    echo_summary(f"llm-query -> {out}/answers.jsonl", "\n".join(f"{k}: {v}" for k, v in counts.items()))
    if counts["failed"]:
        click.echo("failed clips are asked again by the same command; reasons in answers.jsonl")


@baseline.command("methods", epilog=example("baseline methods"))
def methods_cmd():
    """The registered methods: name, the paper's Table 2 row, trainable or not, encoder kind."""
    from ovavel.models.methods import load_methods

    rows = [[m.name, m.table2_row or "–", "yes" if m.trainable else "no", m.encoder, m.summary]
            for m in sorted(load_methods().values(), key=lambda m: (m.trainable, m.name))]
    click.echo(format_table(["method", "Table 2 row", "trainable", "encoder", "what"], rows))


@baseline.command("reproduce", epilog=example(
    "baseline reproduce --table 2 --features feats/official --splits splits/official --out repro/",
    "baseline reproduce --table 4 --features feats/official --splits splits/official --out repro/ --seeds 0,1,2",
    "baseline reproduce --table 2 --features feats/official --clip-clap-features feats/official-clipclap "
    "--llm-answers answers/videollama2 --splits splits/official --out repro/",
    "baseline reproduce --table 2 --features feats/demo --splits demo_out/splits --out repro/ --epochs 1"))
@click.option("--table", required=True, type=click.Choice(["2", "3", "4", "5", "6", "A7", "A8", "A9", "A10"]))
@click.option("--features", required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--splits", "splits_dir", required=True, type=click.Path(file_okay=False, exists=True),
              help="A split folder: train.csv, val.csv, test.csv, labels.csv.")
@catalog_option()
@click.option("--out", required=True, type=click.Path(file_okay=False))
@click.option("--seeds", default="123", show_default=True,
              help="Trained rows: one run per seed, figures averaged (the released scripts ran seed 123 alone).")
@click.option("--epochs", type=click.IntRange(min=1), help="Override the recipe's epochs (a quick look; the table says so).")
@click.option("--recipe", type=click.Choice(["released", "paper"]), default="released", show_default=True,
              help="released: 10 epochs, best epoch on test's seen classes, as the released scripts; paper: 5 epochs, "
                   "best on val's seen classes.")
@click.option("--protocol", type=click.Choice(["official-batched", "mean"]), default="official-batched",
              show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1),
              help="Batched protocol: one batch size for every row (default: the released scripts', 4 for the rows "
                   "without training and 32 for the trained ones).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--variant", type=click.Choice(["released", "source"]), default="released", show_default=True,
              help="Comparison heads: the authors' compiled modules (the published rows) or the source adaptations.")
@click.option("--init", "init", type=click.Choice(["released", "independent"]), default="released", show_default=True,
              help="Temporal layers start as copies of one block (released) or each its own draw.")
@click.option("--nan-batches", type=click.Choice(["skip", "raise"]), default="skip", show_default=True,
              help="A training batch with NaN scores: left out and counted (released), or stop.")
@click.option("--without-other", type=click.Choice(["paper", "released-v0"]), default="paper", show_default=True,
              help="Table 3 'without other': per-second audio-visual agreement, or the released v0 decision "
                   "(one class per video).")
@click.option("--official-meta", type=click.Path(dir_okay=False, exists=True),
              help="Table 6: ovave_dataset_meta.csv beside its trainratio files (default: the file the splits were "
                   "imported from, as split_report.json records).")
@_online_options
@click.option("--clip-clap-features", type=click.Path(file_okay=False, exists=True),
              help="A store made with --encoder clip-clap: runs the CLIP & CLAP rows (Table 2, A10).")
@click.option("--llm-answers", type=click.Path(file_okay=False, exists=True),
              help="A `baseline llm-query` folder: scores the Video-LLaMA2 row (Table 2).")
@click.option("--width", type=click.IntRange(min=8),
              help="--variant source cmra / mm-pyramid inner width (default: the authors').")
@no_progress
@locks_folders("out")
@needs("models")
def reproduce_cmd(table, features, splits_dir, classes, out, seeds, epochs, recipe, protocol, batch_size, device,
                  variant, init, nan_batches, without_other, official_meta, online_encoder, segments_data,
                  official_root, checkpoint, clip_clap_features, llm_answers, width, no_progress):
    """Run every row of one of the paper's tables (any registered method); ours beside the published figures."""
    from ovavel.feature_store import FeatureStore
    from ovavel.models.reproduce import ReproduceSettings, reproduce_table

    online = None
    if online_encoder:
        from ovavel.models.train_files import OnlineSource, online_encoder as make_online_encoder

        online = make_online_encoder(FeatureStore(features).load(), str(Path(splits_dir) / "train.csv"),
                                     OnlineSource(segments_data, official_root, checkpoint), device, "fp32")
    elif segments_data or official_root or checkpoint:
        raise OvavelError("--data, --official-root and --checkpoint go with --online-encoder")
    settings = ReproduceSettings(tuple(int(x) for x in parse_csv_list(seeds)), epochs, recipe, device, protocol,
                                 batch_size, clip_clap_features=clip_clap_features, llm_answers=llm_answers,
                                 width=width, variant=variant, init=init, nan_batches=nan_batches,
                                 official_meta=official_meta, without_other=without_other, online=online)
    md = reproduce_table(table, features, splits_dir, out, load_catalog(classes), settings, echo=click.echo,
                         progress=not no_progress)
    click.echo(md.read_text())
    click.echo(f"written: {md} and {md.with_suffix('.csv')}")

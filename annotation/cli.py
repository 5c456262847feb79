"""The `annotate` command group: a thin layer over the annotation library functions."""

from __future__ import annotations

from pathlib import Path

import click

from ovavel.annotation.config import UIS
from ovavel.annotation.ls_client import connect
from ovavel.annotation.reconcile import POLICIES, reconcile
from ovavel.annotation.rounds import VIDEO_URL, ExportOptions, export_round, import_round, round_status
from ovavel.annotation.server import LOOPBACK, is_loopback, read_state, server_status, start_server, stop_server
from ovavel.annotation.state import ROUNDS, AnnotationState
from ovavel.annotation.users import add_users, users_file
from ovavel.cli_common import (Group, Renamed, catalog_option, echo_summary, example, format_table, locks_folders,
                               no_progress, parse_csv_list)
from ovavel.progress import progress_bar
from ovavel.layout import DataDir

_data = click.option("--data", required=True, type=click.Path(file_okay=False, exists=True), help="Data folder DIR.")
_url = click.option("--url", help="Label Studio URL (default: $OVAVEL_LS_URL, or the server started for DIR).")
_token = click.option("--token", help="API token (default: $OVAVEL_LS_TOKEN, or the one made for DIR's server).")
_round = click.option("--round", "round_name", required=True, type=click.Choice(ROUNDS))


@click.group(cls=Group, help="Label Studio rounds with exchanged annotators, agreement and reconciliation.")
def annotate():
    pass


@annotate.group(cls=Group, help="Run a local Label Studio (its own virtualenv, SQLite under DIR, 127.0.0.1).")
def server():
    pass


@server.command("start", epilog=example("annotate server start --data data/ovave --port 8080",
                                        "annotate server start --data data/ovave --host 0.0.0.0   # other machines too"))
@_data
@click.option("--port", type=int, default=8080, show_default=True)
@click.option("--host", default=LOOPBACK, show_default=True,
              help="Address to listen on; anything but loopback serves other machines (plain HTTP).")
@click.option("--timeout", type=float, default=300, show_default=True, help="Seconds to wait for it to answer.")
def server_start(data, port, host, timeout):
    """Install (once) and start Label Studio; admin from $OVAVEL_LS_ADMIN/$OVAVEL_LS_PASSWORD."""
    if not is_loopback(host):
        click.echo(f"warning: serving {host}:{port} to other machines over plain HTTP: passwords and answers "
                   "cross the network unencrypted. On an untrusted network keep the default 127.0.0.1 and give "
                   "annotators an SSH tunnel instead (README: Running an annotation round with people).", err=True)
    state = start_server(Path(data), port, timeout, echo=click.echo, host=host)
    click.echo(f"Label Studio is running at {state.url} (admin {state.admin}; log {state.log})")
    if state.public_url:
        click.echo(f"annotators open {state.public_url}")


@server.command("stop", epilog=example("annotate server stop --data data/ovave"))
@_data
def server_stop(data):
    """Stop the Label Studio started for DIR."""
    click.echo("stopped" if stop_server(Path(data)) else "no server recorded for this data folder")


@server.command("status", epilog=example("annotate server status --data data/ovave"))
@_data
def server_status_cmd(data):
    """Whether the Label Studio of DIR is running."""
    s = server_status(Path(data))
    click.echo(f"running at {s['url']} (pid {s['pid']})" if s["running"] else "not running")


@annotate.group(cls=Group, help="Annotator accounts on the toolkit's Label Studio.")
def users():
    pass


@users.command("list", epilog=example("annotate users list --data data/ovave"))
@_data
def users_list(data):
    """Every account of the toolkit's Label Studio: created, last login, answers so far."""
    from ovavel.annotation.users import list_users

    rows = list_users(DataDir.at(data).root)
    click.echo(format_table(["email", "created", "last login", "answers", "active"],
                            [[r["email"], r["created"], r["last_login"] or "never", r["answers"],
                              "yes" if r["active"] else "no (removed)"] for r in rows]))


@users.command("remove", epilog=example("annotate users remove --data data/ovave b@lab.org"))
@_data
@click.argument("email")
@locks_folders("data", sub="annotation")
def users_remove(data, email):
    """Deactivate an account: it can no longer log in; its answers stay and are still credited."""
    from ovavel.annotation.users import remove_user

    remove_user(DataDir.at(data).root, email)
    click.echo(f"{email}: deactivated (its answers stay and are still credited)")


@users.command("add", epilog=example("annotate users add --data data/ovave --emails a@lab.org,b@lab.org"))
@_data
@click.option("--emails", required=True, help="Comma-separated email addresses, one account each.")
@locks_folders("data", sub="annotation")
def users_add(data, emails):
    """Create (or reuse) accounts with generated passwords kept in DIR/annotation/users.csv."""
    d = DataDir.at(data)
    accounts = add_users(d.root, parse_csv_list(emails))
    url = read_state(d.annotation_dir).people_url
    where = users_file(d.root)
    for a in accounts:
        click.echo(f"{a.email}: {a.status}; log in at {url}/user/login/ with the password in {where}")
    click.echo(f"{where} is readable by you alone: hand each person their own line. Another machine reaches "
               "this server through an SSH tunnel, or start it with --host (README: Running an annotation round "
               "with people).")


@annotate.command("export", epilog=example(
    "annotate export --data data/ovave --round 1 --annotators a@lab.org,b@lab.org,c@lab.org",
    "annotate export --data data/ovave --round 1 --annotators a@x,b@x --predictions results/predictions.csv",
    "annotate export --data data/ovave --round 2 --mode review",
    "annotate export --data data/ovave --round adjudicate --adjudicator lead@lab.org",
    "annotate export --data data/ovave --round 1 --annotators a@x,b@x --offline",
    "annotate export --data data/ovave --round 1 --annotators a@lab.org,b@lab.org --ui timeline"))
@_data
@_round
@click.option("--annotators", help="Comma-separated annotator accounts (emails in Label Studio).")
@click.option("--predictions", type=click.Path(dir_okay=False, exists=True), help="Pre-fill with a model's predictions.csv.")
@click.option("--mode", type=click.Choice(["review", "blind"]), default="review", show_default=True,
              help="Round 2: pre-fill with the round-1 answers (review, as the paper did) or not (blind).")
@click.option("--adjudicator", help="The person who resolves disagreements (--round adjudicate).")
@click.option("--offline", is_flag=True, help="Write Label Studio import files instead of talking to a server.")
@click.option("--video-url", default=VIDEO_URL, show_default=True, help="URL of a clip's video; {clip_id} is filled in.")
@click.option("--ui", type=click.Choice(UIS), default=None,
              help="The labelling view: ten toggles 0-9 for the event's seconds (default for a new round), or spans "
                   "painted on a timeline. A round keeps the view it was exported with.")
@_url
@_token
@no_progress
@locks_folders("data", sub="annotation")
def export_cmd(data, round_name, annotators, predictions, mode, adjudicator, offline, video_url, ui, url, token,
               no_progress):
    """One Label Studio project per annotator and round, tasks balanced per class; checks that
    every project's clips play before it reports success."""
    d = DataDir.at(data)
    client = None if offline else connect(d.root, url, token)
    opts = ExportOptions(parse_csv_list(annotators) or None, predictions, mode, adjudicator, offline, video_url,
                         ui=ui)
    rnd = export_round(d, round_name, opts, client, echo=click.echo, progress=not no_progress)
    click.echo(f"round {round_name}: {sum(len(b.clips) for b in rnd.batches.values())} tasks for "
               f"{len(rnd.batches)} annotator(s); state in {d.annotation_dir / 'projects.json'}")
    if not offline:
        served = read_state(d.annotation_dir)
        link = served.people_url if served is not None else client.url
        click.echo(f"send annotators {link}/user/login/ : each logs in with their own account "
                   f"(annotate users add) and opens the project named for them")


@annotate.command("import", epilog=example("annotate import --data data/ovave --round 1",
                                           "annotate import --data data/ovave --round 1 --from exports/*.json"))
@_data
@_round
@click.option("--from", "files", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="Offline rounds: Label Studio JSON export files (default: {annotator}.export.json beside the tasks).")
@_url
@_token
@no_progress
@locks_folders("data", sub="annotation")
def import_cmd(data, round_name, files, url, token, no_progress):
    """Pull a round's answers into DIR/annotation/labels_round{N}.csv (idempotent)."""
    d = DataDir.at(data)
    rnd = AnnotationState(d.root).round(round_name)
    client = connect(d.root, url, token) if rnd.mode == "server" else None
    fetches = len(rnd.batches) if rnd.mode == "server" else 0
    with progress_bar(fetches, f"round {round_name}", "project", bool(fetches) and not no_progress) as (bar, _):
        s = import_round(d, round_name, client, list(files) or None, after_fetch=lambda _annotator: bar.update())
    rows = [["answers", s.rows], ["skipped or cancelled (dropped)", s.skipped], ["rejected (see rejects file)", s.rejected],
            ["clips without an answer", len(s.missing)]]
    echo_summary(f"round {round_name} imported", format_table(["", "count"], rows))
    if s.left:
        click.echo("left per annotator: " + ", ".join(f"{a} {n}" for a, n in sorted(s.left.items())))
        shown = ", ".join(s.missing[:10]) + (f" and {len(s.missing) - 10} more" if len(s.missing) > 10 else "")
        click.echo(f"clips without an answer: {shown}")


@annotate.command("status", epilog=example("annotate status --data data/ovave"))
@_data
@_url
@_token
def status_cmd(data, url, token):
    """Per round and annotator: tasks done and left."""
    d = DataDir.at(data)
    state = AnnotationState(d.root)
    server_rounds = any(r.mode == "server" for r in state.rounds.values())
    client = connect(d.root, url, token) if server_rounds else None
    rows = round_status(d, client)
    click.echo(format_table(["round", "annotator", "tasks", "done", "left", "where"],
                            [[r["round"], r["annotator"], r["tasks"], r["done"], r["left"], r["where"]] for r in rows]))


@annotate.command("reconcile", epilog=example("annotate reconcile --data data/ovave",
                                              "annotate reconcile --data data/ovave --policy dawid-skene"))
@_data
@click.option("--policy", type=click.Choice(POLICIES), help="Resolve disagreements nobody adjudicated.")
@locks_folders("data", sub="annotation")
def reconcile_cmd(data, policy):
    """Agreement report (percent, Cohen's kappa) and final labels.csv with provenance."""
    s = reconcile(DataDir.at(data), policy)
    o = s.report["overall"]
    kappa = "–" if o["kappa"] is None else f"{o['kappa']:.3f}"
    click.echo(f"agreement: {o['percent_agreement']}% of {o['segments']} segments, Cohen's kappa {kappa}; "
               f"{s.report['disagreeing_clips']} clip(s) with a disagreement")
    click.echo(f"final labels: {s.final} clips (segments agreed {s.provenance['a']}, adjudicated "
               f"{s.provenance['j']}, by policy {s.provenance['p']}); pending: {len(s.pending)}")
    if s.pending and not policy:
        click.echo("pending clips need `annotate export --round adjudicate --adjudicator NAME` "
                   "(then import it and reconcile again) or a --policy")


@annotate.command("corrections", epilog=example(
    "ovavel labels correct --data data/ovave --from fixes.csv --labels-version fixed-2026",
    "ovavel labels correct --data data/ovave --from more.csv --labels-version fixed-2027 --base fixed-2026"))
@_data
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False, exists=True),
              help="CSV: clip_id,labels,reason (and class, to change it).")
@click.option("--labels-version", "name", cls=Renamed, aliases=("--version",), required=True,
              help="Name of the new labels version (as `ovavel metrics --labels-version` names it).")
@click.option("--base", help="Correct this version instead of the final labels.")
@catalog_option()
@click.option("--force", is_flag=True, help="Replace a version of the same name.")
@locks_folders("data", sub="annotation")
def corrections_cmd(data, source, name, base, classes, force):
    """A new labels version: the final labels with the named clips corrected (the original stays)."""
    from ovavel.annotation.versions import make_version
    from ovavel.catalog import load_catalog

    info = make_version(data, source, name, base, set(load_catalog(classes).names), force)
    click.echo(f"labels version {name!r}: {info['clips_changed']} clip(s), {info['seconds_changed']} second(s) changed "
               f"of {info['clips']} clips -> {Path(data) / 'annotation' / 'versions' / name}/labels.csv")


@click.group("labels", cls=Group, help="Label files and versions.")
def labels_group():
    pass


labels_group.add_command(corrections_cmd, "correct")  # the same command as `annotate corrections`


@labels_group.command("list", epilog=example("ovavel labels list --data data/ovave"))
@_data
def labels_list_cmd(data):
    """The labels versions of a data folder: name, base, when, clips and seconds changed."""
    from ovavel.annotation.versions import list_versions

    rows = [[v["name"], v.get("base") or "final labels", v.get("created", ""), v.get("clips_changed", ""),
             v.get("seconds_changed", "")] for v in list_versions(DataDir.at(data))]
    click.echo(format_table(["version", "base", "created", "clips changed", "seconds changed"], rows) if rows
               else f"no labels versions in {data} (make one: ovavel labels correct --data {data} --from fixes.csv "
                    "--labels-version NAME)")


@labels_group.command("diff", epilog=example("ovavel labels diff splits/v1/labels.csv fixed-2026 --data data/ovave",
                                             "ovavel labels diff old/labels.csv new/labels.csv"))
@click.argument("a")
@click.argument("b")
@click.option("--data", type=click.Path(file_okay=False, exists=True), help="Data folder whose versions A / B name.")
def labels_diff_cmd(a, b, data):
    """The clips and seconds that differ between two label files (paths or version names)."""
    from ovavel.annotation.versions import diff_labels, resolve_labels

    d = DataDir.at(data) if data else None
    diff = diff_labels(resolve_labels(a, d), resolve_labels(b, d))
    rows = [[x["clip_id"], x["class_a"] if x["class_a"] == x["class_b"] else f"{x['class_a']} -> {x['class_b']}",
             x["labels_a"], x["labels_b"], ",".join(map(str, x["seconds"]))] for x in diff["changed"]]
    if rows:
        click.echo(format_table(["clip", "class", "A", "B", "seconds"], rows))
    seconds = sum(len(x["seconds"]) for x in diff["changed"])
    click.echo(f"{len(diff['changed'])} clip(s) changed, {seconds} second(s); only in A: {len(diff['only_a'])}, "
               f"only in B: {len(diff['only_b'])}")

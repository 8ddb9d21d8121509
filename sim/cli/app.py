"""The analyst's door: ``promise-sim run | seeds | validate | schema``.

Each command parses its options, makes one library call and prints. Every :class:`SimError`
(and every usage error) becomes one line on stderr and exit status 2; anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import click

from sim.cli.options import (
    REPLICATIONS,
    SCENARIO,
    SEED,
    echo_json,
    json_option,
    output_options,
    where_options,
)
from sim.cli.resume import resumable_run
from sim.errors import ExperimentError, ResultsError, ScenarioError, SimError
from sim.experiment import Precision, make_executor, scenario_hash
from sim.experiment import run as run_experiment
from sim.experiment.verdict import judge_claim
from sim.report import write_results, write_verdicts
from sim.scenario import load_scenario, scenario_schema
from sim.scenario.reference import scenario_reference

__all__ = ["cli", "main"]

EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130



@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="promise-sim")
def cli() -> None:
    """What delivery time should we promise? Run promise strategies through the same world.

    \b
    Examples:
      promise-sim run scenarios/zappos_vs_competitor.yaml
      promise-sim validate scenarios/zappos_vs_competitor.yaml
      promise-sim report results/zappos_vs_competitor
      promise-sim sweep scenarios/headline_buffer_sweep.yaml
      promise-sim optimize scenarios/optimize_promise.yaml
      promise-sim sensitivity scenarios/seeds_sensitivity.yaml
      promise-sim warmup scenarios/repeat_customers.yaml
      promise-sim seeds
      promise-sim schema > scenario.schema.json

    \b
    Exit status:
      0    done
      1    rerun: the numbers differ from the manifest's
      2    bad input: one line on stderr names the file, the key and what is wrong
      130  interrupted (Ctrl-C, SIGTERM): finished replications are kept; the same
           command computes only the missing ones
    """


@cli.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--replications", "-r", type=REPLICATIONS, help="Override the scenario's.")
@click.option("--seed", "-s", type=SEED, help="Override the root seed.")
@where_options
@click.option("--order-records", type=click.Path(path_type=Path), metavar="PATH",
              help="Write every order's record to PATH/strategy=<name>/replication=<r>.parquet "
              "[default: the scenario's; off].")
@click.option("--precision", type=click.FloatRange(min=0, min_open=True), metavar="HALF_WIDTH",
              help="Add replications until the interval of --metric is this narrow (in the "
              "metric's units).")
@click.option("--metric", default="satisfaction_mean", show_default=True,
              help="Metric --precision is about (a unique prefix will do: 'satisfaction').")
@click.option("--paired", is_flag=True,
              help="--precision is about the paired differences to the baseline.")
@click.option("--max-replications", type=REPLICATIONS, default=1000,
              show_default=True, help="At most this many replications with --precision.")
@output_options("results/<scenario name>")
def run(
    scenario: Path,
    replications: int | None,
    seed: int | None,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    out: Path | None,
    order_records: Path | None,
    precision: float | None,
    metric: str,
    paired: bool,
    max_replications: int,
    fresh: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Run every strategy of SCENARIO and write its results folder.

    \b
    Writes replications.parquet, summary.csv, differences.csv, manifest.json and
    comparison.png, all at once when the run has finished. Each replication is kept in
    .<folder>.parts beside the results folder as it finishes: a run that is interrupted and
    started again with the same command computes only the missing ones. With
    --order-records, every order's record is written to its own folder as the run goes (one
    Parquet file per strategy and replication, replacing those of an earlier run with the
    same names).
    \b
    Examples:
      promise-sim run scenarios/zappos_vs_competitor.yaml -r 40 -w 2 -o results/zappos
      promise-sim run scenarios/zappos_vs_competitor.yaml --precision 0.01 --metric satisfaction
      promise-sim run scenarios/zappos_vs_competitor.yaml --executor dask \\
          --scheduler tcp://10.0.0.5:8786
      promise-sim run scenarios/zappos_vs_competitor.yaml -r 4 --order-records orders/zappos
    """

    spec = load_scenario(scenario)
    target = out if out is not None else Path("results") / spec.name
    _check_replaceable(target, [scenario])
    records = order_records if order_records is not None else spec.experiment.order_records
    if records is not None:
        _check_separate(Path(records), target)
    goal = None
    if precision is not None:
        goal = Precision(precision, metric=metric, paired=paired,
                         max_replications=max_replications)
    where = make_executor(executor, workers=workers, scheduler=scheduler)
    session = resumable_run(target, label=spec.name, fresh=fresh, quiet=quiet or as_json)
    with session as (store, progress):
        results = run_experiment(
            spec, replications=replications, seed=seed, executor=where, progress=progress,
            order_records=records, store=store, precision=goal,
        )
        folder = write_results(results, target)
    if as_json:
        verdict = judge_claim(results) if results.scenario.claim is not None else None
        echo_json({"scenario": spec.name, "folder": folder,
                   "replications": results.manifest["replications"],
                   "seed": results.manifest["seed"], "summary": results.summary,
                   "differences": results.differences,
                   "verdict": None if verdict is None else verdict.as_row(),
                   "precision": results.manifest.get("precision")})
        return
    if quiet:
        click.echo(str(folder))
        return
    click.echo(_headline(results))
    if goal is not None:
        click.echo(_precision_line(results.manifest["precision"]))
    if results.scenario.claim is not None:
        click.echo(_verdict_line(judge_claim(results)))
    click.echo(f"\nresults written to {folder}/")


def _precision_line(report: dict) -> str:
    """How many replications the precision took, and whether it was reached."""
    what = f"paired {report['metric']}" if report["paired"] else report["metric"]
    if report["reached"]:
        return (f"precision: {what} half-width {report['half_width']:.4g} <= "
                f"{report['target_half_width']:.4g} after {report['replications']} replications")
    return (f"precision: NOT reached: {what} half-width {report['half_width']:.4g} > "
            f"{report['target_half_width']:.4g} at the maximum of {report['replications']} "
            "replications (raise --max-replications)")


def _check_separate(records: Path, results: Path) -> None:
    """Refuse an order records folder that is, holds or lies in the results folder.

    The results folder is replaced whole when a run finishes, records and all.
    """
    a, b = records.absolute(), results.absolute()
    if a == b or a in b.parents or b in a.parents:
        raise ExperimentError(
            f"{records}: the order records folder and the results folder {results} must be "
            "separate (the results folder is replaced whole)"
        )


def _check_replaceable(out: Path, scenarios: list[Path]) -> None:
    """Refuse an output folder whose replacement would take the current folder or a scenario."""
    folder, here = out.resolve(), Path.cwd().resolve()
    if folder == here or folder in here.parents:
        raise ResultsError(
            f"{out}: the output folder is replaced whole, so it must not be the current folder "
            "or hold it"
        )
    for scenario in scenarios:
        if folder in scenario.resolve().parents:
            raise ResultsError(
                f"{out}: the output folder is replaced whole, so it must not hold the scenario "
                f"{scenario}"
            )


#: Where ``promise-sim seeds`` finds the claim scenarios when none are named.
SEED_SCENARIOS = Path("scenarios") / "seeds"


@cli.command()
@click.argument("scenarios", nargs=-1, type=SCENARIO)
@click.option("--replications", "-r", type=REPLICATIONS,
              help="Override every scenario's.")
@where_options
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("results") / "seeds", show_default=True, help="Verdicts folder.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdicts folder.")
@json_option
def seeds(
    scenarios: tuple[Path, ...],
    replications: int | None,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    out: Path,
    quiet: bool,
    as_json: bool,
) -> None:
    """Judge the seeds' claims: run each claim scenario and write the verdict table.

    SCENARIOS default to every file in scenarios/seeds/. Each must have a 'claim' section.
    Writes verdict.csv, verdict.md, over_time.png and one results folder per scenario, all
    at once when every run has finished.
    \b
    Example:
      promise-sim seeds
      promise-sim seeds scenarios/seeds/01_wow_of_over_delivery.yaml -r 10
    """
    from sim.cli.progress import replication_progress

    paths = list(scenarios) or sorted(SEED_SCENARIOS.glob("*.yaml"))
    if not paths:
        raise click.UsageError(f"no scenarios given and none in {SEED_SCENARIOS}/")
    specs = [load_scenario(path) for path in paths]
    for path, spec in zip(paths, specs):
        if spec.claim is None:
            raise ScenarioError(f"{path}: claim: missing (a scenario judged by 'seeds' needs one)")
    _check_replaceable(out, paths)
    where = make_executor(executor, workers=workers, scheduler=scheduler)
    results = []
    for spec in specs:
        with replication_progress(spec.name, enabled=not (quiet or as_json)) as progress:
            results.append(run_experiment(
                spec, replications=replications, executor=where, progress=progress
            ))
    folder = write_verdicts(results, out)
    if as_json:
        echo_json({"folder": folder, "verdicts": [judge_claim(r).as_row() for r in results]})
        return
    if quiet:
        click.echo(str(folder))
        return
    for result in results:
        click.echo(_verdict_line(judge_claim(result)))
    click.echo(f"\nverdicts written to {folder}/")


def _verdict_line(verdict) -> str:
    """One line: scenario, the difference with its interval, and the verdict."""
    level = round(100 * verdict.confidence)
    return (
        f"{verdict.scenario}: {verdict.metric} {verdict.higher} - {verdict.lower} = "
        f"{verdict.difference:+.4g} [{verdict.ci_low:+.4g}, {verdict.ci_high:+.4g}] ({level}%)"
        f" -> claim {verdict.verdict}"
    )


@cli.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--metric", default="satisfaction_mean", show_default=True,
              help="Weekly series MSER-5 looks at.")
@click.option("--replications", "-r", type=REPLICATIONS, help="Override the scenario's.")
@click.option("--seed", "-s", type=SEED, help="Override the root seed.")
@where_options
@click.option("--quiet", "-q", is_flag=True, help="Print only the suggested days.")
@json_option
def warmup(
    scenario: Path,
    metric: str,
    replications: int | None,
    seed: int | None,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Suggest a warm-up for SCENARIO: MSER-5 on each strategy's weekly series.

    Runs the scenario with no warm-up and cuts, for each strategy, the leading weeks whose
    removal most narrows the interval of the rest; suggests the longest. Writes nothing.
    \b
    Examples:
      promise-sim warmup scenarios/repeat_customers.yaml
      promise-sim warmup scenarios/repeat_customers.yaml --metric trust_mean -r 10
    """
    from sim.cli.progress import replication_progress
    from sim.experiment.warmup import suggest_warmup

    spec = load_scenario(scenario)
    where = make_executor(executor, workers=workers, scheduler=scheduler)
    with replication_progress(spec.name, enabled=not (quiet or as_json)) as progress:
        found = suggest_warmup(spec, metric=metric, replications=replications, seed=seed,
                               executor=where, progress=progress)
    if as_json:
        echo_json({"scenario": spec.name, **asdict(found)})
        return
    if quiet:
        click.echo(str(found.days))
        return
    weeks = ", ".join(f"{name} {w}" for name, w in found.weeks_by_strategy.items())
    click.echo(f"{spec.name}: MSER-5 on weekly {found.metric} over {found.replications} "
               f"replications: cut weeks {weeks}")
    click.echo(f"suggested horizon.warmup_days: {found.days} (the scenario has "
               f"{found.current_days})")
    if found.unsettled:
        click.echo(f"warning: {', '.join(found.unsettled)}: the cut reached half the series: "
                   "no steady state within the horizon (customers still learning?); compare "
                   "over time rather than after a warm-up")


@cli.command()
@click.argument("scenario", type=SCENARIO)
@json_option
def validate(scenario: Path, as_json: bool) -> None:
    """Check SCENARIO without running it.

    \b
    Example:
      promise-sim validate scenarios/zappos_vs_competitor.yaml
    """
    spec = load_scenario(scenario)
    if as_json:
        echo_json({"file": scenario, "ok": True, "scenario": spec.name,
                   "scenario_hash": scenario_hash(spec),
                   "strategies": [s.name for s in spec.strategies]})
        return
    names = ", ".join(s.name for s in spec.strategies)
    click.echo(f"{scenario}: ok ({spec.name}: {len(spec.strategies)} strategies: {names})")


@cli.command()
@click.argument("manifest", type=click.Path(path_type=Path))
@where_options
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; the exit status says.")
@json_option
def rerun(
    manifest: Path,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Make a result again from its MANIFEST alone and check the numbers are the same.

    MANIFEST is a results folder's manifest.json (or the folder). The scenario, seed and
    replications come from it; the table of replications is compared bit for bit with the
    digest it holds. Writes nothing. Exit status 0 when identical, 1 when not.
    \b
    Example:
      promise-sim rerun results/zappos_vs_competitor/manifest.json
    """
    from sim.cli.progress import replication_progress
    from sim.experiment.rerun import read_manifest
    from sim.experiment.rerun import rerun as make_again

    name = read_manifest(manifest).get("scenario", "rerun")
    where = make_executor(executor, workers=workers, scheduler=scheduler)
    with replication_progress(str(name), enabled=not (quiet or as_json)) as progress:
        again = make_again(manifest, executor=where, progress=progress)
    if as_json:
        echo_json({"manifest": manifest, "reproduced": again.matches, "digest": again.digest,
                   "expected_digest": again.expected_digest, "same_code": again.same_code,
                   "replications": again.results.manifest["replications"],
                   "changes": again.changes})
    elif not quiet:
        click.echo(_rerun_text(again, manifest))
    if not again.matches:
        click.get_current_context().exit(EXIT_DIFFERENT)


def _rerun_text(again, manifest: Path) -> str:
    """Whether the rerun matched, and if not what moved."""
    n = again.results.manifest["replications"]
    if again.matches:
        return (f"{manifest}: reproduced: {n} replications identical "
                f"(sha256 {again.digest[:16]}...)")
    if again.expected_digest is None:
        lines = [f"{manifest}: the manifest holds no digest of its numbers (made before "
                 "promise-sim recorded one): nothing to compare"]
    else:
        lines = [f"{manifest}: NOT reproduced: the {n} replications differ"]
    if not again.same_code:
        lines.append("the code differs from the code that made the result (code_hash): "
                     "check out its git_commit to reproduce it")
    if again.other_versions:
        lines.append("not as when the result was made (their functions may round differently "
                     "in the last bit): " + ", ".join(
                         f"{name} {then} -> {now}"
                         for name, (then, now) in again.other_versions.items()))
    if again.changes is not None:
        moved = again.changes[again.changes["max_abs_change"] > 0]
        for row in moved.itertuples():
            lines.append(f"  {row.strategy} {row.metric}: up to {row.max_abs_change:.4g}")
    return "\n".join(lines)


@cli.command()
@click.option("--markdown", is_flag=True,
              help="Print the scenario file reference in Markdown instead (docs/scenarios.md).")
def schema(markdown: bool) -> None:
    """Print the JSON Schema of scenario files (for editors), or their Markdown reference.

    \b
    Examples:
      promise-sim schema > scenario.schema.json
      promise-sim schema --markdown > docs/scenarios.md
    """
    if markdown:
        click.echo(scenario_reference(), nl=False)
        return
    click.echo(json.dumps(scenario_schema(), indent=2))


def _headline(results) -> str:
    """The key metrics of each strategy, and each one's paired difference to the baseline."""
    summary = results.summary.set_index(["strategy", "metric"])
    level = round(100 * results.manifest["confidence"])
    lines = [
        f"{results.scenario.name}: {results.manifest['replications']} replications, "
        f"means with {level}% confidence intervals",
        f"{'strategy':<26}{'kept':>8}{'satisfaction':>22}{'delighted':>11}"
        f"{'disappointed':>14}{'profit/order':>14}",
    ]
    for strategy in dict.fromkeys(results.summary["strategy"]):
        def value(metric: str, strategy: str = strategy) -> float:
            return float(summary.loc[(strategy, metric), "mean"])

        low = summary.loc[(strategy, "satisfaction_mean"), "ci_low"]
        high = summary.loc[(strategy, "satisfaction_mean"), "ci_high"]
        sat = f"{value('satisfaction_mean'):.3f} [{low:.3f}, {high:.3f}]"
        lines.append(
            f"{strategy:<26}{value('promise_kept'):>8.1%}{sat:>22}"
            f"{value('delighted_share'):>11.1%}{value('disappointed_share'):>14.1%}"
            f"{value('profit_per_order'):>14.2f}"
        )
    sat = results.differences[results.differences["metric"] == "satisfaction_mean"]
    for row in sat.itertuples():
        lines.append(
            f"satisfaction {row.strategy} - {row.baseline}: {row.mean_difference:+.3f} "
            f"[{row.ci_low:+.3f}, {row.ci_high:+.3f}] (paired)"
        )
    return "\n".join(lines)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a run as Ctrl-C does: workers stop, kept replications stay kept."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning user errors into one line and exit status 2."""
    with _terminate_as_interrupt(), _current_folder_importable():
        return _main(argv)


@contextmanager
def _current_folder_importable() -> Iterator[None]:
    """Custom strategies in the current folder import, as under ``python -m sim``.

    The folder goes last on the import path, so a file there never hides an installed module.
    """
    here = os.getcwd()
    if here in sys.path or "" in sys.path:
        yield
        return
    sys.path.append(here)
    try:
        yield
    finally:
        if here in sys.path:
            sys.path.remove(here)


def _main(argv: list[str] | None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        return _bad_input(f"no command given (one of {', '.join(sorted(cli.commands))}; "
                          "promise-sim --help says more)")
    try:
        code = cli.main(args=argv, prog_name="promise-sim", standalone_mode=False)
    except SimError as exc:
        return _bad_input(str(exc))
    except click.exceptions.Abort:
        click.echo("promise-sim: interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        return _bad_input(exc.format_message())
    return code if isinstance(code, int) else EXIT_OK


def _bad_input(message: str) -> int:
    """Print ``message`` as the one line of a user error (any line breaks in it joined)."""
    line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    click.echo(f"promise-sim: error: {line}", err=True)
    return EXIT_BAD_INPUT


def _add_study_commands() -> None:
    """The commands of their own modules (which share this module's options)."""
    from sim.cli.optimize import optimize
    from sim.cli.report import compare, report
    from sim.cli.sensitivity import sensitivity
    from sim.cli.sweep import sweep

    for command in (sweep, optimize, sensitivity, report, compare):
        cli.add_command(command)


_add_study_commands()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

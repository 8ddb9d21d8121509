"""``promise-sim report`` and ``promise-sim compare``: results folders made readable.

``report`` writes one self-contained HTML file from a results folder; ``compare`` shows what
changed between two. Each reads the folders, makes one library call and prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from sim.report.compare import Comparison, compare_results
from sim.report.html import write_report
from sim.report.numbers import format_interval
from sim.report.reader import read_results

__all__ = ["compare", "report"]

_FOLDER = click.Path(path_type=Path)


@click.command()
@click.argument("results_dir", type=_FOLDER)
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Report file [default: RESULTS_DIR/report.html].")
@click.option("--quiet", "-q", is_flag=True, help="Print only the report's path.")
def report(results_dir: Path, out: Path | None, quiet: bool) -> None:
    """Write the HTML report of RESULTS_DIR, a folder made by 'promise-sim run'.

    One file, readable offline and printable: the verdict in plain words with its
    confidence intervals, the claim's verdict if the scenario has one, the summary and the
    paired differences, the figures, the scenario's assumptions and the manifest. Nothing is
    written if the folder cannot be read.

    \b
    Examples:
      promise-sim report results/zappos_vs_competitor
      promise-sim report results/zappos_vs_competitor -o zappos.html
    """
    path = write_report(results_dir, out)
    click.echo(str(path) if quiet else f"report written to {path}")


@click.command()
@click.argument("dir_a", metavar="DIR1", type=_FOLDER)
@click.argument("dir_b", metavar="DIR2", type=_FOLDER)
@click.option("--all", "show_all", is_flag=True,
              help="List every strategy and metric, not only those that changed.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole comparison as JSON.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the metrics that changed: strategy, metric, change.")
def compare(dir_a: Path, dir_b: Path, show_all: bool, as_json: bool, quiet: bool) -> None:
    """Show what changed from the results in DIR1 to those in DIR2.

    For each strategy and metric, the mean in each run with its interval and the change
    DIR2 - DIR1, flagged when it is beyond sampling error (Welch t over the replications; for
    runs from the same seed this is conservative). Then what differs in the scenarios (every
    changed key, 'path: old -> new') and in how the runs were made (seed, replications,
    code, versions). Writes nothing.

    \b
    Examples:
      promise-sim compare results/zappos_vs_competitor results/zappos_wider_window
      promise-sim compare results/a results/b --all
      promise-sim compare results/a results/b --json > changes.json
    """
    comparison = compare_results(read_results(dir_a), read_results(dir_b))
    if as_json:
        data = {"a": str(dir_a), "b": str(dir_b), **comparison.as_dict()}
        click.echo(json.dumps(data, indent=2))
    elif quiet:
        for row in comparison.changed.itertuples():
            click.echo(f"{row.strategy} {row.metric} {row.change:+.6g}")
    else:
        click.echo(_comparison_text(comparison, dir_a, dir_b, show_all=show_all))


def _comparison_text(comparison: Comparison, dir_a: Path, dir_b: Path, *, show_all: bool) -> str:
    """The comparison as the terminal shows it."""
    level = round(100 * comparison.confidence)
    lines = [f"A: {dir_a}", f"B: {dir_b}", ""]
    for title, changes in (("scenario", comparison.scenario_changes),
                           ("run", comparison.run_changes)):
        if changes:
            lines.append(f"{title} changes ({len(changes)}):")
            lines += [f"  {change}" for change in changes]
        else:
            lines.append(f"{title}: the same")
    table = comparison.metrics
    changed = comparison.changed
    shown = table if show_all else changed
    lines.append("")
    lines.append(f"{len(changed)} of {len(table)} means changed beyond sampling error "
                 f"(B - A, Welch t over replications, {level}%)"
                 + (":" if len(shown) else "."))
    if len(shown):
        lines.append(f"{'strategy':<24}{'metric':<26}{'A':>28}{'B':>28}{'change B - A':>32}")
        flagged = set(changed.index)
        for index, row in shown.iterrows():
            a = format_interval(row.mean_a, row.ci_low_a, row.ci_high_a)
            b = format_interval(row.mean_b, row.ci_low_b, row.ci_high_b)
            change = format_interval(row.change, row.change_ci_low, row.change_ci_high,
                                     sign=True)
            mark = " *" if index in flagged else ""
            lines.append(f"{row.strategy:<24}{row.metric:<26}{a:>28}{b:>28}{change:>32}{mark}")
        if show_all:
            lines.append("* beyond sampling error")
    return "\n".join(lines)

"""The analyst's report: one self-contained HTML file, readable offline and printable.

The verdict in plain words with its intervals, the claim's verdict, the tables, the figures
(embedded as data URIs), the scenario's assumptions and the manifest, from a template in
``sim/report/templates/``. No script, no stylesheet or font from the network.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from sim.errors import ExperimentError, ResultsError
from sim.experiment.runner import Results
from sim.experiment.verdict import judge_claim
from sim.report.assumptions import assumption_sections, format_value
from sim.report.numbers import decimals, format_interval, format_number, interval_parts
from sim.report.plots import plot_comparison, plot_timeseries
from sim.report.png import PNG_METADATA
from sim.report.reader import FIGURE_FILES, read_figures, read_results
from sim.world.ledger import METRICS

__all__ = ["HEADLINE_METRICS", "REPORT_FILE", "Wording", "headline", "render_report",
           "write_report"]

REPORT_FILE = "report.html"


@dataclass(frozen=True, slots=True)
class Wording:
    """How a paired difference on one metric reads in a sentence."""

    more: str
    less: str
    label: str
    amount: str
    scale: float = 1.0


#: Metrics the headline puts into words, when the run measured them, in this order.
HEADLINE_METRICS = {
    "satisfaction_mean": Wording("satisfies more than", "satisfies less than",
                                  "satisfaction", "{diff} ({ci}) on the satisfaction scale"),
    "expected_stars": Wording("is rated higher than", "is rated lower than", "expected stars",
                              "{diff} stars ({ci})"),
    "promise_kept": Wording("keeps more of its promises than", "keeps fewer of its promises than",
                             "promises kept", "{diff} percentage points ({ci})", 100.0),
    "profit_per_order": Wording("earns more per order than", "earns less per order than",
                                 "profit per order", "{diff} per order ({ci})"),
    "market_share": Wording("wins more of the market than", "wins less of the market than",
                             "market share", "{diff} percentage points of market share ({ci})",
                             100.0),
}

#: Manifest entries shown first, in this order; the rest follow as they come.
_MANIFEST_ORDER = ("scenario", "scenario_hash", "seed", "replications", "confidence",
                   "strategies", "baseline", "created", "command", "git_commit", "code_hash",
                   "replications_sha256", "order_records", "precision")


def render_report(results: Results, *, figures: dict[str, bytes] | None = None) -> str:
    """The report of ``results`` as one HTML document.

    ``figures`` are PNG images by file name (:data:`~sim.report.reader.FIGURE_FILES`), as a
    results folder holds them; without them the figures are drawn from ``results``.
    """
    if figures is None:
        figures = _draw_figures(results)
    confidence = _confidence(results)
    scenario = results.scenario
    context = {
        "scenario": scenario,
        "level": round(100 * confidence),
        "replications": results.manifest.get("replications"),
        "seed": results.manifest.get("seed"),
        "created": results.manifest.get("created"),
        "baseline": scenario.baseline_name,
        "headline": headline(results),
        "claim": _claim(results),
        "summary": _summary_table(results),
        "differences": _differences_table(results),
        "figures": [
            {"name": name, "caption": caption, "src": data_uri(figures[name])}
            for name, caption in FIGURE_FILES.items() if name in figures
        ],
        "assumptions": assumption_sections(
            scenario, replications=results.manifest.get("replications"),
            seed=results.manifest.get("seed"),
        ),
        "manifest": _manifest_rows(results.manifest),
        "versions": sorted((results.manifest.get("versions") or {}).items()),
    }
    return template().render(**context)


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the results folder ``folder`` to ``out`` (default: in the folder).

    Everything is read and rendered first, and the file appears whole (a temporary file
    renamed into place), so a bad folder leaves nothing behind.
    """
    folder = Path(folder)
    results = read_results(folder)
    document = render_report(results, figures=read_figures(folder))
    target = Path(out) if out is not None else folder / REPORT_FILE
    if target.is_dir():
        raise ResultsError(f"{target}: is a folder (name the report file)")
    _write_atomically(target, document)
    return target


def headline(results: Results) -> list[dict[str, str]]:
    """Each strategy against the baseline on :data:`HEADLINE_METRICS`, in plain words.

    Each entry has the ``sentence`` and its ``direction``: ``more``, ``less`` or ``same``
    (the interval straddles zero).
    """
    level = round(100 * _confidence(results))
    table = results.differences
    entries: list[dict[str, str]] = []
    if table.empty:
        return entries
    for strategy in dict.fromkeys(table["strategy"]):
        for metric, wording in HEADLINE_METRICS.items():
            rows = table[(table["strategy"] == strategy) & (table["metric"] == metric)]
            if rows.empty:
                continue
            row = rows.iloc[0]
            entries.append(_sentence(row, wording, level))
    return entries


def _sentence(row: pd.Series, wording: Wording, level: int) -> dict[str, str]:
    mean, low, high = (wording.scale * float(row[c]) for c in ("mean_difference", "ci_low",
                                                                "ci_high"))
    digits = decimals(high - low, mean)
    low_text, high_text = (format_number(x, digits, sign=True) for x in (low, high))
    ci = f"{level}% CI {low_text} to {high_text}"
    amount = wording.amount.format(diff=format_number(mean, digits, sign=True), ci=ci)
    n = int(row["n"])
    pair = f"{row['strategy']} and {row['baseline']}"
    if low > 0:
        direction, sentence = "more", f"{row['strategy']} {wording.more} {row['baseline']}"
    elif high < 0:
        direction, sentence = "less", f"{row['strategy']} {wording.less} {row['baseline']}"
    else:
        direction, sentence = "same", f"{pair} cannot be told apart on {wording.label}"
    if low == high == mean == 0:
        sentence = f"{pair} do not differ on {wording.label} in any of the {n} replications."
    else:
        sentence = f"{sentence}: {amount}, paired over {n} replications."
    return {"sentence": sentence, "direction": direction, "strategy": str(row["strategy"])}


def _claim(results: Results) -> dict[str, str] | None:
    """The claim's verdict in words, or why it could not be judged."""
    claim = results.scenario.claim
    if claim is None:
        return None
    base = {"says": claim.says.strip(), "view": claim.view}
    try:
        verdict = judge_claim(results)
    except ExperimentError as exc:
        return {**base, "verdict": "not judged", "sentence": f"It could not be judged: {exc}."}
    level = round(100 * verdict.confidence)
    digits = decimals(verdict.ci_high - verdict.ci_low, verdict.difference)
    sentence = (
        f"{verdict.metric} of {verdict.higher} minus {verdict.lower}: "
        f"{format_number(verdict.difference, digits, sign=True)} ({level}% CI "
        f"{format_number(verdict.ci_low, digits, sign=True)} to "
        f"{format_number(verdict.ci_high, digits, sign=True)}), paired over "
        f"{verdict.replications} replications: the claim is {verdict.verdict} under this "
        "scenario's assumptions."
    )
    return {**base, "verdict": verdict.verdict, "sentence": sentence}


def _summary_table(results: Results) -> dict[str, Any]:
    """Metric rows, one column per strategy: the mean and its interval ``[low, high]``."""
    summary = results.summary
    strategies = list(dict.fromkeys(summary["strategy"]))
    indexed = summary.set_index(["metric", "strategy"])
    rows = []
    for metric in _metrics(summary["metric"]):
        cells = []
        for strategy in strategies:
            if (metric, strategy) in indexed.index:
                row = indexed.loc[(metric, strategy)]
                cells.append(interval_parts(row["mean"], row["ci_low"], row["ci_high"]))
            else:
                cells.append(("", ""))
        rows.append({"metric": metric, "meaning": METRICS.get(metric, ""), "cells": cells})
    return {"strategies": strategies, "rows": rows}


def _differences_table(results: Results) -> dict[str, Any]:
    """Metric rows, one column per strategy: paired difference to the baseline [low, high]."""
    table = results.differences
    if table.empty:
        return {"strategies": [], "rows": []}
    strategies = list(dict.fromkeys(table["strategy"]))
    indexed = table.set_index(["metric", "strategy"])
    rows = []
    for metric in _metrics(table["metric"]):
        cells = []
        for strategy in strategies:
            if (metric, strategy) not in indexed.index:
                cells.append({"text": "", "excludes_zero": False})
                continue
            row = indexed.loc[(metric, strategy)]
            low, high = float(row["ci_low"]), float(row["ci_high"])
            cells.append({"text": format_interval(row["mean_difference"], low, high, sign=True),
                          "excludes_zero": low > 0 or high < 0})
        rows.append({"metric": metric, "meaning": METRICS.get(metric, ""), "cells": cells})
    return {"strategies": strategies, "rows": rows}


def _confidence(results: Results) -> float:
    """The run's confidence level (the manifest's, else the scenario's)."""
    return float(results.manifest.get("confidence", results.scenario.experiment.confidence))


def _metrics(names: pd.Series) -> list[str]:
    """The metrics of a table, in the order of :data:`METRICS`, unknown ones last."""
    present = list(dict.fromkeys(names))
    return [m for m in METRICS if m in present] + [m for m in present if m not in METRICS]


def _manifest_rows(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    skip = {"scenario_spec", "versions"}
    keys = [k for k in _MANIFEST_ORDER if k in manifest]
    keys += [k for k in manifest if k not in keys and k not in skip]
    return [(key, format_value(manifest[key])) for key in keys]


def data_uri(png: bytes) -> str:
    """``png`` as a data URI an HTML page embeds (no file beside it)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _draw_figures(results: Results) -> dict[str, bytes]:
    """The figures of a run in memory (the comparison needs its satisfaction histograms)."""
    figures = {}
    strategies = [s.name for s in results.scenario.strategies]
    drawings = {"timeseries.png": plot_timeseries}
    if all(s in results.satisfaction_hist for s in strategies):
        drawings = {"comparison.png": plot_comparison, **drawings}
    for name, draw in drawings.items():
        buffer = io.BytesIO()
        draw(results).savefig(buffer, format="png", dpi=110, metadata=PNG_METADATA)
        figures[name] = buffer.getvalue()
    return figures


@functools.cache
def template(name: str = "report.html.j2") -> jinja2.Template:
    """The page template ``name`` of ``sim/report/templates`` (they share one style)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("sim.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(name)


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file beside it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent)
    except OSError as exc:
        raise ResultsError(f"{target}: cannot write the report: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ResultsError(f"{target}: cannot write the report: {exc.strerror or exc}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

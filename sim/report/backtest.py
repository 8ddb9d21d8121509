"""A back-test on paper: the history beside the model, as tables, a figure and one HTML page.

:func:`write_backtest` writes a folder (through the one guarded writer,
:func:`~sim.report.folder.atomic_folder`) holding ``backtest.csv`` (a row per figure with
its verdict), ``weekly.csv``, ``gaps.csv``, ``backtest.png``, ``backtest.html`` and a
``manifest.json`` saying what was compared.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from sim.history.backtesting import Backtest
from sim.report.folder import atomic_folder
from sim.report.html import data_uri, template
from sim.report.plots import _COLOURS
from sim.report.png import PNG_METADATA

__all__ = ["BACKTEST_FILES", "plot_backtest", "render_backtest", "write_backtest"]

BACKTEST_FILES = ("backtest.csv", "weekly.csv", "gaps.csv", "backtest.png", "backtest.html",
                  "manifest.json")


def plot_backtest(result: Backtest, *, fig: Figure | None = None) -> Figure:
    """Delivered minus promised (share of orders per business day) and the weekly late share,
    the history as points over the model's 95% band.
    """
    fig = fig if fig is not None else Figure(figsize=(11.0, 4.0), layout="constrained")
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1.0]})
    history, model = _COLOURS[1], _COLOURS[0]
    gaps = result.gaps
    x = gaps.index.to_numpy()
    left.fill_between(x, gaps["low"].clip(lower=0), gaps["high"], step="mid", color=model,
                      alpha=0.25, label="model, 95% of replications")
    left.step(x, gaps["model"], where="mid", color=model, label="model, mean")
    left.plot(x, gaps["history"], "o", color=history, markersize=4, label="history")
    left.axvline(0.5, color="#444444", linewidth=0.8, linestyle=":")
    seen = x[(gaps["history"] > 0) | (gaps["high"] > 0)]
    if seen.size:
        left.set_xlim(seen.min() - 1, seen.max() + 1)
    left.set_title("Delivered minus promised", fontsize="medium")
    left.set_xlabel("business days (negative: early; the ends gather the tails)")
    left.set_ylabel("share of orders")
    left.legend(frameon=False, fontsize="small")
    weekly = result.weekly
    weeks = np.arange(len(weekly))
    right.fill_between(weeks, weekly["low"].clip(lower=0), weekly["high"], color=model,
                       alpha=0.25)
    right.plot(weeks, weekly["model"], color=model)
    right.plot(weeks, weekly["history"], "o-", color=history, markersize=3, linewidth=0.8)
    right.set_title("Late share by week of order", fontsize="medium")
    right.set_xlabel(f"week from {weekly['week'].iloc[0]}" if len(weekly) else "week")
    right.set_ylabel("share late")
    return fig


def _png(result: Backtest) -> bytes:
    buffer = io.BytesIO()
    plot_backtest(result).savefig(buffer, format="png", dpi=110, metadata=PNG_METADATA)
    return buffer.getvalue()


def _shown(value: float, unit: str) -> str:
    if np.isnan(value):
        return "–"
    return f"{value:.1%}" if unit == "share" else f"{value:.3g}"


def render_backtest(result: Backtest, *, history: str | None = None,
                    png: bytes | None = None) -> str:
    """The back-test's HTML page (self-contained: the figure is embedded)."""
    rows = [{"figure": r["figure"], "history": _shown(r["history"], r["unit"]),
             "model": _shown(r["model"], r["unit"]),
             "interval": f"[{_shown(r['low'], r['unit'])}, {_shown(r['high'], r['unit'])}]",
             "matches": bool(r["matches"])} for r in result.rows.to_dict(orient="records")]
    return template("backtest.html.j2").render(
        scenario=result.scenario, strategy=result.strategy, replications=result.replications,
        orders=f"{result.history_orders:,}", history=history, matches=result.matches,
        headline=result.lines()[0], level=f"{result.level:.1%}".removesuffix("%"), rows=rows,
        figure=data_uri(png if png is not None else _png(result)))


def write_backtest(result: Backtest, out: str | Path, *, history: str | None = None,
                   scenario_file: str | None = None) -> Path:
    """Write the back-test's folder ``out`` (see the module docstring), whole or not at all."""
    png = _png(result)
    with atomic_folder(out) as folder:
        result.rows.to_csv(folder / "backtest.csv", index=False)
        result.weekly.to_csv(folder / "weekly.csv", index=False)
        result.gaps.rename_axis("delivered_minus_promised").to_csv(folder / "gaps.csv")
        (folder / "backtest.png").write_bytes(png)
        (folder / "backtest.html").write_text(render_backtest(result, history=history, png=png),
                                              encoding="utf-8")
        manifest = {"kind": "backtest", "scenario": result.scenario, "scenario_file":
                    scenario_file, "history": history, "strategy": result.strategy,
                    "replications": result.replications, "level": result.level,
                    "matches": result.matches}
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return Path(out)

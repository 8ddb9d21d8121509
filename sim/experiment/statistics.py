"""Confidence intervals over replications: t-based, and paired for differences (CRN)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["mean_interval", "paired_differences", "summarize"]


@lru_cache(maxsize=256)
def _t_quantile(p: float, df: int) -> float:
    """Student's t quantile, computed once per level and sample size (scipy's takes 0.3 ms)."""
    return float(stats.t.ppf(p, df))


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` and its t-based confidence interval."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    n = values.size
    if n == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(values.mean())
    if n < 2:
        return (mean, np.nan, np.nan)
    half = float(_t_quantile(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return (mean, mean - half, mean + half)


def summarize(table: pd.DataFrame, metrics: list[str], confidence: float) -> pd.DataFrame:
    """One row per strategy and metric: mean over replications with its interval."""
    names = table["strategy"].to_numpy()
    columns = {metric: table[metric].to_numpy() for metric in metrics}
    rows = []
    for strategy in dict.fromkeys(names):
        mine = names == strategy
        for metric in metrics:
            values = columns[metric][mine]
            mean, low, high = mean_interval(values, confidence)
            rows.append(
                {"strategy": strategy, "metric": metric, "mean": mean, "ci_low": low,
                 "ci_high": high, "n": int(np.count_nonzero(pd.notna(values)))}
            )
    return pd.DataFrame(rows)


def _by_replication(table: pd.DataFrame, metrics: list[str]) -> dict[str, np.ndarray]:
    """Each strategy's ``metrics`` as a (replication, metric) array, NaN where it is missing."""
    replications, row = np.unique(table["replication"].to_numpy(), return_inverse=True)
    values = table[metrics].to_numpy(dtype=float)
    names = table["strategy"].to_numpy()
    wide = {}
    for strategy in dict.fromkeys(names):
        mine = names == strategy
        cells = np.full((replications.size, len(metrics)), np.nan)
        cells[row[mine]] = values[mine]
        wide[strategy] = cells
    return wide


def paired_differences(
    table: pd.DataFrame, metrics: list[str], baseline: str, confidence: float
) -> pd.DataFrame:
    """Each strategy minus ``baseline``, paired by replication (common random numbers)."""
    wide = _by_replication(table, metrics)
    rows = []
    for strategy, cells in wide.items():
        if strategy == baseline:
            continue
        for column, metric in enumerate(metrics):
            difference = cells[:, column] - wide[baseline][:, column]
            mean, low, high = mean_interval(difference, confidence)
            rows.append(
                {"strategy": strategy, "baseline": baseline, "metric": metric,
                 "mean_difference": mean, "ci_low": low, "ci_high": high,
                 "n": int(np.isfinite(difference).sum())}
            )
    return pd.DataFrame(rows)

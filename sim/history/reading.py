"""Reading an order history into a tidy :class:`History`, and the :class:`ReadReport` of what
could not be used.

Every row that cannot be used is counted under the first of :data:`REASONS` it meets, with the
column at fault and an example value; none is dropped silently. Orders never delivered are
excluded but are not faults; the other reasons are, and when they exceed ``max_bad_share`` of
the rows (default :data:`MAX_BAD_SHARE`, 5%) reading fails with a one-line
:class:`~sim.history.estimate.HistoryError` unless ``allow_bad`` is set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.history.columns import FIELDS, GENERIC, REQUIRED, ColumnMap, column_map
from sim.history.estimate import Basis, HistoryError

__all__ = ["MAX_BAD_SHARE", "REASONS", "Drop", "History", "ReadReport", "read_frame",
           "read_history", "read_table", "require_columns"]

#: Share of faulty rows above which a history is refused (unless allowed).
MAX_BAD_SHARE = 0.05
#: Why a row is not used, in the order they are tested; the first is not a fault.
REASONS = ("not delivered", "missing field", "unparseable date", "delivered before ordered",
           "handed over out of order", "promised before ordered", "invalid rating",
           "duplicate order")
_DATES = ("order_time", "promised", "handed_over", "delivered")
_LABELS = ("service", "region", "customer")


@dataclass(frozen=True, slots=True)
class Drop:
    """Rows left out for one reason, the column at fault and one offending value."""

    reason: str
    column: str
    count: int
    example: str

    @property
    def fault(self) -> bool:
        """Whether the rows are faulty data (an undelivered order is not)."""
        return self.reason != "not delivered"


@dataclass(frozen=True, slots=True)
class ReadReport:
    """What reading a history kept and left out, and why."""

    source: str
    rows: int
    kept: int
    dropped: tuple[Drop, ...]
    several_reviews: int = 0
    reviews_ignored: int = 0

    def count(self, reason: str) -> int:
        """Rows left out for ``reason`` (one of :data:`REASONS`)."""
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}; reasons are {', '.join(REASONS)}")
        return sum(d.count for d in self.dropped if d.reason == reason)

    @property
    def faulty(self) -> int:
        """Rows left out because their data is faulty."""
        return sum(d.count for d in self.dropped if d.fault)

    @property
    def bad_share(self) -> float:
        """Share of the rows that are faulty."""
        return self.faulty / self.rows if self.rows else 0.0

    def lines(self) -> list[str]:
        """The report in plain lines, one per reason and column."""
        out = [f"{self.source}: {self.rows} rows, {self.kept} used"]
        out += [f"  {d.count} {d.reason} ({d.column}, e.g. {d.example!r})" for d in self.dropped]
        if self.several_reviews:
            out.append(f"  {self.several_reviews} orders with several reviews: the latest "
                       f"counts, {self.reviews_ignored} earlier reviews ignored")
        return out


@dataclass(frozen=True, slots=True, eq=False)
class History:
    """A tidy order history: one row per usable order, the generic columns, times as local
    ``datetime64`` without a zone, labels as categories, ratings as floats (nan: none).
    """

    frame: pd.DataFrame
    report: ReadReport
    country: str | None = None
    promise_has_time: bool = False

    @property
    def orders(self) -> int:
        """Number of usable orders."""
        return len(self.frame)

    @property
    def start(self) -> dt.date:
        """Date of the first order."""
        return self.frame["order_time"].min().date()

    @property
    def end(self) -> dt.date:
        """Date of the last order."""
        return self.frame["order_time"].max().date()

    @property
    def basis(self) -> Basis:
        """The period and the number of orders, for estimates resting on every order."""
        return Basis(self.start, self.end, self.orders)

    def has(self, field: str) -> bool:
        """Whether the history has the generic column ``field`` with any value in it."""
        return field in self.frame and bool(self.frame[field].notna().any())

    def subset(self, mask: np.ndarray) -> History:
        """The history of the orders where ``mask`` is true (same report and country)."""
        return History(self.frame.loc[mask].reset_index(drop=True), self.report, self.country,
                       self.promise_has_time)


def read_table(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A CSV or Parquet file as a frame (CSV cells as text), or a one-line error."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path, columns=columns)
        return pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False,
                           na_values=[""])
    except FileNotFoundError:
        raise HistoryError(f"{path}: file not found") from None
    except pd.errors.EmptyDataError:
        raise HistoryError(f"{path}: empty file (no header, no orders)") from None
    except ValueError as error:
        raise HistoryError(f"{path}: {str(error).splitlines()[0]}") from None


def read_history(
    source: str | Path | pd.DataFrame,
    *,
    columns: ColumnMap | dict | str | Path | None = None,
    timezone: str | None = None,
    country: str | None = None,
    date_format: str | None = None,
    max_bad_share: float = MAX_BAD_SHARE,
    allow_bad: bool = False,
) -> History:
    """Read an order history from a CSV or Parquet file (or a frame) through a column map.

    ``timezone``: the zone the history's times are read in (times carrying an offset are
    converted to it; times without one are taken as already in it). ``country``: ISO code of
    the holiday calendar, carried for the business-day estimators. ``date_format``: a
    ``strftime`` format when the dates are not ISO 8601.
    """
    cmap = column_map(columns)
    name = "history" if isinstance(source, pd.DataFrame) else str(source)
    present = list(source.columns) if isinstance(source, pd.DataFrame) else _header(Path(source))
    if cmap is GENERIC:  # the generic fields the file has
        require_columns(name, {f: f for f in REQUIRED}, present)
        cmap = ColumnMap({f: f for f in FIELDS if f in present}, name="generic")
    require_columns(name, cmap.columns, present)
    if isinstance(source, pd.DataFrame):
        raw = source[list(cmap.columns.values())]
    else:
        raw = read_table(source, columns=sorted(set(cmap.columns.values())))
    raw = raw.rename(columns={v: k for k, v in cmap.columns.items()})
    return read_frame(raw, name, delivered_status=cmap.delivered_status, timezone=timezone,
                      country=country, date_format=date_format, max_bad_share=max_bad_share,
                      allow_bad=allow_bad)


def _header(path: Path) -> list[str]:
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            return list(pq.read_schema(path).names)
        except FileNotFoundError:
            raise HistoryError(f"{path}: file not found") from None
        except pa.ArrowException as error:
            raise HistoryError(f"{path}: not a Parquet file ({error})") from None
    try:
        return list(pd.read_csv(path, nrows=0).columns)
    except FileNotFoundError:
        raise HistoryError(f"{path}: file not found") from None
    except pd.errors.EmptyDataError:
        raise HistoryError(f"{path}: empty file (no header, no orders)") from None


def require_columns(name: str, wanted: Mapping[str, str], present: list[str]) -> None:
    """Fail with one line when a file lacks a column of ``wanted`` (field -> column)."""
    for generic, column in wanted.items():
        if column not in present:
            shown = ", ".join(map(str, present[:12])) + (", ..." if len(present) > 12 else "")
            raise HistoryError(f"{name}: no column {column!r} (for {generic}); "
                               f"the file has: {shown or 'no columns'}")


def read_frame(
    raw: pd.DataFrame,
    source: str,
    *,
    delivered_status: str = "delivered",
    timezone: str | None = None,
    country: str | None = None,
    date_format: str | None = None,
    max_bad_share: float = MAX_BAD_SHARE,
    allow_bad: bool = False,
    several_reviews: int = 0,
    reviews_ignored: int = 0,
) -> History:
    """A :class:`History` from a frame in generic column names (see :func:`read_history`)."""
    rows = len(raw)
    if rows == 0:
        raise HistoryError(f"{source}: no orders (the file has a header but no rows)")
    reason = np.full(rows, -1)
    column = np.full(rows, "", dtype=object)
    example = np.full(rows, "", dtype=object)

    def flag(mask: np.ndarray, code: str, col: str, values: pd.Series | None = None) -> None:
        new = np.asarray(mask, dtype=bool) & (reason < 0)
        reason[new] = REASONS.index(code)
        column[new] = col
        if values is not None:
            example[new] = values[new].astype(str).to_numpy()

    delivered_missing = _missing(raw["delivered"])
    if "status" in raw:  # a delivered status without a delivery date is a fault
        undelivered = (raw["status"].astype(str) != delivered_status).to_numpy()
    else:
        undelivered = delivered_missing
    flag(undelivered, "not delivered", "status" if "status" in raw else "delivered",
         raw["status"] if "status" in raw else raw["delivered"])
    flag(delivered_missing, "missing field", "delivered")
    for field in ("order_time", "promised", "handed_over"):
        if field in raw:
            flag(_missing(raw[field]), "missing field", field, raw[field])
    frame = pd.DataFrame(index=raw.index)
    for field in _DATES:
        if field in raw:
            frame[field], bad = _parse(raw[field], timezone, date_format)
            flag(bad, "unparseable date", field, raw[field])
    flag((frame["delivered"] < frame["order_time"]).to_numpy(), "delivered before ordered",
         "delivered", raw["delivered"])
    if "handed_over" in frame:
        out_of_order = ((frame["handed_over"] < frame["order_time"])
                        | (frame["handed_over"] > frame["delivered"]))
        flag(out_of_order.to_numpy(), "handed over out of order", "handed_over",
             raw["handed_over"])
    promised_day = frame["promised"].dt.normalize()
    flag((promised_day < frame["order_time"].dt.normalize()).to_numpy(),
         "promised before ordered", "promised", raw["promised"])
    if "rating" in raw:
        stars = pd.to_numeric(raw["rating"], errors="coerce")
        invalid = ~_missing(raw["rating"]) & ~((stars >= 1) & (stars % 1 == 0)).to_numpy()
        flag(invalid, "invalid rating", "rating", raw["rating"])
        frame["rating"] = stars.astype(float)
    if "order_id" in raw:
        frame["order_id"] = raw["order_id"].astype(str)
        flag(frame["order_id"].duplicated().to_numpy() & (reason < 0), "duplicate order",
             "order_id", raw["order_id"])
    for field in _LABELS:
        if field in raw:
            frame[field] = raw[field].astype("category")
    report = _report(source, rows, reason, column, example, several_reviews, reviews_ignored)
    _refuse_if_bad(report, max_bad_share, allow_bad)
    tidy = frame.loc[reason < 0].reset_index(drop=True)
    if tidy.empty:
        main = max(report.dropped, key=lambda d: d.count)
        raise HistoryError(f"{source}: no usable orders; all {rows} rows left out, most for "
                           f"{main.reason} in column {main.column!r} (e.g. {main.example!r})")
    if "order_id" not in tidy:
        tidy.insert(0, "order_id", pd.RangeIndex(len(tidy)).astype(str))
    tidy = tidy.sort_values("order_time", kind="stable").reset_index(drop=True)
    has_time = bool((tidy["promised"] != tidy["promised"].dt.normalize()).any())
    return History(tidy, report, country, has_time)


def _missing(values: pd.Series) -> np.ndarray:
    missing = values.isna()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        missing |= values.astype(str).str.strip().eq("")
    return missing.to_numpy(dtype=bool)


def _parse(values: pd.Series, timezone: str | None,
           date_format: str | None) -> tuple[pd.Series, np.ndarray]:
    """Local times without a zone, and which present values could not be read."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        text = values.astype(object).where(~_missing(values), None)
        try:
            parsed = pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce")
        except ValueError:  # several offsets in one column
            parsed = pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce",
                                    utc=True)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert(timezone or "UTC").dt.tz_localize(None)
    parsed = parsed.astype("datetime64[ns]")
    return parsed, (parsed.isna().to_numpy() & ~_missing(values))


def _report(source: str, rows: int, reason: np.ndarray, column: np.ndarray,
            example: np.ndarray, several_reviews: int, reviews_ignored: int) -> ReadReport:
    dropped = []
    left = reason >= 0
    if left.any():
        table = pd.DataFrame({"r": reason[left], "c": column[left], "e": example[left]})
        for (r, c), group in table.groupby(["r", "c"], sort=True):
            dropped.append(Drop(REASONS[r], c, len(group), str(group["e"].iloc[0])))
    return ReadReport(source, rows, int((~left).sum()), tuple(dropped), several_reviews,
                      reviews_ignored)


def _refuse_if_bad(report: ReadReport, max_bad_share: float, allow_bad: bool) -> None:
    if allow_bad or report.bad_share <= max_bad_share:
        return
    main = max((d for d in report.dropped if d.fault), key=lambda d: d.count)
    raise HistoryError(
        f"{report.source}: {report.bad_share:.1%} of {report.rows} rows are unusable (more "
        f"than {max_bad_share:.0%}); most for column {main.column!r}: {main.reason} "
        f"({main.count} rows, e.g. {main.example!r}); allow_bad keeps the rest")

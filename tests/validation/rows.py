"""The validation table: one row per known result, checked against the simulation.

A row holds the result's name and source, its theoretical or published value, the simulated
estimate with its confidence interval over independent replications, the tolerance and where
it comes from, and pass or fail. What "pass" means is a small :class:`Check` (the theory
inside the interval, the interval beyond a bound, the interval inside a published band; for a
search by the optimiser, the candidates it cannot rule out against the theory's optimum), so
a new kind of result adds a class, not a branch. Tests record rows with the ``validation_row``
fixture (``conftest.py``); when every validation test has run, the plugin
(``session.py``) writes them to ``docs/validation.md`` with :func:`render_markdown`.

Adding a row is a test in this folder::

    def test_mean_wait_matches_erlang_c(validation_row):
        row = validation_row(Row.check(
            "Erlang C mean wait in queue (minutes)", "Erlang C: C(c, a) / (c mu - lambda)",
            Covers(theory), Estimate.of(mean_wait_per_replication),
            origin="sampling error only"))
        assert row.passed, row

A search by the optimiser is judged the same way, with a :class:`Selection` (its best and the
candidates it cannot rule out) and a check such as :class:`Selects`.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol, TypeAlias

import numpy as np
from scipy import stats

__all__ = [
    "CONFIDENCE",
    "HAND_WRITTEN",
    "Band",
    "Beyond",
    "Check",
    "Collector",
    "Confined",
    "Covers",
    "Estimate",
    "Measurement",
    "Profile",
    "RisesThenFalls",
    "Row",
    "Selection",
    "Selects",
    "fmt",
    "hand_written",
    "render_markdown",
    "write_atomically",
]

#: Level of every interval in the table. With some 50 rows, a row failing by chance alone
#: when the model is right has probability about 5%: low enough for a suite that must pass.
CONFIDENCE = 0.999


def fmt(x: float, *, decimals: int | None = None) -> str:
    """A number as the table shows it: four significant digits, or ``decimals`` places."""
    if not math.isfinite(x):
        return str(x)
    if decimals is not None:
        return f"{x:.{max(decimals, 0)}f}"
    if x == 0:
        return "0"
    if 1e-4 <= abs(x) < 1e6:
        return f"{x:.{max(0, 3 - math.floor(math.log10(abs(x))))}f}"
    return f"{x:.3e}"


@dataclass(frozen=True, slots=True)
class Estimate:
    """A simulated mean with its t-based confidence interval over ``n`` replications."""

    mean: float
    low: float
    high: float
    n: int
    confidence: float = CONFIDENCE

    @classmethod
    def of(cls, values: Sequence[float] | np.ndarray, *, confidence: float = CONFIDENCE
           ) -> Estimate:
        """The mean of independent per-replication ``values`` and its t-interval."""
        x = np.asarray(values, dtype=float)
        if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)):
            raise ValueError(
                f"an estimate needs at least 2 finite values in one dimension, got {x.tolist()}"
            )
        half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1)
                     / math.sqrt(x.size))
        mean = float(x.mean())
        return cls(mean, mean - half, mean + half, int(x.size), confidence)

    @property
    def half_width(self) -> float:
        """Half the width of the interval."""
        return 0.5 * (self.high - self.low)

    def __str__(self) -> str:
        """``mean [low, high]``, with enough places to tell the bounds apart."""
        scale = max(abs(self.mean), abs(self.low), abs(self.high))
        if self.half_width <= 0 or scale == 0 or not (1e-4 <= scale < 1e6):
            return f"{fmt(self.mean)} [{fmt(self.low)}, {fmt(self.high)}]"
        places = max(3 - math.floor(math.log10(scale)), 1 - math.floor(math.log10(
            self.half_width)))
        return (f"{fmt(self.mean, decimals=places)} [{fmt(self.low, decimals=places)}, "
                f"{fmt(self.high, decimals=places)}]")


@dataclass(frozen=True, slots=True)
class Selection:
    """What an optimiser made of the candidates on a grid: its best, and those it cannot rule out.

    ``kept`` holds the values of the candidates not ruled out as the best (the best among
    them), ``grid`` every value searched, ``n`` the replications each candidate had.
    """

    best: float
    kept: tuple[float, ...]
    grid: tuple[float, ...]
    n: int

    def __post_init__(self) -> None:
        if self.best not in self.kept or not set(self.kept) <= set(self.grid):
            raise ValueError(f"a selection needs its best among the kept values and those on the "
                             f"grid, got best {self.best}, kept {self.kept}, grid {self.grid}")

    @property
    def low(self) -> float:
        """The lowest value not ruled out."""
        return min(self.kept)

    @property
    def high(self) -> float:
        """The highest value not ruled out."""
        return max(self.kept)

    def __str__(self) -> str:
        """``best b; also not ruled out: v1, v2; of k from lo to hi``."""
        others = [v for v in sorted(self.kept) if v != self.best]
        kept = ", ".join(fmt(v) for v in others) if others else "none"
        return (f"best {fmt(self.best)}; also not ruled out: {kept}; of {len(self.grid)} from "
                f"{fmt(min(self.grid))} to {fmt(max(self.grid))}")


@dataclass(frozen=True, slots=True)
class Profile:
    """The optimiser's selections at several settings, in order (e.g. of rising capacity)."""

    selections: tuple[Selection, ...]

    @property
    def n(self) -> int:
        """The fewest replications a candidate had in any of the searches."""
        return min(s.n for s in self.selections)

    def __str__(self) -> str:
        """Each search's span of candidates not ruled out, in order."""
        return "; ".join(f"[{fmt(s.low)}, {fmt(s.high)}]" for s in self.selections)


#: What a row's check judges, shown in the table's "simulated" cell.
Measurement: TypeAlias = Estimate | Selection | Profile


class Check(Protocol):
    """What a row's simulated measurement must satisfy, and how the table states it."""

    @property
    def theory(self) -> str:
        """The theoretical or published value, as the table shows it."""
        ...

    @property
    def rule(self) -> str:
        """The tolerance, in words."""
        ...

    def passes(self, estimate: Measurement) -> bool:
        """Whether ``estimate`` agrees with the theory under this tolerance."""
        ...


@dataclass(frozen=True, slots=True)
class Covers:
    """The theory lies inside the interval, widened by a stated ``allowance`` on each side.

    ``max_half_width`` (optional) also asks the interval to be narrow enough to mean
    something: a wide interval covers any theory.
    """

    value: float
    allowance: float = 0.0
    max_half_width: float | None = None

    @property
    def theory(self) -> str:
        return fmt(self.value)

    @property
    def rule(self) -> str:
        rule = "theory inside the CI"
        if self.allowance:
            rule += f" widened by {fmt(self.allowance)}"
        if self.max_half_width is not None:
            rule += f"; CI half-width <= {fmt(self.max_half_width)}"
        return rule

    def passes(self, estimate: Estimate) -> bool:
        inside = estimate.low - self.allowance <= self.value <= estimate.high + self.allowance
        narrow = self.max_half_width is None or estimate.half_width <= self.max_half_width
        return inside and narrow


@dataclass(frozen=True, slots=True)
class Beyond:
    """The whole interval lies above (or below) ``bound``: a direction, not a value.

    ``strict=False`` lets the interval touch the bound (e.g. "not above 0" when the estimate
    is exactly 0 in every replication).
    """

    bound: float
    above: bool = True
    stated: str | None = None
    strict: bool = True

    @property
    def theory(self) -> str:
        if self.stated:
            return self.stated
        sign = (">" if self.above else "<") + ("" if self.strict else "=")
        return f"{sign} {fmt(self.bound)}"

    @property
    def rule(self) -> str:
        side = "above" if self.above else "below"
        return f"whole CI {side if self.strict else 'at or ' + side} {fmt(self.bound)}"

    def passes(self, estimate: Estimate) -> bool:
        if self.above:
            return estimate.low > self.bound if self.strict else estimate.low >= self.bound
        return estimate.high < self.bound if self.strict else estimate.high <= self.bound


@dataclass(frozen=True, slots=True)
class Band:
    """The whole interval lies inside ``[low, high]`` around a published ``value``."""

    value: float
    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"a band needs low <= high, got [{self.low}, {self.high}]")

    @property
    def theory(self) -> str:
        return fmt(self.value)

    @property
    def rule(self) -> str:
        return f"whole CI inside [{fmt(self.low)}, {fmt(self.high)}]"

    def passes(self, estimate: Estimate) -> bool:
        return self.low <= estimate.low and estimate.high <= self.high


def _nearest(grid: Sequence[float], value: float) -> tuple[float, ...]:
    """The grid point ``value`` falls on, else the grid points on either side; none outside."""
    points = sorted(grid)
    for point in points:
        if math.isclose(point, value, rel_tol=1e-9, abs_tol=1e-12):
            return (point,)
    below = [p for p in points if p < value]
    above = [p for p in points if p > value]
    return (below[-1], above[0]) if below and above else ()


@dataclass(frozen=True, slots=True)
class Selects:
    """The optimiser cannot rule out the theory's optimum: the grid point it falls on, or the
    grid points on either side of it.

    ``max_span`` (optional) also asks the candidates not ruled out to span at most that much:
    a search that rules nothing out keeps any optimum.
    """

    value: float
    max_span: float | None = None

    @property
    def theory(self) -> str:
        return fmt(self.value)

    @property
    def rule(self) -> str:
        rule = "the grid points nearest the theory not ruled out"
        if self.max_span is not None:
            rule += f"; those not ruled out span <= {fmt(self.max_span)}"
        return rule

    def passes(self, estimate: Measurement) -> bool:
        assert isinstance(estimate, Selection)
        nearest = _nearest(estimate.grid, self.value)
        kept = bool(nearest) and set(nearest) <= set(estimate.kept)
        narrow = self.max_span is None or estimate.high - estimate.low <= self.max_span
        return kept and narrow


@dataclass(frozen=True, slots=True)
class Confined:
    """Every candidate the optimiser cannot rule out lies in ``[low, high]``."""

    low: float
    high: float
    stated: str

    @property
    def theory(self) -> str:
        return self.stated

    @property
    def rule(self) -> str:
        if self.low == self.high:
            return f"every candidate but {fmt(self.low)} ruled out"
        if self.low == -math.inf:
            return f"every candidate above {fmt(self.high)} ruled out"
        return f"candidates not ruled out all within [{fmt(self.low)}, {fmt(self.high)}]"

    def passes(self, estimate: Measurement) -> bool:
        assert isinstance(estimate, Selection)
        return self.low <= estimate.low and estimate.high <= self.high


@dataclass(frozen=True, slots=True)
class RisesThenFalls:
    """The optimum rises to a peak then falls over the settings of a :class:`Profile`.

    ``values`` are the theory's optima in the profile's order. Each search's candidates not
    ruled out must lie wholly below the next search's on the way up to the theory's peak, and
    wholly above the next search's after it: the ordering is then beyond the searches' doubt.
    """

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        peak = int(np.argmax(self.values))
        if not 0 < peak < len(self.values) - 1:
            raise ValueError(f"a rise then a fall needs the peak inside, got {self.values}")

    @property
    def theory(self) -> str:
        peak = int(np.argmax(self.values))
        signs = ["<" if i < peak else ">" for i in range(len(self.values) - 1)]
        parts = [fmt(self.values[0])]
        for sign, value in zip(signs, self.values[1:]):
            parts += [sign, fmt(value)]
        return " ".join(parts)

    @property
    def rule(self) -> str:
        return ("the candidates not ruled out of consecutive searches do not overlap, in the "
                "theory's order")

    def passes(self, estimate: Measurement) -> bool:
        assert isinstance(estimate, Profile)
        spans = estimate.selections
        if len(spans) != len(self.values):
            return False
        peak = int(np.argmax(self.values))
        return all(
            spans[i].high < spans[i + 1].low if i < peak else spans[i].low > spans[i + 1].high
            for i in range(len(spans) - 1)
        )


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the validation table, already judged; ``note`` becomes a footnote."""

    name: str
    source: str
    theory: str
    simulated: str
    tolerance: str
    passed: bool
    note: str = ""

    @classmethod
    def check(cls, name: str, source: str, check: Check, estimate: Measurement, *, origin: str,
              note: str = "") -> Row:
        """Judge ``estimate`` by ``check``; ``origin`` says where the tolerance comes from."""
        return cls(
            name=name,
            source=source,
            theory=check.theory,
            simulated=f"{estimate} (n={estimate.n})",
            tolerance=f"{check.rule} ({origin})",
            passed=bool(check.passes(estimate)),
            note=note,
        )

    def as_dict(self) -> dict[str, str | bool]:
        """Plain data, as a test report carries it between processes."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, str | bool]) -> Row:
        """The row :meth:`as_dict` gave."""
        return cls(**data)  # type: ignore[arg-type]


#: The line that opens the hand-written part of ``docs/validation.md``.
HAND_WRITTEN = "<!-- Hand-written from here on: kept as it is when the table is rewritten. -->"

HEADER = """\
# Validation: the simulator against queueing theory and published results

Written by the validation suite (`pytest tests/validation`, or the whole suite) when every test
in that folder has run; do not edit the table by hand (the sections after it are hand-written and
kept as they are). Seeds are fixed, so the file changes only when the numbers do. Sources and
formulas: `LITERATURE.md` of the project's shared notes.

Each row compares a known result with the simulated estimate: its mean over n independent
replications and its {level}% t-interval. For a search by the optimiser (`promise-sim
optimize`) the estimate is its best candidate and the others it cannot rule out as the best
(paired bounds at the same level, Bonferroni over the comparisons with the best), each
candidate run n times. A row passes when its tolerance holds; the tolerance comes from the
sampling error alone unless it states an allowance and the reason for it, or, for a published
figure without an interval in our notes, the band it was read with. At {level}% per row, a row
fails by chance alone with probability about {chance:.0%} across the {count} rows when the
model is right. A row marked **fail** with a known gap is a test marked xfail: a known
disagreement, kept in view.
"""

COLUMNS = ("result", "source", "theory / published", "simulated [CI]", "tolerance (origin)",
           "pass")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def hand_written(text: str) -> str:
    """The hand-written part of a ``docs/validation.md``: from the :data:`HAND_WRITTEN` line on
    (empty without one), kept when the table is rewritten.
    """
    at = text.find(HAND_WRITTEN)
    return "" if at < 0 else text[at:]


def render_markdown(rows: Iterable[Row], *, confidence: float = CONFIDENCE,
                    tail: str = "") -> str:
    """The whole of ``docs/validation.md`` for ``rows``, in the order given, then ``tail``
    (the hand-written part, :func:`hand_written`).
    """
    rows = list(rows)
    notes: list[str] = []
    lines = [HEADER.format(level=f"{100 * confidence:g}", count=len(rows),
                           chance=1.0 - confidence ** len(rows))]
    lines.append(f"{sum(r.passed for r in rows)} of {len(rows)} rows pass.\n")
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join(" --- " for _ in COLUMNS) + "|")
    for row in rows:
        name = row.name
        if row.note:
            if row.note not in notes:
                notes.append(row.note)
            name += f" [{notes.index(row.note) + 1}]"
        cells = (name, row.source, row.theory, row.simulated, row.tolerance,
                 "pass" if row.passed else "**fail**")
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"{i}. {note}" for i, note in enumerate(notes, start=1)]
    if tail:
        lines += ["", tail.rstrip("\n")]
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Collector:
    """The session's bookkeeping: which validation tests exist, which ran, the rows they gave.

    The table is written only when the whole folder was collected, nothing was deselected,
    and every test reached its call phase: a partial run leaves the last full table alone.
    ``test_files`` lists the folder's test files in the order their rows are shown.
    """

    def __init__(self, test_files: Sequence[str]) -> None:
        self.test_files = list(test_files)
        self.expected: list[str] = []
        self.ran: set[str] = set()
        self.failed_without_rows: list[str] = []
        self.rows: dict[str, list[Row]] = {}
        self.filtered = False

    def collected(self, nodeids: Iterable[str]) -> None:
        """Take the ids of the validation tests collected, in collection order."""
        known = set(self.expected)
        for nodeid in nodeids:
            if nodeid not in known:
                known.add(nodeid)
                self.expected.append(nodeid)

    def called(self, nodeid: str, *, failed: bool, rows: Iterable[Row]) -> None:
        """Take one test's call-phase outcome and the rows it recorded."""
        rows = list(rows)
        self.ran.add(nodeid)
        self.rows.setdefault(nodeid, []).extend(rows)
        if failed and not rows:
            self.failed_without_rows.append(nodeid)

    @staticmethod
    def _file(nodeid: str) -> str:
        return nodeid.split("::", 1)[0].rsplit("/", 1)[-1]

    def missing(self) -> list[str]:
        """Why the table cannot be written now (empty when it can)."""
        reasons = []
        if self.filtered:
            reasons.append("some validation tests were deselected")
        files = {self._file(nodeid) for nodeid in self.expected}
        absent = [f for f in self.test_files if f not in files]
        if absent:
            reasons.append(f"not collected: {', '.join(absent)}")
        not_run = [nodeid for nodeid in self.expected if nodeid not in self.ran]
        if not_run:
            reasons.append(f"{len(not_run)} validation tests did not run")
        if self.failed_without_rows:
            reasons.append(f"failed before recording a row: {', '.join(self.failed_without_rows)}")
        return reasons

    def ordered_rows(self) -> list[Row]:
        """Every recorded row: files in :attr:`test_files` order, tests in collection order.

        Collection order is the order of the tests in their file, the same in every process,
        so the table does not depend on which worker ran what.
        """
        rank = {name: i for i, name in enumerate(self.test_files)}
        ids = sorted(self.expected, key=lambda n: rank.get(self._file(n), len(rank)))
        return [row for nodeid in ids for row in self.rows.get(nodeid, [])]

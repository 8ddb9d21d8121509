"""Options every command that reads an order history shares: its column map, time zone,
holiday country and tolerance of bad rows, passed on as one :class:`HistorySource`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sim.history import History
from sim.history.fitting import open_history

__all__ = ["HistorySource", "history_options"]


@dataclass(frozen=True, slots=True)
class HistorySource:
    """Where a history is and how to read it."""

    path: Path
    columns: str | None
    timezone: str | None
    country: str | None
    allow_bad: bool

    def read(self) -> History:
        """The history, read (a one-line error names the file, column and fault)."""
        return open_history(self.path, columns=self.columns, timezone=self.timezone,
                            country=self.country, allow_bad=self.allow_bad)


def history_options(command):
    """HISTORY, --map, --timezone, --country, --allow-bad: passed on as ``history``."""

    @functools.wraps(command)
    def with_history(*args: Any, history: Path, columns: str | None, timezone: str | None,
                     country: str | None, allow_bad: bool, **kwargs: Any) -> Any:
        source = HistorySource(history, columns, timezone, country, allow_bad)
        return command(*args, history=source, **kwargs)

    options = [
        click.argument("history", type=click.Path(path_type=Path)),
        click.option("--map", "columns", metavar="olist|MAP.yaml",
                     help="Column map: 'olist' (HISTORY is the dataset's folder) or a YAML "
                     "file mapping the generic names (order_time, promised, handed_over, "
                     "delivered, service, region, rating, customer) to your columns "
                     "[default: the generic names]."),
        click.option("--timezone", metavar="ZONE",
                     help="Time zone of times without one, e.g. America/Sao_Paulo (times "
                     "with a zone are converted to it)."),
        click.option("--country", metavar="CODE",
                     help="Country of the holiday calendar (ISO code) [default: none; 'BR' "
                     "for olist]."),
        click.option("--allow-bad", is_flag=True,
                     help="Go on when more than 5% of the rows cannot be used (they are "
                     "still counted by reason)."),
    ]
    for option in reversed(options):
        with_history = option(with_history)
    return with_history

"""Every order's record: the timeline of each order, kept in memory or written to Parquet.

A firm hands its orders' timelines, batch by batch, to a :class:`RecordSink`.
:class:`OrderRecords` keeps them in memory (tests, oracle checks). :class:`ParquetOrderRecords`
holds at most ``chunk_rows`` orders before writing them out as one row group, so memory stays
flat however many orders a replication places. Each file is written under a hidden temporary
name beside its target and renamed into place when closed: a run that fails or is killed never
leaves a file that looks complete.

A run's records form one hive-style folder, a file per strategy and replication,
``<folder>/strategy=<name>/replication=<r>.parquet``. The strategy is read from the folder
name (percent-encoded), the replication is a column of the file, so ``pandas.read_parquet``
of the folder gives one table with both and no clash. Each file has one writer, so worker
processes never contend; on a Dask cluster the folder must be on a filesystem every worker
shares.
"""

from __future__ import annotations

import os
import uuid
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import NoReturn, Protocol, cast
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ExperimentError

__all__ = ["FIELDS", "SCHEMA", "OrderRecords", "ParquetOrderRecords", "RecordSink",
           "order_records_path"]

#: An order's timeline: when it arrived, the orders ahead of it, when its picking started and
#: finished, when it left, its promised window and service level, when it was delivered, and
#: its customer.
FIELDS = ("arrival", "backlog", "start", "finish", "dispatch", "earliest", "latest", "service",
          "delivered", "customer")


class RecordSink(Protocol):
    """Anything that takes every order's timeline batch by batch (memory, Parquet, ...)."""

    def add(self, **columns: np.ndarray) -> None:
        """Take one batch: one array per field of :data:`FIELDS`."""
        ...


class OrderRecords:
    """Every order's timeline, collected in memory when asked for (tests, oracle checks)."""

    FIELDS = FIELDS

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []

    def add(self, **columns: np.ndarray) -> None:
        """Take one batch: one array per field of :data:`FIELDS`."""
        self._chunks.append(columns)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """All records as one array per field, in order of arrival."""
        if not self._chunks:
            return {f: np.empty(0) for f in FIELDS}
        return {f: np.concatenate([c[f] for c in self._chunks]) for f in FIELDS}


#: Columns of a records file: times in hours since the start of the horizon, the service level
#: shipped by, the customer (-1 when customers have no memory), and the replication (the
#: strategy is in the folder name).
_TYPES = {"service": pa.int16(), "customer": pa.int64()}
SCHEMA = pa.schema(
    [(f, _TYPES.get(f, pa.float64())) for f in FIELDS] + [("replication", pa.int32())]
)


def order_records_path(folder: str | Path, strategy: str, replication: int) -> Path:
    """Where the records of ``strategy`` in replication ``replication`` go inside ``folder``."""
    return (Path(folder) / f"strategy={quote(strategy, safe='')}"
            / f"replication={replication}.parquet")


class ParquetOrderRecords:
    """Every order of one strategy in one replication, written to ``path`` in row groups.

    ``add`` is called once per batch of orders, as on :class:`OrderRecords`;
    ``close`` writes what is left and puts the file in place. Used as a context manager, the
    file appears only if the block completes. :attr:`peak_buffered` is the most orders ever
    held in memory at once, never more than ``chunk_rows``.
    """

    FIELDS = FIELDS

    def __init__(self, path: str | Path, *, replication: int, chunk_rows: int = 500_000) -> None:
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}")
        self.path = Path(path)
        self.replication = replication
        self.chunk_rows = chunk_rows
        self.rows = 0
        self.peak_buffered = 0
        self._buffer: list[dict[str, np.ndarray]] = []
        self._buffered = 0
        self._tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:12]}.tmp")
        self._writer: pq.ParquetWriter | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._tmp, SCHEMA)
        except OSError as exc:
            self._fail(exc)

    def add(self, **columns: np.ndarray) -> None:
        """Record a batch of orders: one array per field of :data:`FIELDS`, all the same length."""
        if set(columns) != set(FIELDS):
            raise ValueError(f"order records need exactly the fields {', '.join(FIELDS)}")
        if self._writer is None:
            raise ValueError(f"{self.path}: order records already closed")
        n = len(columns["arrival"])
        done = 0
        while done < n:
            take = min(n - done, self.chunk_rows - self._buffered)
            self._buffer.append({f: np.array(columns[f][done:done + take]) for f in FIELDS})
            self._buffered += take
            self.peak_buffered = max(self.peak_buffered, self._buffered)
            done += take
            if self._buffered == self.chunk_rows:
                self._flush()

    @property
    def buffered(self) -> int:
        """Orders held in memory, not yet written."""
        return self._buffered

    def close(self) -> None:
        """Write the orders still held and put the finished file in place."""
        if self._writer is None:
            return
        try:
            self._flush()
            self._writer.close()
            self._writer = None
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            self._fail(exc)

    def abort(self) -> None:
        """Drop the orders held and the unfinished file, leaving nothing behind."""
        writer, self._writer = self._writer, None
        self._buffer, self._buffered = [], 0
        if writer is not None:
            with suppress(OSError):
                writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> ParquetOrderRecords:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _flush(self) -> None:
        """Write the orders held as one row group."""
        if not self._buffered:
            return
        arrays = [
            pa.array(np.concatenate([chunk[f] for chunk in self._buffer]),
                     type=SCHEMA.field(f).type)
            for f in FIELDS
        ]
        arrays.append(pa.array(np.full(self._buffered, self.replication, dtype=np.int32)))
        try:
            writer = cast("pq.ParquetWriter", self._writer)  # open: flushed only before closing
            writer.write_table(pa.Table.from_arrays(arrays, schema=SCHEMA),
                               row_group_size=self.chunk_rows)
        except OSError as exc:
            self.abort()
            self._fail(exc)
        self.rows += self._buffered
        self._buffer, self._buffered = [], 0

    def _fail(self, exc: OSError) -> NoReturn:
        raise ExperimentError(
            f"{self.path}: cannot write order records: {exc.strerror or exc}"
        ) from None

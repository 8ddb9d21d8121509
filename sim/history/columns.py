"""Column maps: which column of a user's order history holds each generic field.

The generic fields are those of :data:`FIELDS`; a map names the source column of each one it
uses (``order_time``, ``promised`` and ``delivered`` are required). A map is a dict, a small
YAML file (``order_time: created_at`` lines) or the built-in :data:`OLIST` map of the public
Brazilian e-commerce dataset of Olist, whose orders, reviews and customers come in three files.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sim.history.estimate import HistoryError

__all__ = ["FIELDS", "GENERIC", "OLIST", "OLIST_FILES", "REQUIRED", "ColumnMap", "OlistFiles",
           "column_map"]

#: The generic fields of a history, with what each holds.
FIELDS: Mapping[str, str] = types.MappingProxyType({
    "order_id": "the order's identifier (unique)",
    "order_time": "when the order was placed (date and time)",
    "promised": "the promised delivery date (a date, or a date and time)",
    "handed_over": "when the parcel left the warehouse for the carrier",
    "delivered": "when the parcel reached the customer (empty: never delivered)",
    "service": "the service level (e.g. standard, express)",
    "region": "the destination region",
    "rating": "the customer's rating, a whole number of stars",
    "customer": "the customer's identifier, the same across their orders",
    "status": "the order's status; any value other than the map's delivered status is excluded",
})
#: Fields every history must have.
REQUIRED = ("order_time", "promised", "delivered")


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Source column of each generic field (absent: the history does not have it)."""

    columns: Mapping[str, str]
    delivered_status: str = "delivered"
    name: str = "custom"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(FIELDS))
        if unknown:
            raise HistoryError(f"column map: unknown field {unknown[0]!r}; fields are "
                               f"{', '.join(FIELDS)}")
        missing = [f for f in REQUIRED if f not in self.columns]
        if missing:
            raise HistoryError(f"column map: required field {missing[0]!r} is not mapped")
        object.__setattr__(self, "columns", types.MappingProxyType(dict(self.columns)))

    def source(self, generic: str) -> str | None:
        """The source column of a generic field, or None when the history lacks it."""
        return self.columns.get(generic)

    @property
    def fields(self) -> tuple[str, ...]:
        """The generic fields this map provides, in :data:`FIELDS` order."""
        return tuple(f for f in FIELDS if f in self.columns)


#: The identity map: a history whose columns already carry the generic names.
GENERIC = ColumnMap({f: f for f in FIELDS if f != "status"}, name="generic")


@dataclass(frozen=True, slots=True)
class OlistFiles:
    """The file names of the Olist dataset and how its reviews and customers join the orders."""

    orders: str = "olist_orders_dataset.csv"
    reviews: str = "olist_order_reviews_dataset.csv"
    customers: str = "olist_customers_dataset.csv"
    review_score: str = "review_score"
    review_time: str = "review_answer_timestamp"
    customer_key: str = "customer_id"
    customer_unique: str = "customer_unique_id"
    region: str = "customer_state"
    statuses: tuple[str, ...] = field(default=("delivered",))


#: The standard Olist file names and join keys.
OLIST_FILES = OlistFiles()

#: The Olist orders table. Ratings and customers are joined from the other two files by
#: :func:`sim.history.reading.read_olist` (the latest answered review of an order counts).
OLIST = ColumnMap(
    {
        "order_id": "order_id",
        "order_time": "order_purchase_timestamp",
        "promised": "order_estimated_delivery_date",
        "handed_over": "order_delivered_carrier_date",
        "delivered": "order_delivered_customer_date",
        "status": "order_status",
        "customer": "customer_id",
    },
    delivered_status="delivered",
    name="olist",
)


def column_map(spec: ColumnMap | Mapping[str, str] | str | Path | None) -> ColumnMap:
    """A column map from a map, a dict, ``"olist"``, ``"generic"`` or a YAML file's path.

    A YAML map is ``field: column`` lines, plus an optional ``delivered_status:`` line.
    """
    if spec is None or spec == "generic":
        return GENERIC
    if isinstance(spec, ColumnMap):
        return spec
    if spec == "olist":
        return OLIST
    if isinstance(spec, Mapping):
        return _from_mapping(dict(spec), "column map")
    path = Path(spec)
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HistoryError(f"{path}: column map not found (or pass 'olist' or 'generic')") from None
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0]
        raise HistoryError(f"{path}: not a YAML column map ({first})") from None
    if not isinstance(loaded, dict):
        raise HistoryError(f"{path}: a column map is 'field: column' lines, got {loaded!r}")
    return _from_mapping(loaded, str(path))


def _from_mapping(mapping: dict, where: str) -> ColumnMap:
    status = str(mapping.pop("delivered_status", "delivered"))
    bad = {k: v for k, v in mapping.items() if not isinstance(v, str)}
    if bad:
        key = next(iter(bad))
        raise HistoryError(f"{where}: {key}: must name a column, got {bad[key]!r}")
    try:
        return ColumnMap(mapping, delivered_status=status, name=where)
    except HistoryError as error:
        raise HistoryError(f"{where}: {str(error).removeprefix('column map: ')}") from None

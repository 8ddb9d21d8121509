"""Reading the public Olist e-commerce dataset: orders, reviews and customers in three files.

Olist gives each order its own ``customer_id``; the person behind it is the customers file's
``customer_unique_id``, which becomes the history's ``customer`` (and ``customer_state`` its
``region``). An order may have several reviews: the one answered last counts (ties: the later
row), and the report counts the orders concerned and the reviews ignored.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.history.columns import OLIST, OLIST_FILES, OlistFiles
from sim.history.reading import MAX_BAD_SHARE, History, read_frame, read_table, require_columns

__all__ = ["read_olist"]


def read_olist(
    source: str | Path,
    *,
    reviews: str | Path | None = None,
    customers: str | Path | None = None,
    files: OlistFiles = OLIST_FILES,
    timezone: str | None = None,
    country: str | None = "BR",
    max_bad_share: float = MAX_BAD_SHARE,
    allow_bad: bool = False,
) -> History:
    """Read the Olist dataset from its folder (or its orders file), joining the latest review
    of each order and the customer behind it; the reviews and customers files are optional.
    """
    source = Path(source)
    folder = source if source.is_dir() else source.parent
    orders_path = folder / files.orders if source.is_dir() else source
    if source.is_dir():
        reviews = reviews or _present(folder / files.reviews)
        customers = customers or _present(folder / files.customers)
    orders = read_table(orders_path)
    require_columns(str(orders_path), OLIST.columns, list(orders.columns))
    raw = orders[list(OLIST.columns.values())].rename(
        columns={v: k for k, v in OLIST.columns.items()})
    several = ignored = 0
    if reviews is not None:
        table = read_table(reviews)
        require_columns(str(reviews), {"order_id": "order_id", "rating": files.review_score,
                                        "review time": files.review_time}, list(table.columns))
        latest, several, ignored = _latest_reviews(table, files)
        raw = raw.merge(latest, how="left", left_on="order_id", right_index=True,
                        validate="many_to_one")
    if customers is not None:
        table = read_table(customers)
        keys = [files.customer_key, files.customer_unique, files.region]
        require_columns(str(customers), dict(zip(("order's customer", "customer", "region"), keys)),
                        list(table.columns))
        people = table[keys].drop_duplicates(files.customer_key).set_index(files.customer_key)
        raw["region"] = raw["customer"].map(people[files.region])
        raw["customer"] = raw["customer"].map(people[files.customer_unique])
    return read_frame(raw, str(orders_path), delivered_status=OLIST.delivered_status,
                      timezone=timezone, country=country, max_bad_share=max_bad_share,
                      allow_bad=allow_bad, several_reviews=several, reviews_ignored=ignored)


def _present(path: Path) -> Path | None:
    return path if path.exists() else None


def _latest_reviews(table: pd.DataFrame, files: OlistFiles) -> tuple[pd.DataFrame, int, int]:
    """Each order's latest review score, the orders with several, the reviews ignored."""
    answered = pd.to_datetime(table[files.review_time], format="ISO8601", errors="coerce")
    ordered = pd.DataFrame({"order_id": table["order_id"].astype(str),
                            "rating": table[files.review_score], "answered": answered})
    ordered = ordered.reset_index().sort_values(["answered", "index"], na_position="first",
                                                kind="stable")
    counts = ordered["order_id"].value_counts()
    latest = ordered.drop_duplicates("order_id", keep="last").set_index("order_id")[["rating"]]
    return latest, int((counts > 1).sum()), int(len(ordered) - len(latest))

"""Writing a synthetic history as the Olist dataset's three files, with its quirks planted.

The orders, reviews and customers files carry Olist's column names; estimated dates are at
midnight; each order has its own ``customer_id`` mapped to the person's ``customer_unique_id``.
Quirks are planted on disjoint random orders, each counted in the returned :class:`Planted`:
cancelled and never-delivered orders, a delivered order missing its delivery date, unreadable
purchase dates, deliveries before the purchase, and orders with two reviews (the later counts).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.history.columns import OLIST_FILES, OlistFiles

__all__ = ["PLANTED", "Planted", "write_olist"]

_STAMP = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class Planted:
    """How many orders carry each quirk (each order at most one)."""

    canceled: int = 3
    shipped: int = 2
    missing_delivered: int = 2
    unparseable: int = 2
    delivered_before_ordered: int = 1
    two_reviews: int = 4

    @property
    def total(self) -> int:
        """Orders given a quirk that makes them unusable (two reviews do not)."""
        return (self.canceled + self.shipped + self.missing_delivered + self.unparseable
                + self.delivered_before_ordered)


#: The quirks planted by default.
PLANTED = Planted()


def write_olist(history: pd.DataFrame, folder: str | Path, rng: np.random.Generator, *,
                planted: Planted = PLANTED, files: OlistFiles = OLIST_FILES) -> Path:
    """Write ``history`` (generic columns, as :meth:`SyntheticShop.generate` makes them) as the
    three Olist files in ``folder``; returns the folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n = len(history)
    picks = rng.permutation(n)
    sizes = [planted.canceled, planted.shipped, planted.missing_delivered, planted.unparseable,
             planted.delivered_before_ordered]
    bounds = np.cumsum([0, *sizes])
    canceled, shipped, missing, unparseable, before = (
        picks[a:b] for a, b in itertools.pairwise(bounds))
    rated: np.ndarray | list[int] = (
        np.flatnonzero(history["rating"].notna().to_numpy()) if "rating" in history else [])
    twice = rng.choice(np.setdiff1d(rated, picks[:bounds[-1]]), planted.two_reviews,
                       replace=False) if len(rated) else picks[:0]

    def stamp(column: str) -> np.ndarray:
        return history[column].dt.strftime(_STAMP).to_numpy(dtype=object)

    customer_id = np.array([f"c{i:07d}" for i in range(n)], dtype=object)
    orders = pd.DataFrame({
        "order_id": history["order_id"].to_numpy(dtype=object),
        "customer_id": customer_id,
        "order_status": np.full(n, "delivered", dtype=object),
        "order_purchase_timestamp": stamp("order_time"),
        "order_approved_at": stamp("order_time"),
        "order_delivered_carrier_date": stamp("handed_over"),
        "order_delivered_customer_date": stamp("delivered"),
        "order_estimated_delivery_date": history["promised"].dt.normalize().dt.strftime(_STAMP)
        .to_numpy(dtype=object),
    })
    orders.loc[canceled, "order_status"] = "canceled"
    orders.loc[canceled, ["order_delivered_carrier_date", "order_delivered_customer_date"]] = ""
    orders.loc[shipped, "order_status"] = "shipped"
    orders.loc[shipped, "order_delivered_customer_date"] = ""
    orders.loc[missing, "order_delivered_customer_date"] = ""
    orders.loc[unparseable, "order_purchase_timestamp"] = "31/02/2018 25:61"
    early = history["order_time"].iloc[before] - pd.Timedelta(days=2)
    orders.loc[before, "order_delivered_customer_date"] = early.dt.strftime(_STAMP).to_numpy()
    orders.to_csv(folder / files.orders, index=False)

    answered = history["delivered"] + pd.Timedelta(days=2)
    reviews = pd.DataFrame({
        "review_id": [f"r{i:07d}" for i in range(len(rated))],
        "order_id": history["order_id"].to_numpy(dtype=object)[rated],
        "review_score": history["rating"].to_numpy()[rated].astype(int),
        "review_comment_title": "",
        "review_comment_message": "",
        "review_creation_date": history["delivered"].dt.normalize().dt.strftime(_STAMP)
        .to_numpy(dtype=object)[rated],
        "review_answer_timestamp": answered.dt.strftime(_STAMP).to_numpy(dtype=object)[rated],
    })
    earlier = reviews.set_index("order_id").loc[history["order_id"].to_numpy()[twice]]
    earlier = earlier.reset_index()
    earlier["review_id"] = [f"e{i:07d}" for i in range(len(earlier))]
    earlier["review_score"] = earlier["review_score"] % 5 + 1
    earlier["review_answer_timestamp"] = (pd.to_datetime(earlier["review_answer_timestamp"])
                                          - pd.Timedelta(hours=30)).dt.strftime(_STAMP)
    # the earlier review is written after the later one, as a file does not sort by time
    pd.concat([reviews, earlier[reviews.columns]], ignore_index=True).to_csv(
        folder / files.reviews, index=False)

    people = pd.DataFrame({
        "customer_id": customer_id,
        "customer_unique_id": [f"u{c}" for c in history["customer"].to_numpy()],
        "customer_zip_code_prefix": "01000",
        "customer_city": "sao paulo",
        "customer_state": history["region"].astype(str).to_numpy()
        if "region" in history else "SP",
    })
    people.to_csv(folder / files.customers, index=False)
    return folder

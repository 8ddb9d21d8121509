"""The Olist map reads synthetic Olist files and reports each planted quirk by reason."""

import numpy as np
import pytest

from sim.history import HistoryError, Planted, ReturnTruth, SyntheticShop, read_olist, write_olist


@pytest.fixture(scope="module")
def olist(tmp_path_factory):
    shop = SyntheticShop(orders_per_day=15, returns=ReturnTruth())
    frame = shop.generate(np.random.default_rng(3), days=60)
    planted = Planted(canceled=4, shipped=3, missing_delivered=2, unparseable=3,
                      delivered_before_ordered=2, two_reviews=5)
    folder = write_olist(frame, tmp_path_factory.mktemp("olist"), np.random.default_rng(4),
                         planted=planted)
    return frame, planted, folder


def test_read_olist_reports_each_planted_row_by_reason(olist):
    frame, planted, folder = olist
    report = read_olist(folder).report
    assert report.rows == len(frame)
    assert report.count("not delivered") == planted.canceled + planted.shipped
    assert report.count("missing field") == planted.missing_delivered
    assert report.count("unparseable date") == planted.unparseable
    assert report.count("delivered before ordered") == planted.delivered_before_ordered
    assert report.kept == len(frame) - planted.total
    assert report.several_reviews == planted.two_reviews
    assert report.reviews_ignored == planted.two_reviews


def test_read_olist_keeps_the_latest_review_and_the_person_behind_each_order(olist):
    frame, _, folder = olist
    history = read_olist(folder)
    merged = history.frame.merge(frame, on="order_id", suffixes=("", "_true"))
    assert np.array_equal(merged["rating"].fillna(0), merged["rating_true"].fillna(0))
    assert (merged["customer"].astype(str) == "u" + merged["customer_true"].astype(str)).all()
    assert (merged["region"].astype(str) == merged["region_true"].astype(str)).all()
    assert not history.promise_has_time  # estimated dates at midnight


def test_read_olist_without_the_orders_file_is_one_line(tmp_path):
    with pytest.raises(HistoryError, match=r"olist_orders_dataset\.csv: file not found"):
        read_olist(tmp_path)

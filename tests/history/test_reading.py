"""Reading a history: column maps, the report of rows left out, the one-line errors."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.errors import SimError
from sim.history import (
    HistoryError,
    RatingTruth,
    SyntheticShop,
    column_map,
    read_history,
)


def _history(rows: int = 200, seed: int = 0) -> pd.DataFrame:
    shop = SyntheticShop(orders_per_day=rows / 20, rating=RatingTruth())
    return shop.generate(np.random.default_rng(seed), days=20)


def _csv(frame: pd.DataFrame, path) -> None:
    frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")


def test_read_history_round_trips_a_generic_csv(tmp_path):
    frame = _history()
    _csv(frame, tmp_path / "h.csv")
    history = read_history(tmp_path / "h.csv")
    assert history.orders == len(frame)
    assert history.report.kept == len(frame) and history.report.dropped == ()
    assert history.start == dt.date(2017, 1, 2)
    assert history.basis.orders == len(frame)
    assert np.allclose(history.frame["rating"].fillna(0), frame["rating"].fillna(0))


def test_read_history_reads_parquet_with_a_yaml_map(tmp_path):
    frame = _history().rename(columns={"order_time": "created", "delivered": "arrived"})
    frame.to_parquet(tmp_path / "h.parquet")
    (tmp_path / "map.yaml").write_text("order_time: created\ndelivered: arrived\n"
                                       "promised: promised\nregion: region\n")
    history = read_history(tmp_path / "h.parquet", columns=tmp_path / "map.yaml")
    assert history.orders == len(frame)
    assert set(history.frame.columns) >= {"order_time", "delivered", "promised", "region"}


def test_read_history_converts_times_with_offsets_to_the_time_zone():
    frame = _history(40).head(2).copy()
    frame["order_time"] = ["2017-01-02T10:00:00+00:00", "2017-01-02T12:00:00+01:00"]
    frame["handed_over"] = frame["delivered"] - pd.Timedelta(hours=1)
    history = read_history(frame, timezone="America/Sao_Paulo")
    assert list(history.frame["order_time"].dt.hour) == [8, 9]


def test_read_history_accepts_dates_without_times():
    frame = _history(40)
    frame["promised"] = frame["promised"].dt.strftime("%Y-%m-%d")
    assert not read_history(frame).promise_has_time


def test_read_history_counts_each_left_out_row_by_reason():
    frame = _history().astype({"delivered": object, "order_time": object})
    frame.loc[0, "delivered"] = None
    frame.loc[1, "order_time"] = "yesterday"
    frame.loc[2, "delivered"] = frame.loc[2, "order_time"] - pd.Timedelta(days=1)
    frame.loc[3, "rating"] = 2.5
    report = read_history(frame, allow_bad=True).report
    assert report.count("not delivered") == 1
    assert report.count("unparseable date") == 1
    assert report.count("delivered before ordered") == 1
    assert report.count("invalid rating") == 1
    assert report.kept == len(frame) - 4
    assert any("yesterday" in line for line in report.lines())


def test_read_history_refuses_too_many_faulty_rows_in_one_line(tmp_path):
    frame = _history()
    _csv(frame, tmp_path / "h.csv")
    text = (tmp_path / "h.csv").read_text().splitlines()
    broken = [text[0]] + [line.replace("2017-01-", "2017-13-", 1) for line in text[1:30]] + text[30:]
    (tmp_path / "h.csv").write_text("\n".join(broken) + "\n")
    with pytest.raises(HistoryError, match=r"h\.csv: .* rows are unusable .* column "
                       r"'order_time': unparseable date") as caught:
        read_history(tmp_path / "h.csv")
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, SimError)
    assert read_history(tmp_path / "h.csv", allow_bad=True).report.count("unparseable date") > 0


def test_read_history_wrong_column_names_is_one_line(tmp_path):
    _csv(_history().rename(columns={"promised": "eta"}), tmp_path / "h.csv")
    with pytest.raises(HistoryError, match=r"h\.csv: no column 'promised' \(for promised\); "
                       r"the file has: .*eta"):
        read_history(tmp_path / "h.csv")


def test_read_history_unparseable_dates_everywhere_is_one_line(tmp_path):
    frame = _history()
    frame["delivered"] = "soon"
    _csv(frame, tmp_path / "h.csv")
    with pytest.raises(HistoryError, match=r"100\.0% .* column 'delivered': unparseable date "
                       r".*'soon'"):
        read_history(tmp_path / "h.csv")


@pytest.mark.parametrize(("content", "message"), [
    ("", "empty file"),
    ("order_time,promised,delivered\n", "no orders"),
])
def test_read_history_empty_file_is_one_line(tmp_path, content, message):
    (tmp_path / "h.csv").write_text(content)
    with pytest.raises(HistoryError, match=message):
        read_history(tmp_path / "h.csv")


def test_column_map_rejects_unknown_fields_and_missing_required_ones(tmp_path):
    with pytest.raises(HistoryError, match="unknown field 'colour'"):
        column_map({"colour": "c", "order_time": "a", "promised": "b", "delivered": "d"})
    (tmp_path / "map.yaml").write_text("order_time: a\npromised: b\n")
    with pytest.raises(HistoryError, match=r"map\.yaml: required field 'delivered'"):
        column_map(tmp_path / "map.yaml")

"""Outcomes packed for the trip between processes: the same values and types back."""

import pickle

import numpy as np

from sim.experiment.payload import pack_histograms, pack_rows, pack_series, unpack


def test_rows_come_back_with_every_float_and_their_order():
    rows = [{"strategy": "a", "replication": 3, "orders": 10.0, "kept": np.float64(0.1),
             "p95": float("nan")},
            {"strategy": "b", "replication": 3, "orders": 12.0, "kept": 1 / 3, "p95": 2.5}]
    packed = pack_rows(rows)
    assert packed[0] == "rows"
    back = unpack(pickle.loads(pickle.dumps(packed)))
    assert [list(r) for r in back] == [list(r) for r in rows]
    np.testing.assert_array_equal([list(r.values())[2:] for r in back],
                                  [list(r.values())[2:] for r in rows])
    assert [(r["strategy"], r["replication"]) for r in back] == [("a", 3), ("b", 3)]


def test_rows_that_are_not_all_floats_travel_as_they_are():
    rows = [{"strategy": "a", "replication": 0, "note": "late"}]
    assert unpack(pack_rows(rows)) is rows
    assert unpack(pack_rows([])) == []


def test_series_come_back_with_their_dtypes():
    series = [{"strategy": s, "replication": 1, "week": np.arange(2, 6),
               "orders": np.array([1.0, 2.0, 3.0, 4.0]) * k, "share": np.full(4, np.nan)}
              for k, s in enumerate(("a", "b"))]
    packed = pack_series(series)
    assert packed[0] == "series"
    back = unpack(pickle.loads(pickle.dumps(packed)))
    for x, y in zip(back, series, strict=True):
        assert list(x) == list(y)
        for key in ("week", "orders", "share"):
            assert x[key].dtype == y[key].dtype
            np.testing.assert_array_equal(x[key], y[key])


def test_series_of_other_shapes_travel_as_they_are():
    ragged = [{"strategy": "a", "replication": 0, "week": np.arange(3)},
              {"strategy": "b", "replication": 0, "week": np.arange(4)}]
    assert unpack(pack_series(ragged)) is ragged


def test_histograms_come_back_by_name():
    histograms = {"a": np.arange(5.0), "b": np.ones(5)}
    back = unpack(pickle.loads(pickle.dumps(pack_histograms(histograms))))
    assert list(back) == ["a", "b"]
    for name in histograms:
        np.testing.assert_array_equal(back[name], histograms[name])
    counts = {"a": np.arange(5)}
    assert unpack(pack_histograms(counts)) is counts

"""The validation table itself: checks, estimates, the Markdown, and when it may be written."""

import math

import numpy as np
import pytest
from scipy import stats
from validation.rows import (
    HAND_WRITTEN,
    Band,
    Beyond,
    Collector,
    Confined,
    Covers,
    Estimate,
    Profile,
    RisesThenFalls,
    Row,
    Selection,
    Selects,
    fmt,
    hand_written,
    render_markdown,
    write_atomically,
)
from validation.session import ordered_test_files

ESTIMATE = Estimate(mean=1.0, low=0.9, high=1.1, n=10)


def test_estimate_is_the_t_interval_of_the_replications():
    values = np.array([1.0, 2.0, 3.0, 4.0])

    estimate = Estimate.of(values, confidence=0.95)

    half = stats.t.ppf(0.975, 3) * values.std(ddof=1) / 2.0
    assert estimate.mean == pytest.approx(2.5)
    assert (estimate.low, estimate.high) == pytest.approx((2.5 - half, 2.5 + half))
    assert estimate.n == 4 and estimate.half_width == pytest.approx(half)


@pytest.mark.parametrize("values", [[1.0], [1.0, math.nan], [[1.0, 2.0], [3.0, 4.0]]])
def test_estimate_refuses_too_few_or_bad_values(values):
    with pytest.raises(ValueError, match="at least 2 finite values in one dimension"):
        Estimate.of(values)


def test_estimate_shows_enough_places_to_tell_its_bounds_apart():
    assert str(Estimate(48.9266, 48.9257, 48.9274, 10)) == "48.92660 [48.92570, 48.92740]"
    assert str(Estimate(0.0, 0.0, 0.0, 10)) == "0 [0, 0]"


def test_fmt_gives_four_significant_digits():
    assert [fmt(x) for x in (9.2561, 0.33333, 1234.5, 0.0, 2.5e-7)] == [
        "9.256", "0.3333", "1234", "0", "2.500e-07"]


@pytest.mark.parametrize(
    ("check", "passes"),
    [
        (Covers(1.05), True),
        (Covers(1.2), False),
        (Covers(1.2, allowance=0.1), True),
        (Covers(1.0, max_half_width=0.05), False),
        (Beyond(0.5), True),
        (Beyond(0.9), False),
        (Beyond(0.9, strict=False), True),
        (Beyond(1.1, above=False, strict=False), True),
        (Beyond(1.05, above=False), False),
        (Band(1.0, 0.5, 1.5), True),
        (Band(1.0, 0.95, 1.5), False),
    ],
)
def test_checks_judge_the_whole_interval(check, passes):
    assert check.passes(ESTIMATE) is passes


def test_band_refuses_bounds_in_the_wrong_order():
    with pytest.raises(ValueError, match=r"a band needs low <= high, got \[2, 1\]"):
        Band(1.5, 2, 1)


GRID = (1.0, 2.0, 3.0, 4.0)
SELECTION = Selection(best=2.0, kept=(2.0, 3.0), grid=GRID, n=8)


@pytest.mark.parametrize(
    ("check", "passes"),
    [
        (Selects(2.0), True),  # on the grid: that point must be kept
        (Selects(2.4), True),  # between points: both neighbours must be kept
        (Selects(1.5), False),
        (Selects(3.2), False),
        (Selects(5.0), False),  # outside the grid: nothing to keep
        (Selects(2.5, max_span=0.5), False),
        (Confined(2.0, 3.0, "2 to 3"), True),
        (Confined(3.0, 3.0, "3"), False),
        (Confined(-math.inf, 3.0, "below 4"), True),
        (Confined(-math.inf, 2.0, "below 3"), False),
    ],
)
def test_selection_checks_judge_the_candidates_not_ruled_out(check, passes):
    assert check.passes(SELECTION) is passes


def test_selection_needs_its_best_among_the_kept_values_on_the_grid():
    with pytest.raises(ValueError, match=r"a selection needs its best among the kept values"):
        Selection(best=1.0, kept=(2.0,), grid=GRID, n=8)
    with pytest.raises(ValueError, match=r"and those on the grid, got best 5"):
        Selection(best=5.0, kept=(5.0,), grid=GRID, n=8)


def test_rise_then_fall_needs_the_spans_apart_in_the_theorys_order():
    def at(*kept):
        return Selection(best=kept[0], kept=kept, grid=GRID, n=5)

    check = RisesThenFalls((1.1, 3.2, 1.9))

    assert check.theory == "1.100 < 3.200 > 1.900"
    assert check.passes(Profile((at(1.0), at(3.0, 4.0), at(2.0))))
    assert not check.passes(Profile((at(1.0, 2.0), at(2.0, 3.0), at(1.0))))  # 2 in both
    assert not check.passes(Profile((at(1.0), at(3.0))))
    with pytest.raises(ValueError, match=r"a rise then a fall needs the peak inside"):
        RisesThenFalls((1.0, 2.0, 3.0))


def test_optimiser_rows_show_the_best_and_what_is_not_ruled_out():
    row = Row.check("x*", "theory", Selects(2.4, max_span=1.0), SELECTION, origin="paired")
    profile = Profile((SELECTION, Selection(best=4.0, kept=(4.0,), grid=GRID, n=6)))

    assert row.passed
    assert row.simulated == "best 2.000; also not ruled out: 3.000; of 4 from 1.000 to 4.000 (n=8)"
    assert row.tolerance == ("the grid points nearest the theory not ruled out; those not "
                             "ruled out span <= 1.000 (paired)")
    assert str(profile) == "[2.000, 3.000]; [4.000, 4.000]" and profile.n == 6
    assert Confined(4.0, 4.0, "4").rule == "every candidate but 4.000 ruled out"
    assert Confined(-math.inf, 3.0, "x").rule == "every candidate above 3.000 ruled out"


def test_row_states_theory_estimate_and_tolerance():
    row = Row.check("wait", "Erlang", Covers(1.05, allowance=0.01), ESTIMATE,
                    origin="sampling error only")

    assert row.passed
    assert row.theory == "1.050"
    assert row.simulated == "1.000 [0.900, 1.100] (n=10)"
    assert row.tolerance == "theory inside the CI widened by 0.01000 (sampling error only)"
    assert Row.from_dict(row.as_dict()) == row


def test_markdown_has_one_line_per_row_numbered_notes_and_no_date():
    rows = [
        Row("a | b", "s", "1", "1 [0, 2]", "t", True, note="first"),
        Row("c", "s", "1", "5 [4, 6]", "t", False, note="first"),
        Row("d", "s", "1", "1 [0, 2]", "t", True, note="second"),
    ]

    text = render_markdown(rows)

    lines = text.splitlines()
    assert "2 of 3 rows pass." in lines
    assert "| a \\| b [1] | s | 1 | 1 [0, 2] | t | pass |" in lines
    assert "| c [1] | s | 1 | 5 [4, 6] | t | **fail** |" in lines
    assert lines[-2:] == ["1. first", "2. second"]
    assert render_markdown(rows) == text  # nothing in it changes from run to run


def test_markdown_keeps_the_hand_written_part_after_the_table():
    rows = [Row("a", "s", "1", "1 [0, 2]", "t", True, note="first")]
    old = render_markdown(rows, tail=f"{HAND_WRITTEN}\n\n## By hand\n\ntext\n")

    new = render_markdown([Row("b", "s", "1", "1 [0, 2]", "t", True)], tail=hand_written(old))

    assert new.endswith(f"\n\n{HAND_WRITTEN}\n\n## By hand\n\ntext\n")
    assert "| b | s |" in new and "| a [1] |" not in new
    assert hand_written(render_markdown(rows)) == ""


def test_write_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "docs" / "validation.md"
    write_atomically(target, "old\n")

    write_atomically(target, "new\n")

    assert target.read_text() == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["validation.md"]


def collector_with(*ids):
    collector = Collector(["test_queueing.py", "test_behaviour.py"])
    collector.collected(ids)
    return collector


QUEUE = "tests/validation/test_queueing.py::test_wait"
BEHAVIOUR = "tests/validation/test_behaviour.py::test_cui"


def test_table_is_written_only_when_every_file_was_collected():
    collector = collector_with(QUEUE)
    collector.called(QUEUE, failed=False, rows=[])

    assert collector.missing() == ["not collected: test_behaviour.py"]


def test_table_is_not_written_when_a_test_did_not_run_or_failed_without_a_row():
    collector = collector_with(QUEUE, BEHAVIOUR)
    collector.called(QUEUE, failed=True, rows=[])

    assert collector.missing() == [
        "1 validation tests did not run",
        f"failed before recording a row: {QUEUE}",
    ]


def test_table_is_not_written_when_tests_were_deselected():
    collector = collector_with(QUEUE, BEHAVIOUR)
    collector.filtered = True
    for nodeid in (QUEUE, BEHAVIOUR):
        collector.called(nodeid, failed=False, rows=[])

    assert collector.missing() == ["some validation tests were deselected"]


def test_rows_come_in_file_order_then_collection_order_whoever_ran_them():
    rows = {name: Row(name, "s", "t", "x", "t", True) for name in "abc"}
    collector = collector_with(BEHAVIOUR, QUEUE, QUEUE + "2")
    collector.called(QUEUE + "2", failed=False, rows=[rows["b"]])
    collector.called(BEHAVIOUR, failed=False, rows=[rows["c"]])
    collector.called(QUEUE, failed=False, rows=[rows["a"]])

    assert collector.missing() == []
    assert [r.name for r in collector.ordered_rows()] == ["a", "b", "c"]


def test_theory_rows_come_before_published_ones():
    files = ordered_test_files()

    assert files[:2] == ["test_queueing.py", "test_behaviour.py"]
    assert "test_rows.py" in files

"""``promise-sim fit`` and ``backtest``: a file ``validate`` accepts and a back-test folder on
success; one line, exit 2 and nothing written on a bad history.
"""

import re

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli.app import main
from sim.history import SyntheticShop, TruckTruth, write_olist
from sim.report.backtest import BACKTEST_FILES


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def shop_history():
    shop = SyntheticShop(orders_per_day=60, truck=TruckTruth(), regions=SyntheticShop().regions[:1])
    return shop.generate(np.random.default_rng(3), days=91)


@pytest.fixture()
def history_csv(shop_history, tmp_path):
    path = tmp_path / "orders.csv"
    shop_history.to_csv(path, index=False)
    return path


def test_fit_writes_a_commented_scenario_validate_accepts(history_csv, tmp_path, capsys):
    out = tmp_path / "scenarios" / "shop.yaml"
    code, printed, err = _run(["fit", history_csv, "-o", out], capsys)
    assert code == 0, err
    assert printed.strip().endswith(str(out))
    assert "promise rule" in printed and "handling: truck at 16:00" in printed
    assert _run(["validate", out], capsys)[0] == 0
    text = out.read_text()
    assert text.startswith("# Fitted by promise-sim fit from")
    assert "handling_trucks:" in text and "stars:" in text
    assert sim.load_scenario(out).name == "shop"


def test_fit_does_not_replace_a_file_without_force(history_csv, tmp_path, capsys):
    out = tmp_path / "shop.yaml"
    out.write_text("mine\n")
    code, _, err = _run(["fit", history_csv, "-o", out], capsys)
    assert code == 2 and "exists (use --force" in err
    assert out.read_text() == "mine\n"
    assert _run(["fit", history_csv, "-o", out, "--force", "-q"], capsys)[0] == 0
    assert out.read_text().startswith("# Fitted")


@pytest.mark.parametrize("fault, needle", [
    ("columns", "order_time"),
    ("dates", "unparseable"),
    ("empty", "orders.csv"),
])
def test_a_bad_history_is_one_line_exit_2_and_nothing_written(shop_history, tmp_path, capsys,
                                                              fault, needle):
    path = tmp_path / "orders.csv"
    frame = shop_history.copy()
    if fault == "columns":
        frame = frame.rename(columns={"order_time": "placed_at"})
    elif fault == "dates":
        frame["delivered"] = frame["delivered"].astype(str)
        frame.loc[frame.index[::3], "delivered"] = "not a date"
    if fault == "empty":
        path.write_text("")
    else:
        frame.to_csv(path, index=False)
    out = tmp_path / "shop.yaml"
    code, printed, err = _run(["fit", path, "-o", out], capsys)
    assert code == 2 and printed == ""
    assert err.count("\n") == 1 and needle in err, err
    assert not out.exists()
    code, _, err = _run(["backtest", path, "scenarios/zappos_vs_competitor.yaml", "-o",
                         tmp_path / "bt"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert not (tmp_path / "bt").exists()


def test_the_olist_map_reads_the_dataset_folder(shop_history, tmp_path, capsys):
    folder = write_olist(shop_history, tmp_path / "olist", np.random.default_rng(4))
    out = tmp_path / "olist.yaml"
    code, printed, err = _run(["fit", folder, "--map", "olist", "-o", out], capsys)
    assert code == 0, err
    assert "not delivered" in printed and "several reviews" in printed
    assert sim.load_scenario(out).calendar.country == "BR"


def test_backtest_writes_its_folder_and_check_fails_on_misses(history_csv, tmp_path, capsys):
    scenario = tmp_path / "shop.yaml"
    assert _run(["fit", history_csv, "-o", scenario, "-q"], capsys)[0] == 0
    folder = tmp_path / "bt"
    code, printed, err = _run(["backtest", history_csv, scenario, "-r", "6", "-w", "1", "-o",
                               folder], capsys)
    assert code == 0, err
    assert "back-test of shop" in printed
    assert sorted(p.name for p in folder.iterdir()) == sorted(BACKTEST_FILES)
    rows = pd.read_csv(folder / "backtest.csv")
    assert {"figure", "history", "model", "low", "high", "matches", "verdict"} <= set(rows)
    assert "<table>" in (folder / "backtest.html").read_text()
    text = re.sub(r"min_days: \d+, max_days: \d+", "min_days: 1, max_days: 1",
                  scenario.read_text())
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text)
    code, printed, _ = _run(["backtest", history_csv, wrong, "-r", "6", "-w", "1", "-o",
                             tmp_path / "bt2", "--check"], capsys)
    assert code == 1 and "misses" in printed


def test_backtest_refuses_an_unknown_strategy(history_csv, tmp_path, capsys):
    scenario = tmp_path / "shop.yaml"
    assert _run(["fit", history_csv, "-o", scenario, "-q"], capsys)[0] == 0
    code, _, err = _run(["backtest", history_csv, scenario, "--strategy", "nope", "-o",
                         tmp_path / "bt"], capsys)
    assert code == 2 and "strategy 'nope' is not in scenario" in err
    assert not (tmp_path / "bt").exists()

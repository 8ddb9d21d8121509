"""A user adds a promise strategy in Python, named in the scenario, without touching the package."""

import textwrap

import numpy as np
import pytest
from factories import small_scenario

import sim
from sim.errors import StrategyError

MODULE = textwrap.dedent(
    """
    import numpy as np
    from sim import Quote

    class SameDay:
        def __init__(self, extra_days=0):
            self.extra_days = extra_days

        def quote(self, view):
            day = view.order_day + self.extra_days
            due = view.promise_day_end(view.calendar.nth_delivery_day(day, 2))
            return Quote(due, due, np.zeros(due.size, dtype=int))

    class Broken:
        def quote(self, view):
            return Quote(view.arrival[:1], view.arrival[:1], np.zeros(1, dtype=int))
    """
)


@pytest.fixture()
def user_module(tmp_path, monkeypatch):
    (tmp_path / "my_rules.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "my_rules"


def test_custom_strategy_runs_beside_the_built_ins(user_module):
    custom = {"name": "mine", "kind": "custom", "path": "my_rules:SameDay", "params": {"extra_days": 1}}
    scenario = small_scenario()
    data_strategies = [s.model_dump() for s in scenario.strategies] + [custom]
    results = sim.run(small_scenario(strategies=data_strategies), replications=2, workers=2)
    kept = results.metric("promise_kept").set_index("strategy")["mean"]
    assert 0 <= kept["mine"] <= 1
    assert np.isfinite(results.metric("satisfaction_mean")["mean"]).all()


def test_custom_strategy_with_a_bad_quote_is_a_strategy_error(user_module):
    custom = [{"name": "broken", "kind": "custom", "path": "my_rules:Broken"}]
    with pytest.raises(StrategyError, match=r"quote\.earliest has shape"):
        sim.run(small_scenario(strategies=custom, baseline=None), replications=2, workers=1)


def test_custom_strategy_with_bad_params_is_a_strategy_error(user_module):
    custom = [{"name": "x", "kind": "custom", "path": "my_rules:SameDay", "params": {"nope": 1}}]
    with pytest.raises(StrategyError, match="cannot build strategy 'my_rules:SameDay'"):
        sim.run(small_scenario(strategies=custom, baseline=None), replications=2, workers=1)

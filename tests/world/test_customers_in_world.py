"""Customers inside the world: switched-off behaviour reproduces the memoryless results."""

import numpy as np
import pandas as pd
from factories import small_scenario

import sim

EFFECTS_OFF = {
    "learning_rate": 0.0, "initial_trust": 1.0, "trust_gain": 0.0, "trust_loss": 0.0,
    "padding_suspicion": 0.0, "fairness_penalty": 0.0, "repurchase_per_year": 0.0,
    "repurchase_sensitivity": 0.0, "churn_sensitivity": 0.0,
    "word_of_mouth": {"reputation_effect": 0.0},
}


def test_customers_with_every_effect_off_equal_the_memoryless_world():
    plain = sim.run(small_scenario(), replications=3, workers=1)
    off = sim.run(small_scenario(customers=EFFECTS_OFF), replications=3, workers=1)
    memoryless = off.replications.drop(columns=["new_customers", "lifetime_value"])
    pd.testing.assert_frame_equal(plain.replications, memoryless)
    same = off.summary[~off.summary["metric"].isin(["new_customers", "lifetime_value"])]
    pd.testing.assert_frame_equal(plain.summary, same.reset_index(drop=True))


def test_customers_returning_add_orders_and_warnings_cut_new_arrivals():
    loyal = dict(EFFECTS_OFF, repurchase_per_year=12.0, churn_base=0.0)
    base = sim.run(small_scenario(customers=EFFECTS_OFF), replications=3, workers=1)
    more = sim.run(small_scenario(customers=loyal), replications=3, workers=1)
    assert (more.replications["orders"].to_numpy() > base.replications["orders"].to_numpy()).all()

    # nearly everyone disappointed and loud: next day by ground is almost never kept
    broken = [{"name": "never", "kind": "buffer", "min_days": 1, "max_days": 1,
               "service": "ground"}]
    loud = dict(EFFECTS_OFF, word_of_mouth={"warning_probability": 1.0, "negative_reach": 5.0,
                                            "reputation_effect": 1.0})
    quiet = sim.run(small_scenario(strategies=broken, baseline=None, customers=EFFECTS_OFF),
                    replications=3, workers=1)
    warned = sim.run(small_scenario(strategies=broken, baseline=None, customers=loud),
                     replications=3, workers=1)
    assert (warned.replications["orders"].to_numpy() < quiet.replications["orders"].to_numpy()).all()
    assert (warned.timeseries["reputation"].dropna() < 0).all()


def test_customers_weekly_series_cover_the_measured_weeks():
    results = sim.run(small_scenario(customers={}), replications=2, workers=1)
    series = results.timeseries
    weeks = sorted(series["week"].unique())
    assert weeks[0] == 1 and weeks[-1] == 56 // 7 - 1  # 7 warm-up days: week 0 is excluded
    assert series.groupby(["strategy", "replication"]).size().nunique() == 1
    assert np.isfinite(series["trust_mean"]).all()
    assert ((series["trust_mean"] >= 0) & (series["trust_mean"] <= 1)).all()


def test_every_customer_due_before_the_end_comes_back(monkeypatch):
    """A next purchase never falls on a day whose orders were already taken (no one stranded)."""
    import sim.world.days as days
    import sim.world.replication as replication
    from sim.experiment.streams import replication_streams
    from sim.model.promise import strategy_from_spec
    from sim.world import build_world

    captured = []

    class Capturing(days.CustomerBase):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            captured.append(self)

    monkeypatch.setattr(days, "CustomerBase", Capturing)
    scenario = small_scenario(
        strategies=[{"name": "tight", "kind": "tight", "service": "overnight"}], baseline="tight",
        customers={"repurchase_per_year": 365.0, "churn_base": 0.0, "churn_sensitivity": 0.0,
                   "repurchase_sensitivity": 0.0},
    )
    world = build_world(scenario)
    replication.simulate(world, strategy_from_spec(scenario.strategies[0], world.carrier),
                         replication_streams(7, 0))
    customers = captured[0]
    n = customers.size
    due = customers.next_purchase[:n]
    stranded = customers.active[:n] & np.isfinite(due) & (due < world.days * 24.0)
    assert n > 1000 and not stranded.any()


def test_order_records_name_the_customer_of_each_order():
    from sim.experiment.streams import replication_streams
    from sim.world import build_strategies, build_world, simulate
    from sim.world.records import OrderRecords

    loyal = dict(EFFECTS_OFF, repurchase_per_year=12.0, churn_base=0.0)
    scenario = small_scenario(customers=loyal)
    world = build_world(scenario)
    records = OrderRecords()
    simulate(world, build_strategies(scenario, world)["zappos_buffer"],
             replication_streams(1, 0), records=records)
    orders = records.to_arrays()
    customer = orders["customer"].astype(np.int64)
    assert (customer >= 0).all()
    _, counts = np.unique(customer, return_counts=True)
    assert counts.max() > 1  # returning customers appear again under their own id
    # a customer's orders come one after another: each is placed after the last was delivered
    order = np.lexsort((orders["arrival"], customer))
    same = customer[order][1:] == customer[order][:-1]
    assert (orders["arrival"][order][1:][same] >= orders["delivered"][order][:-1][same]).all()


def test_customers_parcels_judged_stay_as_they_were_for_whoever_kept_them(monkeypatch):
    """The rows of a day judged are written over only when nobody holds a view of them."""
    import sim.world.firm as firm_module
    import sim.world.replication as replication_module
    from sim.experiment.streams import replication_streams
    from sim.world import build_strategies, build_world, simulate

    original, kept = firm_module.judge, []

    def spy(world, parcels, ledger, **options):
        kept.append((parcels.customer, parcels.customer.copy(), parcels.delivered.copy()))
        return original(world, parcels, ledger, **options)

    scenario = small_scenario(customers={"repurchase_per_year": 12.0})
    world = build_world(scenario)
    monkeypatch.setattr(firm_module, "judge", spy)
    monkeypatch.setattr(replication_module, "fits_compiled_days", lambda *a, **k: False)
    simulate(world, next(iter(build_strategies(scenario, world).values())),
             replication_streams(1, 0))
    assert len(kept) > 20 and len({id(view.base) for view, _, _ in kept}) == len(kept)
    for view, customer, delivered in kept:
        np.testing.assert_array_equal(view, customer)
        assert ((delivered // 24.0) == (delivered[0] // 24.0)).all()

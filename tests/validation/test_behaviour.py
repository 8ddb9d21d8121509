"""Validation against published behaviour: Gneezy & Epley (2014), Cui et al. (2024), Xie et al.

Each published result is checked in the form the paper supports: an ordering (a direction,
the whole interval on one side), or a figure in sign and order of magnitude when the paper's
own interval is not in the project's notes. Estimates are over independent replications.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import small_scenario
from scipy import stats
from validation.rows import Band, Beyond, Covers, Estimate, Row
from validation.worlds import judged_parcels, replicate

import sim
from sim.world import build_world

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios" / "validation"

# --- Gneezy & Epley (2014): broken far below kept, exceeded not above kept -------------------

GNEEZY_EPLEY = "Gneezy & Epley (2014), SPPS 5(7) [shape]"
GE_REPLICATIONS = 10
GE_NOTE = (
    "Kept: delivered on the promised day; exceeded: a business day or more before the end of "
    "the promise; broken: after it. Each order's satisfaction is the world's own value of its "
    "disconfirmation, checked equal to the ledger's mean in every replication.")


def outcome_world(delight_cap: float | None) -> sim.Scenario:
    """The headline world, eight weeks, every order promised ground's nominal three days.

    Ground takes 2.6 business days at the median, so some parcels beat the promised day,
    most arrive on it, and the backlog, storms and slow transits break the rest.
    """
    return small_scenario(
        strategies=[{"name": "tight_ground", "kind": "tight", "service": "ground"}],
        baseline=None,
        satisfaction={"delight_cap": delight_cap},
        experiment={"replications": GE_REPLICATIONS, "seed": 2014},
    )


def satisfaction_by_outcome(scenario: sim.Scenario) -> dict[str, np.ndarray]:
    """Per replication, the mean satisfaction of broken, kept and exceeded promises.

    Kept: delivered on the promised day (less than a business day before its end); exceeded:
    a business day or more early; broken: after it. Each order's satisfaction is the world's
    own value of its disconfirmation, checked against the ledger's mean.
    """
    world = build_world(scenario)
    clock = world.calendar.to_business
    means: dict[str, list[float]] = {"broken": [], "kept": [], "exceeded": []}
    for run in replicate(scenario, "tight_ground", GE_REPLICATIONS, seed=2014):
        orders = {k: v[run.measured] for k, v in run.records.items()}
        early = clock(orders["latest"]) - clock(orders["delivered"])
        value = world.satisfaction.value(early)
        assert math.isclose(value.mean(), run.metrics["satisfaction_mean"], rel_tol=1e-9,
                            abs_tol=1e-12)
        classes = {"broken": early < 0, "kept": (early >= 0) & (early < 1),
                   "exceeded": early >= 1}
        for name, members in classes.items():
            assert members.sum() > 100, name
            means[name].append(float(value[members].mean()))
    return {k: np.array(v) for k, v in means.items()}


@functools.cache
def capped() -> dict[str, np.ndarray]:
    return satisfaction_by_outcome(outcome_world(delight_cap=0.0))


def test_broken_promise_is_judged_far_below_a_kept_one(validation_row):
    means = capped()
    row = validation_row(Row.check(
        "Gneezy & Epley, 'keeping is enough' (delight_cap: 0): broken minus kept, mean "
        "satisfaction",
        GNEEZY_EPLEY,
        Beyond(-1.0, above=False, stated="far below 0"),
        Estimate.of(means["broken"] - means["kept"]),
        origin="direction from the paper; 'far' read as more than 1, the value of a whole "
               "business day early without the cap",
        note=GE_NOTE,
    ))
    assert row.passed, row


def test_exceeded_promise_is_judged_no_better_than_a_kept_one(validation_row):
    means = capped()
    row = validation_row(Row.check(
        "Gneezy & Epley, 'keeping is enough' (delight_cap: 0): exceeded minus kept, mean "
        "satisfaction",
        GNEEZY_EPLEY,
        Beyond(0.0, above=False, strict=False, stated="<= 0 (not above kept)"),
        Estimate.of(means["exceeded"] - means["kept"]),
        origin="direction from the paper",
        note=GE_NOTE,
    ))
    assert row.passed, row


def test_without_the_cap_an_exceeded_promise_is_judged_above_a_kept_one(validation_row):
    """The control: the default value function (no cap) does not give Gneezy & Epley's
    ordering, so the row above is the option's doing."""
    means = satisfaction_by_outcome(outcome_world(delight_cap=None))
    row = validation_row(Row.check(
        "control, default satisfaction (no cap): exceeded minus kept is above 0, unlike "
        "Gneezy & Epley",
        "the model's default (Tversky & Kahneman 1992 value function)",
        Beyond(0.0, above=True),
        Estimate.of(means["exceeded"] - means["kept"]),
        origin="sampling error only",
        note=GE_NOTE,
    ))
    assert row.passed, row


# --- Cui et al. (2024): one day faster, same delivery, +0.73% sales --------------------------

CUI = "Cui, Lu, Sun & Golden (2024), M&SOM 26(1), field experiment"
CUI_NOTE = (
    "scenarios/validation/cui_2024.yaml: the firm holds about 10% of a market where most "
    "prospects buy nowhere; its logit coefficient per promised day is set so that one day "
    "faster gives +0.73% at that share. The logit is symmetric, so one day slower costs about "
    "as much (Cui et al. found -0.51%): that row agrees in sign and order of magnitude only.")


@functools.cache
def cui_results() -> sim.Results:
    return sim.run(sim.load_scenario(SCENARIOS / "cui_2024.yaml"), workers=1)


def sales_change(strategy: str) -> np.ndarray:
    """Per replication, the change in the firm's sales against the 5-day promise, in percent.

    The same prospects meet every strategy (common random numbers), so the ratio is paired.
    """
    table = cui_results().replications.pivot(index="replication", columns="strategy",
                                              values="conversion")
    return 100.0 * (table[strategy] / table["promise_5_days"] - 1.0).to_numpy()


def logit_response(days_change: float) -> float:
    """The logit's exact relative change in the firm's sales for ``days_change`` promised days.

    The scenario's market: the firm and a rival at 5 business days, buying nowhere at utility
    2, coefficient -0.008113 per promised day (promised days run from 5 to about 5.9 with the
    hour and weekday of the order: the response changes by less than 1e-6 over that range).
    """
    beta, outside, days = -0.008113, 2.0, 5.5
    base = math.exp(beta * days)
    moved = math.exp(beta * (days + days_change))
    return (moved / (math.exp(outside) + moved + base)) / (base / (math.exp(outside) + 2 * base)) - 1


@pytest.mark.parametrize(
    ("strategy", "published", "days_change"),
    [("promise_4_days", 0.73, -1.0), ("promise_6_days", -0.51, 1.0)],
    ids=["one_day_faster", "one_day_slower"],
)
def test_sales_respond_to_the_promise_as_cui_et_al_found(strategy, published, days_change,
                                                        validation_row):
    change = Estimate.of(sales_change(strategy))
    low, high = sorted((published / math.sqrt(10), published * math.sqrt(10)))
    word = "faster" if days_change < 0 else "slower"
    row = validation_row(Row.check(
        f"Cui et al.: sales change when the promise is one day {word}, same delivery (%)",
        CUI,
        Band(published, low, high),
        change,
        origin="sign and order of magnitude (a factor sqrt(10) either way): the paper's own "
               "interval is not in LITERATURE.md",
        note=CUI_NOTE,
    ))
    assert row.passed, row


@pytest.mark.parametrize("days_change", [-1.0, 1.0], ids=["one_day_faster", "one_day_slower"])
def test_sales_response_matches_the_logit_it_was_calibrated_with(days_change, validation_row):
    strategy = "promise_4_days" if days_change < 0 else "promise_6_days"
    word = "faster" if days_change < 0 else "slower"
    theory = 100.0 * logit_response(days_change)
    row = validation_row(Row.check(
        f"market logit: sales change for a promise one day {word}, exact for the Cui "
        "scenario's shares (%)",
        "multinomial logit, sim/model/market.py",
        Covers(theory, max_half_width=0.4 * abs(theory)),
        Estimate.of(sales_change(strategy)),
        origin="sampling error only",
        note=CUI_NOTE,
    ))
    assert row.passed, row


# --- Xie et al. (2024): lateness and repurchase within 7 days --------------------------------

XIE = "Xie, Sharma, Mehra & Aziz (2024), ISR"
XIE_NOTE = (
    "scenarios/validation/xie_2024.yaml, one business day standing for 14.08 minutes. Order "
    "records carry no customer, so each order's repurchase is read by wrapping the world's "
    "judge (sim/world/firm.py), which sees every delivered parcel with its customer. The "
    "regressions use each order's modelled chance of a repurchase within 7 days given its "
    "customer's state (conditional Monte Carlo: the same expectation without the noise of the "
    "last draw); one row checks that chance against the realised repurchases.")
STEEP_NOTE = (
    "Xie's cut beyond 10 minutes (about 1 point) is 4.2 times their average late cut (0.24); "
    "in a delivery distribution with Xie's mean, SD and late share, 40% of late orders are "
    "more than 10 minutes late, so no cut that grows with lateness can be more than 1 / 0.40 "
    "= 2.5 times the average. The scenario is calibrated to the average; these rows check the "
    "bound and the shape beyond 10 minutes, the ratio of the two published cuts.")
NEW_CUSTOMER_NOTE = (
    "With customers.memory_start: first_experience (the Xie scenario's setting; the default, "
    "neutral, starts every memory at 0) a first experience is all a new customer remembers, so "
    "a late first order moves remembered satisfaction, and the repurchase rate, twice as far as "
    "a late order of a customer with history. Under the default, new and returning customers "
    "react alike.")
XIE_SCENARIO = SCENARIOS / "xie_2024.yaml"
#: Minutes one business day stands for in the Xie scenario (see its header).
MINUTES_PER_DAY = 14.08
WEEK_HOURS = 7 * 24.0
POINTS = 100.0  # probabilities shown in percentage points


def judged_orders(scenario: sim.Scenario, replication: int) -> pd.DataFrame:
    """Every order of one replication, delivered and judged, with its customer's repurchase.

    ``repurchased`` is whether their next purchase falls within 7 days of the
    judgement; ``chance`` is its probability given their state, 1 - exp(-7 days x rate) with
    the documented rate (repurchase_per_year x exp(sensitivity x remembered satisfaction -
    fairness_penalty x padded deliveries)); nobody leaves in this scenario. Regressions use
    ``chance`` (conditional Monte Carlo: the same expectation, without the noise of the last
    draw), and a row checks it against the realised repurchases.
    """
    spec = scenario.customers
    assert spec is not None and spec.churn_base == 0.0
    rate = spec.repurchase_per_year / (365.25 * 24.0)

    def read(world, parcels, customers, judged_at):
        ids = parcels.customer
        wait = customers.next_purchase[ids] - judged_at
        hourly = rate * np.exp(spec.repurchase_sensitivity * customers.memory[ids]
                               - spec.fairness_penalty * customers.padded[ids])
        return {
            "late_minutes": MINUTES_PER_DAY * (world.calendar.to_business(parcels.delivered)
                                               - parcels.reference_b),
            "repurchased": (customers.active[ids] & (wait <= WEEK_HOURS)).astype(float),
            "chance": -np.expm1(-WEEK_HOURS * hourly),
        }

    table = judged_parcels(scenario, "quote_two_days", replication, read)
    table["late"] = table["late_minutes"] > 0
    table["previous_late"] = table["late"].groupby(table["customer"]).shift(1)
    return table[table["measured"]].reset_index(drop=True)


@functools.cache
def xie_orders() -> tuple[pd.DataFrame, ...]:
    scenario = sim.load_scenario(XIE_SCENARIO)
    return tuple(judged_orders(scenario, r) for r in range(scenario.experiment.replications))


def per_replication(statistic) -> Estimate:
    """The estimate of ``statistic(orders)`` over the Xie scenario's replications."""
    return Estimate.of([statistic(orders) for orders in xie_orders()])


def late_cut(orders: pd.DataFrame, among: pd.Series | None = None) -> float:
    """Points of 7-day repurchase a late delivery costs against an on-time one (a regression
    of the chance of repurchase on being late, among the orders ``among``)."""
    if among is not None:
        orders = orders[among]
    late = orders["late"]
    return POINTS * (orders.loc[late, "chance"].mean() - orders.loc[~late, "chance"].mean())


def cut_beyond(minutes: float):
    def statistic(orders: pd.DataFrame) -> float:
        on_time = orders.loc[~orders["late"], "chance"].mean()
        return POINTS * (orders.loc[orders["late_minutes"] > minutes, "chance"].mean() - on_time)
    return statistic


def lognormal_transit() -> stats.rv_continuous:
    transit = sim.load_scenario(XIE_SCENARIO).carrier.service_levels[0].transit_days
    return stats.lognorm(s=transit.sigma, scale=transit.median)


def xie_row(name: str, published: str, check, statistic, *, origin: str,
            note: str = XIE_NOTE) -> Row:
    """A row of the Xie scenario: ``statistic(orders)`` over its replications."""
    return Row.check(name, f"{XIE}: {published}", check, per_replication(statistic),
                     origin=origin, note=note)


def test_xie_scenario_is_late_as_often_as_calibrated(validation_row):
    theory = float(lognormal_transit().sf(3.0))  # lateness is transit - 3 business days
    row = validation_row(xie_row(
        "Xie calibration: share of orders delivered late", "30% late",
        Covers(theory), lambda o: o["late"].mean(),
        origin=f"sampling error only; the scenario's transit gives {theory:.4f} exactly",
    ))
    assert row.passed, row
    assert abs(theory - 0.30) < 1e-3


def test_xie_scenario_quotes_as_far_above_the_mean_delivery_as_calibrated(validation_row):
    transit = lognormal_transit()
    theory = (3.0 - transit.mean()) / transit.std()
    row = validation_row(xie_row(
        "Xie calibration: quote minus mean delivery, in delivery SDs",
        "(42.5 - 37.8) / 12.6 = 0.373",
        Covers(theory), lambda o: -o["late_minutes"].mean() / o["late_minutes"].std(),
        origin=f"sampling error only; the scenario's transit gives {theory:.4f} exactly",
    ))
    assert row.passed, row


def test_on_time_delivery_is_followed_by_repurchase_as_calibrated(validation_row):
    row = validation_row(xie_row(
        "Xie calibration: repurchase within 7 days after an on-time delivery (points)", "49%",
        Covers(49.0, allowance=0.5), lambda o: POINTS * o.loc[~o["late"], "chance"].mean(),
        origin="allowance 0.5 points: repurchase_per_year set by hand from trial runs",
    ))
    assert row.passed, row


def test_repurchase_chance_agrees_with_realised_repurchases(validation_row):
    row = validation_row(Row.check(
        "Xie scenario: realised 7-day repurchases minus their modelled chance (points)",
        "the model's repurchase clock",
        Covers(0.0, max_half_width=0.5),
        per_replication(lambda o: POINTS * (o["repurchased"].mean() - o["chance"].mean())),
        origin="sampling error only",
        note=XIE_NOTE,
    ))
    assert row.passed, row


def test_late_delivery_cuts_repurchase_as_calibrated(validation_row):
    row = validation_row(xie_row(
        "Xie: late minus on-time, 7-day repurchase (points)", "-0.24 points",
        Covers(-0.24, allowance=0.01), late_cut,
        origin="allowance 0.01 points: repurchase_sensitivity set by hand from trial runs",
    ))
    assert row.passed, row


@pytest.mark.parametrize(("minutes", "published"), [(10, -1.0), (20, -1.4)],
                         ids=["over_10_minutes", "over_20_minutes"])
def test_later_deliveries_cut_repurchase_by_the_published_order_of_magnitude(
        minutes, published, validation_row):
    row = validation_row(xie_row(
        f"Xie: more than {minutes} minutes late minus on-time, 7-day repurchase (points)",
        f"about {published} points",
        Band(published, published * math.sqrt(10), published / math.sqrt(10)),
        cut_beyond(minutes),
        origin="sign and order of magnitude (a factor sqrt(10) either way): no interval in "
               "LITERATURE.md",
    ))
    assert row.passed, row


def test_the_cut_grows_with_minutes_late(validation_row):
    row = validation_row(xie_row(
        "Xie: cut more than 20 minutes late minus cut more than 10 minutes late (points)",
        "-1.4 vs -1 points [shape]",
        Beyond(0.0, above=False), lambda o: cut_beyond(20)(o) - cut_beyond(10)(o),
        origin="direction only",
    ))
    assert row.passed, row


def test_the_cut_beyond_20_minutes_is_as_much_above_the_cut_beyond_10_as_published(
        validation_row):
    row = validation_row(xie_row(
        "Xie: cut more than 20 minutes late over cut more than 10 minutes late",
        "1.4 / 1 = 1.4",
        Band(1.4, 1.4 / 1.5, 1.4 * 1.5),
        lambda o: cut_beyond(20)(o) / cut_beyond(10)(o),
        origin="'about 1' and '1.4' read as a ratio known to a factor 1.5 either way: no "
               "interval in LITERATURE.md",
        note=STEEP_NOTE,
    ))
    assert row.passed, row


def test_no_cut_growing_with_lateness_gives_the_published_cut_beyond_10_minutes(validation_row):
    transit = lognormal_transit()
    bound = float(transit.sf(3.0) / transit.sf(3.0 + 10.0 / MINUTES_PER_DAY))
    row = validation_row(xie_row(
        "Xie: cut more than 10 minutes late over the average late cut, at most "
        "1 / P(more than 10 minutes late | late) for a cut growing with lateness",
        "1 / 0.24 = 4.2 [above the bound]",
        Band(bound, 1.0, bound),
        lambda o: cut_beyond(10)(o) / late_cut(o),
        origin="theory: between 1 and the bound when the cut grows with lateness",
        note=STEEP_NOTE,
    ))
    assert row.passed, row


def test_a_late_minute_costs_about_three_early_minutes(validation_row):
    def ratio(orders: pd.DataFrame) -> float:
        late = orders["late_minutes"].to_numpy()
        design = np.column_stack([np.ones(late.size), np.maximum(late, 0), np.maximum(-late, 0)])
        _, per_late, per_early = np.linalg.lstsq(design, orders["chance"].to_numpy(),
                                                 rcond=None)[0]
        return -per_late / per_early

    row = validation_row(xie_row(
        "Xie: repurchase lost per minute late over repurchase gained per minute early "
        "(piecewise-linear regression)",
        "about 3", Band(3.0, 2.0, 4.5), ratio,
        origin="'about 3' read as a factor 1.5 either way: no interval in LITERATURE.md",
    ))
    assert row.passed, row


def test_customers_late_before_react_less_to_a_late_delivery(validation_row):
    row = validation_row(xie_row(
        "Xie: late cut when the previous delivery was late minus when it was on time (points)",
        "customers whose last experience was the same react far less [shape]",
        Beyond(0.0, above=True),
        lambda o: (late_cut(o, o["previous_late"].eq(True))
                   - late_cut(o, o["previous_late"].eq(False))),
        origin="direction only",
    ))
    assert row.passed, row


def test_new_customers_react_more_to_a_late_delivery(validation_row):
    row = validation_row(xie_row(
        "Xie: late cut of first orders minus that of returning customers' orders (points)",
        "new customers react more [shape]",
        Beyond(0.0, above=False),
        lambda o: late_cut(o, o["order_number"] == 0) - late_cut(o, o["order_number"] > 0),
        origin="direction only",
        note=NEW_CUSTOMER_NOTE,
    ))
    assert row.passed, row

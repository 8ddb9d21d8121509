"""The metrics of a run: one registry of their names, meanings, units and needs.

Every list of metrics elsewhere (the ledger's table order, the names a sweep, objective,
sensitivity outcome or claim may use, which need customers, a market or a reading in stars,
which way is better)
is derived from :data:`REGISTRY`, so a metric is added or described in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, cast

__all__ = [
    "CLAIM_NAMES",
    "CUSTOMER_METRICS",
    "DESCRIPTIONS",
    "LOWER_IS_BETTER",
    "MARKET_METRICS",
    "OUTCOMES",
    "REGISTRY",
    "STARS_METRICS",
    "WEEKLY_CLAIM_METRICS",
    "ClaimMetric",
    "Metric",
    "OutcomeMetric",
    "Sections",
    "missing_section",
    "unmeasured",
]

#: A scenario section a metric needs, as a dotted path (``satisfaction.stars``).
Section = Literal["customers", "market", "satisfaction.stars"]


@dataclass(frozen=True, slots=True)
class Metric:
    """A per-replication metric of a run, as the results name it."""

    name: str
    meaning: str
    unit: str
    #: The scenario section without which the metric is not measured.
    needs: Section | None = None
    #: Which way is better; None for a count that is not an outcome.
    better: Literal["higher", "lower"] | None = "higher"
    #: Its place (from 1) among the metrics a claim may be judged on; None: not one of them.
    claim: int | None = None
    #: Whether a claim may read it over a window of weeks (it has a weekly series).
    weekly: bool = False

    @property
    def outcome(self) -> bool:
        """Whether the metric is an outcome summarised across replications (not a count)."""
        return self.better is not None


#: Every metric, in the order tables show them.
REGISTRY: tuple[Metric, ...] = (
    Metric("orders", "orders measured (placed after the warm-up)", "orders", better=None),
    Metric("promise_kept", "share delivered by the end of the promised window", "share",
           claim=1, weekly=True),
    Metric("lateness_mean", "mean business days after the promise (0 when kept)",
           "business days", better="lower", claim=5),
    Metric("lateness_p95", "95th percentile of lateness, business days", "business days",
           better="lower"),
    Metric("earliness_mean", "mean business days before the promise (0 when late)",
           "business days"),
    Metric("earliness_p95", "95th percentile of earliness, business days", "business days"),
    Metric("lead_time_mean", "mean calendar days from order to delivery", "calendar days",
           better="lower"),
    Metric("lead_time_p95", "95th percentile of lead time, calendar days", "calendar days",
           better="lower"),
    Metric("satisfaction_mean", "mean satisfaction (expectation-disconfirmation)",
           "satisfaction", claim=2, weekly=True),
    Metric("expected_stars", "mean expected star rating of measured orders, by the scenario's "
           "stars mapping (with satisfaction.stars)", "stars", needs="satisfaction.stars"),
    Metric("delighted_share", "share delivered well before the expectation", "share",
           claim=3),
    Metric("disappointed_share", "share delivered after the expectation", "share",
           better="lower", claim=4),
    Metric("shipping_cost_per_order", "mean shipping cost per order", "money",
           better="lower"),
    Metric("revenue_per_order", "mean revenue per order", "money"),
    Metric("profit_per_order", "mean profit per order: margin less shipping, late credits, "
           "lateness and quote costs", "money", claim=6),
    Metric("profit_total", "profit of all measured orders", "money", claim=7, weekly=True),
    Metric("new_customers", "customers acquired after the warm-up (with customer memory on; in "
           "a market, first purchases from the firm, won back from a rival included)",
           "customers", needs="customers", claim=8),
    Metric("lifetime_value", "profit per customer acquired: profit_total / new_customers",
           "money", needs="customers", claim=9),
    Metric("market_share", "share of the market's sales the firm won (with a market)", "share",
           needs="market", claim=10, weekly=True),
    Metric("conversion", "share of the market's prospects who bought from the firm (with a "
           "market)", "share", needs="market", claim=11),
)

_BY_NAME = {m.name: m for m in REGISTRY}

#: Each metric's meaning, in table order (the ledger's ``METRICS``).
DESCRIPTIONS: dict[str, str] = {m.name: m.meaning for m in REGISTRY}
#: Metrics summarised across replications (``orders`` is a count, not an outcome).
OUTCOMES: tuple[str, ...] = tuple(m.name for m in REGISTRY if m.outcome)
#: Metrics that exist only when customers have memory.
CUSTOMER_METRICS: tuple[str, ...] = tuple(m.name for m in REGISTRY if m.needs == "customers")
#: Metrics that exist only with a market.
MARKET_METRICS: tuple[str, ...] = tuple(m.name for m in REGISTRY if m.needs == "market")
#: Metrics that exist only with a reading of satisfaction in stars.
STARS_METRICS: tuple[str, ...] = tuple(
    m.name for m in REGISTRY if m.needs == "satisfaction.stars"
)
#: Metrics whose best value is the lowest; for every other outcome the highest is best.
LOWER_IS_BETTER: frozenset[str] = frozenset(m.name for m in REGISTRY if m.better == "lower")
#: Metrics a claim may be judged on, in their own order.
CLAIM_NAMES: tuple[str, ...] = tuple(
    m.name for m in sorted((m for m in REGISTRY if m.claim is not None),
                           key=lambda m: cast(int, m.claim))  # claim is not None here
)
#: Of those, the ones with a weekly series (a side with ``weeks`` needs one).
WEEKLY_CLAIM_METRICS: tuple[str, ...] = tuple(
    name for name in CLAIM_NAMES if _BY_NAME[name].weekly
)

if TYPE_CHECKING:  # a type checker cannot read a Literal built at run time
    OutcomeMetric = str
    ClaimMetric = str
else:
    #: A per-replication metric of a run, as named in the results (for specs and their schema).
    OutcomeMetric = Literal[OUTCOMES]
    #: A metric a claim may be judged on.
    ClaimMetric = Literal[CLAIM_NAMES]


class Sections(Protocol):
    """What a metric's measurement depends on: whether a scenario has these sections."""

    @property
    def customers(self) -> object | None:
        """The customers section, None when customers have no memory."""

    @property
    def market(self) -> object | None:
        """The market section, None when the firm sells alone."""

    @property
    def satisfaction(self) -> object:
        """The satisfaction section, whose ``stars`` is None when not read in stars."""


def missing_section(metric: str, scenario: Sections) -> Section | None:
    """The section ``metric`` needs and ``scenario`` lacks, or None if it is measured."""
    known = _BY_NAME.get(metric)
    if known is None or known.needs is None:
        return None
    return None if _has_section(scenario, known.needs) else known.needs


def _has_section(scenario: Sections, section: Section) -> bool:
    """Whether ``scenario`` holds the section at the dotted path ``section``."""
    node: object = scenario
    for key in section.split("."):
        node = getattr(node, key, None)
        if node is None:
            return False
    return True


def unmeasured(scenario: Sections) -> tuple[str, ...]:
    """The metrics a run of ``scenario`` does not measure, for want of a section."""
    return tuple(m.name for m in REGISTRY if missing_section(m.name, scenario) is not None)

"""The claim section: sides must name strategies, windows need weekly metrics."""

import pytest
from factories import small_scenario

from sim.errors import ScenarioError

CLAIM = {
    "says": "x",
    "view": "under-promise",
    "metric": "satisfaction_mean",
    "higher": {"strategy": "zappos_buffer"},
    "lower": {"strategy": "competitor_overnight"},
}


def test_a_valid_claim_loads():
    claim = small_scenario(claim=CLAIM).claim
    assert claim.higher.strategy == "zappos_buffer" and claim.higher.weeks is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"higher": {"strategy": "nobody"}}, "claim.higher.strategy: 'nobody' is not a strategy"),
        ({"metric": "happiness"}, "claim.metric"),
        ({"view": "both"}, "claim.view"),
        ({"metric": "new_customers", "higher": {"strategy": "zappos_buffer", "weeks": [0, 4]}},
         "has no weekly series"),
        ({"higher": {"strategy": "zappos_buffer", "weeks": [4, 2]}}, "'weeks' must be"),
        ({"lower": {"strategy": "zappos_buffer"}}, "same side"),
        ({"lower": {"strategy": "zappos_buffer", "weeks": [0, 2]}}, "name the strategy"),
        ({"views": {"under-promise": "zappos_buffer"}}, "views"),
    ],
)
def test_bad_claims_are_one_line_errors(change, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace("[", r"\[")) as err:
        small_scenario(claim={**CLAIM, **change})
    assert "\n" not in str(err.value)

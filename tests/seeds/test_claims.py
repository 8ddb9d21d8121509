"""Every claim scenario in scenarios/seeds/ reaches its verdict from its own fixed seed.

Each test runs the scenario file as written, with fewer replications, and checks the
direction of the claim's paired difference through the verdict (the sign of the whole
confidence interval). The expected verdicts are the findings of these scenarios under their
stated assumptions; a change to the model that flips one must be a deliberate one.
"""

from pathlib import Path

import pytest

import sim
from sim.experiment.verdict import judge_claim

SEEDS = Path(__file__).resolve().parents[2] / "scenarios" / "seeds"

EXPECTED = {
    "01_wow_of_over_delivery.yaml": "supported",
    "02_tight_promise_punished_for_slips.yaml": "supported",
    "03_buffered_parcel_survives_disruption.yaml": "supported",
    "04_word_of_mouth.yaml": "supported",
    "05_customer_learns.yaml": "supported",
    "06_padding_suspicion.yaml": "supported",
    "07_pushback_in_business.yaml": "refuted",
    "08_winning_work_with_a_tight_promise.yaml": "supported",
    "09_control_versus_influence.yaml": "refuted",
}


def test_every_claim_scenario_has_an_expected_verdict():
    assert sorted(p.name for p in SEEDS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_claim_direction(name):
    path = SEEDS / name
    text = path.read_text()
    assert text.startswith("# Claim"), "each claim scenario opens with the claim it tests"
    assert "Supported if" in text and "refuted if" in text
    scenario = sim.load_scenario(path)
    results = sim.run(scenario, replications=5, workers=1)
    verdict = judge_claim(results)
    assert verdict.replications == 5
    assert verdict.verdict == EXPECTED[name], (
        f"{verdict.higher} - {verdict.lower} on {verdict.metric}: {verdict.difference:+.4g} "
        f"[{verdict.ci_low:+.4g}, {verdict.ci_high:+.4g}]"
    )

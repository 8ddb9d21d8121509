"""``promise-sim validate``: check a scenario file without running it."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import SCENARIO, echo_json, json_option
from sim.experiment import scenario_hash
from sim.scenario import load_scenario

__all__ = ["validate"]


@click.command()
@click.argument("scenario", type=SCENARIO)
@json_option
def validate(scenario: Path, as_json: bool) -> None:
    """Check SCENARIO without running it.

    \b
    Example:
      promise-sim validate scenarios/zappos_vs_competitor.yaml
    """
    spec = load_scenario(scenario)
    if as_json:
        echo_json({"file": scenario, "ok": True, "scenario": spec.name,
                   "scenario_hash": scenario_hash(spec),
                   "strategies": [s.name for s in spec.strategies]})
        return
    names = ", ".join(s.name for s in spec.strategies)
    click.echo(f"{scenario}: ok ({spec.name}: {len(spec.strategies)} strategies: {names})")

"""``promise-sim schema``: the scenario files' JSON Schema (for editors) or Markdown reference."""

from __future__ import annotations

import json

import click

from sim.scenario import scenario_schema
from sim.scenario.reference import scenario_reference

__all__ = ["schema"]


@click.command()
@click.option("--markdown", is_flag=True,
              help="Print the scenario file reference in Markdown instead (docs/scenarios.md).")
def schema(markdown: bool) -> None:
    """Print the JSON Schema of scenario files (for editors), or their Markdown reference.

    \b
    Examples:
      promise-sim schema > scenario.schema.json
      promise-sim schema --markdown > docs/scenarios.md
    """
    if markdown:
        click.echo(scenario_reference(), nl=False)
        return
    click.echo(json.dumps(scenario_schema(), indent=2))

"""``promise-sim rerun``: make a result again from its manifest and check the numbers match.

Exit status 0 when the table of replications is the same bit for bit, 1 when it is not; a
manifest that cannot be rerun (for example one naming a strategy defined in a notebook) is a
one-line error, exit 2, like any bad input.
"""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import echo_json, json_option, where_options
from sim.cli.progress import replication_progress
from sim.experiment.executors import Executor
from sim.experiment.rerun import Rerun, read_manifest
from sim.experiment.rerun import rerun as make_again

__all__ = ["EXIT_DIFFERENT", "rerun"]

#: Exit status of a rerun whose numbers differ from the manifest's.
EXIT_DIFFERENT = 1


@click.command()
@click.argument("manifest", type=click.Path(path_type=Path))
@where_options
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; the exit status says.")
@json_option
def rerun(manifest: Path, where: Executor, quiet: bool, as_json: bool) -> None:
    """Make a result again from its MANIFEST alone and check the numbers are the same.

    MANIFEST is a results folder's manifest.json (or the folder). The scenario, seed and
    replications come from it; the table of replications is compared bit for bit with the
    digest it holds. Writes nothing. Exit status 0 when identical, 1 when not.
    \b
    Example:
      promise-sim rerun results/zappos_vs_competitor/manifest.json
    """
    name = read_manifest(manifest).get("scenario", "rerun")
    with replication_progress(str(name), enabled=not (quiet or as_json)) as progress:
        again = make_again(manifest, executor=where, progress=progress)
    if as_json:
        echo_json({"manifest": manifest, "reproduced": again.matches, "digest": again.digest,
                   "expected_digest": again.expected_digest, "same_code": again.same_code,
                   "replications": again.results.manifest["replications"],
                   "changes": again.changes})
    elif not quiet:
        click.echo(_text(again, manifest))
    if not again.matches:
        click.get_current_context().exit(EXIT_DIFFERENT)


def _text(again: Rerun, manifest: Path) -> str:
    """Whether the rerun matched, and if not what moved."""
    n = again.results.manifest["replications"]
    if again.matches:
        return (f"{manifest}: reproduced: {n} replications identical "
                f"(sha256 {again.digest[:16]}...)")
    if again.expected_digest is None:
        lines = [f"{manifest}: the manifest holds no digest of its numbers (made before "
                 "promise-sim recorded one): nothing to compare"]
    else:
        lines = [f"{manifest}: NOT reproduced: the {n} replications differ"]
    if not again.same_code:
        lines.append("the code differs from the code that made the result (code_hash): "
                     "check out its git_commit to reproduce it")
    if again.other_versions:
        lines.append("not as when the result was made (their functions may round differently "
                     "in the last bit): " + ", ".join(
                         f"{name} {then} -> {now}"
                         for name, (then, now) in again.other_versions.items()))
    if again.changes is not None:
        moved = again.changes[again.changes["max_abs_change"] > 0]
        for row in moved.itertuples():
            lines.append(f"  {row.strategy} {row.metric}: up to {row.max_abs_change:.4g}")
    return "\n".join(lines)

"""Digest of every table the scenarios of scenarios/ produce, to prove a change moved no number.

Runs each scenario the way its file asks (``sweep``, ``optimize``, ``sensitivity`` for those
files, ``run`` for the others, and ``seeds``) into a temporary folder and prints one line per
table: its path and the first 16 hex digits of the SHA-256 of its values as CSV. Run it before
and after a change and diff the two outputs (about ten minutes on 2 cores)::

    .venv/bin/python benchmarks/digests.py > before.txt   # on the old tree
    .venv/bin/python benchmarks/digests.py > after.txt    # on the new one
    diff before.txt after.txt
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

STUDIES = ("sweep", "optimize", "sensitivity")


def commands(root: Path, out: Path) -> list[tuple[str, list[str]]]:
    """The command that runs each scenario file, and the seeds."""
    files = sorted((root / "scenarios").glob("*.yaml")) + sorted(
        (root / "scenarios" / "seeds").glob("*.yaml"))
    found = []
    for path in files:
        text = path.read_text()
        study = next((s for s in STUDIES if f"{s}:" in text and s in path.stem), "run")
        found.append((path.stem, [study, str(path), "-q", "-o", str(out / path.stem)]))
    found.append(("seeds", ["seeds", "-q", "-o", str(out / "seeds")]))
    return found


def table_digest(path: Path) -> str:
    """The first 16 hex digits of the SHA-256 of the table's values written as CSV."""
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    return hashlib.sha256(table.to_csv(index=False).encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path(__file__).parents[1],
                        help="the project tree (with its .venv) [default: this one]")
    root = parser.parse_args().root.resolve()
    out = Path(tempfile.mkdtemp())
    for name, args in commands(root, out):
        done = subprocess.run([str(root / ".venv" / "bin" / "promise-sim"), *args], cwd=root,
                              capture_output=True, text=True)
        if done.returncode:
            print(name, "FAILED", done.stderr.strip().splitlines()[-1:])
            continue
        for table in sorted((out / name).rglob("*")):
            if table.suffix in (".parquet", ".csv"):
                print(f"{name}/{table.relative_to(out / name)} {table_digest(table)}", flush=True)


if __name__ == "__main__":
    main()

"""A pytest plugin: a folder of someone's work, which no results writer may replace."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class ForeignFolder:
    """A folder promise-sim did not write, and what was in it (every file's bytes)."""

    path: Path
    before: dict[str, bytes]

    def untouched(self) -> bool:
        """Whether the folder holds exactly what it held, byte for byte, and nothing beside it
        was left (no staging folder)."""
        return (contents(self.path) == self.before
                and [p.name for p in self.path.parent.iterdir()] == [self.path.name])


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative path, with its bytes (folders as empty)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b""
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def someone_elses_folder(tmp_path: Path) -> Iterator[ForeignFolder]:
    """``notes/`` with a file, a subfolder and a CSV: a folder that is not a results folder."""
    folder = tmp_path / "notes"
    (folder / "data").mkdir(parents=True)
    (folder / "thesis.tex").write_text("\\chapter{Promises}\n", encoding="utf-8")
    (folder / "data" / "orders.csv").write_bytes(b"order,days\n1,3\n")
    (folder / "summary.csv").write_bytes(b"strategy,metric\n")  # a result's name, not a result
    yield ForeignFolder(folder, contents(folder))

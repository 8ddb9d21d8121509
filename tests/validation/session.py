"""The validation suite's pytest plugin: collect the rows tests record, write the table.

Registered from ``tests/conftest.py`` (``pytest_plugins``), so that it runs in the process
that sees every test report: the only one without xdist, the controller with it (a folder's
own ``conftest.py`` is not loaded there). A row travels on its test's report
(``user_properties``); at the end of the session, if every test of ``tests/validation`` was
collected and ran, the rows are written to ``docs/validation.md`` atomically, ordered by test
id so the file is the same whatever ran where; its hand-written sections after the table are
kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from validation.rows import Collector, Row, hand_written, render_markdown, write_atomically

__all__ = ["ROW_PROPERTY", "TARGET", "ValidationSession", "ordered_test_files"]

HERE = Path(__file__).resolve().parent
#: Name of the user property a recorded row travels under.
ROW_PROPERTY = "validation_row"
#: The table, relative to the root of the repository.
TARGET = Path("docs") / "validation.md"
#: Node ids of validation tests start with this (relative to the root of the repository).
PREFIX = "tests/validation/"
#: Files whose rows come first, in this order (theory, then published results); any other
#: test file of the folder follows, alphabetically.
FIRST_FILES = ("test_queueing.py", "test_behaviour.py")


def ordered_test_files() -> list[str]:
    """The folder's test files, in the order their rows are shown."""
    names = [p.name for p in HERE.glob("test_*.py")]
    return sorted(names, key=lambda n: (FIRST_FILES.index(n) if n in FIRST_FILES
                                        else len(FIRST_FILES), n))


def _is_mine(nodeid: str) -> bool:
    return nodeid.startswith(PREFIX)


class ValidationSession:
    """The hooks, bound to one session's configuration and bookkeeping."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.collector = Collector(ordered_test_files())
        self.outcome = ""

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.collector.collected(item.nodeid for item in items if _is_mine(item.nodeid))

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        if any(_is_mine(item.nodeid) for item in items):
            self.collector.filtered = True

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids: list[str]) -> None:
        self.collector.collected(i for i in ids if _is_mine(i))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" or not _is_mine(report.nodeid):
            return
        rows = [Row.from_dict(value) for name, value in report.user_properties
                if name == ROW_PROPERTY]
        self.collector.called(report.nodeid, failed=report.failed, rows=rows)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = self.config
        if hasattr(config, "workerinput") or not self.collector.expected:
            return  # an xdist worker (the controller writes), or no validation test here
        if config.option.keyword or config.option.markexpr:
            self.collector.filtered = True
        missing = self.collector.missing()
        if missing:
            self.outcome = f"{TARGET} not written: " + "; ".join(missing)
            return
        rows = self.collector.ordered_rows()
        target = config.rootpath / TARGET
        tail = hand_written(target.read_text(encoding="utf-8")) if target.exists() else ""
        write_atomically(target, render_markdown(rows, tail=tail))
        failing = sum(not r.passed for r in rows)
        self.outcome = f"{TARGET} written: {len(rows)} rows, {failing} failing"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.outcome:
            terminalreporter.write_line(self.outcome)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ValidationSession(config), "validation-session")

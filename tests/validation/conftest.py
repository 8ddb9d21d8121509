"""Fixtures of the validation suite: a test records the rows of ``docs/validation.md``.

The session side (collecting rows from every process, writing the table when the whole folder
ran) is the plugin :mod:`validation.session`, registered from ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from validation.rows import Row
from validation.session import ROW_PROPERTY


@pytest.fixture
def validation_row(request: pytest.FixtureRequest) -> Callable[[Row], Row]:
    """Record a judged row for docs/validation.md; returns it, for the test to assert on."""

    def record(row: Row) -> Row:
        request.node.user_properties.append((ROW_PROPERTY, row.as_dict()))
        return row

    return record

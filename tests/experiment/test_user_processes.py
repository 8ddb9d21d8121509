"""What the manifest says of the user's SimPy processes, and whether they can travel or rerun."""

import pytest
from factories import quiet_fortnight

from sim.errors import ExperimentError, ResultsError
from sim.experiment.user_processes import (
    cannot_travel,
    describe_processes,
    import_processes,
    manifest_entries,
)


def test_a_module_function_is_recorded_by_its_path_and_travels():
    (entry,) = describe_processes([quiet_fortnight])
    assert entry.path == "factories:quiet_fortnight" and entry.not_rerunnable is None
    assert cannot_travel([entry]) is None
    assert import_processes(manifest_entries([entry]), source="m.json") == [quiet_fortnight]


def test_a_local_function_or_lambda_is_neither_rerunnable_nor_sent_to_workers():
    def local(env, replication):
        yield replication.day_started

    for process in (local, lambda env, replication: iter(())):
        (entry,) = describe_processes([process])
        assert "inside a function or is a lambda" in entry.not_rerunnable
        assert "workers=1" in cannot_travel([entry])
        with pytest.raises(ResultsError, match="cannot be rerun"):
            import_processes(manifest_entries([entry]), source="m.json")


def test_what_is_not_a_function_is_refused():
    with pytest.raises(ExperimentError, match="not a function"):
        describe_processes([42])


def test_a_path_that_no_longer_imports_is_one_line():
    entry = {"path": "factories:gone", "rerunnable": True, "why_not": None}
    with pytest.raises(ResultsError, match=r"m\.json: process factories:gone cannot be imported"):
        import_processes([entry], source="m.json")

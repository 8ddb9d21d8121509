"""Public names imported on first use: ``import sim`` is quick, and every name still works."""

import subprocess
import sys

import pytest

import sim
import sim.report


def _imported_after(code: str) -> set[str]:
    heavy = ("matplotlib", "statsmodels", "jinja2", "rich", "pandas", "scipy", "numba")
    check = f"{code}; import sys; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_sim_imports_no_layer_until_a_name_is_used():
    assert _imported_after("import sim") == set()


def test_a_name_imports_only_what_it_needs():
    assert "matplotlib" not in _imported_after("import sim; sim.load_scenario")
    assert "statsmodels" not in _imported_after("import sim; sim.run")


def test_every_public_name_resolves_and_is_listed():
    for package in (sim, sim.report):
        for name in package.__all__:
            assert getattr(package, name) is not None
        assert set(package.__all__) <= set(dir(package))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match=r"module 'sim\.report' has no attribute 'nothing'"):
        sim.report.nothing  # noqa: B018
    with pytest.raises(ImportError, match="cannot import name 'nothing'"):
        from sim import nothing  # noqa: F401


def test_the_layers_are_reachable_from_sim_as_before():
    assert sim.experiment.executors.default_workers() >= 1
    assert sim.report.seeds.write_verdicts is sim.report.write_verdicts
    assert "report" in dir(sim)

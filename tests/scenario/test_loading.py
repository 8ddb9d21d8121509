"""load_scenario / parse_scenario: the headline scenario loads; bad input gives one-line errors.

Every error names the file, the key path and what is wrong; each case below is a small scenario
written to ``tmp_path`` and checked with ``match``.
"""

import copy
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from sim.errors import ScenarioError, SimError
from sim.scenario import Scenario, load_scenario, parse_scenario

HEADLINE = Path(__file__).resolve().parents[2] / "scenarios" / "zappos_vs_competitor.yaml"

TINY = {
    "name": "tiny",
    "horizon": {"start": "2025-01-06", "days": 10},
    "demand": {"orders_per_day": 10},
    "warehouse": {
        "shifts": [{"start": "08:00", "end": "16:00", "pickers": 2}],
        "pick_minutes": {"dist": "lognormal", "median": 3.0, "sigma": 0.4},
    },
    "carrier": {
        "service_levels": [
            {
                "name": "overnight",
                "nominal_days": 1,
                "transit_days": {"dist": "constant", "value": 1},
                "cost": 9,
            },
            {
                "name": "ground",
                "nominal_days": 3,
                "transit_days": {"dist": "uniform", "low": 2, "high": 5},
                "cost": 4,
            },
        ]
    },
    "strategies": [{"name": "tight", "kind": "tight", "service": "overnight"}],
}


def write(tmp_path: Path, data, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def changed(path: str, value) -> dict:
    """TINY with the value at dotted ``path`` (list indices as numbers) replaced or deleted."""
    data = copy.deepcopy(TINY)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = data
    for key in parents:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


DELETE = object()


def expect_error(tmp_path: Path, data, message: str) -> None:
    """Loading ``data`` raises a ScenarioError '<file>: <message>' (message a regex)."""
    path = write(tmp_path, data)
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}{message}"):
        load_scenario(path)


# --- what loads ------------------------------------------------------------------------------


def test_load_scenario_headline_loads():
    scenario = load_scenario(HEADLINE)

    assert isinstance(scenario, Scenario)
    assert scenario.name == "zappos_vs_competitor"
    assert scenario.horizon.start == dt.date(2025, 1, 6)
    assert [s.name for s in scenario.strategies] == [
        "zappos_buffer",
        "competitor_overnight",
        "quantile_95_ground",
    ]
    assert scenario.baseline_name == "competitor_overnight"
    assert scenario.warehouse.pick_minutes.sigma == 0.5


def test_load_scenario_tiny_loads_with_defaults(tmp_path):
    scenario = load_scenario(write(tmp_path, TINY, "tiny.yaml"))

    assert scenario.calendar.country == "US"
    assert scenario.calendar.cutoff == "17:00"
    assert scenario.baseline_name == "tight"
    assert scenario.experiment.replications == 20


def test_load_scenario_spec_is_frozen(tmp_path):
    scenario = load_scenario(write(tmp_path, TINY, "tiny.yaml"))

    with pytest.raises(ValueError, match="frozen"):
        scenario.name = "other"


# --- what does not: YAML and files ------------------------------------------------------------


def test_load_scenario_yaml_syntax_error_names_line_and_column(tmp_path):
    text = "name: tiny\nhorizon: {start: 2025-01-06, days: 10\ndemand: {}\n"

    expect_error(tmp_path, text, r":3:7: invalid YAML: expected ',' or '\}', but got ':'$")


def test_load_scenario_tab_indentation_is_a_yaml_error(tmp_path):
    expect_error(tmp_path, "name: tiny\n\tdays: 5\n", r":2:1: invalid YAML: found character '\\t'")


def test_load_scenario_duplicate_key_names_line_and_column(tmp_path):
    text = "name: tiny\nhorizon:\n  start: 2025-01-06\n  days: 10\n  days: 12\n"

    expect_error(tmp_path, text, r":5:3: duplicate key 'days'$")


def test_load_scenario_python_tag_is_refused(tmp_path):
    expect_error(
        tmp_path,
        "name: !!python/object/apply:os.system ['true']\n",
        r":1:7: invalid YAML: could not determine a constructor for the tag",
    )


@pytest.mark.parametrize(
    ("text", "kind"), [("- a\n- b\n", "a list"), ("just words\n", "a string"), ("", "nothing")]
)
def test_load_scenario_top_level_must_be_a_mapping(tmp_path, text, kind):
    expect_error(tmp_path, text, rf": a scenario must be a mapping of keys, got {kind}$")


def test_load_scenario_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"

    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: no such scenario file$"):
        load_scenario(path)


def test_load_scenario_undecodable_file(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))

    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: cannot read: 'utf-8'"):
        load_scenario(path)


def test_scenario_error_is_a_sim_error(tmp_path):
    with pytest.raises(SimError, match="no such scenario file"):
        load_scenario(tmp_path / "nowhere.yaml")


# --- what does not: values --------------------------------------------------------------------

BAD_VALUES = {
    "wrong type": (
        changed("demand.orders_per_day", "many"),
        r": demand\.orders_per_day: Input should be a valid number.*, got 'many'$",
    ),
    "wrong type of section": (
        changed("warehouse.shifts", "08:00-16:00"),
        r": warehouse\.shifts: Input should be a valid list, got '08:00-16:00'$",
    ),
    "unknown key with a suggestion": (
        changed("warehouse.pick_minuts", TINY["warehouse"]["pick_minutes"]),
        r": warehouse\.pick_minuts: unknown key 'pick_minuts' \(did you mean 'pick_minutes'\?\)$",
    ),
    "unknown key without a suggestion": (
        changed("horizon.colour", "blue"),
        r": horizon\.colour: unknown key 'colour'$",
    ),
    "missing required key": (
        changed("demand.orders_per_day", DELETE),
        r": demand\.orders_per_day: required key is missing$",
    ),
    "missing required section": (
        changed("warehouse", DELETE),
        r": warehouse: required key is missing$",
    ),
    "negative order rate": (
        changed("demand.orders_per_day", -5),
        r": demand\.orders_per_day: Input should be greater than 0, got -5$",
    ),
    "negative disruption rate": (
        changed(
            "disruptions.events",
            [
                {
                    "kind": "storm",
                    "rate_per_year": -1,
                    "duration_days": {"dist": "constant", "value": 1},
                }
            ],
        ),
        r": disruptions\.events\[0\]\.rate_per_year: "
        r"Input should be greater than or equal to 0, got -1$",
    ),
    "unknown distribution": (
        changed("warehouse.pick_minutes", {"dist": "weibull", "scale": 3}),
        r": warehouse\.pick_minutes: Input tag 'weibull' found using 'dist' does not match any "
        r"of the expected tags: 'constant', 'uniform', .*'empirical'$",
    ),
    "distribution without a name": (
        changed("warehouse.pick_minutes", {"median": 3, "sigma": 0.4}),
        r": warehouse\.pick_minutes: Unable to extract tag using discriminator 'dist'$",
    ),
    "bad distribution parameter": (
        changed("warehouse.pick_minutes.sigma", -0.4),
        r": warehouse\.pick_minutes\.sigma: Input should be greater than 0, got -0\.4$",
    ),
    "bad distribution parameter in a list": (
        changed(
            "carrier.service_levels.0.transit_days",
            {"dist": "lognormal", "median": 1, "sigma": -0.4},
        ),
        r": carrier\.service_levels\[0\]\.transit_days\.sigma: "
        r"Input should be greater than 0, got -0\.4$",
    ),
    "shift ending before it starts": (
        changed("warehouse.shifts", [{"start": "14:00", "end": "06:00", "pickers": 3}]),
        r": warehouse\.shifts\[0\]: 'end' must be after 'start', got 14:00-06:00$",
    ),
    "overlapping shifts": (
        changed(
            "warehouse.shifts",
            [
                {"start": "06:00", "end": "14:00", "pickers": 3},
                {"start": "12:00", "end": "20:00", "pickers": 3},
            ],
        ),
        r": warehouse: shifts must not overlap$",
    ),
    "no shift with pickers": (
        changed("warehouse.shifts.0.pickers", 0),
        r": warehouse: at least one shift needs pickers$",
    ),
    "no working weekdays": (
        changed("calendar.working_weekdays", []),
        r": calendar\.working_weekdays: List should have at least 1 item after validation, "
        r"not 0, got a list$",
    ),
    "unknown weekday": (
        changed("calendar.delivery_weekdays", ["Mon", "Funday"]),
        r": calendar\.delivery_weekdays\[1\]: Input should be 'Mon', .* or 'Sun', got 'Funday'$",
    ),
    "repeated weekday": (
        changed("calendar.pickup_weekdays", ["Mon", "Tue", "Mon"]),
        r": calendar\.pickup_weekdays: weekdays must be unique, 'Mon' appears twice$",
    ),
    "clock time out of range": (
        changed("calendar.cutoff", "25:00"),
        r": calendar\.cutoff: String should match pattern .*, got '25:00'$",
    ),
    "delivery hours reversed": (
        changed("calendar.delivery_hours", {"start": "20:00", "end": "08:00"}),
        r": calendar\.delivery_hours: 'end' must be after 'start', got 20:00-08:00$",
    ),
    "unknown holiday country": (
        changed("calendar.country", "XX"),
        r": calendar\.country: unknown holiday country 'XX' \(use an ISO code like 'US'\)$",
    ),
    "unknown subdivision": (
        changed("calendar", {"country": "US", "subdivision": "ZZ"}),
        r": calendar: unknown subdivision 'ZZ' of US \(one of AK, .*\.\.\.\)$",
    ),
    "strategy shipping by an unknown service": (
        changed("strategies.0.service", "drone"),
        r": strategies\[0\]\.service: unknown service level 'drone' \(one of overnight, ground\)$",
    ),
    "unknown strategy kind": (
        changed("strategies.0.kind", "teleport"),
        r": strategies\[0\]: Input tag 'teleport' found using 'kind' does not match any of the "
        r"expected tags: 'buffer', 'tight', 'quantile', 'controlled', 'adaptive', 'custom'$",
    ),
    "unknown baseline": (
        changed("baseline", "nobody"),
        r": baseline: 'nobody' is not a strategy \(one of tight\)$",
    ),
    "duplicate service level names": (
        changed("carrier.service_levels.1.name", "overnight"),
        r": carrier\.service_levels: service level names must be unique, "
        r"'overnight' appears twice$",
    ),
    "warmup as long as the horizon": (
        changed("horizon.warmup_days", 10),
        r": horizon: 'warmup_days' must be < 'days' \(10\), got 10$",
    ),
    "impossible date": (
        changed("horizon.start", "2025-02-30"),
        r": horizon\.start: Input should be a valid date or datetime, .*, got '2025-02-30'$",
    ),
    "impossible peak day": (
        changed("disruptions.peaks", [{"name": "x", "start": "02-30", "end": "03-01"}]),
        r": disruptions\.peaks\[0\]\.start: not a day of the year: '02-30'$",
    ),
    "hourly profile without orders": (
        changed("demand.hourly_profile", [0] * 24),
        r": demand\.hourly_profile: must have at least one hour with orders$",
    ),
    "monthly profile too short": (
        changed("demand.monthly_profile", [1] * 11),
        r": demand\.monthly_profile: List should have at least 12 items after validation",
    ),
    "custom strategy path not an import path": (
        changed("strategies.0", {"name": "c", "kind": "custom", "path": "not a path"}),
        r": strategies\[0\]\.path: String should match pattern .*, got 'not a path'$",
    ),
    "scenario name unusable in paths": (
        changed("name", "my scenario"),
        r": name: String should match pattern .*, got 'my scenario'$",
    ),
    "too few replications": (
        changed("experiment.replications", 1),
        r": experiment\.replications: Input should be greater than or equal to 2, got 1$",
    ),
}


@pytest.mark.parametrize(("data", "message"), BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_load_scenario_bad_value_names_file_key_path_and_problem(tmp_path, data, message):
    expect_error(tmp_path, data, message)


def test_load_scenario_duplicate_strategy_names_is_an_error(tmp_path):
    data = changed("strategies", [TINY["strategies"][0], dict(TINY["strategies"][0])])

    expect_error(tmp_path, data, r": .*strategy names must be unique, 'tight' appears twice$")


def test_load_scenario_duplicate_strategy_names_names_the_key_path(tmp_path):
    data = changed("strategies", [TINY["strategies"][0], dict(TINY["strategies"][0])])

    expect_error(tmp_path, data, r": strategies: strategy names must be unique, 'tight' appears")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            changed("warehouse.pick_minutes", {"dist": "uniform", "low": 3, "high": 1}),
            r": warehouse\.pick_minutes: 'high' must be >= 'low', got low=3\.0, high=1\.0$",
        ),
        (
            changed(
                "strategies.0",
                {
                    "name": "b",
                    "kind": "buffer",
                    "min_days": 5,
                    "max_days": 4,
                    "service": "overnight",
                },
            ),
            r": strategies\[0\]: 'max_days' must be >= 'min_days', got 5\.\.4$",
        ),
    ],
    ids=["uniform high below low", "buffer max below min"],
)
def test_load_scenario_cross_field_error_names_only_keys_of_the_file(tmp_path, data, message):
    expect_error(tmp_path, data, message)


def test_load_scenario_cross_field_errors_are_reported(tmp_path):
    # what the messages do say today, whatever the key path
    expect_error(
        tmp_path,
        changed("warehouse.pick_minutes", {"dist": "uniform", "low": 3, "high": 1}),
        r": warehouse\.pick_minutes\S*: 'high' must be >= 'low', got low=3\.0, high=1\.0$",
    )
    expect_error(
        tmp_path,
        changed("warehouse.pick_minutes", {"dist": "triangular", "low": 1, "mode": 5, "high": 4}),
        r": warehouse\.pick_minutes\S*: must have low <= mode <= high and low < high, "
        r"got low=1\.0, mode=5\.0, high=4\.0$",
    )
    expect_error(
        tmp_path,
        changed("warehouse.pick_minutes", {"dist": "empirical", "values": [1, 2], "weights": [1]}),
        r": warehouse\.pick_minutes\S*: 'weights' must have one entry per value \(2\), got 1$",
    )


# --- parse_scenario ---------------------------------------------------------------------------


def test_parse_scenario_names_the_given_source():
    with pytest.raises(
        ScenarioError, match=r"^notebook cell 3: demand\.orders_per_day: required key is missing$"
    ):
        parse_scenario(changed("demand.orders_per_day", DELETE), source="notebook cell 3")


def test_parse_scenario_refuses_a_non_mapping():
    with pytest.raises(
        ScenarioError, match=r"^<scenario>: a scenario must be a mapping of keys, got int$"
    ):
        parse_scenario(42)


def test_parse_scenario_error_is_one_line():
    bad = changed("warehouse.pick_minutes", {"dist": "weibull"})

    with pytest.raises(ScenarioError) as caught:
        parse_scenario(bad)

    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("key", "written", "read"), [
    ("start", "2025-01-06", dt.date(2025, 1, 6)),
    ("start", "2025-02-30", "2025-02-30"),
    ("start", "2025-13-01", "2025-13-01"),
    ("start", "2025-01-06 25:00:00", "2025-01-06 25:00:00"),
    ("cutoff", "17:00", "17:00"),
    ("cutoff", "25:00", "25:00"),
    ("pickers", "1_000", 1000),
    ("share", "1:30.5", "1:30.5"),
])
def test_load_scenario_reads_what_is_no_date_or_number_as_written(tmp_path, monkeypatch, key,
                                                                  written, read):
    seen = {}
    monkeypatch.setattr("sim.scenario.loading.parse_scenario",
                        lambda data, source: seen.update(data))
    path = tmp_path / "x.yaml"
    path.write_text(f"{key}: {written}\n", encoding="utf-8")

    load_scenario(path)

    assert seen == {key: read}


def test_load_scenario_takes_an_unquoted_time_of_day(tmp_path):
    text = yaml.safe_dump(TINY, sort_keys=False).replace("'08:00'", "08:00").replace(
        "'16:00'", "16:00")
    assert "end: 16:00" in text
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")

    assert load_scenario(path).warehouse.shifts[0].end == "16:00"


@pytest.mark.parametrize(("written", "problem"), [
    ("2025-02-30", "day value is outside expected range"),
    ("2025-13-01", "month value is outside expected range of 1-12"),
])
def test_load_scenario_impossible_date_names_file_and_key(tmp_path, written, problem):
    text = yaml.safe_dump(TINY, sort_keys=False).replace("'2025-01-06'", written)
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: horizon\.start: Input "
                                            rf"should be a valid date or datetime, {problem}, "
                                            rf"got '{written}'$"):
        load_scenario(path)

"""satisfaction.stars: an optional reading in stars, checked where it enters, absent by default."""

import pytest
from factories import small_scenario

from sim.errors import ScenarioError
from sim.scenario.stars import Stars

STARS = {"scale": 0.5, "thresholds": [-2.0, 0.0, 1.0], "source": "a test"}


def test_stars_values_default_to_one_star_more_per_category():
    assert Stars(**STARS).star_values == (1.0, 2.0, 3.0, 4.0)
    assert Stars(**STARS, values=[0, 1, 2, 10]).star_values == (0.0, 1.0, 2.0, 10.0)


def test_a_scenario_without_stars_dumps_as_before_the_key_existed():
    plain = small_scenario()
    in_stars = small_scenario(satisfaction={"stars": STARS})

    assert plain.satisfaction.stars is None
    assert "stars" not in plain.model_dump(mode="json", by_alias=True)["satisfaction"]
    assert "stars" not in plain.model_dump_json()
    assert in_stars.model_dump(mode="json")["satisfaction"]["stars"] == {**STARS, "values": None}
    assert type(in_stars).model_validate(in_stars.model_dump(by_alias=True)) == in_stars


@pytest.mark.parametrize(("change", "message"), [
    ({"scale": -1.0}, r"satisfaction\.stars\.scale: Input should be greater than 0, got -1\.0"),
    ({"thresholds": [1.0, 1.0]},
     r"satisfaction\.stars\.thresholds: must be strictly increasing, got 1\.0 after 1\.0 at \[1\]"),
    ({"values": [1, 3, 2, 4]},
     r"satisfaction\.stars\.values: must be strictly increasing, got 2\.0 after 3\.0 at \[2\]"),
    ({"values": [1, 2, 3, 4, 5]},
     r"satisfaction\.stars: 'values' must have one more item than 'thresholds' \(4\), got 5"),
    ({"source": ""}, r"satisfaction\.stars\.source: String should have at least 1 character"),
])
def test_stars_errors_name_the_key_the_rule_and_the_value(change, message):
    with pytest.raises(ScenarioError, match=rf"^<small>: {message}"):
        small_scenario(satisfaction={"stars": {**STARS, **change}})

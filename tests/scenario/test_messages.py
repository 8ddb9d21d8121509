"""describe_error: a validation problem in the user's words, for any spec model."""

import pytest
from pydantic import Field, ValidationError

from sim.scenario.base import Spec
from sim.scenario.messages import describe_error, kind_of, one_line


class _Inner(Spec):
    pickers: int = Field(ge=0)


class _Outer(Spec):
    shifts: list[_Inner]


def first_error(data: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        _Outer.model_validate(data)
    return describe_error(caught.value, data, _Outer)


def test_describe_error_names_the_key_path_as_the_file_writes_it():
    assert first_error({"shifts": [{"pickers": 1}, {"pickers": -2}]}) == (
        "shifts[1].pickers: Input should be greater than or equal to 0, got -2")


def test_describe_error_offers_the_close_key_of_the_model_given():
    assert first_error({"shifts": [{"pikers": 1}]}) == (
        "shifts[0].pikers: unknown key 'pikers' (did you mean 'pickers'?)")


def test_describe_error_says_a_required_key_is_missing():
    assert first_error({}) == "shifts: required key is missing"


@pytest.mark.parametrize(("value", "words"), [({}, "a mapping"), ([], "a list"),
                                              (None, "nothing"), ("x", "a string"), (3, "int")])
def test_kind_of_names_a_value_in_words(value, words):
    assert kind_of(value) == words


def test_one_line_joins_lines_and_spaces():
    assert one_line("a\n  b\tc ") == "a b c"

"""Version gates: specifier parsing and per-release expectations."""

import pytest
from packaging.version import Version

from reference._support.versions import by_version, parse_spec, torch_matches


def test_local_build_tag_and_dev_suffix_do_not_matter():
    assert torch_matches(">=2.6", Version("2.6.0"))
    assert not torch_matches(">=2.6", Version("2.5.1"))


def test_by_version_picks_the_matching_range():
    expected = {"<2.6": "old", ">=2.6": "new"}

    assert by_version(expected, Version("2.5.1")) == "old"
    assert by_version(expected, Version("2.6.0")) == "new"


def test_by_version_rejects_overlapping_ranges():
    with pytest.raises(LookupError, match="matches 2 of the ranges"):
        by_version({">=2.0": 1, ">=2.6": 2}, Version("2.7"))


def test_by_version_rejects_a_gap():
    with pytest.raises(LookupError, match="matches 0 of the ranges"):
        by_version({"<2.4": 1, ">=2.6": 2}, Version("2.5"))


@pytest.mark.parametrize("spec", ["two", "", None, ">= 2.x"])
def test_parse_spec_rejects_what_is_not_pep440(spec):
    with pytest.raises(ValueError, match="PEP 440 specifier"):
        parse_spec(spec)

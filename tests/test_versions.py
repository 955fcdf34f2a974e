"""Version gates: specifier parsing and per-release expectations."""

import pytest
from packaging.version import Version

from torchref import TORCH, by_version, torch_matches
from torchref.releases import changes_between, parse_spec, release_of


def test_installed_release_read_from_metadata_is_the_imported_torch():
    import torch

    assert release_of(torch.__version__) == TORCH


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


def test_changes_between_finds_the_release_where_the_matching_range_changes():
    releases = ["2.4", "2.5", "2.6", "2.7"]

    assert changes_between(["<2.6", ">=2.6"], releases) == ["2.6"]
    assert changes_between([">=2.5"], releases) == ["2.5"]
    assert changes_between([">=2.0"], releases) == []

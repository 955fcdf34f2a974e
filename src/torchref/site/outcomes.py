"""Outcomes from recorded runs: one `Run` per results file, indexed once at load, and the badges they give."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from packaging.version import Version

from torchref.releases import changes_between, matches, minor, release_key
from torchref.results import label
from torchref.site.model import Behaviour

CELL = {"passed": "✓", "partial": "✓", "skipped": "–", "xfailed": "x", "failed": "✗", "notrun": "·"}


@dataclass(frozen=True)
class Run:
    """One recorded results file, with its tests indexed by test function once."""

    environment: dict
    tests: dict[str, dict]
    by_function: dict[str, list[dict]] = field(repr=False)

    @classmethod
    def of(cls, data: dict) -> Run:
        index: dict[str, list[dict]] = {}
        for nodeid, entry in data["tests"].items():
            index.setdefault(nodeid.split("[", 1)[0], []).append(entry)
        return cls(data["environment"], data["tests"], index)

    def outcomes(self, path: str, name: str) -> list[dict]:
        """The recorded entries of one test function (several when parametrized)."""
        return self.by_function.get(f"{path}::{name}", [])

    @property
    def device(self) -> str:
        return self.environment["device"]

    @property
    def release(self) -> str:
        """The minor release: '2.14'."""
        return minor(self.environment["torch"])

    @property
    def label(self) -> str:
        return label(self.environment)


def status(entries: list[dict]) -> tuple[str, str]:
    """(css class, text) summarising a test's entries in one run."""
    if not entries:
        return "notrun", "not run"
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["outcome"]] = counts.get(e["outcome"], 0) + 1
    n = len(entries)

    def why(outcome: str) -> str:
        text = next(e.get("reason", "") for e in entries if e["outcome"] == outcome)
        return f": {text}" if text else ""

    for outcome in ("failed", "xfailed"):
        if counts.get(outcome):
            part = f" {counts[outcome]}/{n}" if n > 1 else ""
            return outcome, f"{outcome}{part}{why(outcome)}"
    if counts.get("skipped") == n:
        return "skipped", f"skipped{why('skipped')}"
    if counts.get("skipped"):
        return "partial", f"passed {counts.get('passed', 0)}/{n}, skipped {counts['skipped']}{why('skipped')}"
    return "passed", "passed" if n == 1 else f"passed {n}/{n}"


def badges(path: str, name: str, runs: list[Run]) -> str:
    """One badge per outcome and device, over the range of releases that share it."""
    if not runs:
        return '<span class="tr-badge tr-notrun">not run</span>'
    groups: list[list] = []  # [css, text, device, first release, last release]
    for run in sorted(runs, key=lambda r: (r.device != "cpu", r.environment["gpu"] or "")):
        css, text = status(run.outcomes(path, name))
        text = re.sub(r", have [^,;]+$", "", text)  # the installed release is in the badge already
        release, device = label(run.environment).removeprefix("torch ").split(" · ", 1)
        if groups and groups[-1][:3] == [css, text, device]:
            groups[-1][4] = release
        else:
            groups.append([css, text, device, release, release])
    spans = []
    for css, text, device, first, last in groups:
        releases = first if first == last else f"{first}–{last}"
        spans.append(f'<span class="tr-badge tr-{css}">{html.escape(text)} · torch {releases} · {html.escape(device)}</span>')
    return " ".join(spans)


def release_runs(runs: list[Run]) -> list[Run]:
    """The CPU runs, one per release: the columns of the version matrix."""
    return [r for r in runs if r.device == "cpu"]


def runs_on(b: Behaviour, release: str) -> bool:
    """Whether the test's torch_version markers let it run on this release."""
    return all(matches(spec, Version(release)) for spec in b.torch_versions)


def boundaries(b: Behaviour, releases: list[str]) -> list[str]:
    """Releases at which the test's expectation changes, from its markers and by_version ranges."""
    found = set(changes_between(list(b.torch_versions), releases)) if b.torch_versions else set()
    for keys in b.by_version:
        found.update(changes_between(list(keys), releases))
    return sorted(found, key=release_key)


def range_badge(path: str, b: Behaviour, runs: list[Run]) -> str:
    """One badge summarising the behaviour over the recorded releases: holds, changed, or fails."""
    runs = release_runs(runs)
    releases = [r.release for r in runs]
    if len(set(releases)) < 2:
        return ""
    states = [status(r.outcomes(path, b.name))[0] for r in runs]
    failing = [rel for rel, s in zip(releases, states) if s == "failed"]
    changed = boundaries(b, releases)
    if failing:
        css, text = "failed", "fails on " + ", ".join(failing)
    elif changed and not b.by_version and runs_on(b, releases[-1]):
        css, text = "changed", "new in " + ", ".join(changed)
    elif changed:
        css, text = "changed", "changed in " + ", ".join(changed)
    elif all(s in ("passed", "partial") for s in states):
        css, text = "holds", f"holds on {releases[0]}–{releases[-1]}"
    else:
        return ""
    return f'<span class="tr-badge tr-{css}">{html.escape(text)}</span> '



"""The two questions a team asks before an upgrade, answered from results files.

`compare_report`: does this environment behave as the reference recorded for its release?
Only a test that ran on both sides and whose outcome differs is a behaviour difference;
a test that could not run here (a missing package, no GPU, a version gate) is listed apart.

`upgrade_report`: which behaviours change between two releases, from the tests' version
gates and the recorded results alone, with no install.
"""

from __future__ import annotations

import re

from torchref.config import Project
from torchref.releases import minor, release_key
from torchref.results import ResultsError, label, load
from torchref.site import build
from torchref.site.markdown import count, site_path
from torchref.site.outcomes import boundaries, runs_on

RAN = ("passed", "failed", "xfailed")


def _entry(tests: dict, nodeid: str) -> dict | None:
    """A test's entry, or that of its module when the whole module was skipped (importorskip)."""
    return tests.get(nodeid) or tests.get(nodeid.split("::", 1)[0])


def classify(baseline: dict, mine: dict) -> dict[str, list[tuple[str, str, str]]]:
    """(node id, baseline outcome, my outcome) grouped as `differs`, `not_run_here` and `ran_only_here`."""
    groups: dict[str, list[tuple[str, str, str]]] = {"differs": [], "not_run_here": [], "ran_only_here": []}
    for nodeid in sorted(set(baseline["tests"]) | set(mine["tests"])):
        if "::" not in nodeid:
            continue  # a module-level entry; its tests are looked up through _entry
        before, after = _entry(baseline["tests"], nodeid), _entry(mine["tests"], nodeid)
        was, now = (e["outcome"] if e else "absent" for e in (before, after))
        if was == now:
            continue
        row = (nodeid, _describe(before), _describe(after))
        if was in RAN and now in RAN:
            groups["differs"].append(row)
        elif was in RAN:
            groups["not_run_here"].append(row)
        elif now == "failed":
            groups["differs"].append(row)  # a failure here is news even without a recorded outcome
        elif now in RAN:
            groups["ran_only_here"].append(row)
    return groups


def _describe(entry: dict | None) -> str:
    if entry is None:
        return "absent"
    reason = entry.get("reason")
    return f"{entry['outcome']} ({reason})" if reason and entry["outcome"] != "passed" else entry["outcome"]


def _why(description: str) -> str:
    found = re.search(r"\((.*)\)$", description)
    return found.group(1) if found else description


def compare_report(baseline: dict, mine: dict) -> tuple[str, bool]:
    """The report, and whether any behaviour differs."""
    groups = classify(baseline, mine)
    lines = [f"torchref: your {label(mine['environment'])} against the recorded {label(baseline['environment'])}"]
    if minor(baseline["environment"]["torch"]) != minor(mine["environment"]["torch"]):
        lines.append("  (no run of your release is recorded; this compares with the nearest one)")
    differs = groups["differs"]
    if differs:
        lines.append(f"{count(len(differs), 'behaviour')} differ (recorded -> yours):")
        lines += [f"  {before} -> {after}\n      {nodeid}" for nodeid, before, after in differs]
        lines += ["re-run them with:", "  pytest " + " ".join(nodeid for nodeid, _, _ in differs)]
    else:
        lines.append(f"no behaviour differs over {sum(1 for n in mine['tests'] if '::' in n)} tests")
    if groups["not_run_here"]:
        reasons: dict[str, int] = {}
        for _, _, after in groups["not_run_here"]:
            reasons[_why(after)] = reasons.get(_why(after), 0) + 1
        lines.append(f"{count(len(groups['not_run_here']), 'recorded behaviour')} could not run here (not a difference):")
        lines += [f"  {count:>4}  {reason}" for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1])]
    if groups["ran_only_here"]:
        lines.append(f"{count(len(groups['ran_only_here']), 'behaviour')} ran here but not in the recorded run")
    return "\n".join(lines), bool(differs)


def upgrade_report(project: Project, old: str, new: str) -> str:
    """The behaviours whose expectation changes after `old` up to and including `new`."""
    releases = list(project.releases)
    for name in (old, new):
        if minor(name) not in releases:
            raise ResultsError(f"unknown release {name!r}; supported: {', '.join(releases)}")
    if release_key(minor(old)) >= release_key(minor(new)):
        raise ResultsError(f"{old} -> {new} is not an upgrade: give the older release first")
    span = [r for r in releases if release_key(minor(old)) <= release_key(r) <= release_key(minor(new))]
    found = []
    for module in build.parse_all(project):
        for b in module.behaviours:
            if changes := boundaries(b, span):
                found.append((changes[0], module.path, b))
    # Only the two releases' files: each holds every test, and reading all sixteen costs a second.
    wanted = [p for p in sorted(project.results.glob("torch-*-cpu.json")) if minor(p.name) in (minor(old), minor(new))]
    recorded = {minor(r["environment"]["torch"]): r for r in map(load, wanted)}
    lines = [f"torchref: what changes from torch {minor(old)} to {minor(new)} ({len(found)} behaviours)"]
    for rel, path, b in sorted(found, key=lambda f: (release_key(f[0]), f[1])):
        now = "holds from" if runs_on(b, minor(new)) else "no longer holds from"
        lines.append(f"  [{rel}] {b.heading}")
        lines.append(f"      {now} {rel}; page: {site_path(path)}#{b.name}")
        if link := b.source_link:
            lines.append(f"      source: {link}")
    flips = []
    if minor(old) in recorded and minor(new) in recorded:
        before, after = recorded[minor(old)]["tests"], recorded[minor(new)]["tests"]
        flips = [n for n in sorted(set(before) & set(after)) if {before[n]["outcome"], after[n]["outcome"]} == {"passed", "failed"}]
    if flips:
        lines.append(f"{len(flips)} recorded outcomes flip between passed and failed:")
        lines += [f"  {n}" for n in flips]
    return "\n".join(lines)

"""The pytest plugin, loaded through the `pytest11` entry point wherever torchref is installed.

Passive by default: it registers the markers, skips gated tests at collection (so `-ra`
names each test) and records results on `--results`. A project that sets the ini option
`torchref_reference = true` also gets the reference's own checks: every marker validated
against the project's claims file, a report header, and the guard that fails a test
which leaves torch's global state changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from torchref import claims, releases, results, versions
from torchref import config as settings
from torchref.markers import DEVICE_MARKERS, MARKERS, VERSION_MARKERS

REFERENCE_OPTION = "torchref_reference"
CLAIMS_PROPERTY = "torchref_claims"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("torchref").addoption(
        "--results",
        metavar="PATH",
        help="write the outcome of every test and the environment to PATH (a .json file, "
        "or a folder that gets torch-<release>-<device>.json)",
    )
    parser.addini(
        REFERENCE_OPTION,
        type="bool",
        default=False,
        help="torchref: validate claim markers against the project's claims file and guard torch's global state",
    )


def _reference_mode(config: pytest.Config) -> bool:
    return bool(config.getini(REFERENCE_OPTION))


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS.values():
        config.addinivalue_line("markers", line)
    if config.getoption("results"):
        config.pluginmanager.register(Recorder(config), "torchref-results")


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not _reference_mode(config):
        return None
    env = results.environment(config.rootpath)
    devices = (
        ", ".join(torch.cuda.get_device_name(i) for i in range(env["gpu_count"]))
        + f" (CUDA {env['cuda_runtime']}, driver {env['cuda_driver']})"
        if env["gpu_count"]
        else "none"
    )
    return [
        f"torch {env['torch']}, torchvision {env['torchvision'] or 'not installed'}, numpy {env['numpy']}, Python {env['python']}",
        f"CUDA devices: {devices}",
    ]


def _known_claims(config: pytest.Config) -> dict[str, dict] | None:
    if not _reference_mode(config):
        return None
    try:
        return claims.load(settings.project(config.rootpath).claims)
    except (settings.ConfigError, claims.ClaimsError) as exc:
        raise pytest.UsageError(f"torchref: {exc}") from None


def _claims(item: pytest.Item, known: dict[str, dict] | None = None) -> list[dict]:
    return [dict(zip(("id", "verdict"), claims.check(m.args, dict(m.kwargs), known), strict=True)) for m in item.iter_markers("claim")]


def _check_function_names(item: pytest.Item, mark: pytest.Mark) -> None:
    # Named, not passed: pytest.mark.x(fn) with one callable would decorate fn.
    if not mark.args or mark.kwargs or not all(isinstance(a, str) for a in mark.args):
        raise ValueError(f'write @pytest.mark.{mark.name}("function_name")')
    if mark.name == "figure" and len(mark.args) != 1:
        raise ValueError('write @pytest.mark.figure("function_name"): one figure per test')
    module = getattr(item, "module", None)
    for name in mark.args:
        if not callable(getattr(module, name, None)):
            raise ValueError(f"{mark.name} {name!r} is not a function of {getattr(module, '__name__', item.nodeid)}")


def _check(item: pytest.Item, known: dict[str, dict] | None) -> list[dict]:
    """The item's claims, or ValueError naming what is wrong with one of its torchref markers."""
    found = _claims(item, known)
    for name in VERSION_MARKERS:
        for mark in item.iter_markers(name):
            if len(mark.args) != 1 or mark.kwargs:
                raise ValueError(f'write @pytest.mark.{name}(">=2.6")')
            releases.parse_spec(mark.args[0])
    for name in ("figure", "shows"):
        for mark in item.iter_markers(name):
            _check_function_names(item, mark)
    for mark in item.iter_markers("docs_erratum"):
        if len(mark.args) != 1 or not isinstance(mark.args[0], str) or mark.kwargs:
            raise ValueError('write @pytest.mark.docs_erratum("what the docs say")')
    return found


def skip_reason(item: pytest.Item, gpus: int, here: str | None) -> str | None:
    """Why the item cannot run here, from its version and device markers; None if it can.

    `gpus` is the number of CUDA devices and `here` the accelerator, both found once per run.
    """
    for name, package in VERSION_MARKERS.items():
        for mark in item.iter_markers(name):
            have = versions.INSTALLED[package]
            if have is None:
                return f"needs {package}{mark.args[0]}, {package} is not installed"
            if not releases.matches(mark.args[0], have):
                return f"needs {package}{mark.args[0]}, have {have}"
    if item.get_closest_marker("cuda") and not gpus:
        return DEVICE_MARKERS["cuda"]
    if item.get_closest_marker("multi_gpu") and gpus < 2:
        return f"{DEVICE_MARKERS['multi_gpu']}, have {gpus}"
    if item.get_closest_marker("no_cuda") and gpus:
        return DEVICE_MARKERS["no_cuda"]
    if item.get_closest_marker("no_accelerator") and here is not None:
        return f"{DEVICE_MARKERS['no_accelerator']}, have {here}"
    return None


def accelerator() -> str | None:
    """The accelerator torch would use here (CUDA, MPS, XPU, ...), or None on a CPU-only machine."""
    probe = getattr(torch, "accelerator", None)  # torch.accelerator is 2.6+
    if probe is not None:
        return probe.current_accelerator().type if probe.is_available() else None
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Check every marker now, so a typo stops the run instead of skipping or mislabelling a
    test; then mark the tests that cannot run here, so each skip names its test."""
    known = _known_claims(config)
    problems, claimed = [], {}
    for item in items:
        try:
            claimed[item.nodeid] = _check(item, known)
        except ValueError as exc:
            problems.append(f"{item.nodeid}: {exc}")
    if problems:
        raise pytest.UsageError("bad torchref marker:\n  " + "\n  ".join(sorted(problems)))
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    here = accelerator()
    for item in items:
        if reason := skip_reason(item, gpus, here):
            item.add_marker(pytest.mark.skip(reason=reason))
        # Reports carry user properties to the process that records results (pytest-xdist's
        # controller collects nothing itself).
        item.user_properties.append((CLAIMS_PROPERTY, claimed[item.nodeid]))


class Recorder:
    """Collects each test's outcome and writes the results file at the end of the session."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.claims: dict[str, list[dict]] = {}
        self.tests: dict[str, dict] = {}
        self.written: Path | None = None
        self.not_written: tuple[Path, str] | None = None

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module skipped as a whole (`pytest.importorskip` at its top) is recorded under its own node id,
        so a comparison can say why its tests could not run."""
        if report.skipped and report.nodeid:
            self.tests[report.nodeid] = {"outcome": "skipped", "duration": 0.0, "reason": _reason(report)}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == CLAIMS_PROPERTY and isinstance(value, list):
                self.claims[report.nodeid] = value
        entry = self.tests.setdefault(report.nodeid, {"outcome": "passed", "duration": 0.0})
        entry["duration"] += report.duration
        if entry["outcome"] == "failed":
            return
        if report.failed:
            entry.update(outcome="failed", reason=_reason(report))
        elif hasattr(report, "wasxfail"):
            entry.update(outcome="xfailed", reason=report.wasxfail or "expected to fail")
        elif report.skipped:
            entry.update(outcome="skipped", reason=_reason(report))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        env = results.environment(self.config.rootpath)
        path = Path(self.config.getoption("results"))
        if path.suffix != ".json":
            path = path / results.default_name(env)
        # A run cut short (collection errors, Ctrl-C, -x) holds part of the suite: written over a
        # complete run of the same release it would lose every behaviour it did not reach.
        complete = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED)
        cut_short = session.shouldfail or session.shouldstop or (exitstatus not in complete and f"exit code {int(exitstatus)}")
        if cut_short:
            self.not_written = (path, str(cut_short))
            return
        tests = {nodeid: {**entry, "claims": self.claims.get(nodeid, [])} for nodeid, entry in sorted(self.tests.items())}
        results.write(path, {"schema_version": 1, "environment": env, "tests": tests})
        self.written = path

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.written:
            terminalreporter.write_line(f"torchref: results of {len(self.tests)} tests written to {self.written}")
        elif self.not_written:
            path, why = self.not_written
            terminalreporter.write_line(f"torchref: the run was cut short ({why}): no results written, {path} is left as it was", red=True)


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return report.longrepr[2].removeprefix("Skipped: ")
    text = str(report.longrepr or "").strip().splitlines()
    errors = [line[2:].strip() for line in text if line.startswith("E ")]
    return (errors or text or ["failed"])[0]


def _global_state() -> dict[str, object]:
    return {
        "default dtype": torch.get_default_dtype(),
        "grad mode": torch.is_grad_enabled(),
        "inference mode": torch.is_inference_mode_enabled(),
        "anomaly detection": torch.is_anomaly_enabled(),
        "deterministic algorithms": torch.are_deterministic_algorithms_enabled(),
        "thread count": torch.get_num_threads(),
        # get_default_device is 2.3+; an empty tensor lands on the default device everywhere.
        "default device": torch.empty(()).device,
    }


_RESTORE: dict[str, Callable[[Any], object]] = {
    "default dtype": torch.set_default_dtype,
    "grad mode": torch.set_grad_enabled,
    "anomaly detection": torch.autograd.set_detect_anomaly,
    "deterministic algorithms": torch.use_deterministic_algorithms,
    "thread count": torch.set_num_threads,
    "default device": lambda device: torch.set_default_device(None if device.type == "cpu" else device),
}


@pytest.fixture(autouse=True)
def torch_global_state_guard(request: pytest.FixtureRequest):
    """In a reference project, fail a test that leaves torch's process-wide settings changed, then put them back.

    Such a leak makes later tests pass or fail depending on order. Restoring keeps one
    leak from failing every test after it; the fix still belongs in the leaking test
    (a context manager, or try/finally).
    """
    if not _reference_mode(request.config):
        yield
        return
    before = _global_state()
    yield
    after = _global_state()
    changed = [name for name in before if before[name] != after[name]]
    for name in changed:
        if name in _RESTORE:
            _RESTORE[name](before[name])
    if changed:
        details = "; ".join(f"{name}: {before[name]} -> {after[name]}" for name in changed)
        pytest.fail(f"the test changed torch's global state: {details}", pytrace=False)


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:
    """Add the environment torchref records for its own results (torch, CPU, GPU, CUDA, driver)."""
    machine_info["torchref"] = results.environment(Path(str(config.rootpath)))


@pytest.hookimpl(optionalhook=True)
def pytest_benchmark_update_json(config: pytest.Config, benchmarks: list, output_json: dict) -> None:
    """Drop each benchmark's raw per-round timings: the page uses the summary figures, and the
    raw list (up to a hundred thousand rounds for a fast benchmark) would make the file megabytes."""
    for bench in output_json.get("benchmarks", []):
        bench.get("stats", {}).pop("data", None)

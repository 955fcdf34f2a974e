"""The pytest plugin of the reference: markers, skips, report header, recorded results, state guard."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from reference._support import claims, releases, results, versions
from reference._support.performance import pytest_benchmark_update_json, pytest_benchmark_update_machine_info

__all__ = [
    "pytest_addoption",
    "pytest_report_header",
    "pytest_collection_modifyitems",
    "pytest_runtest_setup",
    "pytest_configure",
    "torch_global_state_guard",
    "pytest_benchmark_update_machine_info",
    "pytest_benchmark_update_json",
]

def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("torchref").addoption(
        "--results",
        metavar="PATH",
        help="write the outcome of every test and the environment to PATH (a .json file, "
        "or a folder that gets torch-<release>-<device>.json)",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    env = results.environment(config.rootpath)
    devices = (
        ", ".join(torch.cuda.get_device_name(i) for i in range(env["gpu_count"]))
        + f" (CUDA {env['cuda_runtime']}, driver {env['cuda_driver']})"
        if env["gpu_count"]
        else "none"
    )
    return [
        f"torch {env['torch']}, torchvision {env['torchvision'] or 'not installed'}, "
        f"numpy {env['numpy']}, Python {env['python']}",
        f"CUDA devices: {devices}",
    ]


def _claims(item: pytest.Item) -> list[dict]:
    return [dict(zip(("id", "verdict"), claims.check(m.args, m.kwargs))) for m in item.iter_markers("claim")]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Check every marker now, so a typo stops the run instead of skipping or mislabelling a test."""
    problems = []
    for item in items:
        try:
            _claims(item)
            for mark in item.iter_markers("torch_version"):
                if len(mark.args) != 1 or mark.kwargs:
                    raise ValueError('write @pytest.mark.torch_version(">=2.6")')
                releases.parse_spec(mark.args[0])
            for mark in item.iter_markers("figure"):
                _check_figure(item, mark)
        except ValueError as exc:
            problems.append(f"{item.nodeid}: {exc}")
    if problems:
        raise pytest.UsageError("bad torchref marker:\n  " + "\n  ".join(problems))


def _check_figure(item: pytest.Item, mark: pytest.Mark) -> None:
    # The figure is named, not passed: pytest.mark.x(fn) with one callable would decorate fn.
    name = mark.args[0] if len(mark.args) == 1 and not mark.kwargs else None
    if not isinstance(name, str):
        raise ValueError('write @pytest.mark.figure("function_name")')
    if not callable(getattr(item.module, name, None)):
        raise ValueError(f"figure {name!r} is not a function of {item.module.__name__}")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("torch_version"):
        if not versions.torch_matches(mark.args[0]):
            pytest.skip(f"needs torch{mark.args[0]}, have {versions.TORCH}")
    if item.get_closest_marker("cuda") and not torch.cuda.is_available():
        pytest.skip("needs a CUDA device")
    if item.get_closest_marker("no_cuda") and torch.cuda.is_available():
        pytest.skip("needs a machine without a CUDA device")
    if item.get_closest_marker("multi_gpu") and torch.cuda.device_count() < 2:
        pytest.skip(f"needs 2 CUDA devices, have {torch.cuda.device_count()}")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("results"):
        config.pluginmanager.register(Recorder(config), "torchref-results")


class Recorder:
    """Collects each test's outcome and writes the results file at the end of the session."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.claims: dict[str, list[dict]] = {}
        self.tests: dict[str, dict] = {}
        self.written: Path | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.claims.update((item.nodeid, _claims(item)) for item in items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
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

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        env = results.environment(self.config.rootpath)
        tests = {
            nodeid: {**entry, "claims": self.claims.get(nodeid, [])}
            for nodeid, entry in sorted(self.tests.items())
        }
        path = Path(self.config.getoption("results"))
        if path.suffix != ".json":
            path = path / results.default_name(env)
        results.write(path, {"schema_version": 1, "environment": env, "tests": tests})
        self.written = path

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.written:
            terminalreporter.write_line(f"torchref: results of {len(self.tests)} tests written to {self.written}")


def _reason(report: pytest.TestReport) -> str:
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


_RESTORE = {
    "default dtype": torch.set_default_dtype,
    "grad mode": torch.set_grad_enabled,
    "anomaly detection": torch.autograd.set_detect_anomaly,
    "deterministic algorithms": torch.use_deterministic_algorithms,
    "thread count": torch.set_num_threads,
    "default device": lambda device: torch.set_default_device(None if device.type == "cpu" else device),
}


@pytest.fixture(autouse=True)
def torch_global_state_guard():
    """Fail a test that leaves torch's process-wide settings changed, then put them back.

    Such a leak makes later tests pass or fail depending on order. Restoring keeps one
    leak from failing every test after it; the fix still belongs in the leaking test
    (a context manager, or try/finally).
    """
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

"""Recorded results: the environment of a run and the outcome of each test, as one JSON file."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from torchref.releases import distribution_version, release_key

SCHEMA_PATH = Path(__file__).with_name("results.schema.json")


class ResultsError(Exception):
    """A results file that cannot be used; the message names the file."""


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _run(*cmd: str) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else None


def environment(root: Path) -> dict:
    # Imported here, not at the top: the site and the comparisons read results without torch.
    import numpy
    import torch

    cuda = torch.cuda.is_available()
    return {
        "torch": torch.__version__,
        "torchvision": distribution_version("torchvision"),
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "device": "cuda" if cuda else "cpu",
        "gpu": torch.cuda.get_device_name(0) if cuda else None,
        "gpu_count": torch.cuda.device_count() if cuda else 0,
        "cuda_runtime": torch.version.cuda if cuda else None,
        "cuda_driver": _run("nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader") if cuda else None,
        "commit": _run("git", "-C", str(root), "rev-parse", "HEAD"),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def default_name(env: dict) -> str:
    """`torch-2.14.1-cpu.json`, `torch-2.14.1-nvidia-h100-80gb-hbm3.json`: one file per release and device."""
    release = re.sub(r"[^0-9.].*", "", env["torch"]).rstrip(".")
    device = env["gpu"] if env["device"] == "cuda" else "cpu"
    return f"torch-{release}-{re.sub(r'[^a-z0-9]+', '-', device.lower()).strip('-')}.json"


def label(env: dict) -> str:
    """How a run is named on the site: `torch 2.14.1 · CPU`."""
    release = env["torch"].split("+")[0]
    return f"torch {release} · {env['gpu'] if env['device'] == 'cuda' else 'CPU'}"


def _plainly_valid(data: Any) -> bool:
    """A quick check of the shape the schema requires, for the common case of a good file.

    The JSON Schema stays the one definition: anything this does not accept is validated
    by it, which names what is wrong. Validating every recorded file with it took seconds
    of each site build.
    """
    s = schema()
    env_props = s["properties"]["environment"]["properties"]
    entry = s["properties"]["tests"]["additionalProperties"]
    outcomes = set(entry["properties"]["outcome"]["enum"])
    verdicts = set(entry["properties"]["claims"]["items"]["properties"]["verdict"]["enum"])
    if not isinstance(data, dict) or set(data) != set(s["required"]) or data["schema_version"] != 1:
        return False
    env, tests = data["environment"], data["tests"]
    if not isinstance(env, dict) or set(env) != set(env_props) or not isinstance(tests, dict):
        return False
    if env["device"] not in ("cpu", "cuda") or not all(
        isinstance(env[k], str) for k in ("torch", "numpy", "python", "platform", "cpu", "created")
    ):
        return False
    if not all(env[k] is None or isinstance(env[k], str) for k in ("torchvision", "gpu", "cuda_runtime", "cuda_driver", "commit")):
        return False
    if not isinstance(env["gpu_count"], int) or isinstance(env["gpu_count"], bool) or env["gpu_count"] < 0:
        return False
    claim_id = re.compile(entry["properties"]["claims"]["items"]["properties"]["id"]["pattern"])
    for e in tests.values():
        if not (
            isinstance(e, dict)
            and e.keys() <= {"outcome", "reason", "duration", "claims"}
            and e.get("outcome") in outcomes
            and isinstance(e.get("duration"), (int, float))
            and not isinstance(e.get("duration"), bool)
            and e["duration"] >= 0
            and isinstance(e.get("reason", ""), str)
            and isinstance(e.get("claims"), list)
            and all(
                isinstance(c, dict)
                and set(c) == {"id", "verdict"}
                and c["verdict"] in verdicts
                and isinstance(c["id"], str)
                and claim_id.search(c["id"])
                for c in e["claims"]
            )
        ):
            return False
    return True


def validate(data: Any, source: str) -> dict:
    if _plainly_valid(data):
        return data
    import jsonschema  # only a file the quick check refuses pays for importing the validator

    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise ResultsError(f"{source}: not a torchref results file: at {where}: {first.message}")
    return data


def load(path: Path | str) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(f"{path}: results file not found") from None
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read results file: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return validate(data, str(path))


def load_dir(folder: Path | str) -> list[dict]:
    """Every results file of a folder (none if it does not exist), ordered by release then device."""
    folder = Path(folder)
    runs = [load(p) for p in sorted(folder.glob("torch-*.json"))] if folder.is_dir() else []
    return sorted(runs, key=lambda r: (release_key(r["environment"]["torch"]), r["environment"]["device"]))


def write(path: Path, data: dict) -> None:
    """Write atomically, so an interrupted run never leaves a half-written file over a good one."""
    validate(data, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def nearest(runs: list[dict], env: dict) -> dict:
    """The recorded run to compare an environment with: same kind of device, the same minor
    release at the nearest patch, else the nearest release."""
    same_device = [r for r in runs if r["environment"]["device"] == env["device"]]
    if not same_device:
        raise ResultsError(f"no recorded {env['device']} results to compare with (expected results/torch-*.json)")
    want = release_key(env["torch"])

    def distance(run: dict) -> tuple[bool, int]:
        have = release_key(run["environment"]["torch"])
        return (have[:2] != want[:2], abs(_ordinal(have) - _ordinal(want)))

    return min(same_device, key=distance)


def record_command(python: str, reference: str, out: Path | str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The one command that runs the reference and records its results (compare, matrix and serve use it)."""
    return [python, "-m", "pytest", reference, "-q", "-p", "no:cacheprovider", "--results", str(out), *extra]


def _ordinal(key: tuple[int, ...]) -> int:
    """(2, 10, 1) -> 21001: releases as one number, so distances between them compare."""
    major, minor, patch = (*key, 0, 0, 0)[:3]
    return major * 10000 + minor * 100 + patch

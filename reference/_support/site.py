"""Assembles the site's generated pages from the reference modules and the recorded results.

Reads files and imports modules for their figures; everything that decides what a page
says is in the pure `render` module.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from reference._support import claims, figures, performance, render, results
from reference._support.releases import SUPPORTED

# Lesson order: the topics, and within each the pages (by module name without test_).
# A topic or page not listed here follows the listed ones, alphabetically.
TOPICS = {
    "tensors": ("Tensors", ["creation", "dtypes", "views", "shape", "indexing", "math", "products", "inplace", "numpy"]),
    "autograd": ("Autograd", ["graph", "backward", "worked_examples", "modes", "guards", "history"]),
    "nn": ("Modules and layers", ["module", "containers", "layers", "train_eval", "state_dict", "spatial_transformer"]),
    "init": ("Initialisation", ["gain", "schemes", "defaults"]),
    "losses": ("Losses", ["cross_entropy", "bce", "kl_div", "regression"]),
    "optim": ("Optimizers", ["sgd", "adam", "optimizer_api"]),
    "schedulers": ("LR schedulers", ["schedulers", "composition"]),
    "training": ("Training loop", ["loop", "reproducibility"]),
    "serialization": ("Saving and loading", ["save_load", "checkpoints"]),
    "data": ("Data loading", ["datasets", "dataloader", "samplers"]),
    "vision": ("torchvision", []),
    "devices": ("Devices", ["device", "cuda"]),
    "distributed": ("DataParallel and DDP", ["data_parallel", "distributed_sampler", "ddp"]),
    "performance": ("Performance", []),
}


def _rank(name: str, order: list[str]) -> tuple[int, str]:
    return (order.index(name) if name in order else len(order), name)


def module_paths(root: Path) -> list[Path]:
    found = (root / "reference").glob("*/test_*.py")
    topics = list(TOPICS)

    def key(p: Path):
        pages = TOPICS.get(p.parent.name, ("", []))[1]
        return (_rank(p.parent.name, topics), _rank(p.stem.removeprefix("test_"), pages))

    return sorted(found, key=key)


def topic_title(topic: str) -> str:
    return TOPICS[topic][0] if topic in TOPICS else topic.replace("_", " ").capitalize()


def parse_all(root: Path) -> list[render.Module]:
    modules = []
    for path in module_paths(root):
        rel = path.relative_to(root).as_posix()
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise render.RenderError(f"{rel}: not UTF-8 text ({exc.reason})") from None
        modules.append(render.parse(source, rel))
    return modules


def draw_figures(root: Path, module: render.Module) -> dict[str, str]:
    """Import the module and draw each figure function that one of its tests names."""
    names = sorted({b.figure for b in module.behaviours if b.figure})
    if not names:
        return {}
    path = root / module.path
    spec = importlib.util.spec_from_file_location(f"torchref_docs.{path.parent.name}.{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    drawn = {}
    try:
        spec.loader.exec_module(mod)
        for name in names:
            drawn[name] = figures.svg(getattr(mod, name)())
    except Exception as exc:  # any failure here must name the file, whatever it was
        raise render.RenderError(f"{module.path}: cannot draw its figures: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.modules.pop(spec.name, None)
    return drawn


def pages(root: Path) -> dict[str, tuple[str, str]]:
    """Site path -> (Markdown, source file the page comes from) for every generated page."""
    runs = results.load_dir(root / "results")
    modules = parse_all(root)
    out: dict[str, tuple[str, str]] = {"index.md": ((root / "README.md").read_text(encoding="utf-8"), "README.md")}
    by_topic: dict[str, list[render.Module]] = {}
    for m in modules:
        by_topic.setdefault(Path(m.path).parent.name, []).append(m)
        out[render.site_path(m.path)] = (render.render_page(m, runs, draw_figures(root, m)), m.path)
    for topic, mods in by_topic.items():
        out[f"{topic}/index.md"] = (render.render_topic_index(topic_title(topic), mods), f"reference/{topic}")
    groups = [(topic_title(topic), mods) for topic, mods in by_topic.items()]
    out["claims.md"] = (render.render_claims(claims.claims(), modules), "reference/_support/claims.json")
    out["compatibility.md"] = (render.render_matrix(groups, runs), "results")
    out["changes.md"] = (render.render_changes(groups, runs, list(SUPPORTED)), "results")
    benchmarks = performance.load_benchmarks(root / "results") if (root / "results").is_dir() else []
    out[performance.PAGE] = (performance.render_performance(benchmarks), "results")
    return out


def nav(root: Path) -> list:
    """The site's navigation: home, the topics in lesson order, then the cross-cutting pages."""
    topics: dict[str, list[str]] = {}
    for path in module_paths(root):
        topics.setdefault(path.parent.name, []).append(render.site_path(path.relative_to(root).as_posix()))
    entries: list = [{"Home": "index.md"}]
    entries += [{topic_title(t): [f"{t}/index.md", *paths]} for t, paths in topics.items()]
    entries += [
        {"Claims": "claims.md"},
        {"Compatibility matrix": "compatibility.md"},
        {"What changed": "changes.md"},
        {"Measured performance": performance.PAGE},
    ]
    entries += [p.relative_to(root / "docs").as_posix() for p in sorted((root / "docs").glob("*.md"))]
    return entries

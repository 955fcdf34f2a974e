"""The markers of torchref: one table, read by the plugin, the renderer and the docs."""

from __future__ import annotations

MARKERS = {
    "torch_version": "torch_version(spec): the test needs a torch release matching this PEP 440 specifier, e.g. '>=2.6'",
    "torchvision_version": "torchvision_version(spec): the test needs a torchvision release matching this PEP 440 specifier",
    "cuda": "cuda: the test needs one CUDA device",
    "multi_gpu": "multi_gpu: the test needs two or more CUDA devices",
    "no_cuda": "no_cuda: the test describes a machine without a CUDA device (what happens when there is none)",
    "no_accelerator": "no_accelerator: the test describes a machine without any accelerator (CUDA, MPS, XPU, ...)",
    "claim": "claim(id, verdict): the test verifies a claim of the source notes; verdict is 'true', 'false' or 'outdated'",
    "figure": "figure(name): the docs page draws the module's function `name`() as a chart beside this test",
    "shows": "shows(name, ...): the docs page prints the code of these module-level helpers beside the test",
    "docs_erratum": "docs_erratum(says): the official docs state `says`, and the test asserts what torch really does",
}

# Markers whose argument is a version specifier, and the package each one gates on.
VERSION_MARKERS = {"torch_version": "torch", "torchvision_version": "torchvision"}

# Markers that say where a test can run, with the skip reason a page shows for them.
DEVICE_MARKERS = {
    "cuda": "needs a CUDA device",
    "multi_gpu": "needs 2 CUDA devices",
    "no_cuda": "needs a machine without a CUDA device",
    "no_accelerator": "needs a machine without an accelerator",
}

# Markers a page shows as badges, figures or notes rather than as code.
META_MARKERS = frozenset(MARKERS)

"""torchref: PyTorch's semantics as executable assertions.

The author API of the reference: version gates (`by_version`, `torch_matches`), exact
exception and warning assertions (`raises_exactly`, `warns_exactly`), and the pictures a
page draws from a test's own data: `Figure` (a chart), `autograd_graph` and `strided`. The pytest plugin is `torchref.plugin`,
loaded through its entry point.
"""

from torchref.exact import raises_exactly, warns_exactly
from torchref.site.diagrams import Graph, Strided, autograd_graph, strided
from torchref.site.svg import Figure
from torchref.versions import TORCH, TORCHVISION, by_version, torch_matches

__all__ = [
    "TORCH",
    "TORCHVISION",
    "Figure",
    "Graph",
    "Strided",
    "autograd_graph",
    "by_version",
    "raises_exactly",
    "strided",
    "torch_matches",
    "warns_exactly",
]

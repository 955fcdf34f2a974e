"""Logging to TensorBoard

`torch.utils.tensorboard.SummaryWriter` writes event files into a log directory; TensorBoard
reads them and draws them. Each test below writes with a `SummaryWriter` into a temporary
directory and reads the events back with TensorBoard's own `EventAccumulator`, so what it
asserts is what the TensorBoard UI shows. The page needs the `tensorboard` package:
`torch.utils.tensorboard` does not import without it.
"""

import inspect
import io

import pytest
import torch
from PIL import Image
from torch import nn

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch.utils.tensorboard import SummaryWriter

from torchref import raises_exactly, warns_exactly

EMPTY = inspect.Parameter.empty


def read_events(log_dir):
    """Load the event files of one run directory the way TensorBoard does."""
    events = EventAccumulator(str(log_dir))
    events.Reload()
    return events


def parameters(method):
    """The parameters of `method` after `self`, as (name, default) pairs."""
    return [(p.name, p.default) for p in inspect.signature(method).parameters.values()][1:]


def decoded(image_event):
    """The PNG that TensorBoard stored for one image event, as a PIL image."""
    return Image.open(io.BytesIO(image_event.encoded_image_string))


@pytest.mark.shows("read_events")
def test_add_scalar_records_one_point_per_global_step(tmp_path):
    """`add_scalar(tag, scalar_value, global_step)` adds one point to the curve named `tag`.

    A training loop calls it once per step or epoch, and TensorBoard plots `scalar_value`
    against `global_step`. The writer buffers events, so `close()` (or `flush()`) before
    anything reads them.

    Docs: https://docs.pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_scalar
    """
    losses = [1.0, 0.5, 0.25]  # exact in float32, the type events store
    writer = SummaryWriter(log_dir=tmp_path)

    for step, loss in enumerate(losses):
        writer.add_scalar("loss/train", loss, step)
    writer.close()

    points = read_events(tmp_path).Scalars("loss/train")
    assert [p.step for p in points] == [0, 1, 2]
    assert [p.value for p in points] == losses
    assert parameters(SummaryWriter.add_scalar)[:3] == [("tag", EMPTY), ("scalar_value", EMPTY), ("global_step", None)]


@pytest.mark.claim("S1-027", verdict="false")
@pytest.mark.shows("read_events")
def test_add_scalars_takes_a_main_tag_and_a_dict_of_curves(tmp_path):
    """`add_scalars(main_tag, tag_scalar_dict, global_step)` takes a dict and writes one run per key.

    The note gives `add_scalars(tag, scalar_value, global_step=None)`, which is the
    signature of `add_scalar` (singular). `add_scalars` takes a *dict* of values, for
    several curves on one chart: each key gets its own run directory
    `<log_dir>/<main_tag>_<key>`, holding the tag `main_tag`, so TensorBoard overlays them.
    Handed a single number it fails (next test).

    Docs: https://docs.pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_scalars
    """
    writer = SummaryWriter(log_dir=tmp_path)

    writer.add_scalars("loss", {"train": 1.0, "val": 2.0}, 0)
    writer.add_scalars("loss", {"train": 0.5, "val": 1.5}, 1)
    writer.close()

    train = read_events(tmp_path / "loss_train").Scalars("loss")
    val = read_events(tmp_path / "loss_val").Scalars("loss")
    assert [(p.step, p.value) for p in train] == [(0, 1.0), (1, 0.5)]
    assert [(p.step, p.value) for p in val] == [(0, 2.0), (1, 1.5)]
    assert parameters(SummaryWriter.add_scalars) == [("main_tag", EMPTY), ("tag_scalar_dict", EMPTY), ("global_step", None), ("walltime", None)]


def test_add_scalars_refuses_a_single_number(tmp_path):
    """`add_scalars` with a number instead of a dict raises an AttributeError.

    It iterates `tag_scalar_dict.items()`, and a float has no `items`: use `add_scalar`
    for one curve.

    Docs: https://docs.pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_scalars
    """
    writer = SummaryWriter(log_dir=tmp_path)

    with raises_exactly(AttributeError, match=r"'float' object has no attribute 'items'"):
        writer.add_scalars("loss", 1.0, 0)
    writer.close()


@pytest.mark.claim("S1-025", verdict="true")
@pytest.mark.shows("decoded")
def test_add_image_takes_a_chw_tensor_by_default(tmp_path):
    """`add_image(tag, img_tensor, global_step=None, walltime=None, dataformats='CHW')` stores a (C, H, W) image.

    The note's signature is right. A float image in [0, 1] is scaled by 255 and stored as
    a PNG: a (3, 4, 5) tensor whose red channel is 1 becomes a 5-wide, 4-high red picture.
    A `uint8` image in [0, 255] is stored as it is.

    Docs: https://docs.pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_image
    """
    red = torch.zeros(3, 4, 5)
    red[0] = 1.0
    writer = SummaryWriter(log_dir=tmp_path)

    writer.add_image("float", red, 7)
    writer.add_image("uint8", (red * 255).to(torch.uint8), 7)
    writer.close()

    events = read_events(tmp_path)
    for tag in ["float", "uint8"]:
        (image,) = events.Images(tag)
        assert (image.step, image.width, image.height) == (7, 5, 4)
        assert decoded(image).getpixel((0, 0)) == (255, 0, 0)
    assert parameters(SummaryWriter.add_image) == [
        ("tag", EMPTY), ("img_tensor", EMPTY), ("global_step", None), ("walltime", None), ("dataformats", "CHW")
    ]


@pytest.mark.shows("decoded")
def test_add_image_reads_an_hwc_tensor_with_dataformats_hwc(tmp_path):
    """`dataformats='HWC'` logs a (H, W, C) image, as PIL and NumPy lay them out, to the same picture.

    Docs: https://docs.pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_image
    """
    red = torch.zeros(4, 5, 3)
    red[..., 0] = 1.0
    writer = SummaryWriter(log_dir=tmp_path)

    writer.add_image("hwc", red, 0, dataformats="HWC")
    writer.close()

    (image,) = read_events(tmp_path).Images("hwc")
    assert (image.width, image.height) == (5, 4)
    assert decoded(image).getpixel((0, 0)) == (255, 0, 0)


@pytest.mark.shows("decoded")
def test_add_image_misreads_an_hwc_tensor_without_dataformats(tmp_path):
    """A (4, 5, 3) HWC tensor logged with the default `'CHW'` becomes a 3-wide, 5-high RGBA image.

    Nothing checks the layout: the first dimension, 4, is taken as four channels (RGBA),
    and height and width come from the other two. Pass `dataformats='HWC'`, or permute
    the tensor to (C, H, W).

    Docs: https://docs.pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_image
    """
    hwc = torch.zeros(4, 5, 3)
    writer = SummaryWriter(log_dir=tmp_path)

    writer.add_image("wrong", hwc, 0)
    writer.close()

    (image,) = read_events(tmp_path).Images("wrong")
    assert (image.width, image.height) == (3, 5)
    assert decoded(image).mode == "RGBA"


@pytest.mark.claim("S1-026", verdict="true")
# From 2.10 on, add_graph's torch.jit.trace warns that tracing is deprecated (see the next test).
@pytest.mark.filterwarnings(r"ignore:`torch\.jit\.trace(_method)?` is deprecated")
def test_add_graph_traces_the_model_on_an_example_input(tmp_path):
    """`add_graph(model, input_to_model=None, verbose=False, use_strict_trace=True)` records the traced graph.

    The note's signature is right. The writer runs `torch.jit.trace(model, input_to_model)`
    and stores the operations it saw, so the input must be a real example batch; for a
    `Linear` followed by `ReLU` the graph holds `aten::linear` and `aten::relu`.

    Docs: https://docs.pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_graph
    """
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    writer = SummaryWriter(log_dir=tmp_path)

    writer.add_graph(model, torch.zeros(1, 2))
    writer.close()

    ops = [node.op for node in read_events(tmp_path).Graph().node]
    assert "aten::linear" in ops and "aten::relu" in ops
    assert parameters(SummaryWriter.add_graph) == [
        ("model", EMPTY), ("input_to_model", None), ("verbose", False), ("use_strict_trace", True)
    ]


@pytest.mark.torch_version(">=2.14")
def test_add_graph_warns_that_tracing_is_deprecated_since_2_14(tmp_path):
    """Since 2.14, `add_graph` emits a FutureWarning: the `torch.jit.trace` it relies on is deprecated.

    TorchScript is deprecated in favour of `torch.compile` and `torch.export`; releases
    2.10 to 2.13 flagged `torch.jit.trace` with a DeprecationWarning, hidden by default,
    and 2.14 made it a FutureWarning, which every user sees. The trace warns once for
    `torch.jit.trace` and again for each `torch.jit.trace_method` it runs inside.
    `add_graph` still writes the graph.

    Docs: https://docs.pytorch.org/docs/stable/tensorboard.html#torch.utils.tensorboard.writer.SummaryWriter.add_graph
    """
    writer = SummaryWriter(log_dir=tmp_path)

    with warns_exactly(FutureWarning, match=r"`torch\.jit\.trace(_method)?` is deprecated\. Please switch to `torch\.compile` or `torch\.export`"):
        writer.add_graph(nn.Linear(2, 1), torch.zeros(1, 2))
    writer.close()

    assert read_events(tmp_path).Tags()["graph"] is True

"""DataParallel

`nn.DataParallel` runs one process and splits each batch across the GPUs of one machine:
every forward scatters the input along dim 0, copies the module to each GPU, runs the
copies in threads and gathers the outputs on `device_ids[0]`. It is a module that holds
your model as `.module`, which shows in its `state_dict` keys. PyTorch's own docs
recommend `DistributedDataParallel` instead, even on a single machine. Without a GPU,
DataParallel does nothing at all but call your model.
"""

import re

import pytest
import torch
from torch import nn
from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present

from torchref import raises_exactly, warns_exactly


class SumToScalar(nn.Module):
    """A model whose output is 0-dimensional, like a loss computed inside `forward`."""

    def forward(self, x):
        return x.sum()


def test_data_parallel_holds_the_model_as_module():
    """`nn.DataParallel(model).module` is the model you passed, not a copy.

    The wrapper is itself an `nn.Module` whose only child is `module`, so its parameters
    are the model's parameters.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    model = nn.Linear(2, 2)

    dp = nn.DataParallel(model)

    assert dp.module is model
    assert list(dp.parameters()) == list(model.parameters())


def test_data_parallel_state_dict_keys_gain_a_module_prefix():
    """The wrapper's `state_dict` names every entry `module.<name>`.

    A checkpoint saved from `dp.state_dict()` therefore has different keys from one saved
    from the bare model: the cause of many "Missing key(s)" errors when loading.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    model = nn.Linear(2, 2)

    keys = list(nn.DataParallel(model).state_dict())

    assert keys == ["module.weight", "module.bias"]
    assert list(model.state_dict()) == ["weight", "bias"]


def test_prefixed_state_dict_does_not_load_into_a_plain_model():
    """Loading a DataParallel `state_dict` into the bare model raises, listing missing and unexpected keys.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    saved = nn.DataParallel(nn.Linear(2, 2)).state_dict()
    plain = nn.Linear(2, 2)

    with raises_exactly(
        RuntimeError,
        match=re.escape('Missing key(s) in state_dict: "weight", "bias". \n\tUnexpected key(s) in state_dict: "module.weight", "module.bias"'),
    ):
        plain.load_state_dict(saved)


def test_stripping_the_module_prefix_lets_a_plain_model_load():
    """Removing the leading `module.` from each key makes the checkpoint loadable by the bare model.

    `torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(state, "module.")`
    does the same in place. On a machine with one GPU the wrapper has moved the model to
    `cuda:0`; `load_state_dict` copies across devices, so the bare CPU model loads it all
    the same (the comparison brings the source to the CPU).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    torch.manual_seed(0)
    trained = nn.DataParallel(nn.Linear(2, 2))
    saved = trained.state_dict()
    plain = nn.Linear(2, 2)
    in_place = dict(saved)

    plain.load_state_dict({k.removeprefix("module."): v for k, v in saved.items()})
    consume_prefix_in_state_dict_if_present(in_place, "module.")

    assert torch.equal(plain.weight, trained.module.weight.cpu())
    assert torch.equal(plain.bias, trained.module.bias.cpu())
    assert sorted(in_place) == ["bias", "weight"]


def test_loading_into_the_wrapped_module_needs_no_renaming():
    """`dp.module.state_dict()` has plain keys, and `dp.module.load_state_dict` accepts them.

    Saving `dp.module.state_dict()` in the first place gives a checkpoint that loads with
    or without the wrapper. (With one GPU the wrapped model sits on `cuda:0`, so the
    comparisons bring it to the CPU.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    torch.manual_seed(0)
    source = nn.Linear(2, 2)
    dp = nn.DataParallel(nn.Linear(2, 2))
    bare = nn.Linear(2, 2)

    dp.module.load_state_dict(source.state_dict())
    bare.load_state_dict(dp.module.state_dict())

    assert list(dp.module.state_dict()) == ["weight", "bias"]
    assert torch.equal(dp.module.weight.cpu(), source.weight)
    assert torch.equal(bare.weight, source.weight)


def test_data_parallel_does_not_forward_attribute_access():
    """`dp.weight` raises AttributeError: the model's attributes are reached through `dp.module`.

    A wrapper is not a proxy. Code written for the bare model (`model.fc`, custom methods)
    must say `dp.module.fc` once the model is wrapped.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    dp = nn.DataParallel(nn.Linear(2, 2))

    with raises_exactly(AttributeError, match="'DataParallel' object has no attribute 'weight'"):
        dp.weight
    assert dp.module.weight.shape == (2, 2)


@pytest.mark.no_cuda
def test_data_parallel_without_a_gpu_just_calls_the_module():
    """Without a GPU, DataParallel's `device_ids` is empty and its forward is `module(input)`.

    Nothing is split or copied, so the wrapper costs nothing and gives the model's own
    output: code written for GPUs still runs on a laptop.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    x = torch.randn(3, 2)

    dp = nn.DataParallel(model)

    assert dp.device_ids == []
    assert torch.equal(dp(x), model(x))


@pytest.mark.no_cuda
def test_data_parallel_ignores_device_ids_without_a_gpu():
    """`nn.DataParallel(model, device_ids=[0, 1])` on a machine without GPUs neither fails nor uses them.

    The constructor checks for an accelerator first; finding none, it drops `device_ids`
    and keeps the model on the CPU. So the note's line (claim S3-012, checked on two GPUs
    on this page's last test) silently trains on the CPU where there is no GPU.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    model = nn.Linear(2, 2)

    dp = nn.DataParallel(model, device_ids=[0, 1])

    assert dp.device_ids == []
    assert dp(torch.ones(4, 2)).device.type == "cpu"


class Scale(nn.Module):
    """A model with no parameters whose forward takes a keyword argument."""

    def forward(self, x, *, factor):
        return x * factor


def test_data_parallel_passes_keyword_arguments_to_the_module():
    """`dp(x, factor=3.0)` reaches the model's `forward` with the keyword argument intact.

    DataParallel accepts arbitrary positional and keyword inputs. Tensors are split along
    the batch dimension on GPUs; a Python number such as `factor` is handed to every
    replica as it is. Without a GPU the call is simply `module(x, factor=3.0)`. (On a GPU
    machine the output lands on `cuda:0`, hence the `.cpu()`.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    x = torch.arange(8.0).view(4, 2)
    dp = nn.DataParallel(Scale())

    out = dp(x, factor=3.0)

    assert out.shape == (4, 2)
    assert torch.equal(out.cpu(), x * 3.0)


@pytest.mark.no_cuda
def test_data_parallel_without_a_gpu_ignores_output_device_and_dim():
    """Without a GPU, `output_device` and `dim` are accepted and ignored: the wrapper does not even store them.

    The constructor returns as soon as it finds no accelerator, before it records `dim`,
    `output_device` or the source device. A forward with `dim=1` is therefore the model's
    own forward, and code that reads `dp.dim` or `dp.output_device` works on a GPU machine
    only.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    x = torch.randn(3, 2)

    dp = nn.DataParallel(model, output_device=1, dim=1)

    assert torch.equal(dp(x), model(x))
    with raises_exactly(AttributeError, match="'DataParallel' object has no attribute 'dim'"):
        dp.dim
    with raises_exactly(AttributeError, match="'DataParallel' object has no attribute 'output_device'"):
        dp.output_device


def test_data_parallel_to_moves_the_wrapped_model():
    """`dp.to(...)` converts the wrapped model too, because it is a registered submodule.

    That is why the tutorial's order, wrap first and then `model.to(device)`, works. With
    a dtype it shows on a CPU; on a GPU the same call moves the parameters to one device.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Linear(2, 2)
    dp = nn.DataParallel(model)

    returned = dp.to(torch.float64)

    assert returned is dp
    assert model.weight.dtype == torch.float64


def test_data_parallel_docs_recommend_distributed_data_parallel():
    """DataParallel's own documentation recommends `DistributedDataParallel` for multi-GPU training.

    DataParallel runs the replicas as threads of one Python process (so they contend for
    the GIL), copies the model to every GPU on every forward, and gathers all outputs on
    one GPU. DDP runs a process per GPU and only exchanges gradients.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    doc = " ".join(nn.DataParallel.__doc__.split())

    assert "It is recommended to use :class:`~torch.nn.parallel.DistributedDataParallel`" in doc


@pytest.mark.cuda
def test_data_parallel_on_one_gpu_moves_the_model_there():
    """With `device_ids=[0]`, DataParallel moves the model to `cuda:0` when it is constructed.

    With a single device it runs the model directly on that device; the CPU input is
    copied to `cuda:0` by the scatter step, and the output stays there.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    model = nn.Linear(2, 2)

    dp = nn.DataParallel(model, device_ids=[0])
    out = dp(torch.ones(4, 2))

    assert next(model.parameters()).device == torch.device("cuda:0")
    assert out.device == torch.device("cuda:0")


@pytest.mark.cuda
@pytest.mark.claim("S0-027", verdict="true")
def test_data_parallel_then_to_device_puts_the_model_on_device_zero():
    """Wrapping in DataParallel and then calling `.to("cuda")` leaves the parameters on `cuda:0`.

    The note's recipe (the official tutorial's) works, with a nuance: `model.to(device)`
    puts the one real copy of the parameters on the first GPU. The other GPUs get a fresh
    replica inside every forward and hand their gradients back to that copy.

    Docs: https://docs.pytorch.org/tutorials/beginner/blitz/data_parallel_tutorial.html
    """
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    dp = nn.DataParallel(model)

    dp.to("cuda")
    out = dp(torch.ones(8, 2, device="cuda"))

    assert {p.device for p in model.parameters()} == {torch.device("cuda:0")}
    assert out.shape == (8, 1)
    assert out.device == torch.device("cuda:0")


@pytest.mark.cuda
def test_data_parallel_defaults_to_every_gpu_gathering_on_the_first():
    """On a CUDA machine, `device_ids` defaults to all GPUs, `output_device` to `device_ids[0]` and `dim` to 0.

    The wrapper stores the indices as integers, so `torch.device("cuda:0")` is recorded
    as `0`, and an explicit `output_device` is kept as given.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    default = nn.DataParallel(nn.Identity())
    by_device = nn.DataParallel(nn.Identity(), device_ids=[torch.device("cuda:0")], output_device=torch.device("cuda:0"), dim=1)

    assert default.device_ids == list(range(torch.cuda.device_count()))
    assert default.output_device == 0
    assert default.dim == 0
    assert by_device.device_ids == [0]
    assert by_device.output_device == 0
    assert by_device.dim == 1


@pytest.mark.cuda
def test_data_parallel_rejects_a_gpu_that_does_not_exist():
    """Naming a GPU index beyond `device_count()` in `device_ids` raises when DataParallel is built.

    On a CUDA machine the constructor reads every listed device's properties (to warn about
    unbalanced GPUs), and an index that does not exist fails there.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    missing = torch.cuda.device_count()

    with raises_exactly(AssertionError, match="Invalid device id"):
        nn.DataParallel(nn.Linear(2, 2), device_ids=[0, missing])


@pytest.mark.multi_gpu
def test_data_parallel_needs_the_model_on_device_ids_zero():
    """With two GPUs, a model left on the CPU makes DataParallel's forward raise.

    With several devices the constructor does not move the model (with one it does, as
    above); the forward checks that parameters and buffers are on `device_ids[0]`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    dp = nn.DataParallel(nn.Linear(2, 2), device_ids=[0, 1])

    with raises_exactly(RuntimeError, match=r"module must have its parameters and buffers on device cuda:0"):
        dp(torch.ones(4, 2))


@pytest.mark.multi_gpu
def test_data_parallel_gathers_scalar_outputs_into_a_vector():
    """A model returning a 0-d tensor gives, through DataParallel, one value per GPU.

    Each replica returns its own scalar; `gather` cannot concatenate scalars, so it warns
    and stacks them. Reduce with `.mean()` (or return per-sample losses) before `backward`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    dp = nn.DataParallel(SumToScalar(), device_ids=[0, 1])

    with warns_exactly(UserWarning, match="all input tensors were scalars"):
        out = dp(torch.ones(4, 2, device="cuda:0"))

    assert out.tolist() == [4.0, 4.0]


@pytest.mark.multi_gpu
@pytest.mark.claim("S3-012", verdict="true")
def test_data_parallel_splits_the_batch_across_gpus_zero_and_one():
    """`nn.DataParallel(model, device_ids=[0, 1])` runs half the batch on each GPU and gathers on GPU 0.

    The note is right. A forward hook (called once per replica) records where each half
    ran; the output comes back on `cuda:0` in batch order, and `backward` sums the
    replicas' gradients into the model, giving the full-batch gradient.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    torch.manual_seed(0)
    model = nn.Linear(3, 1).to("cuda:0")
    reference = nn.Linear(3, 1).to("cuda:0")
    reference.load_state_dict(model.state_dict())
    seen = []
    model.register_forward_hook(lambda mod, inp, out: seen.append((str(inp[0].device), inp[0].shape[0])))
    x = torch.randn(4, 3, device="cuda:0")

    out = nn.DataParallel(model, device_ids=[0, 1])(x)
    out.sum().backward()
    reference(x).sum().backward()

    assert sorted(seen) == [("cuda:0", 2), ("cuda:1", 2)]
    assert out.device == torch.device("cuda:0")
    torch.testing.assert_close(out, reference(x))
    torch.testing.assert_close(model.weight.grad, reference.weight.grad)


class Counting(nn.Module):
    """Counts its forward calls twice: in a plain attribute and in a buffer."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)
        self.calls = 0
        self.register_buffer("seen", torch.zeros(()))

    def forward(self, x):
        self.calls += 1
        self.seen.add_(1)
        return self.lin(x)


@pytest.mark.multi_gpu
def test_data_parallel_loses_attribute_updates_made_in_forward():
    """Attribute updates made in `forward` are lost under DataParallel; in-place buffer updates survive only from the `device_ids[0]` replica.

    Every forward runs on throw-away replicas, so `self.calls += 1` increments the
    replicas' attributes and the wrapped model's `calls` stays 0. The replica on
    `device_ids[0]` shares its parameters' and buffers' storage with the model, so its
    in-place `seen.add_(1)` is kept; the other replica's is not. Two replicas ran, and the
    model saw one increment.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    model = Counting().to("cuda:0")
    dp = nn.DataParallel(model, device_ids=[0, 1])

    dp(torch.ones(4, 2, device="cuda:0"))

    assert model.calls == 0
    assert model.seen.item() == 1.0


@pytest.mark.multi_gpu
def test_data_parallel_scatters_along_dim_and_gathers_on_output_device():
    """`dim=1` splits the input along its second dimension, and `output_device=1` gathers the result on GPU 1.

    `dim` is where the batch lies (0 by default) and `output_device` where the outputs
    are concatenated (`device_ids[0]` by default). The identity model shows both: each
    GPU sees a 2 x 2 half, and the gathered output is the input again, on `cuda:1`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    model = nn.Identity()
    seen = []
    model.register_forward_hook(lambda mod, inp, out: seen.append((str(inp[0].device), tuple(inp[0].shape))))
    x = torch.arange(8.0, device="cuda:0").view(2, 4)

    out = nn.DataParallel(model, device_ids=[0, 1], output_device=1, dim=1)(x)

    assert sorted(seen) == [("cuda:0", (2, 2)), ("cuda:1", (2, 2))]
    assert out.device == torch.device("cuda:1")
    assert torch.equal(out.cpu(), x.cpu())


@pytest.mark.multi_gpu
def test_data_parallel_uses_only_as_many_gpus_as_the_batch_has_samples():
    """A batch of one sample runs on `device_ids[0]` alone: DataParallel cannot split it.

    The scatter makes at most one chunk per sample, and only that many replicas are
    made. The docs ask for a batch size larger than the number of GPUs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html#torch.nn.DataParallel
    """
    model = nn.Linear(2, 2).to("cuda:0")
    seen = []
    model.register_forward_hook(lambda mod, inp, out: seen.append(str(inp[0].device)))

    out = nn.DataParallel(model, device_ids=[0, 1])(torch.ones(1, 2, device="cuda:0"))

    assert seen == ["cuda:0"]
    assert out.shape == (1, 2)

"""Devices and moving data

Every tensor lives on one device: the CPU, a CUDA GPU, or the data-less `meta` device.
`torch.device` names one; `.to(...)` moves a tensor or a module there. The two `.to`s differ
in a way that matters: a tensor's `.to` returns a new tensor (or the same one, when nothing
changes) and leaves the original alone, while a module's `.to` converts the module in
place. Everything on this page runs without a GPU; the GPU half is on the next page.
"""

import numpy as np
import pytest
import torch
from torch import nn

from torchref import by_version, raises_exactly


def test_device_string_names_a_type_and_an_index():
    """`torch.device("cuda:1")` is device type `"cuda"`, index 1.

    Making a `torch.device` only parses the name: it needs no GPU and checks no hardware,
    so this runs on any machine.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.device
    """
    device = torch.device("cuda:1")

    assert device.type == "cuda"
    assert device.index == 1
    assert str(device) == "cuda:1"
    assert device == torch.device("cuda", 1)


def test_device_without_an_index_is_not_the_same_as_index_zero():
    """`torch.device("cuda")` has index `None`, so it is not equal to `torch.device("cuda:0")`.

    A device without an index means "the current device of that type", decided when a
    tensor is made. Compare `.type` when you mean "any GPU".

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.device
    """
    any_gpu = torch.device("cuda")

    assert any_gpu.index is None
    assert any_gpu != torch.device("cuda:0")
    assert any_gpu.type == torch.device("cuda:0").type


def test_device_rejects_an_unknown_type():
    """`torch.device("gpu")` raises: the type must be one PyTorch knows, such as `cuda`.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.device
    """
    with raises_exactly(RuntimeError, match="Expected one of cpu, cuda"):
        torch.device("gpu")


def test_tensor_device_does_not_equal_a_string():
    """`x.device == "cpu"` is False: a device compares equal only to another `torch.device`.

    This silent trap makes an `if x.device == "cuda":` branch never run. Compare
    `x.device.type == "cpu"`, or compare with `torch.device("cpu")`.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.device
    """
    x = torch.zeros(2)

    assert (x.device == "cpu") is False
    assert x.device == torch.device("cpu")
    assert x.device.type == "cpu"


def test_get_device_is_minus_one_on_cpu():
    """`get_device()` returns the GPU index of a CUDA tensor and -1 for a CPU tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.get_device.html
    """
    x = torch.zeros(2)

    assert x.get_device() == -1


def test_tensor_to_returns_self_when_nothing_changes():
    """`x.to(device)` returns `x` itself when it is already on that device with that dtype.

    No copy is made, so writing to the result writes to `x`. Pass `copy=True` to force a
    copy.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.to.html
    """
    x = torch.zeros(2)

    same = x.to("cpu")

    assert same is x
    assert x.to(torch.float32) is x
    assert x.to("cpu", copy=True) is not x


def test_tensor_to_returns_a_copy_when_something_changes():
    """`x.to(torch.float64)` returns a new tensor and leaves `x` as it was.

    Tensor `.to` is not in place: the result must be assigned, as in
    `x = x.to(device)`. Changing the dtype shows it on a CPU-only machine; moving to
    another device behaves the same way.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.to.html
    """
    x = torch.zeros(2)

    y = x.to(torch.float64)

    assert y is not x
    assert x.dtype == torch.float32
    assert y.dtype == torch.float64
    assert y.data_ptr() != x.data_ptr()


def test_tensor_to_another_tensor_matches_its_dtype_and_device():
    """`x.to(other)` converts `x` to `other`'s dtype and device.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.to.html
    """
    x = torch.tensor([1, 2])
    other = torch.zeros(1, dtype=torch.float64)

    y = x.to(other)

    assert y.dtype == torch.float64
    assert y.device == other.device
    assert y.tolist() == [1.0, 2.0]


def test_cpu_on_a_cpu_tensor_returns_the_same_tensor():
    """`x.cpu()` on a tensor already on the CPU returns `x` itself, not a copy.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.cpu.html
    """
    x = torch.zeros(2)

    assert x.cpu() is x


def test_module_to_converts_in_place_and_returns_the_module():
    """`model.to(...)` changes the module itself and returns that same module.

    Unlike tensor `.to`, module `.to` needs no assignment: `model.to(device)` on its own
    line is enough. It returns `self` so that `model = Net().to(device)` also works.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Linear(2, 2)

    returned = model.to(torch.float64)

    assert returned is model
    assert model.weight.dtype == torch.float64


def test_module_to_keeps_the_same_parameter_objects():
    """A module's `.to` swaps each parameter's data but keeps the `Parameter` objects.

    That is why an optimizer built before `model.to(...)` still updates the model: it
    holds the same parameter objects. Building the optimizer after moving the model is
    still the documented habit.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Linear(2, 2)
    weight = model.weight

    model.to(torch.float64)

    assert model.weight is weight
    assert weight.dtype == torch.float64


def test_module_to_dtype_converts_only_floating_point_tensors():
    """`model.to(torch.float64)` converts floating-point parameters and buffers, not integer ones.

    BatchNorm counts batches in an int64 buffer; a dtype cast of the module leaves it
    int64, while the device part of `.to` would move it too.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    bn = nn.BatchNorm1d(2)

    bn.to(torch.float64)

    assert bn.weight.dtype == torch.float64
    assert bn.running_mean.dtype == torch.float64
    assert bn.num_batches_tracked.dtype == torch.int64


def test_module_cpu_returns_the_module():
    """`model.cpu()` and `model.cuda()` are `model.to(...)` spelled differently: in place, returning self.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.cpu
    """
    model = nn.Linear(2, 2)

    assert model.cpu() is model


@pytest.mark.claim("S2-064", verdict="true")
def test_next_parameters_tells_where_a_model_is():
    """`next(model.parameters()).device` is where the model's parameters are.

    A module has no `.device` of its own (see the next test), so the note's idiom reads the
    first parameter. It assumes all parameters share one device, which holds after
    `model.to(device)`. `.is_cuda` answers the yes/no question.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.parameters
    """
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))

    first = next(model.parameters())

    assert first.device == torch.device("cpu")
    assert first.is_cuda is False
    assert {p.device for p in model.parameters()} == {torch.device("cpu")}


def test_module_has_no_device_attribute():
    """`model.device` raises AttributeError: a module does not record a device.

    Parameters could sit on several devices (model parallelism), so `nn.Module` does not
    pretend to know one. Read it from a parameter, or keep a `device` variable.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html
    """
    model = nn.Linear(2, 2)

    with raises_exactly(AttributeError, match="object has no attribute 'device'"):
        model.device


def test_meta_tensor_has_a_shape_but_no_data():
    """A tensor on the `meta` device has shape and dtype but no memory, so `item()` fails.

    `meta` is handy for working out shapes of a huge model without allocating it: the
    million-element tensor here takes no memory. The error changed in 2.4: before,
    `item()` raised NotImplementedError from the dispatcher; since 2.4 a RuntimeError
    says "Tensor.item() cannot be called on meta tensors".

    Docs: https://docs.pytorch.org/docs/stable/meta.html
    """
    x = torch.empty(1000, 1000, device="meta")
    error = by_version({"<2.4": NotImplementedError, ">=2.4": RuntimeError})

    assert x.shape == (1000, 1000)
    assert x.device.type == "meta"
    with raises_exactly(error):
        x[0, 0].item()


@pytest.mark.torch_version(">=2.3")
def test_default_device_is_the_cpu():
    """`torch.get_default_device()` is the CPU unless you change it.

    Factory functions such as `torch.zeros` put new tensors on the default device.
    `get_default_device` arrived in 2.3; `set_default_device` in 2.0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.get_default_device.html
    """
    assert torch.get_default_device() == torch.device("cpu")
    assert torch.zeros(1).device == torch.device("cpu")


def test_set_default_device_changes_where_factories_allocate():
    """`torch.set_default_device("meta")` makes `torch.zeros` and friends allocate there.

    It is process-wide state, so restore it (`set_default_device(None)` puts back the CPU)
    in a `finally`; a context manager, in the next test, is safer.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.set_default_device.html
    """
    torch.set_default_device("meta")
    try:
        made = torch.zeros(2)
    finally:
        torch.set_default_device(None)

    assert made.device.type == "meta"
    assert torch.zeros(2).device.type == "cpu"


def test_device_context_manager_sets_the_default_device_inside_the_block():
    """Inside `with torch.device("meta"):`, factories and new modules allocate on `meta`.

    Leaving the block restores the previous default. An explicit `device=` argument still
    wins inside the block.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.device
    """
    with torch.device("meta"):
        made = torch.zeros(2)
        layer = nn.Linear(2, 2)
        explicit = torch.zeros(2, device="cpu")

    assert made.device.type == "meta"
    assert layer.weight.device.type == "meta"
    assert explicit.device.type == "cpu"
    assert torch.zeros(2).device.type == "cpu"


def test_default_device_does_not_apply_to_from_numpy():
    """`torch.from_numpy` ignores the default device: it wraps the array's CPU memory.

    Sharing memory with NumPy is only possible on the CPU, so the result is a CPU tensor
    whatever the default device says.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.set_default_device.html
    """
    array = np.zeros(2, dtype=np.float32)

    with torch.device("meta"):
        shared = torch.from_numpy(array)

    assert shared.device.type == "cpu"


def test_cuda_is_available_agrees_with_device_count():
    """`torch.cuda.is_available()` is True exactly when `torch.cuda.device_count()` is above 0.

    Both answer without raising on any machine: on a CPU-only build, or a CUDA build on a
    machine without a GPU, they return False and 0. Test with them; do not call `.cuda()`
    to find out.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cuda.is_available.html
    """
    available = torch.cuda.is_available()

    assert available == (torch.cuda.device_count() > 0)


@pytest.mark.no_cuda
def test_cuda_is_unavailable_without_a_gpu():
    """On a machine without a GPU, `is_available()` is False and `device_count()` is 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cuda.device_count.html
    """
    assert torch.cuda.is_available() is False
    assert torch.cuda.device_count() == 0


@pytest.mark.no_cuda
@pytest.mark.skipif(not torch.backends.cuda.is_built(), reason="needs a CUDA build of torch")
def test_cuda_call_without_a_gpu_raises_runtime_error_on_a_cuda_build():
    """On a CUDA build without a usable GPU, `.cuda()` raises a RuntimeError from the driver.

    The wheels on PyPI for Linux are CUDA builds, so this is what most people see on a
    laptop or CI machine: "Found no NVIDIA driver" without a driver, "No CUDA GPUs are
    available" with a driver but no device.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html
    """
    x = torch.zeros(2)

    with raises_exactly(RuntimeError, match=r"Found no NVIDIA driver|No CUDA GPUs are available"):
        x.cuda()


@pytest.mark.skipif(torch.backends.cuda.is_built(), reason="needs a CPU-only build of torch")
def test_cuda_call_on_a_cpu_only_build_raises_assertion_error():
    """On a CPU-only build, `.cuda()` raises AssertionError "Torch not compiled with CUDA enabled".

    A different exception type from the CUDA build's, so code that catches RuntimeError
    to fall back to the CPU misses this one. Check `torch.cuda.is_available()` instead.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html
    """
    x = torch.zeros(2)

    with raises_exactly(AssertionError, match="Torch not compiled with CUDA enabled"):
        x.cuda()

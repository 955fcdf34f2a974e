"""Devices and moving data

Every tensor lives on one device: the CPU, a CUDA GPU, or the data-less `meta` device.
`torch.device` names one; `.to(...)` moves a tensor or a module there. The two `.to`s differ
in a way that matters: a tensor's `.to` returns a new tensor (or the same one, when nothing
changes) and leaves the original alone, while a module's `.to` converts the module in
place. Everything on this page runs without a GPU; the GPU half is on the next page.
"""

import argparse

import numpy as np
import pytest
import torch
from torch import nn

from torchref import by_version, raises_exactly, warns_exactly


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
    """`get_device()` returns -1 for a CPU tensor.

    For a CUDA tensor it returns the GPU's index (the next page checks `1` for
    `cuda:1`), so -1 is the CPU's answer, not an error.

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


def test_module_to_keeps_the_same_parameter_objects():
    """A module's `.to(dtype)` swaps each parameter's data but keeps the `Parameter` objects.

    `Module.to` works in place and returns the module itself (the Modules page shows it).
    It also keeps each `Parameter` object and only replaces its data, which is why an
    optimizer built before `model.to(...)` still updates the model: it holds the same
    objects. The same holds for a move between the CPU and a GPU (next page); the next
    test shows where it does not.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Linear(2, 2)
    weight = model.weight
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    model.to(torch.float64)

    assert model.weight is weight
    assert weight.dtype == torch.float64
    assert opt.param_groups[0]["params"][0] is model.weight


def test_module_to_meta_replaces_the_parameter_objects():
    """`model.to("meta")` gives the module new `Parameter` objects, so an optimizer built before it is left behind.

    `Module.to` keeps a parameter object only when the converted tensor is of a kind whose
    data can be swapped into it; a `meta` tensor cannot hold a CPU tensor's place, so
    `_apply` registers a new `Parameter` instead. The optimizer still holds the old CPU
    one. Build the optimizer after every move of the model, as the docs do, and this
    never matters.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Linear(2, 2)
    weight = model.weight
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    returned = model.to("meta")

    assert returned is model
    assert model.weight is not weight
    assert model.weight.device.type == "meta"
    assert weight.device.type == "cpu"
    assert opt.param_groups[0]["params"][0] is weight


def test_module_to_dtype_converts_only_floating_point_tensors():
    """`model.to(torch.float64)` converts floating-point parameters and buffers, not integer ones.

    BatchNorm counts batches in an int64 buffer; a dtype cast of the module leaves it
    int64, while a device move takes it along with the rest (shown with `meta`).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    bn = nn.BatchNorm1d(2)

    bn.to(torch.float64)

    assert bn.weight.dtype == torch.float64
    assert bn.running_mean.dtype == torch.float64
    assert bn.num_batches_tracked.dtype == torch.int64
    bn.to("meta")
    assert bn.num_batches_tracked.device.type == "meta"
    assert bn.num_batches_tracked.dtype == torch.int64


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
    million-element tensor here has a storage that records its 4 MB size, on `meta`,
    with a null data pointer: nothing was allocated. The error changed in 2.4:
    before, `item()` fell through to the dispatcher's generic NotImplementedError about
    `aten::_local_scalar_dense` and the Meta backend
    ([issue 119588](https://github.com/pytorch/pytorch/issues/119588)); since 2.4 a
    RuntimeError says "Tensor.item() cannot be called on meta tensors".

    Docs: https://docs.pytorch.org/docs/stable/meta.html
    """
    x = torch.empty(1000, 1000, device="meta")
    error = by_version({"<2.4": NotImplementedError, ">=2.4": RuntimeError})
    message = by_version({"<2.4": r"_local_scalar_dense", ">=2.4": r"Tensor\.item\(\) cannot be called on meta tensors"})

    assert x.shape == (1000, 1000)
    assert x.dtype == torch.float32
    assert x.device.type == "meta"
    assert x.untyped_storage().device.type == "meta"
    assert x.untyped_storage().nbytes() == 1000 * 1000 * 4
    assert x.data_ptr() == 0
    with raises_exactly(error, match=message):
        x[0, 0].item()


@pytest.mark.torch_version(">=2.7")
def test_new_tensor_is_created_on_the_source_tensors_device():
    """`x.new_tensor(data)` takes `x`'s device and dtype, whatever `data` is.

    The `new_*` methods are the way to make a tensor "like `x`" inside a module's
    `forward` without knowing where the module lives. For `new_tensor` the docs always
    said so, but before 2.7 it ignored `x`'s device
    ([PR 144958](https://github.com/pytorch/pytorch/pull/144958)). The `meta` device shows
    it without a GPU. Copying from a tensor also warns that `detach().clone()` is the
    recommended spelling.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.new_tensor.html
    """
    x = torch.empty(2, device="meta")

    from_list = x.new_tensor([1, 2])
    with warns_exactly(UserWarning, match=r"To copy construct from a tensor, it is recommended to use sourceTensor"):
        from_tensor = x.new_tensor(torch.tensor([1.0, 2.0]))

    assert from_list.device.type == "meta"
    assert from_list.dtype == torch.float32  # x's dtype, not the int64 the list would give
    assert from_tensor.device.type == "meta"


@pytest.mark.torch_version("<2.7")
def test_new_tensor_from_a_cpu_tensor_stayed_on_the_cpu_before_2_7():
    """Before 2.7, `x.new_tensor(cpu_tensor)` gave a CPU tensor whatever `x`'s device.

    Contrary to its documentation, `new_tensor` kept the data's device
    ([issue 73838](https://github.com/pytorch/pytorch/issues/73838)); 2.7 made it follow
    `x` (previous test).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.new_tensor.html
    """
    x = torch.empty(2, device="meta")

    with warns_exactly(UserWarning, match=r"To copy construct from a tensor, it is recommended to use sourceTensor"):
        from_tensor = x.new_tensor(torch.tensor([1.0, 2.0]))

    assert from_tensor.device.type == "cpu"
    assert from_tensor.tolist() == [1.0, 2.0]


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


@pytest.mark.no_accelerator
@pytest.mark.torch_version(">=2.8")
def test_accelerator_check_picks_the_cpu_without_an_accelerator():
    """Without an accelerator, `current_accelerator(check_available=True)` is None, so the device-agnostic idiom picks the CPU.

    `torch.accelerator` (2.6+) answers for whichever accelerator this build supports:
    CUDA, MPS, XPU and others. `is_available()` and `check_available=True` ask the
    hardware, so code written once runs on a GPU machine and falls back to the CPU here.
    (On the recorded 2.7.1 run, a CUDA build without a driver raised "Found no NVIDIA
    driver" from this call instead; from 2.8 it answers None.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.accelerator.current_accelerator.html
    """
    found = torch.accelerator.current_accelerator(check_available=True)

    device = found if found is not None else torch.device("cpu")

    assert torch.accelerator.is_available() is False
    assert torch.accelerator.device_count() == 0
    assert found is None
    assert device == torch.device("cpu")


@pytest.mark.no_accelerator
@pytest.mark.torch_version(">=2.7")
@pytest.mark.skipif(not torch.backends.cuda.is_built(), reason="needs a CUDA build of torch")
def test_current_accelerator_reports_the_build_not_the_hardware():
    """`torch.accelerator.current_accelerator()` is `cuda` on a CUDA build even where no GPU is present.

    Its default `check_available=False` answers which accelerator torch was *compiled*
    for; only `check_available=True` (or `is_available()`) checks the machine. Taking
    the default's answer as "there is a GPU" sends the model to a device that does not
    exist, so always ask with `check_available=True`. The argument arrived in 2.7.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.accelerator.current_accelerator.html
    """
    compiled_for = torch.accelerator.current_accelerator()

    assert compiled_for == torch.device("cuda")
    assert torch.accelerator.current_accelerator(check_available=True) is None
    assert torch.accelerator.is_available() is False


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
    """On a CUDA build without a usable GPU, `.cuda()`, a `device="cuda"` factory and `torch.cuda.current_device()` raise a RuntimeError from the driver.

    The wheels on PyPI for Linux are CUDA builds, so this is what most people see on a
    laptop or CI machine: "Found no NVIDIA driver" without a driver, "No CUDA GPUs are
    available" with a driver but no device. Naming the device (`torch.device("cuda")`)
    is fine; the error comes when CUDA is first used.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#device-agnostic-code
    """
    x = torch.zeros(2)
    no_gpu = r"Found no NVIDIA driver|No CUDA GPUs are available"

    with raises_exactly(RuntimeError, match=no_gpu):
        x.cuda()
    with raises_exactly(RuntimeError, match=no_gpu):
        torch.zeros(2, device="cuda")
    with raises_exactly(RuntimeError, match=no_gpu):
        torch.cuda.current_device()


@pytest.mark.skipif(torch.backends.cuda.is_built(), reason="needs a CPU-only build of torch")
def test_cuda_call_on_a_cpu_only_build_raises_assertion_error():
    """On a CPU-only build, `.cuda()`, a `device="cuda"` factory and `torch.cuda.current_device()` raise AssertionError "Torch not compiled with CUDA enabled".

    A different exception type from the CUDA build's, so code that catches RuntimeError
    to fall back to the CPU misses this one. Check `torch.cuda.is_available()` instead.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#device-agnostic-code
    """
    x = torch.zeros(2)

    with raises_exactly(AssertionError, match="Torch not compiled with CUDA enabled"):
        x.cuda()
    with raises_exactly(AssertionError, match="Torch not compiled with CUDA enabled"):
        torch.zeros(2, device="cuda")
    with raises_exactly(AssertionError, match="Torch not compiled with CUDA enabled"):
        torch.cuda.current_device()


def pick_device(argv):
    """The device-agnostic idiom of the CUDA notes: a `--disable-cuda` flag and `torch.cuda.is_available()`."""
    parser = argparse.ArgumentParser(description="PyTorch Example")
    parser.add_argument("--disable-cuda", action="store_true", help="Disable CUDA")
    args = parser.parse_args(argv)
    if not args.disable_cuda and torch.cuda.is_available():
        args.device = torch.device("cuda")
    else:
        args.device = torch.device("cpu")
    return args.device


@pytest.mark.shows("pick_device")
def test_disable_cuda_flag_picks_the_cpu():
    """With `--disable-cuda`, the device-agnostic idiom picks `torch.device("cpu")` on any machine.

    The program decides once, at start-up, and then creates tensors with
    `device=args.device` and moves the model with `.to(args.device)`; nothing else in the
    code names a device.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#device-agnostic-code
    """
    device = pick_device(["--disable-cuda"])

    x = torch.empty((8, 42), device=device)
    net = nn.Linear(42, 2).to(device=device)

    assert device == torch.device("cpu")
    assert x.device == device
    assert net.weight.device == device


@pytest.mark.no_cuda
@pytest.mark.shows("pick_device")
def test_device_agnostic_idiom_falls_back_to_the_cpu_without_a_gpu():
    """Without a GPU, the device-agnostic idiom picks the CPU even without `--disable-cuda`.

    `torch.cuda.is_available()` is False here (on a CPU-only build and on a CUDA build
    without a GPU alike), and it answers without raising, so the same script runs on a
    laptop and on a GPU server.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#device-agnostic-code
    """
    device = pick_device([])

    assert torch.cuda.is_available() is False
    assert device == torch.device("cpu")


def test_new_methods_keep_the_source_tensors_dtype_and_device():
    """`x.new_full` and `x.new_tensor` make tensors with `x`'s dtype and device; `ones_like` and `zeros_like` do too.

    The `torch.*` factories follow the default device and dtype; the `new_*` methods and
    `*_like` functions follow the tensor they start from, which is what a module needs
    when it makes a tensor in `forward`. The `meta` device shows the device being kept
    without a GPU; a float16 source shows `new_tensor([[1, 2, 3]])` becoming float16, not
    the int64 the integer list would give.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#device-agnostic-code
    """
    x_meta = torch.empty(2, device="meta", dtype=torch.float64)
    x_half = torch.empty(2, dtype=torch.float16)
    x_long = torch.empty(2, 3, dtype=torch.int64)

    y_meta = x_meta.new_full([3, 2], fill_value=0.3)
    y_cpu = torch.empty(2).new_full([3, 2], fill_value=0.3)
    y_half = x_half.new_tensor([[1, 2, 3]])
    ones, zeros = torch.ones_like(x_long), torch.zeros_like(x_meta)

    assert (y_meta.device.type, y_meta.dtype, y_meta.shape) == ("meta", torch.float64, (3, 2))
    assert y_cpu.tolist() == [[torch.tensor(0.3).item()] * 2] * 3
    assert y_half.dtype == torch.float16
    assert y_half.tolist() == [[1.0, 2.0, 3.0]]
    assert (ones.dtype, ones.shape, ones.tolist()) == (torch.int64, (2, 3), [[1, 1, 1]] * 2)
    assert (zeros.device.type, zeros.dtype) == ("meta", torch.float64)

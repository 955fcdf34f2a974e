"""Benchmarks of behaviours

Each benchmark times one behaviour that another page states, and asserts that behaviour
on what it timed: a view costs nothing because nothing is copied, `reshape` of a
transposed tensor costs a copy, and so on. A plain `pytest` run calls each timed function
once, as a check; timings are taken with

    pytest reference/performance --benchmark-enable --benchmark-only --benchmark-json results/benchmarks-<device>.json

and the Performance page shows the saved figures per device. GPU work runs asynchronously,
so every GPU benchmark synchronises inside the timed function.
"""

import importlib.util
import subprocess

import numpy as np
import pytest
import torch
from torch import nn

N = 1024  # a 1024 x 1024 float32 tensor is 4 MiB: big enough to time a copy, small enough for CI


PCIE_BYTES_PER_S_PER_LANE = {1: 0.25e9, 2: 0.5e9, 3: 0.985e9, 4: 1.969e9, 5: 3.938e9, 6: 7.563e9}


def _copy_info(host):
    """extra_info of a host-to-device copy: bytes moved and, where nvidia-smi tells, the PCIe peak."""
    info = {"bytes": host.nelement() * host.element_size()}
    query = ["nvidia-smi", "-i", str(torch.cuda.current_device()), "--format=csv,noheader,nounits",
             "--query-gpu=pcie.link.gen.max,pcie.link.width.max"]
    try:
        out = subprocess.run(query, capture_output=True, text=True, check=True, timeout=10).stdout
        gen, width = (int(v) for v in out.strip().splitlines()[0].split(","))
        info["peak_bytes_per_s"] = PCIE_BYTES_PER_S_PER_LANE[gen] * width
        info["peak"] = f"PCIe gen{gen} x{width}"
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError):
        pass  # no peak known: the page shows the achieved bandwidth alone
    return info


@pytest.mark.benchmark(group="reshape")
def test_view_of_a_contiguous_tensor_copies_nothing(benchmark):
    """`view` on a contiguous tensor makes a new header over the same memory, whatever the size.

    No element is touched, so the time it takes does not depend on the tensor's size; the
    saved figures show what that time is on each machine.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html
    """
    benchmark.extra_info["behaviour"] = "reference/tensors/test_views.py::test_view_write_is_visible_in_base"
    x = torch.zeros(N, N)

    flat = benchmark(x.view, N * N)

    assert flat.shape == (N * N,)
    assert flat.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


@pytest.mark.benchmark(group="reshape")
def test_reshape_of_a_transposed_tensor_copies(benchmark):
    """`reshape` of a transposed tensor must copy, so it makes a pass over all the data.

    No view can walk a transposed matrix in row-major order, so `reshape` gathers every
    element into new memory: its time grows with the tensor, unlike `view`'s above.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.reshape.html
    """
    benchmark.extra_info["behaviour"] = "reference/tensors/test_views.py::test_reshape_copies_when_no_view_exists"
    xt = torch.arange(float(N * N)).view(N, N).t()
    benchmark.extra_info["bytes"] = 2 * xt.nelement() * xt.element_size()  # read once, write once

    flat = benchmark(xt.reshape, N * N)

    assert flat.untyped_storage().data_ptr() != xt.untyped_storage().data_ptr()
    assert flat[:3].tolist() == [0.0, float(N), float(2 * N)]


@pytest.mark.benchmark(group="reshape")
def test_contiguous_of_a_transposed_tensor_copies(benchmark):
    """`contiguous()` of a transposed tensor copies it into row-major order.

    It is the same gather as the `reshape` copy above, so the two figures are comparable.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.contiguous.html
    """
    benchmark.extra_info["behaviour"] = "reference/tensors/test_views.py::test_contiguous_copies_into_row_major_order"
    xt = torch.arange(float(N * N)).view(N, N).t()
    benchmark.extra_info["bytes"] = 2 * xt.nelement() * xt.element_size()

    out = benchmark(xt.contiguous)

    assert not xt.is_contiguous()
    assert out.is_contiguous()
    assert out.untyped_storage().data_ptr() != xt.untyped_storage().data_ptr()
    assert torch.equal(out, xt)


@pytest.mark.benchmark(group="reshape")
def test_contiguous_of_a_contiguous_tensor_is_free(benchmark):
    """`contiguous()` of a tensor that already is contiguous returns that same tensor.

    Nothing is copied: what the benchmark times is a function call.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.contiguous.html
    """
    benchmark.extra_info["behaviour"] = "reference/tensors/test_views.py::test_contiguous_returns_self_when_already_contiguous"
    x = torch.zeros(N, N)

    out = benchmark(x.contiguous)

    assert out is x


@pytest.mark.benchmark(group="in-place")
def test_in_place_add_reuses_the_tensor(benchmark):
    """`x.add_(1)` writes into `x`'s memory and returns `x`: no allocation.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.add_.html
    """
    benchmark.extra_info["behaviour"] = "reference/tensors/test_inplace.py::test_inplace_method_returns_the_same_object"
    x = torch.zeros(N, N)

    out = benchmark(x.add_, 1.0)

    assert out is x
    assert x[0, 0].item() >= 1.0  # the benchmark may call it many times; each adds 1


@pytest.mark.benchmark(group="in-place")
def test_out_of_place_add_allocates_a_new_tensor(benchmark):
    """`x + 1` allocates a new tensor for the result and leaves `x` alone.

    Compare its figure with the in-place one above: for a tensor this size the
    allocation is small next to the arithmetic, which is why in-place ops are mostly a
    way to save memory rather than time.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.add.html
    """
    x = torch.zeros(N, N)

    out = benchmark(torch.add, x, 1.0)

    assert out.data_ptr() != x.data_ptr()
    assert x.sum().item() == 0.0
    assert out[0, 0].item() == 1.0


@pytest.mark.benchmark(group="from numpy")
def test_from_numpy_shares_the_array_in_constant_time(benchmark):
    """`torch.from_numpy` wraps the array's memory, so it copies nothing however big the array is.

    The benchmark times only the wrapping; compare `torch.tensor(array)` below, which
    copies every element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    benchmark.extra_info["behaviour"] = "reference/tensors/test_numpy.py::test_from_numpy_sees_later_writes_to_the_array"
    array = np.zeros((N, N), dtype=np.float32)

    t = benchmark(torch.from_numpy, array)

    assert t.data_ptr() == array.ctypes.data


@pytest.mark.benchmark(group="from numpy")
def test_torch_tensor_copies_the_array(benchmark):
    """`torch.tensor(array)` copies every element into new memory.

    Its time grows with the array: a read and a write of every element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.tensor.html
    """
    benchmark.extra_info["behaviour"] = "reference/tensors/test_numpy.py::test_torch_tensor_copies_the_array"
    array = np.zeros((N, N), dtype=np.float32)
    benchmark.extra_info["bytes"] = 2 * array.nbytes

    t = benchmark(torch.tensor, array)

    assert t.data_ptr() != array.ctypes.data
    assert t.shape == (N, N)
    assert t.dtype == torch.float32


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 256))


@pytest.mark.benchmark(group="no_grad")
def test_forward_with_grad_records_the_graph(benchmark):
    """A forward pass with grad enabled records a graph for `backward`.

    Every op on a tensor that requires grad adds a node and saves what its backward
    needs; the next benchmark times the same forward without that bookkeeping.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html
    """
    model, x = _mlp(), torch.randn(64, 256)

    out = benchmark(model, x)

    assert out.requires_grad
    assert out.grad_fn is not None


@pytest.mark.benchmark(group="no_grad")
def test_forward_under_no_grad_records_nothing(benchmark):
    """The same forward under `torch.no_grad()` records no graph and frees activations at once.

    Evaluation loops should run under `no_grad` (or `inference_mode`): same outputs, less
    memory, and less bookkeeping per op.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    benchmark.extra_info["behaviour"] = "reference/autograd/test_modes.py::test_no_grad_block_records_nothing"
    model, x = _mlp(), torch.randn(64, 256)

    out = benchmark(_forward_under_no_grad, model, x)

    assert not out.requires_grad
    assert out.grad_fn is None
    torch.testing.assert_close(out, model(x).detach())


def _forward_under_no_grad(model, x):
    with torch.no_grad():
        out = model(x)
    return out


def _conv_and_input():
    torch.manual_seed(0)
    return nn.Conv2d(16, 32, 3, padding=1).eval(), torch.randn(8, 16, 32, 32)


@pytest.mark.benchmark(group="channels_last")
def test_conv_on_contiguous_nchw_input(benchmark):
    """A convolution on the default NCHW layout returns an NCHW-contiguous result.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
    """
    conv, x = _conv_and_input()

    with torch.no_grad():
        out = benchmark(conv, x)

    assert out.is_contiguous()
    assert out.shape == (8, 32, 32, 32)


@pytest.mark.benchmark(group="channels_last")
def test_conv_on_channels_last_keeps_channels_last(benchmark):
    """With the input and weights in `channels_last`, the convolution returns `channels_last`, same values.

    `channels_last` stores the channels of a pixel next to each other (NHWC). Many
    convolution kernels, on CPUs with oneDNN and on GPUs with tensor cores, prefer that
    order; the memory format then propagates through the network.

    Docs: https://docs.pytorch.org/tutorials/intermediate/memory_format_tutorial.html
    """
    conv, x = _conv_and_input()
    with torch.no_grad():
        expected = conv(x)
    conv = conv.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)

    with torch.no_grad():
        out = benchmark(conv, x)

    assert out.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-4)


# pytest-benchmark's own rule for "timing is off": --benchmark-disable (in addopts) unless --benchmark-enable.
TIMING_DISABLED = "config.getoption('benchmark_disable') and not config.getoption('benchmark_enable')"


@pytest.mark.skipif(TIMING_DISABLED, reason="timing is disabled; run with --benchmark-enable to compare the two timers")
@pytest.mark.skipif(
    importlib.util.find_spec("setuptools") is None,
    reason="torch.utils.benchmark imports torch.utils.cpp_extension, which needs setuptools",
)
def test_pytest_benchmark_agrees_with_torch_utils_benchmark_timer(benchmark):
    """pytest-benchmark's median and `torch.utils.benchmark.Timer`'s agree within a factor of 3.

    Two independent clocks on the same matrix product: a check that the saved figures
    measure the work and not the harness. `Timer` runs on one thread unless told
    otherwise, so it gets `num_threads=torch.get_num_threads()` to match. The comparison
    needs timing, so the test runs only with `--benchmark-enable`.
    (`torch.utils.benchmark` imports `torch.utils.cpp_extension`, which needs `setuptools`;
    where that is not installed the test skips and says so.)

    Docs: https://docs.pytorch.org/docs/stable/benchmark_utils.html
    """
    from torch.utils import benchmark as torch_benchmark

    torch.manual_seed(0)
    a, b = torch.randn(256, 256), torch.randn(256, 256)

    out = benchmark(torch.mm, a, b)

    torch.testing.assert_close(out, a @ b)
    timer = torch_benchmark.Timer("torch.mm(a, b)", globals={"a": a, "b": b}, num_threads=torch.get_num_threads())
    reference = timer.blocked_autorange(min_run_time=0.5).median
    assert 1 / 3 < benchmark.stats.stats.median / reference < 3


def _copy_to_gpu(host):
    out = host.to("cuda", non_blocking=True)
    torch.cuda.synchronize()  # wait for the copy: the timed figure is the copy, not its launch
    return out


@pytest.mark.cuda
@pytest.mark.benchmark(group="host-to-device copy")
def test_host_to_device_copy_from_pageable_memory(benchmark):
    """A 64 MiB host-to-device copy from ordinary (pageable) memory goes through a staging buffer.

    The driver cannot let the GPU read pageable memory directly: it copies the data into
    its own pinned buffer first, then to the GPU, and `non_blocking=True` cannot make
    that asynchronous. Compare the next benchmark; the page reports the achieved
    bandwidth as a share of the PCIe link's theoretical peak.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#use-pinned-memory-buffers
    """
    host = torch.ones(16 * 2**20)  # 64 MiB of float32
    benchmark.extra_info.update(_copy_info(host))

    out = benchmark(_copy_to_gpu, host)

    assert not host.is_pinned()
    assert out.is_cuda
    assert out.sum().item() == host.nelement()


@pytest.mark.cuda
@pytest.mark.benchmark(group="host-to-device copy")
def test_host_to_device_copy_from_pinned_memory(benchmark):
    """The same copy from pinned memory goes straight to the GPU, near the link's peak.

    Pinned (page-locked) memory can be read by the GPU's copy engine directly, so the
    copy skips the staging step and, with `non_blocking=True`, runs asynchronously.
    `DataLoader(pin_memory=True)` hands out batches in pinned memory for this reason.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#use-pinned-memory-buffers
    """
    benchmark.extra_info["behaviour"] = "reference/devices/test_cuda.py::test_pin_memory_returns_a_pinned_copy"
    host = torch.ones(16 * 2**20).pin_memory()
    benchmark.extra_info.update(_copy_info(host))

    out = benchmark(_copy_to_gpu, host)

    assert host.is_pinned()
    assert out.is_cuda
    assert out.sum().item() == host.nelement()


def _forward_synchronised(run, x):
    with torch.no_grad():
        out = run(x)
    torch.cuda.synchronize()
    return out


@pytest.mark.cuda
@pytest.mark.benchmark(group="DataParallel")
def test_bare_module_forward_on_one_gpu(benchmark):
    """A small MLP's forward on one GPU, synchronised: the baseline for the next benchmark.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html
    """
    model = _mlp().to("cuda")
    x = torch.randn(64, 256, device="cuda")

    out = benchmark(_forward_synchronised, model, x)

    assert out.device == torch.device("cuda:0")
    assert out.shape == (64, 256)


@pytest.mark.cuda
@pytest.mark.benchmark(group="DataParallel")
def test_data_parallel_on_one_gpu_calls_the_bare_module(benchmark):
    """On one GPU, DataParallel's forward calls the module directly and gives its output unchanged.

    With `device_ids=[0]` there is nothing to scatter, replicate or gather: the wrapper
    adds a Python call and a check that the parameters are on `cuda:0`. Whether that
    overhead matters is what this benchmark reports, next to the bare module's figure.
    The output is the bare module's, bit for bit, and stays on `cuda:0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.DataParallel.html
    """
    benchmark.extra_info["behaviour"] = "reference/distributed/test_data_parallel.py::test_data_parallel_on_one_gpu_moves_the_model_there"
    model = _mlp().to("cuda")
    x = torch.randn(64, 256, device="cuda")
    dp = nn.DataParallel(model, device_ids=[0])

    out = benchmark(_forward_synchronised, dp, x)

    assert dp.module is model
    assert out.device == torch.device("cuda:0")
    with torch.no_grad():
        assert torch.equal(out, model(x))

"""CUDA tensors, streams and memory

What changes when a GPU is present: tensors and models move with `.to("cuda")`, ops on
mixed devices raise, kernels run asynchronously so timing needs a synchronisation, pinned
host memory allows asynchronous copies, and the caching allocator keeps freed memory. All
tests here need a CUDA device and skip without one.
"""

import time

import pytest
import torch
from torch import nn

from torchref import raises_exactly

MIB = 2**20


@pytest.mark.cuda
@pytest.mark.claim("S1-007", verdict="true")
def test_tensor_to_cuda_returns_a_copy_on_the_gpu():
    """`x.to("cuda")` returns a copy on the current GPU and leaves `x` on the CPU.

    The note's `tensor = tensor.to('cuda')` is right, including the assignment: tensor
    `.to` is not in place. `"cuda"` means the current device, so the result reports an
    explicit index, `cuda:0` by default.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.to.html
    """
    x = torch.tensor([1.0, 2.0])

    y = x.to("cuda")

    assert y.device == torch.device("cuda", torch.cuda.current_device())
    assert y.is_cuda
    assert x.device.type == "cpu"
    assert y.cpu().tolist() == [1.0, 2.0]


@pytest.mark.cuda
def test_cuda_on_a_gpu_tensor_returns_the_same_tensor():
    """`.cuda()` on a tensor already on that GPU returns it; `.cpu()` copies it back.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.cuda.html
    """
    x = torch.ones(2, device="cuda")

    back = x.cpu()

    assert x.cuda() is x
    assert back.device.type == "cpu"
    assert back.tolist() == [1.0, 1.0]


@pytest.mark.cuda
@pytest.mark.claim("S2-064", verdict="true")
def test_model_to_cuda_moves_every_parameter():
    """After `model.to("cuda")`, `next(model.parameters()).is_cuda` is True.

    The module moved in place, so the idiom from the note sees the new device. Input
    tensors must be moved separately; the loss module has no parameters to move.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))

    model.to("cuda")

    assert next(model.parameters()).is_cuda
    assert next(model.parameters()).device == torch.device("cuda", torch.cuda.current_device())
    assert all(p.is_cuda for p in model.parameters())


@pytest.mark.cuda
def test_mixing_cpu_and_cuda_tensors_raises():
    """Adding a CPU tensor to a CUDA tensor raises "Expected all tensors to be on the same device".

    Moving input, model and target to one device is your job; PyTorch will not copy
    between devices implicitly.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html
    """
    gpu = torch.ones(2, device="cuda")
    cpu = torch.ones(2)

    with raises_exactly(RuntimeError, match="Expected all tensors to be on the same device"):
        gpu + cpu


@pytest.mark.cuda
def test_cpu_scalar_tensor_mixes_with_a_cuda_tensor():
    """A zero-dimensional CPU tensor is allowed in an op with CUDA tensors.

    The exception to the previous rule: 0-d CPU tensors are treated like Python numbers,
    so `gpu * torch.tensor(2.0)` works and the result is on the GPU.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html
    """
    gpu = torch.ones(2, device="cuda")

    y = gpu * torch.tensor(2.0)

    assert y.is_cuda
    assert y.tolist() == [2.0, 2.0]


@pytest.mark.cuda
def test_cuda_kernels_run_asynchronously():
    """A CUDA op returns to Python before the GPU has finished it.

    `torch.cuda._sleep(cycles)` (a private helper PyTorch's own tests use) queues a kernel
    that spins for that many GPU clock cycles, about 0.1 s here. The event recorded after
    it has not happened yet when Python gets control back; after `synchronize()` it has.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#asynchronous-execution
    """
    done = torch.cuda.Event()

    torch.cuda._sleep(200_000_000)
    done.record()
    finished_at_return = done.query()
    torch.cuda.synchronize()

    assert finished_at_return is False
    assert done.query() is True


@pytest.mark.cuda
def test_wall_clock_timing_without_synchronize_measures_only_the_launch():
    """Timing a CUDA op with `time.perf_counter()` alone measures the launch, not the work.

    The same 0.1 s kernel as above: without a synchronisation the host timer sees well
    under that; with `torch.cuda.synchronize()` before stopping the clock it sees all of
    it. Every GPU benchmark must synchronise (or use CUDA events, next test).

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#asynchronous-execution
    """
    torch.cuda.synchronize()
    start = time.perf_counter()
    torch.cuda._sleep(200_000_000)
    launch_only = time.perf_counter() - start
    torch.cuda.synchronize()
    with_sync = time.perf_counter() - start

    assert launch_only < with_sync / 5
    assert with_sync > 0.02


@pytest.mark.cuda
def test_cuda_events_time_the_work_on_the_gpu():
    """CUDA events recorded around the work give its GPU duration with `elapsed_time` (milliseconds).

    Events are timestamps on the GPU's stream, so they bracket the kernel itself. Read
    them after the end event has completed (`end.synchronize()`).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cuda.Event.html
    """
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)

    start.record()
    torch.cuda._sleep(200_000_000)
    end.record()
    end.synchronize()

    assert start.elapsed_time(end) > 20.0


@pytest.mark.cuda
def test_pin_memory_returns_a_pinned_copy():
    """`x.pin_memory()` returns a page-locked copy; `x` itself stays pageable.

    The GPU's copy engine can read pinned memory directly, which is what makes a host to
    device copy fast and able to run asynchronously.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#use-pinned-memory-buffers
    """
    x = torch.ones(4)

    pinned = x.pin_memory()

    assert pinned.is_pinned()
    assert not x.is_pinned()
    assert pinned.data_ptr() != x.data_ptr()


@pytest.mark.cuda
def test_non_blocking_copy_from_pinned_memory_is_correct_after_synchronize():
    """`pinned.to("cuda", non_blocking=True)` returns at once; the data is there once the stream has caught up.

    The copy is queued on the current stream, so later kernels on that stream see the
    data. Reading it on the host, or reusing the pinned buffer, needs a synchronisation.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#use-pinned-memory-buffers
    """
    pinned = torch.arange(1024.0).pin_memory()

    y = pinned.to("cuda", non_blocking=True)
    torch.cuda.current_stream().synchronize()

    assert y.is_cuda
    torch.testing.assert_close(y.cpu(), torch.arange(1024.0))


@pytest.mark.cuda
def test_memory_allocated_counts_live_tensor_bytes():
    """`torch.cuda.memory_allocated()` grows by a tensor's size and shrinks when it is freed.

    A float32 tensor of 1 Mi elements is 4 MiB, a multiple of the allocator's block size,
    so the count moves by exactly that. `memory_reserved()` does not shrink on `del`: the
    caching allocator keeps the block for reuse until `torch.cuda.empty_cache()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cuda.memory_allocated.html
    """
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()

    x = torch.empty(MIB, device="cuda")
    during = torch.cuda.memory_allocated()
    reserved_during = torch.cuda.memory_reserved()
    del x

    assert during - before == 4 * MIB
    assert torch.cuda.memory_allocated() == before
    assert torch.cuda.memory_reserved() == reserved_during


@pytest.mark.cuda
def test_max_memory_allocated_remembers_the_peak():
    """`max_memory_allocated()` keeps the peak since the last `reset_peak_memory_stats()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cuda.max_memory_allocated.html
    """
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()

    x = torch.empty(2 * MIB, device="cuda")
    del x

    assert torch.cuda.max_memory_allocated() - base == 8 * MIB
    assert torch.cuda.memory_allocated() == base


@pytest.mark.cuda
def test_device_context_manager_allocates_on_the_gpu():
    """Inside `with torch.device("cuda"):`, new tensors and modules are created on the GPU.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.device
    """
    with torch.device("cuda"):
        made = torch.zeros(2)
        layer = nn.Linear(2, 2)

    assert made.is_cuda
    assert layer.weight.is_cuda
    assert not torch.zeros(2).is_cuda


@pytest.mark.multi_gpu
def test_to_cuda_one_puts_the_tensor_on_the_second_gpu():
    """`x.to("cuda:1")` places the copy on GPU 1, whatever the current device is.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.device
    """
    x = torch.ones(2)

    y = x.to("cuda:1")

    assert y.device == torch.device("cuda:1")
    assert y.get_device() == 1

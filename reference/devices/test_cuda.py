"""CUDA tensors, streams and memory

What changes when a GPU is present: tensors and models move with `.to("cuda")`, ops on
mixed devices raise, kernels run asynchronously so timing needs a synchronisation, pinned
host memory allows asynchronous copies, and the caching allocator keeps freed memory. The
first tests read the precision flags of the "CUDA semantics" note, which any build has; every
other test needs a CUDA device and skips without one.
"""

import time

import pytest
import torch
from torch import nn

from torchref import raises_exactly

MIB = 2**20
SLEEP_CYCLES = 200_000_000  # torch.cuda._sleep spins this many GPU clock cycles: about 0.1 s


def test_tf32_is_off_for_matmul_and_on_for_cudnn_by_default():
    """By default float32 matmuls may not use TF32, while cuDNN convolutions may.

    On Ampere and later GPUs, TF32 tensor cores read only 10 bits of each float32
    mantissa: much faster, about 3 decimal digits. PyTorch 1.12 turned it off for
    matrix products (`torch.backends.cuda.matmul.allow_tf32 = False`) and left it on for
    convolutions (`torch.backends.cudnn.allow_tf32 = True`). The flags exist and read the
    same on any build, with or without a GPU.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#tf32-on-ampere
    """
    assert torch.backends.cuda.matmul.allow_tf32 is False
    assert torch.backends.cudnn.allow_tf32 is True


def test_float32_matmul_precision_highest_means_no_tf32():
    """`torch.get_float32_matmul_precision()` is "highest" by default; "high" switches matmul TF32 on.

    `set_float32_matmul_precision` is the device-neutral spelling of the same switch:
    "high" and `allow_tf32 = True` are one setting seen from two sides. It is
    process-wide, so the test restores it in a `finally`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.set_float32_matmul_precision.html
    """
    default = torch.get_float32_matmul_precision()

    torch.set_float32_matmul_precision("high")
    try:
        tf32_when_high = torch.backends.cuda.matmul.allow_tf32
    finally:
        torch.set_float32_matmul_precision(default)

    assert default == "highest"
    assert tf32_when_high is True
    assert torch.backends.cuda.matmul.allow_tf32 is False


def test_fp16_and_bf16_gemms_may_reduce_in_reduced_precision_by_default():
    """Half and bfloat16 matrix products may accumulate partly in reduced precision unless you turn it off.

    For speed, cuBLAS may truncate intermediate sums of an fp16 or bf16 GEMM to the
    reduced type; both flags default to True. A product whose true value fits in fp16 can
    then overflow to `inf`: set the flag to False when that matters.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#fp16reducedprecision
    """
    assert torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction is True
    assert torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction is True


@pytest.mark.torch_version(">=2.10")
@pytest.mark.parametrize("half", ["fp16", "bf16"])
def test_reduced_precision_reduction_flag_also_controls_split_k(half):
    """Assigning a bool to a reduced-precision-reduction flag keeps split-K allowed; a `(False, False)` tuple forbids both.

    cuBLAS may split the inner dimension of a GEMM (split-K) and add the pieces in
    the half type. Since 2.10 each flag takes `(allow_reduced_precision, allow_splitk)`:
    a plain bool means `(bool, True)`, the `..._split_k` attribute reads the second
    part, and `(True, False)` raises, since reduced-precision reductions need split-K
    ([PR 164766](https://github.com/pytorch/pytorch/pull/164766)). The same holds for
    the bf16 flag (`#bf16reducedprecision`). Process-wide, so restored in a `finally`.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#fp16reducedprecision
    """
    name = f"allow_{half}_reduced_precision_reduction"
    matmul = torch.backends.cuda.matmul
    default = (getattr(matmul, name), getattr(matmul, f"{name}_split_k"))

    try:
        setattr(matmul, name, False)
        after_bool = (getattr(matmul, name), getattr(matmul, f"{name}_split_k"))
        setattr(matmul, name, (False, False))
        after_tuple = (getattr(matmul, name), getattr(matmul, f"{name}_split_k"))
        with raises_exactly(RuntimeError, match=r"allow_splitk=False is not supported when reduced precision reductions are enabled"):
            setattr(matmul, name, (True, False))
    finally:
        setattr(matmul, name, default)

    assert default == (True, True)
    assert after_bool == (False, True)
    assert after_tuple == (False, False)
    assert (getattr(matmul, name), getattr(matmul, f"{name}_split_k")) == (True, True)


@pytest.mark.torch_version(">=2.7")
def test_full_fp16_accumulation_is_off_by_default():
    """`torch.backends.cuda.matmul.allow_fp16_accumulation` is False by default: fp16 GEMMs accumulate in float32.

    Distinct from reduced-precision *reductions* (a few truncated partial sums), this
    flag lets cuBLAS accumulate the whole fp16 product in fp16: faster on some GPUs,
    less precise and more likely to overflow. You opt in by setting it to True; it
    arrived in 2.7 ([PR 144441](https://github.com/pytorch/pytorch/pull/144441)).
    Process-wide, so restored in a `finally`.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#fp16accumulation
    """
    matmul = torch.backends.cuda.matmul
    default = matmul.allow_fp16_accumulation

    matmul.allow_fp16_accumulation = True
    try:
        opted_in = matmul.allow_fp16_accumulation
    finally:
        matmul.allow_fp16_accumulation = default

    assert default is False
    assert opted_in is True
    assert matmul.allow_fp16_accumulation is False


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

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#cuda-semantics
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

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#cuda-semantics
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

    torch.cuda._sleep(SLEEP_CYCLES)
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
    torch.cuda._sleep(SLEEP_CYCLES)
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
    torch.cuda._sleep(SLEEP_CYCLES)
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
def test_non_blocking_copy_reads_the_pinned_source_only_when_the_stream_gets_to_it():
    """A `non_blocking` copy from pinned memory reads its source later: overwrite the buffer first and the GPU gets the new data.

    `pinned.to("cuda", non_blocking=True)` only queues the copy on the current stream and
    returns. Here a 0.1 s kernel (`torch.cuda._sleep`) is queued first, so the copy is
    still waiting when the host overwrites the pinned buffer; the GPU then copies what the
    buffer holds by the time the stream reaches the copy. This is why a pinned buffer may
    be reused only after a synchronisation (next test).

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#use-pinned-memory-buffers
    """
    pinned = torch.arange(1024.0).pin_memory()
    torch.cuda.synchronize()

    torch.cuda._sleep(SLEEP_CYCLES)  # keeps the stream busy: the copy queued next must wait
    y = pinned.to("cuda", non_blocking=True)
    copy_done_at_return = torch.cuda.current_stream().query()
    pinned.fill_(-1.0)  # the host is free to write while the copy waits
    torch.cuda.current_stream().synchronize()

    assert copy_done_at_return is False
    assert y.cpu().tolist() == [-1.0] * 1024


@pytest.mark.cuda
def test_non_blocking_copy_from_pinned_memory_is_correct_after_synchronize():
    """Synchronising the stream after a `non_blocking` copy makes the copy complete, so the buffer can be reused.

    The same delayed copy as above, with the synchronisation moved before the write:
    the GPU copy holds the original data, and the later write to the pinned buffer no
    longer reaches it.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#use-pinned-memory-buffers
    """
    pinned = torch.arange(1024.0).pin_memory()
    torch.cuda.synchronize()

    torch.cuda._sleep(SLEEP_CYCLES)
    y = pinned.to("cuda", non_blocking=True)
    torch.cuda.current_stream().synchronize()
    pinned.fill_(-1.0)

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


@pytest.mark.cuda
def test_model_to_cuda_keeps_the_parameter_objects():
    """`model.to("cuda")` moves each parameter's data but keeps the `Parameter` objects, so an earlier optimizer still works.

    A CPU tensor's data can be swapped for a CUDA tensor's in place, so `Module.to` does
    that instead of registering new parameters (unlike a move to `meta`, on the previous
    page). The optimizer built before the move holds the very parameters that now live on
    the GPU.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Linear(2, 2)
    weight = model.weight
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    model.to("cuda")

    assert model.weight is weight
    assert weight.is_cuda
    assert opt.param_groups[0]["params"][0] is model.weight


@pytest.mark.cuda
@pytest.mark.torch_version(">=2.7")
def test_current_accelerator_is_cuda_where_a_gpu_is_available():
    """With a GPU present, `torch.accelerator.current_accelerator(check_available=True)` is the `cuda` device type.

    The device-agnostic idiom of the previous page picks the GPU here. The returned
    device has no index: "the current device of that type".

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.accelerator.current_accelerator.html
    """
    found = torch.accelerator.current_accelerator(check_available=True)

    assert found == torch.device("cuda")
    assert found.index is None
    assert torch.accelerator.is_available() is True
    assert torch.accelerator.device_count() == torch.cuda.device_count()


@pytest.mark.cuda
def test_side_stream_does_not_wait_for_the_default_stream():
    """Kernels on another CUDA stream may run before earlier work on the default stream has finished.

    Operations on one stream run in order; streams run concurrently. The default stream
    here sleeps 0.1 s and then fills `x` with 1; the addition queued afterwards on a side
    stream does not wait, so it reads `x` while it still holds 0. Using a non-default
    stream makes ordering your job.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#cuda-streams
    """
    side = torch.cuda.Stream()
    x = torch.zeros(1, device="cuda")
    torch.cuda.synchronize()

    torch.cuda._sleep(SLEEP_CYCLES)
    x.fill_(1.0)
    with torch.cuda.stream(side):
        y = x + 1
    torch.cuda.synchronize()

    assert y.item() == 1.0
    assert x.item() == 1.0


@pytest.mark.cuda
def test_wait_stream_orders_a_side_stream_after_the_default_stream():
    """`side.wait_stream(default)` makes later work on `side` wait for everything queued on `default` so far.

    The same race as above, with one call added: now the addition sees the filled `x`.
    `Event.record()` on one stream and `Stream.wait_event(event)` on another do the same
    for a single point in the queue.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#cuda-streams
    """
    default = torch.cuda.current_stream()
    side = torch.cuda.Stream()
    x = torch.zeros(1, device="cuda")
    torch.cuda.synchronize()

    torch.cuda._sleep(SLEEP_CYCLES)
    x.fill_(1.0)
    side.wait_stream(default)
    with torch.cuda.stream(side):
        y = x + 1
    torch.cuda.synchronize()

    assert y.item() == 2.0


@pytest.mark.multi_gpu
def test_cuda_device_context_selects_the_gpu_for_new_tensors():
    """Inside `with torch.cuda.device(1):`, `device="cuda"` means GPU 1; results of ops stay with their inputs.

    The context manager changes the current device, which is what an index-less
    `"cuda"` and `.cuda()` resolve to. An op on tensors that already live on GPU 0 still
    runs on and returns to GPU 0, whatever the current device.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#cuda-semantics
    """
    x = torch.ones(2, device="cuda:0")
    before = torch.cuda.current_device()

    with torch.cuda.device(1):
        inside = torch.cuda.current_device()
        a = torch.ones(2, device="cuda")
        b = torch.ones(2).cuda()
        z = x + x

    assert inside == 1
    assert a.device == b.device == torch.device("cuda:1")
    assert z.device == torch.device("cuda:0")
    assert torch.cuda.current_device() == before


@pytest.mark.multi_gpu
def test_op_on_tensors_of_two_gpus_raises():
    """Adding a `cuda:0` tensor to a `cuda:1` tensor raises: cross-GPU ops are not allowed.

    Only copies (`to`, `copy_`, `cuda`) move data between GPUs. Move one operand first.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#cuda-semantics
    """
    a = torch.ones(2, device="cuda:0")
    b = torch.ones(2, device="cuda:1")

    with raises_exactly(RuntimeError, match="Expected all tensors to be on the same device"):
        a + b
    assert (a + b.to("cuda:0")).tolist() == [2.0, 2.0]


@pytest.mark.cuda
def test_new_full_on_a_gpu_tensor_stays_on_its_gpu():
    """`x_gpu.new_full(size, value)` is made on `x_gpu`'s GPU with its dtype, whatever the current device.

    The `new_*` methods are the device-agnostic way to make a tensor inside `forward`:
    they copy device and dtype from the tensor they are called on.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#device-agnostic-code
    """
    x_gpu = torch.empty(2, device="cuda")

    y_gpu = x_gpu.new_full([3, 2], fill_value=-5)

    assert y_gpu.device == x_gpu.device
    assert y_gpu.dtype == torch.float32
    assert y_gpu.cpu().tolist() == [[-5.0, -5.0]] * 3


@pytest.mark.cuda
def test_cufft_plan_cache_holds_one_plan_per_fft_geometry():
    """The cuFFT plan cache of the current GPU has capacity 4096 by default and gains a plan when an FFT runs on a new geometry.

    Plans may hold GPU memory, so the cache is bounded: `max_size` is its capacity
    (4096 on CUDA 10 and newer) and can be set, `size` counts the plans held, and
    `clear()` empties it. The capacity is per device and process-wide, so the test
    restores it.

    Docs: https://docs.pytorch.org/docs/stable/notes/cuda.html#cufft-plan-cache
    """
    cache = torch.backends.cuda.cufft_plan_cache
    default = cache.max_size
    cache.clear()
    emptied = cache.size

    torch.fft.fft(torch.randn(64, device="cuda"))
    after_fft = cache.size
    cache.max_size = 10
    try:
        set_to = cache.max_size
    finally:
        cache.max_size = default

    assert default == 4096
    assert emptied == 0
    assert after_fft == 1
    assert set_to == 10
    assert cache.max_size == 4096

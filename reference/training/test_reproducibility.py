"""Reproducible training

Random numbers in PyTorch come from generators: one global CPU generator seeded by
`torch.manual_seed`, and any number of `torch.Generator` objects you create. Seeding them
makes weight initialisation, dropout, shuffling and whole training runs repeat exactly on
the same machine and release. `torch.use_deterministic_algorithms` goes further and forbids
operations that are nondeterministic by design.
"""

import random

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset, get_worker_info, random_split

from torchref import raises_exactly, warns_exactly


def test_manual_seed_repeats_the_random_stream():
    """The same `torch.manual_seed` gives the same random numbers again.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.manual_seed.html
    """
    torch.manual_seed(42)
    first = torch.rand(3)

    torch.manual_seed(42)
    second = torch.rand(3)

    assert torch.equal(first, second)


def test_manual_seed_makes_weight_init_repeat():
    """Seeding before building a model gives it the same initial weights.

    Layers draw their initial weights from the global generator, so the seed fixes them.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#pytorch-random-number-generator
    """
    torch.manual_seed(0)
    a = nn.Linear(3, 2)

    torch.manual_seed(0)
    b = nn.Linear(3, 2)

    assert torch.equal(a.weight, b.weight)
    assert torch.equal(a.bias, b.bias)


def test_svd_lowrank_draws_from_the_global_generator():
    """`torch.svd_lowrank` uses random numbers: back-to-back calls differ, and reseeding between calls repeats the result.

    It projects the matrix onto a random subspace drawn from the global generator, so
    the same input gives a different rank-2 approximation on the next call, which has
    moved on in the stream. Setting `torch.manual_seed` to the same value before each
    call gives identical results, bit for bit.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#pytorch-random-number-generator
    """
    a = torch.randn(6, 6, generator=torch.Generator().manual_seed(0))

    torch.manual_seed(0)
    first = torch.svd_lowrank(a, q=2, niter=0)
    back_to_back = torch.svd_lowrank(a, q=2, niter=0)
    torch.manual_seed(0)
    reseeded = torch.svd_lowrank(a, q=2, niter=0)

    assert not torch.equal(first[1], back_to_back[1])  # the singular values differ
    assert all(torch.equal(x, y) for x, y in zip(first, reseeded))


def test_manual_seed_leaves_python_and_numpy_generators_alone():
    """`torch.manual_seed` seeds torch only: Python's `random` and NumPy's global generator need their own seeds.

    The note seeds all three: `torch.manual_seed(0)`, `random.seed(0)` for Python code such
    as custom operators, and `np.random.seed(0)` for NumPy's global generator. Seeding
    torch does not touch the other two states, and each repeats its numbers only after its
    own seed.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#python
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()

    torch.manual_seed(0)
    python_untouched = random.getstate() == python_state
    numpy_untouched = all(np.array_equal(x, y) for x, y in zip(np.random.get_state(), numpy_state))
    random.seed(0)
    np.random.seed(0)
    first = (random.random(), np.random.rand())
    random.seed(0)
    np.random.seed(0)
    second = (random.random(), np.random.rand())

    assert python_untouched and numpy_untouched
    assert second == first


def test_numpy_generator_objects_ignore_the_global_numpy_seed():
    """A NumPy `Generator` object keeps its own state: `np.random.seed` does not reach it, so seed it yourself.

    Libraries that draw from `np.random.default_rng(...)` objects rather than the global
    NumPy generator need those objects seeded consistently as well.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#random-number-generators-in-other-libraries
    """
    rng = np.random.default_rng(1)

    np.random.seed(0)
    first = rng.random()
    np.random.seed(0)
    second = rng.random()

    assert first != second  # the global seed did not rewind the object
    assert [first, second] == np.random.default_rng(1).random(2).tolist()


def test_generator_draws_its_own_stream():
    """A seeded `torch.Generator` repeats its numbers whatever the global generator does.

    Passing `generator=` keeps one part of a program (data shuffling, augmentation)
    reproducible even when other code consumes global random numbers in between.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Generator.html
    """
    first = torch.rand(3, generator=torch.Generator().manual_seed(7))

    torch.rand(10)  # global draws do not disturb it
    second = torch.rand(3, generator=torch.Generator().manual_seed(7))

    assert torch.equal(first, second)


def test_generator_leaves_the_global_stream_untouched():
    """Drawing from a private generator does not advance the global one.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Generator.html
    """
    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)

    torch.rand(100, generator=torch.Generator().manual_seed(1))
    actual = torch.rand(2)

    assert torch.equal(actual, expected)


def test_rng_state_can_be_saved_and_restored():
    """`get_rng_state` / `set_rng_state` rewind the global generator to a saved point.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.get_rng_state.html
    """
    state = torch.get_rng_state()
    first = torch.rand(3)

    torch.set_rng_state(state)
    second = torch.rand(3)

    assert torch.equal(first, second)


def test_fork_rng_isolates_draws_inside_the_block():
    """Inside `torch.random.fork_rng()` draws do not affect the global stream after the block.

    Docs: https://docs.pytorch.org/docs/stable/random.html#torch.random.fork_rng
    """
    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)

    with torch.random.fork_rng():
        torch.rand(100)
    actual = torch.rand(2)

    assert torch.equal(actual, expected)


def test_dropout_mask_repeats_with_the_same_seed():
    """Dropout draws its mask from the global generator, so a seed makes it repeat.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html
    """
    drop = nn.Dropout(p=0.5)
    x = torch.ones(20)

    torch.manual_seed(3)
    first = drop(x)
    torch.manual_seed(3)
    second = drop(x)

    assert torch.equal(first, second)
    assert set(first.tolist()) <= {0.0, 2.0}  # kept values are scaled by 1 / (1 - p)


def test_dataloader_shuffle_repeats_with_a_seeded_generator():
    """`DataLoader(shuffle=True, generator=g)` shuffles in the same order when `g` has the same seed.

    Docs: https://docs.pytorch.org/docs/stable/data.html#data-loading-order-and-sampler
    """
    ds = TensorDataset(torch.arange(10))

    first = [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, generator=torch.Generator().manual_seed(0))]
    second = [b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, generator=torch.Generator().manual_seed(0))]

    assert first == second
    assert sorted(first[0] + first[1]) == list(range(10))


def epoch_orders(seed, epochs):
    """The order in which a shuffling loader over 0..7 yields the samples, epoch by epoch."""
    loader = DataLoader(TensorDataset(torch.arange(8)), batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(seed))
    return [next(iter(loader))[0].tolist() for _ in range(epochs)]


@pytest.mark.shows("epoch_orders")
def test_dataloader_reshuffles_every_epoch():
    """Each pass over a shuffling `DataLoader` draws a new order from its generator.

    The seed fixes the *sequence* of epoch orders, not one order for all epochs: a fresh
    loader with the same seed goes through the same three orders again.

    Docs: https://docs.pytorch.org/docs/stable/data.html#data-loading-order-and-sampler
    """
    first_run = epoch_orders(seed=0, epochs=3)

    second_run = epoch_orders(seed=0, epochs=3)

    assert len({tuple(order) for order in first_run}) == 3  # three different orders
    assert all(sorted(order) == list(range(8)) for order in first_run)
    assert second_run == first_run


def test_random_split_repeats_with_a_seeded_generator():
    """`random_split(..., generator=g)` gives the same split for the same seed.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.random_split
    """
    ds = TensorDataset(torch.arange(10))

    a, _ = random_split(ds, [7, 3], generator=torch.Generator().manual_seed(0))
    b, _ = random_split(ds, [7, 3], generator=torch.Generator().manual_seed(0))

    assert a.indices == b.indices


def train(seed):
    torch.manual_seed(seed)
    x = torch.randn(16, 4)
    y = torch.randn(16, 1)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed))
    for _ in range(2):
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
    return model.state_dict()


def test_training_run_repeats_bit_for_bit_with_the_same_seeds():
    """Two CPU training runs with the same seeds end with bit-identical weights.

    Seed the global generator (data, init, dropout) and the loader's generator
    (shuffling). This holds on one machine and release; other hardware or releases may
    round differently.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#controlling-sources-of-randomness
    """
    first = train(seed=0)

    second = train(seed=0)

    assert all(torch.equal(first[k], second[k]) for k in first)


def test_training_runs_with_different_seeds_differ():
    """Different seeds give different weights: the runs above repeat because of the seed.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#controlling-sources-of-randomness
    """
    first = train(seed=0)

    second = train(seed=1)

    assert not torch.equal(first["0.weight"], second["0.weight"])


def test_use_deterministic_algorithms_switches_a_global_flag():
    """`torch.use_deterministic_algorithms(True)` is a process-wide switch you should restore.

    While it is on, operations without a deterministic implementation raise instead of
    running (mostly CUDA kernels such as some scatter-adds). It changes global state, so
    set it back in a `finally`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
    """
    before = torch.are_deterministic_algorithms_enabled()

    try:
        torch.use_deterministic_algorithms(True)
        on = torch.are_deterministic_algorithms_enabled()
    finally:
        torch.use_deterministic_algorithms(before)

    assert on
    assert torch.are_deterministic_algorithms_enabled() == before


def test_use_deterministic_algorithms_makes_a_nondeterministic_op_raise():
    """With `use_deterministic_algorithms(True)`, `Tensor.put_` (without accumulate) raises a RuntimeError, even on the CPU.

    Most operations listed in the docs are nondeterministic only on CUDA; `put_` with
    `accumulate=False` is listed for every device, because several indices may name the
    same element and which write wins is not defined. With `accumulate=True` it adds,
    which is deterministic on the CPU and allowed.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#avoiding-nondeterministic-algorithms
    """
    before = torch.are_deterministic_algorithms_enabled()
    x, index, values = torch.zeros(3), torch.tensor([0]), torch.tensor([1.0])

    try:
        torch.use_deterministic_algorithms(True)
        with raises_exactly(RuntimeError, match=r"put_ does not have a deterministic implementation, but you set 'torch\.use_deterministic_algorithms\(True\)'"):
            x.put_(index, values)
        accumulated = x.clone().put_(index, values, accumulate=True)
    finally:
        torch.use_deterministic_algorithms(before)

    assert accumulated.tolist() == [1.0, 0.0, 0.0]


def test_use_deterministic_algorithms_warn_only_mode():
    """`warn_only=True` turns the errors into UserWarnings, the operation runs, and the mode reports itself as such.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
    """
    before = torch.are_deterministic_algorithms_enabled()
    x = torch.zeros(3)

    try:
        torch.use_deterministic_algorithms(True, warn_only=True)
        warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
        with warns_exactly(UserWarning, match=r"put_ does not have a deterministic implementation, but you set 'torch\.use_deterministic_algorithms\(True, warn_only=True\)'"):
            x.put_(torch.tensor([0]), torch.tensor([1.0]))
    finally:
        torch.use_deterministic_algorithms(before)

    assert warn_only
    assert x.tolist() == [1.0, 0.0, 0.0]


def test_set_deterministic_debug_mode_is_the_same_switch_by_level():
    """`torch.set_deterministic_debug_mode` sets the same flags by level: 0 `"default"` off, 1 `"warn"` warn only, 2 `"error"` on.

    It is the alternative interface the docs of `use_deterministic_algorithms` point to;
    `get_deterministic_debug_mode` reads the level back as an int, whichever way it was set.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.set_deterministic_debug_mode.html#torch.set_deterministic_debug_mode
    """
    before = torch.are_deterministic_algorithms_enabled()
    seen = {}

    try:
        for level in ("default", "warn", "error"):
            torch.set_deterministic_debug_mode(level)
            seen[level] = (
                torch.get_deterministic_debug_mode(),
                torch.are_deterministic_algorithms_enabled(),
                torch.is_deterministic_algorithms_warn_only_enabled(),
            )
        torch.use_deterministic_algorithms(True, warn_only=True)
        level_after_use = torch.get_deterministic_debug_mode()
    finally:
        torch.use_deterministic_algorithms(before)

    assert seen == {"default": (0, False, False), "warn": (1, True, True), "error": (2, True, False)}
    assert level_after_use == 1


def test_cudnn_benchmark_and_deterministic_default_to_off():
    """`torch.backends.cudnn.benchmark` and `torch.backends.cudnn.deterministic` are both `False` by default, on every machine.

    `benchmark=False` is what the note asks for reproducibility: cuDNN picks a convolution
    algorithm without timing the candidates, so it picks the same one each run. It is the
    default, so only code that set `benchmark=True` for speed has to undo it. The flags are
    plain settings and read the same on a machine without CUDA.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#cuda-convolution-benchmarking
    """
    assert torch.backends.cudnn.benchmark is False
    assert torch.backends.cudnn.deterministic is False


def test_cudnn_deterministic_and_use_deterministic_algorithms_are_separate_switches():
    """`cudnn.deterministic = True` does not turn on `use_deterministic_algorithms`, and the reverse does not set `cudnn.deterministic`.

    The cuDNN flag makes only cuDNN convolutions pick deterministic algorithms; other
    operations are unaffected, so `put_` (nondeterministic by design) still runs.
    `use_deterministic_algorithms(True)` covers convolutions *and* every other operation,
    without changing what `torch.backends.cudnn.deterministic` reads.
    `torch.backends.cudnn.flags(...)` sets cuDNN flags for a block and restores them.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#cuda-convolution-determinism
    """
    before = torch.are_deterministic_algorithms_enabled()
    x = torch.zeros(3)

    with torch.backends.cudnn.flags(enabled=torch.backends.cudnn.enabled, benchmark=False, deterministic=True):
        cudnn_only = (torch.backends.cudnn.deterministic, torch.are_deterministic_algorithms_enabled())
        x.put_(torch.tensor([0]), torch.tensor([1.0]))  # allowed: the cuDNN flag does not cover put_
    try:
        torch.use_deterministic_algorithms(True)
        cudnn_flag_under_algorithms = torch.backends.cudnn.deterministic
    finally:
        torch.use_deterministic_algorithms(before)

    assert cudnn_only == (True, False)
    assert x.tolist() == [1.0, 0.0, 0.0]
    assert cudnn_flag_under_algorithms is False
    assert torch.backends.cudnn.deterministic is False  # flags() restored it


@pytest.mark.torch_version(">=2.2")  # torch.utils.deterministic.fill_uninitialized_memory arrived in 2.2
def test_deterministic_mode_fills_uninitialized_memory_with_nan_or_the_integer_maximum():
    """Under `use_deterministic_algorithms(True)`, `torch.empty` and friends return NaN for floats and the maximum for integers.

    Uninitialized memory holds whatever was there before, so an operation reading it
    would differ from run to run. `torch.utils.deterministic.fill_uninitialized_memory`
    (default `True`) makes deterministic mode fill it with a known value: NaN for
    floating and complex dtypes, the dtype's maximum for integers. `empty`,
    `empty_like`, `empty_strided` and the elements `resize_` adds are all filled; a
    NaN showing up downstream then points at a read of memory that was never written.
    Filling costs time, so a program that never reads uninitialized memory may turn it off
    (https://github.com/pytorch/pytorch/pull/101849 added the filling).

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#filling-uninitialized-memory
    """
    import torch.utils.deterministic  # imported here: the module exists from 2.2 only

    before = torch.are_deterministic_algorithms_enabled()
    default_fill = torch.utils.deterministic.fill_uninitialized_memory
    grown = torch.zeros(2)

    try:
        torch.use_deterministic_algorithms(True)
        floats = torch.empty(3)
        ints = torch.empty(2, dtype=torch.int32)
        like = torch.empty_like(torch.zeros(2, dtype=torch.int64))
        strided = torch.empty_strided((2,), (1,))
        complex_ = torch.empty(1, dtype=torch.complex64)
        grown.resize_(4)
    finally:
        torch.use_deterministic_algorithms(before)

    assert default_fill is True
    assert torch.isnan(floats).all() and torch.isnan(strided).all()
    assert torch.isnan(complex_).all()  # a complex value is NaN when either part is
    assert ints.tolist() == [torch.iinfo(torch.int32).max] * 2
    assert like.tolist() == [torch.iinfo(torch.int64).max] * 2
    assert grown[:2].tolist() == [0.0, 0.0]  # the old elements keep their values
    assert torch.isnan(grown[2:]).all()


class WorkerDraws(Dataset):
    """Four samples, each recording which worker made it and what the worker's generators give."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return info.id, info.seed, torch.initial_seed(), torch.rand(1).item(), np.random.randint(1 << 30), random.random()


def seed_worker(worker_id):
    """The docs' `worker_init_fn`: seed NumPy and `random` from the worker's torch seed."""
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def load_in_workers(seed):
    loader = DataLoader(
        WorkerDraws(), batch_size=None, num_workers=2, worker_init_fn=seed_worker, generator=torch.Generator().manual_seed(seed), timeout=30
    )
    return list(loader)


@pytest.mark.shows("seed_worker")
def test_dataloader_workers_are_seeded_from_the_loader_generator():
    """Worker `i` gets the torch seed `base_seed + i`, where `base_seed` is drawn from the loader's `generator`.

    Each time an iterator starts, the main process draws one int64 `base_seed` from the
    loader's generator and every worker seeds torch with `base_seed + worker_id`, so
    workers draw different numbers and a seeded `generator` makes them repeat. The
    note's recipe passes that generator and a `worker_init_fn` that seeds NumPy and
    `random` from `torch.initial_seed()`, so each worker's NumPy and `random` draws are
    those of a generator seeded with `(base_seed + i) % 2**32`, and repeat too.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html#dataloader
    """
    base_seed = torch.empty((), dtype=torch.int64).random_(generator=torch.Generator().manual_seed(0)).item()

    first = load_in_workers(seed=0)
    second = load_in_workers(seed=0)

    assert {(worker, seed) for worker, seed, *_ in first} == {(0, base_seed), (1, base_seed + 1)}
    assert all(seed == torch_seed for _, seed, torch_seed, *_ in first)
    assert len({draw for *_, draw, _, _ in first}) == 4  # the two workers do not repeat each other
    first_per_worker = {worker: (numpy_draw, python_draw) for worker, seed, _, _, numpy_draw, python_draw in reversed(first)}
    assert first_per_worker == {
        i: (np.random.RandomState((base_seed + i) % 2**32).randint(1 << 30), random.Random((base_seed + i) % 2**32).random()) for i in (0, 1)
    }
    assert second == first

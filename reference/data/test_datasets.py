"""Datasets: map-style, iterable, concatenated and split

A *map-style* dataset answers two questions: how many samples (`__len__`) and what is
sample `i` (`__getitem__`). An *iterable-style* dataset only yields samples one after
another (`__iter__`). Everything else here (`TensorDataset`, `ConcatDataset`, `Subset`,
`random_split`) is built from those two shapes, and `DataLoader` accepts both.
"""

import inspect
from collections.abc import Iterable

import pytest
import torch
from torch.utils.data import (
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    get_worker_info,
    random_split,
)

from torchref import by_version, raises_exactly


class Squares(Dataset):
    """Sample i is (i, i * i): a map-style dataset of n samples."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return torch.tensor([float(i)]), i * i


class CountTo(IterableDataset):
    """Yields 0, 1, ..., n - 1 in every process that iterates it."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


@pytest.mark.claim("S2-021", verdict="true")
@pytest.mark.claim("S1-023", verdict="true")
def test_custom_dataset_needs_len_and_getitem():
    """A `Dataset` subclass with `__init__`, `__len__` and `__getitem__` works with `DataLoader`.

    This is the whole contract of a map-style dataset: `DataLoader` asks for `len(ds)` to
    plan the batches and for `ds[i]` to fetch each sample. `Squares` above is the template:
    keep the file list (here just `n`) in `__init__`, load one sample in `__getitem__`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#map-style-datasets
    """
    ds = Squares(5)

    features, targets = next(iter(DataLoader(ds, batch_size=5)))

    assert len(ds) == 5
    assert ds[3][1] == 9
    assert features.shape == (5, 1)
    assert targets.tolist() == [0, 1, 4, 9, 16]


def test_dataset_base_class_has_no_getitem():
    """The bare `Dataset` base class raises `NotImplementedError` when indexed.

    `Dataset` is an abstract template: forgetting to override `__getitem__` fails at the
    first sample, not at construction, with "Subclasses of Dataset should implement
    __getitem__" (2.0 raised the same class with no message).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.Dataset
    """
    ds = Dataset()
    message = by_version({"<2.1": r"^$", ">=2.1": r"Subclasses of Dataset should implement __getitem__"})

    with raises_exactly(NotImplementedError, match=message):
        ds[0]


@pytest.mark.claim("S2-026", verdict="true")
def test_map_style_dataset_is_not_an_iterable():
    """A map-style dataset is not an `Iterable`; the `DataLoader` over it is.

    `Dataset` defines no `__iter__`, so `isinstance(ds, collections.abc.Iterable)` is
    False. The note is right that `DataLoader` is what turns it into something to loop
    over in batches.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    ds = Squares(4)

    loader = DataLoader(ds, batch_size=2)

    assert not isinstance(ds, Iterable)
    assert isinstance(loader, Iterable)


def test_for_loop_over_dataset_stops_at_index_error():
    """A `for` loop over a map-style dataset still works, by indexing 0, 1, 2, ... until `IndexError`.

    Python falls back to the old sequence protocol when there is no `__iter__`: it calls
    `ds[0]`, `ds[1]`, ... and stops at the first `IndexError`. `len` is never consulted,
    so this works only because `Squares.__getitem__` raises `IndexError` past the end;
    one that wraps around or raises `KeyError` loops forever or fails.

    Docs: https://docs.pytorch.org/docs/stable/data.html#map-style-datasets
    """
    ds = Squares(3)

    targets = [target for _, target in ds]

    assert targets == [0, 1, 4]


def test_tensor_dataset_indexes_every_tensor_together():
    """`TensorDataset(x, y)[i]` is the tuple `(x[i], y[i])`.

    The tensors are sliced along their first dimension, so features and labels stay
    paired. The length is that shared first dimension.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.TensorDataset
    """
    x = torch.arange(6.0).view(3, 2)
    y = torch.tensor([10, 11, 12])

    ds = TensorDataset(x, y)

    assert len(ds) == 3
    assert isinstance(ds[1], tuple) and len(ds[1]) == 2
    assert ds[1][0].tolist() == [2.0, 3.0]
    assert ds[1][1].item() == 11


@pytest.mark.torch_version("!=2.10.*")
def test_tensor_dataset_refuses_unequal_first_dimensions():
    """`TensorDataset` refuses tensors whose first dimensions differ with an `AssertionError`.

    Every tensor is indexed with the same `i`, so they must have the same length. The
    check is a plain `assert`-style `AssertionError("Size mismatch between tensors")`.
    Torch 2.10 is the exception (next test).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.TensorDataset
    """
    x = torch.zeros(3, 2)
    y = torch.zeros(4)

    with raises_exactly(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, y)


@pytest.mark.torch_version(">=2.10,<2.11")
def test_tensor_dataset_accepts_unequal_first_dimensions_in_2_10():
    """Torch 2.10 accepts tensors of different lengths in a `TensorDataset` and takes the first one's length.

    2.10 rewrote the check as `if all(first != size ...)`, which is never true because
    the first tensor always matches itself; 2.11 restored it (`any`). The error then
    surfaces only when indexing past the shorter tensor, so check lengths yourself if
    you must support 2.10.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.TensorDataset
    """
    x = torch.zeros(3, 2)
    y = torch.zeros(4)

    ds = TensorDataset(x, y)

    assert len(ds) == 3


@pytest.mark.claim("S2-030", verdict="true")
def test_dataset_plus_dataset_is_a_concat_dataset():
    """`ds_a + ds_b` is a `ConcatDataset` whose indices run through `ds_a` and then `ds_b`.

    `Dataset.__add__` returns `ConcatDataset([self, other])`, so the note's
    `train_ants + train_bees` works. Index 2 is the last sample of the first part and
    index 3 the first of the second: `cumulative_sizes` records where each part ends.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.ConcatDataset
    """
    ants = TensorDataset(torch.tensor([0, 1, 2]))
    bees = TensorDataset(torch.tensor([100, 101]))

    both = ants + bees

    assert isinstance(both, ConcatDataset)
    assert len(both) == 5
    assert both.cumulative_sizes == [3, 5]
    assert [both[i][0].item() for i in range(5)] == [0, 1, 2, 100, 101]


def test_concat_dataset_accepts_negative_indices():
    """A `ConcatDataset` counts negative indices from the end of the last part.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.ConcatDataset
    """
    both = ConcatDataset([TensorDataset(torch.tensor([0, 1])), TensorDataset(torch.tensor([7, 8]))])

    assert both[-1][0].item() == 8
    assert both[-3][0].item() == 1


def test_iterable_plus_iterable_is_a_chain_dataset():
    """Adding two `IterableDataset`s gives a `ChainDataset` that yields one after the other.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.ChainDataset
    """
    chained = CountTo(2) + CountTo(3)

    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 0, 1, 2]


def test_subset_sees_only_the_given_indices():
    """`Subset(ds, indices)[k]` is `ds[indices[k]]`.

    A subset copies nothing: it keeps the parent in `.dataset` and the index list in
    `.indices`, and translates every lookup.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.Subset
    """
    ds = Squares(10)

    sub = Subset(ds, [7, 2])

    assert len(sub) == 2
    assert [target for _, target in (sub[0], sub[1])] == [49, 4]
    assert sub.dataset is ds
    assert list(sub.indices) == [7, 2]


def test_random_split_with_a_seeded_generator_repeats():
    """`random_split` with the same seeded generator gives the same split every time.

    Without `generator=` it draws from the global RNG (the default is
    `torch.default_generator`), so the split changes with every run unless
    `torch.manual_seed` was called. Passing a `torch.Generator` pins it down
    and leaves the global RNG alone.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.random_split
    """
    ds = Squares(10)
    global_state = torch.get_rng_state()

    first = random_split(ds, [7, 3], generator=torch.Generator().manual_seed(42))
    second = random_split(ds, [7, 3], generator=torch.Generator().manual_seed(42))

    assert inspect.signature(random_split).parameters["generator"].default is torch.default_generator
    assert torch.equal(torch.get_rng_state(), global_state)
    assert [len(part) for part in first] == [7, 3]
    assert list(first[0].indices) == list(second[0].indices)
    assert sorted(list(first[0].indices) + list(first[1].indices)) == list(range(10))


def test_random_split_accepts_fractions():
    """`random_split` also takes fractions that sum to 1; leftover samples go round-robin.

    0.5 and 0.5 of 5 samples is 2.5 each: both are floored to 2, and the one sample left
    over goes to the first split.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.random_split
    """
    ds = Squares(5)

    parts = random_split(ds, [0.5, 0.5], generator=torch.Generator().manual_seed(0))

    assert [len(part) for part in parts] == [3, 2]


def test_random_split_lengths_must_add_up():
    """Integer lengths that do not sum to `len(ds)` raise a `ValueError`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.random_split
    """
    ds = Squares(10)

    with raises_exactly(ValueError, match="Sum of input lengths does not equal the length of the input dataset"):
        random_split(ds, [6, 3])


def test_iterable_dataset_batches_what_it_yields():
    """A `DataLoader` batches an `IterableDataset` in the order `__iter__` yields.

    There are no indices, so there is nothing to sample: the loader takes the stream as it
    comes and cuts it into batches.

    Docs: https://docs.pytorch.org/docs/stable/data.html#iterable-style-datasets
    """
    loader = DataLoader(CountTo(5), batch_size=2)

    assert [batch.tolist() for batch in loader] == [[0, 1], [2, 3], [4]]


def test_iterable_dataset_loader_has_no_len():
    """`len()` of a `DataLoader` over an `IterableDataset` without `__len__` raises `TypeError`.

    The loader has no sampler to count, so it asks the dataset, and Python's `len()`
    fails with its usual message for an object without `__len__`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#iterable-style-datasets
    """
    loader = DataLoader(CountTo(5), batch_size=2)

    with raises_exactly(TypeError, match=r"object of type 'CountTo' has no len\(\)"):
        len(loader)


def test_iterable_dataset_rejects_shuffle():
    """`shuffle=True` with an `IterableDataset` raises a `ValueError`.

    A stream cannot be shuffled by index; shuffle inside `__iter__` (or with a buffer)
    instead.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    with raises_exactly(ValueError, match="expected unspecified shuffle option"):
        DataLoader(CountTo(5), shuffle=True)


def test_get_worker_info_is_none_in_the_main_process():
    """`get_worker_info()` is `None` outside a loader worker process.

    With `num_workers=0` the dataset runs in the main process, so code that shards by
    worker must handle `None` as "the only worker".

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.get_worker_info
    """
    assert get_worker_info() is None


def test_iterable_dataset_is_copied_into_every_worker():
    """With two workers an unsharded `IterableDataset` yields every sample twice.

    Each worker process gets its own copy of the dataset and runs the full `__iter__`.
    The loader takes results from the workers in turn, so the two copies of the stream
    arrive interleaved. (`batch_size=None` turns batching off: items come back one by
    one, unconverted.)

    Docs: https://docs.pytorch.org/docs/stable/data.html#iterable-style-datasets
    """
    loader = DataLoader(CountTo(3), batch_size=None, num_workers=2, timeout=30)

    assert list(loader) == [0, 0, 1, 1, 2, 2]


class ShardedCount(IterableDataset):
    """Yields 0..n-1 once in total, worker w taking every num_workers-th value from w."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        worker_id, num_workers = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(worker_id, self.n, num_workers))


def test_get_worker_info_shards_an_iterable_dataset():
    """Sharding by `get_worker_info().id` makes two workers yield each sample once.

    Inside a worker, `get_worker_info()` gives its `id` and the `num_workers` (and its
    `seed`, see the DataLoader page). Worker 0 takes 0, 2, 4 and worker 1 takes 1, 3, 5;
    taken in turn they come back in order. Without the sharding every sample would come
    twice (previous test).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.get_worker_info
    """
    loader = DataLoader(ShardedCount(6), batch_size=None, num_workers=2, timeout=30)

    assert list(loader) == [0, 1, 2, 3, 4, 5]

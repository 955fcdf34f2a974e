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

from torchref import by_version, raises_exactly, warns_exactly


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
@pytest.mark.torch_version(">=2.1")
def test_stack_dataset_zips_datasets_into_tuples_or_dicts():
    """`StackDataset(a, b)[i]` is `(a[i], b[i])`; with keywords, `StackDataset(x=a, y=b)[i]` is `{"x": a[i], "y": b[i]}`.

    Where `TensorDataset` zips tensors, `StackDataset` zips whole datasets (images from one,
    captions from another). Its length is the common length of its parts. It appeared in
    torch 2.1.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.StackDataset
    """
    images = Squares(3)
    labels = TensorDataset(torch.tensor([10, 11, 12]))

    as_tuple = torch.utils.data.StackDataset(images, labels)
    as_dict = torch.utils.data.StackDataset(image=images, label=labels)

    assert len(as_tuple) == 3
    (x, target), (label,) = as_tuple[2]
    assert x.tolist() == [2.0]
    assert target == 4
    assert label.item() == 12
    assert len(as_dict) == 3
    assert set(as_dict[1]) == {"image", "label"}
    assert as_dict[1]["image"][1] == 1
    assert as_dict[1]["label"][0].item() == 11


@pytest.mark.torch_version(">=2.1")
def test_stack_dataset_refuses_unequal_lengths_and_mixed_arguments():
    """`StackDataset` raises a `ValueError` for parts of different lengths, and for positional and keyword parts together.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.StackDataset
    """
    with raises_exactly(ValueError, match=r"Size mismatch between datasets"):
        torch.utils.data.StackDataset(Squares(3), Squares(4))
    with raises_exactly(ValueError, match=r"``dict``- \(via ``kwargs``\) like input/output, but both types are given"):
        torch.utils.data.StackDataset(Squares(3), b=Squares(3))


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


def test_concat_dataset_refuses_iterable_and_empty_inputs():
    """`ConcatDataset` raises `AssertionError` for an `IterableDataset` part and for an empty list of parts.

    It needs each part's length to map an index to a part, which a stream does not have;
    `ChainDataset` is the iterable counterpart.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.ConcatDataset
    """
    with raises_exactly(AssertionError, match=r"ConcatDataset does not support IterableDataset"):
        ConcatDataset([Squares(2), CountTo(2)])
    with raises_exactly(AssertionError, match=r"datasets should not be an empty iterable"):
        ConcatDataset([])


def test_iterable_plus_iterable_is_a_chain_dataset():
    """Adding two `IterableDataset`s gives a `ChainDataset` that yields one after the other.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.ChainDataset
    """
    chained = CountTo(2) + CountTo(3)

    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 0, 1, 2]


def test_chain_dataset_refuses_map_style_parts_when_iterated():
    """A `ChainDataset` of map-style datasets raises `AssertionError`, but only once it is iterated.

    The chaining is lazy: the constructor stores the parts, and each part is checked when
    the chain reaches it.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.ChainDataset
    """
    chained = ChainDataset([Squares(2)])

    with raises_exactly(AssertionError, match=r"ChainDataset only supports IterableDataset"):
        list(chained)


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


def test_random_split_warns_about_an_empty_fraction():
    """A fraction that leaves a split with no samples gives a `UserWarning` naming that split; the split is still returned.

    0.9 and 0.1 of 3 samples floor to 2 and 0; the leftover sample goes to split 0, so
    split 1 is empty.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.random_split
    """
    with warns_exactly(UserWarning, match=r"Length of split at index 1 is 0\. This might result in an empty dataset\."):
        parts = random_split(Squares(3), [0.9, 0.1], generator=torch.Generator().manual_seed(0))

    assert [len(part) for part in parts] == [3, 0]


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


@pytest.mark.parametrize("option", ["sampler", "batch_sampler"])
def test_iterable_dataset_rejects_sampler_and_batch_sampler(option):
    """`sampler` or `batch_sampler` with an `IterableDataset` raises a `ValueError`: the stream's own order is the loading order.

    Docs: https://docs.pytorch.org/docs/stable/data.html#data-loading-order-and-sampler
    """
    with raises_exactly(ValueError, match=rf"DataLoader with IterableDataset: expected unspecified {option} option"):
        DataLoader(CountTo(5), **{option: [[0]]})


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


def test_iterable_dataset_drop_last_applies_to_each_worker_replica():
    """With workers, `drop_last=True` drops the short last batch of each worker's replica of an `IterableDataset`.

    Each of the two unsharded workers streams 0..4 and batches it as `[0, 1]`, `[2, 3]`,
    `[4]`; the batches arrive alternately from the two workers, and `drop_last` removes
    both `[4]`s, not only the last batch of the whole loop.

    Docs: https://docs.pytorch.org/docs/stable/data.html#multi-process-data-loading
    """
    kept = DataLoader(CountTo(5), batch_size=2, num_workers=2, timeout=30)
    dropped = DataLoader(CountTo(5), batch_size=2, num_workers=2, drop_last=True, timeout=30)

    assert [batch.tolist() for batch in kept] == [[0, 1], [0, 1], [2, 3], [2, 3], [4], [4]]
    assert [batch.tolist() for batch in dropped] == [[0, 1], [0, 1], [2, 3], [2, 3]]


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

"""DataLoader: batches, shuffling, collation and workers

`DataLoader` draws indices from a sampler, fetches the samples, and merges each group of
samples into a batch with a *collate* function. The defaults (`batch_size=1`, no
shuffling, `default_collate`, `num_workers=0`) cover most needs; the traps are in how
collation treats Python numbers and mismatched shapes.
"""

import collections
import math
import os
import random

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
    default_collate,
    default_convert,
    get_worker_info,
)
from torch.utils.data._utils.collate import collate, default_collate_fn_map

from torchref import raises_exactly, warns_exactly


def make_dataset(n=10):
    """n samples of 3 features each, labelled 0, 1, 0, 1, ..."""
    return TensorDataset(torch.arange(3.0 * n).view(n, 3), torch.arange(n) % 2)


Point = collections.namedtuple("Point", ["x", "y"])


def pad_collate(batch):
    """Pads 1-D sequences to the longest with zeros; returns (padded, lengths)."""
    return pad_sequence(batch, batch_first=True), torch.tensor([len(s) for s in batch])


class WorkerReport(Dataset):
    """Sample i reports, from inside the worker that loads it: worker id, its seed, torch's seed, a NumPy draw, the pid."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = get_worker_info()
        return info.id, info.seed, torch.initial_seed(), int(np.random.randint(2**31)), os.getpid()


class TensSamples(Dataset):
    """Five samples 0, 10, ..., 40, fetched a batch at a time through `__getitems__`; it records each index list."""

    def __init__(self):
        self.requests = []

    def __len__(self):
        return 5

    def __getitem__(self, i):
        raise AssertionError("the loader uses __getitems__ instead")

    def __getitems__(self, indices):
        self.requests.append(list(indices))
        return [10 * i for i in indices]


class UnderReported(IterableDataset):
    """Claims a length of 2 but yields 0, 1, 2, 3, 4."""

    def __len__(self):
        return 2

    def __iter__(self):
        return iter(range(5))


class WorkerIds(Dataset):
    """Sample i is the id of the worker that loads it and the id its `worker_init_fn` received."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return get_worker_info().id, os.environ["TORCHREF_INIT_ID"]


def record_worker_id(worker_id):
    """A `worker_init_fn` that stores the id it is called with, for the worker's samples to report."""
    os.environ["TORCHREF_INIT_ID"] = str(worker_id)


class Box:
    """A custom sample type that `default_collate` does not know."""

    def __init__(self, value):
        self.value = value


class Crate(Box):
    """A subclass of `Box`: the type map finds `Box`'s function for it."""


def collate_boxes(batch, *, collate_fn_map=None):
    """A collate function for a batch of `Box`es: the sum of their values."""
    return sum(box.value for box in batch)


def seed_numpy(worker_id):
    """A `worker_init_fn`: seed NumPy in each worker from that worker's own torch seed."""
    np.random.seed(get_worker_info().seed % 2**32)


def test_loader_defaults_are_batches_of_one_in_order_in_the_main_process():
    """`DataLoader(ds)` yields batches of 1, in index order, loaded in the main process, keeping the short batch.

    The documented defaults: `batch_size=1`, `shuffle=False` (a `SequentialSampler`),
    `drop_last=False`, `num_workers=0`, `timeout=0`, `pin_memory=False`,
    `collate_fn=None` (which means `default_collate`), `persistent_workers=False` and,
    since `num_workers=0`, no `prefetch_factor`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(TensorDataset(torch.arange(3)))

    batches = [batch[0].tolist() for batch in loader]

    assert batches == [[0], [1], [2]]
    assert (loader.batch_size, loader.drop_last, loader.num_workers, loader.timeout) == (1, False, 0, 0)
    assert (loader.pin_memory, loader.persistent_workers, loader.prefetch_factor) == (False, False, None)
    assert type(loader.sampler) is SequentialSampler
    assert type(loader.batch_sampler) is BatchSampler
    assert loader.collate_fn is default_collate


def test_shuffle_true_means_a_random_sampler():
    """`shuffle=True` is a shortcut: the loader builds a `RandomSampler` over the dataset.

    Docs: https://docs.pytorch.org/docs/stable/data.html#data-loading-order-and-sampler
    """
    ds = TensorDataset(torch.arange(3))

    loader = DataLoader(ds, shuffle=True)

    assert type(loader.sampler) is RandomSampler
    assert loader.sampler.data_source is ds


def test_shuffle_false_means_a_sequential_sampler_inside_a_batch_sampler():
    """Without `shuffle`, the loader builds a `SequentialSampler`, and wraps it in a `BatchSampler` with `batch_size` and `drop_last`.

    With automatic batching the loader reads index lists from `loader.batch_sampler`; with
    `batch_size=None` there is no batch sampler and it reads single indices from
    `loader.sampler`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#data-loading-order-and-sampler
    """
    ds = TensorDataset(torch.arange(5))

    loader = DataLoader(ds, batch_size=2, drop_last=True)
    unbatched = DataLoader(ds, batch_size=None)

    assert type(loader.sampler) is SequentialSampler
    assert type(loader.batch_sampler) is BatchSampler
    assert loader.batch_sampler.sampler is loader.sampler
    assert loader.batch_sampler.batch_size == 2
    assert loader.batch_sampler.drop_last is True
    assert list(loader.batch_sampler) == [[0, 1], [2, 3]]
    assert unbatched.batch_sampler is None
    assert type(unbatched.sampler) is SequentialSampler


def test_getitems_fetches_a_whole_batch_in_one_call():
    """A map-style dataset with `__getitems__` receives each batch's list of indices in one call, instead of one `__getitem__` per index.

    `__getitems__` returns the list of samples, which `collate_fn` then merges as usual. It
    lets a dataset read a batch at once (one database query, one slice).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.Dataset
    """
    ds = TensSamples()

    batches = [batch.tolist() for batch in DataLoader(ds, batch_size=2)]

    assert ds.requests == [[0, 1], [2, 3], [4]]
    assert batches == [[0, 10], [20, 30], [40]]


@pytest.mark.claim("S1-024", verdict="true")
def test_next_iter_gives_one_batch_of_features_and_labels():
    """`next(iter(loader))` is the first batch: a features tensor and a labels tensor.

    Each sample is a `(features, label)` pair; the loader stacks `batch_size` of them into
    a `(batch_size, 3)` tensor and a `(batch_size,)` tensor. With `shuffle=True` the
    samples are drawn in a new random order every epoch.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(make_dataset(), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))

    features, labels = next(iter(loader))
    epoch_1 = torch.cat([f[:, 0] for f, _ in loader]).tolist()
    epoch_2 = torch.cat([f[:, 0] for f, _ in loader]).tolist()

    assert features.shape == (4, 3)
    assert labels.shape == (4,)
    assert labels.dtype == torch.int64
    assert sorted(epoch_1) == sorted(epoch_2) == [3.0 * i for i in range(10)]
    assert epoch_1 != epoch_2


def test_loader_len_is_the_number_of_batches():
    """`len(loader)` is ceil(N / batch_size): the last batch may be short.

    Ten samples in batches of 4 are 4, 4 and 2.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(make_dataset(10), batch_size=4)

    sizes = [len(labels) for _, labels in loader]

    assert len(loader) == math.ceil(10 / 4) == 3
    assert sizes == [4, 4, 2]


def test_iterable_loader_len_trusts_the_dataset_and_warns_when_it_lied():
    """For an `IterableDataset` with `__len__`, `len(loader)` is `ceil(len(dataset) / batch_size)`; yielding more then warns.

    The loader cannot count a stream, so it believes the dataset. Once `len(loader)` has
    been asked and more batches than the reported length come out, it warns with a
    `UserWarning` (its message says "samples" but counts batches: here the dataset
    claims 2 and the third batch triggers it). Iteration itself is not cut short.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(UnderReported(), batch_size=2)

    assert len(loader) == math.ceil(2 / 2)
    with warns_exactly(UserWarning, match=r"was reported to be 2 ?\(when accessing len\(dataloader\)\), but 3 samples have been fetched"):
        batches = [batch.tolist() for batch in loader]

    assert batches == [[0, 1], [2, 3], [4]]


def test_drop_last_drops_the_short_batch():
    """`drop_last=True` drops the incomplete last batch, so `len` is floor(N / batch_size).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(make_dataset(10), batch_size=4, drop_last=True)

    sizes = [len(labels) for _, labels in loader]

    assert len(loader) == 10 // 4 == 2
    assert sizes == [4, 4]


def test_shuffle_with_a_seeded_generator_repeats():
    """Two loaders with `shuffle=True` and equally seeded generators give the same order.

    The order is a permutation of all indices: every sample is seen once per epoch.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    ds = TensorDataset(torch.arange(8))

    first = DataLoader(ds, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(3))
    second = DataLoader(ds, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(3))
    order = next(iter(first))[0].tolist()

    assert order == next(iter(second))[0].tolist()
    assert sorted(order) == list(range(8))


def test_default_collate_stacks_tensors_along_a_new_dimension():
    """`default_collate` stacks same-shaped tensors into one tensor with a leading batch dimension.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    samples = [torch.zeros(2, 3), torch.ones(2, 3)]

    batch = default_collate(samples)

    assert batch.shape == (2, 2, 3)
    assert batch[1].sum().item() == 6.0


def test_default_collate_turns_numbers_into_tensors():
    """Python ints become an int64 tensor and Python floats a float64 tensor.

    The float64 is a trap: a model with float32 weights then fails on these targets, or
    silently computes in double. Store float targets as float32 tensors in the dataset.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    ints = default_collate([1, 2, 3])
    floats = default_collate([0.5, 1.5])

    assert ints.tolist() == [1, 2, 3]
    assert ints.dtype == torch.int64
    assert floats.dtype == torch.float64


def test_default_collate_turns_numpy_arrays_into_a_stacked_tensor():
    """NumPy arrays are converted to tensors of the same dtype and stacked; NumPy scalars become a 1-D tensor.

    A float64 array stays float64, the same trap as Python floats; `np.float32` scalars
    give float32.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    arrays = [np.array([1.0, 2.0]), np.array([3.0, 4.0])]

    batch = default_collate(arrays)
    scalars = default_collate([np.float32(0.5), np.float32(1.5)])

    assert batch.dtype == torch.float64
    assert batch.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert scalars.dtype == torch.float32
    assert scalars.tolist() == [0.5, 1.5]


def test_default_collate_keeps_dict_structure():
    """A batch of dicts is a dict of batches, key by key, at every level of nesting.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    samples = [{"x": torch.zeros(2), "y": 0, "meta": {"w": 0.5}}, {"x": torch.ones(2), "y": 1, "meta": {"w": 2.0}}]

    batch = default_collate(samples)

    assert isinstance(batch, dict)
    assert set(batch) == {"x", "y", "meta"}
    assert batch["x"].shape == (2, 2)
    assert batch["y"].tolist() == [0, 1]
    assert batch["meta"]["w"].tolist() == [0.5, 2.0]


def test_default_collate_transposes_tuples_into_a_list():
    """A batch of `(x, y, name)` tuples becomes `[X, Y, names]`: tensors stacked, strings listed.

    Collation is applied position by position. The outer container comes back as a list,
    not a tuple, which is why `features, labels = batch` unpacks it; strings are kept
    as a tuple of the originals.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    samples = [(torch.tensor([1.0]), 0, "a"), (torch.tensor([2.0]), 1, "b")]

    batch = default_collate(samples)

    assert isinstance(batch, list)
    assert batch[0].tolist() == [[1.0], [2.0]]
    assert batch[1].tolist() == [0, 1]
    assert batch[2] == ("a", "b")


def test_default_collate_keeps_namedtuples_and_string_lists():
    """A batch of namedtuples is one namedtuple of batches; a batch of strings or bytes stays a list of them.

    `default_collate` keeps the sample's container type where it can: a namedtuple comes back
    as the same namedtuple class, field by field (`Point(x=tensor, y=tensor)`), and `str`
    and `bytes` are not converted at all.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    points = [Point(1, 2.0), Point(3, 4.0)]

    batch = default_collate(points)
    names = default_collate(["a", "b", "c"])
    raw = default_collate([b"a", b"b"])

    assert type(batch) is Point
    assert batch.x.tolist() == [1, 3]
    assert batch.x.dtype == torch.int64
    assert batch.y.tolist() == [2.0, 4.0]
    assert batch.y.dtype == torch.float64
    assert names == ["a", "b", "c"]
    assert raw == [b"a", b"b"]


def test_default_collate_rejects_other_types():
    """An element that is no tensor, array, number, string, mapping or sequence raises a `TypeError` naming its type.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """

    class Opaque:
        pass

    with raises_exactly(TypeError, match=r"batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class"):
        default_collate([Opaque(), Opaque()])


def test_default_convert_turns_arrays_into_tensors_and_leaves_the_rest():
    """`default_convert` turns NumPy arrays and scalars into tensors, also inside containers, and leaves numbers and strings alone.

    It is the conversion-only half of `default_collate`, used when batching is off: it adds
    no batch dimension (the array of shape `(2,)` stays shape `(2,)`), keeps the NumPy dtype,
    and does not touch Python `int` or `str`. Lists stay lists; a plain tuple comes back as
    a list too (namedtuples keep their class).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_convert
    """
    array = np.array([1.0, 2.0])

    converted = default_convert(array)
    scalar = default_convert(np.float32(1.5))
    mapping = default_convert({"a": np.zeros(2, dtype=np.int32), "b": 3})
    point = default_convert(Point(np.ones(1), "s"))
    listed = default_convert([np.array([0, 1]), np.array([2, 3])])
    pair = default_convert((np.int64(7), 8))

    assert isinstance(converted, torch.Tensor)
    assert converted.dtype == torch.float64
    assert converted.shape == (2,)
    assert scalar.dtype == torch.float32
    assert scalar.shape == ()
    assert mapping["a"].dtype == torch.int32
    assert mapping["b"] == 3
    assert type(mapping["b"]) is int
    assert type(point) is Point
    assert point.x.tolist() == [1.0]
    assert point.y == "s"
    assert isinstance(listed, list)
    assert [t.tolist() for t in listed] == [[0, 1], [2, 3]]
    assert isinstance(pair, list)
    assert pair[0].dtype == torch.int64
    assert pair[0].item() == 7
    assert pair[1] == 8


def test_batch_size_none_calls_collate_fn_on_each_sample():
    """With batching off, a custom `collate_fn` is called once per sample, with the sample itself.

    In automatic-batching mode `collate_fn` receives a list of samples; with
    `batch_size=None` it receives one sample, not a list of one.

    Docs: https://docs.pytorch.org/docs/stable/data.html#disable-automatic-batching
    """
    seen = []

    def record(sample):
        seen.append(sample)
        return sample

    out = list(DataLoader([10, 20, 30], batch_size=None, collate_fn=record))

    assert seen == [10, 20, 30]
    assert out == [10, 20, 30]


def test_default_collate_fails_on_mismatched_shapes():
    """Tensors of different shapes cannot be stacked: `default_collate` raises `RuntimeError`.

    The message names the two sizes and the positions in the batch. Variable-length
    samples need a custom `collate_fn` (next test) or resizing in the dataset.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    samples = [torch.zeros(3), torch.zeros(2)]

    with raises_exactly(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[3\] at entry 0 and \[2\] at entry 1"):
        default_collate(samples)


@pytest.mark.shows("collate_boxes")
def test_collate_with_a_type_map_handles_custom_types():
    """`collate(batch, collate_fn_map=...)` looks up each element's type, or the first base class listed, in the map.

    `default_collate` is `collate` with `default_collate_fn_map`, which knows tensors, NumPy
    arrays, numbers and strings; a `Box` raises the usual `TypeError`. Adding `Box` to a
    copy of the map teaches collation the new type, also for the subclass `Crate` and for
    a `Box` nested in a tuple, while the tuple's other field is still stacked by default.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data._utils.collate.collate
    """
    type_map = {**default_collate_fn_map, Box: collate_boxes}

    boxes = collate([Box(1), Box(2)], collate_fn_map=type_map)
    crates = collate([Crate(1), Crate(5)], collate_fn_map=type_map)
    pairs = collate([(Box(1), 3), (Box(2), 4)], collate_fn_map=type_map)

    assert boxes == 3
    assert crates == 6
    assert pairs[0] == 3
    assert pairs[1].tolist() == [3, 4]
    with raises_exactly(TypeError, match=r"batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class"):
        collate([Box(1)], collate_fn_map=default_collate_fn_map)


def test_default_collate_fails_on_sequences_of_different_lengths():
    """Samples that are sequences of different lengths raise a `RuntimeError`: they cannot be transposed position by position.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    samples = [(1, 2), (3, 4, 5)]

    with raises_exactly(RuntimeError, match=r"each element in list of batch should be of equal size"):
        default_collate(samples)


def test_collate_fn_can_pad_variable_lengths():
    """A `collate_fn` receives the list of samples and builds the batch itself.

    Here it pads sequences of lengths 3 and 1 with zeros to the longest and keeps the
    true lengths.

    Docs: https://docs.pytorch.org/docs/stable/data.html#working-with-collate-fn
    """
    sequences = [torch.tensor([1, 2, 3]), torch.tensor([4])]

    padded, lengths = next(iter(DataLoader(sequences, batch_size=2, collate_fn=pad_collate)))

    assert padded.tolist() == [[1, 2, 3], [4, 0, 0]]
    assert lengths.tolist() == [3, 1]


def test_batch_size_none_yields_single_samples():
    """`batch_size=None` turns batching off: the loader yields samples one by one.

    Docs: https://docs.pytorch.org/docs/stable/data.html#disable-automatic-batching
    """
    loader = DataLoader(make_dataset(3), batch_size=None)

    features, label = next(iter(loader))

    assert len(loader) == 3
    assert features.shape == (3,)
    assert label.shape == ()


def test_batch_size_none_still_converts_numpy_arrays():
    """With batching off, the default `collate_fn` only converts: a NumPy array becomes a tensor, with no batch dimension.

    Docs: https://docs.pytorch.org/docs/stable/data.html#disable-automatic-batching
    """
    samples = [np.array([1.0, 2.0]), np.array([3.0, 4.0])]

    first = next(iter(DataLoader(samples, batch_size=None)))

    assert isinstance(first, torch.Tensor)
    assert first.dtype == torch.float64
    assert first.tolist() == [1.0, 2.0]


def test_batch_size_none_rejects_drop_last():
    """`batch_size=None` with `drop_last=True` raises a `ValueError`: without batches there is nothing to drop.

    Docs: https://docs.pytorch.org/docs/stable/data.html#disable-automatic-batching
    """
    with raises_exactly(ValueError, match=r"batch_size=None option disables auto-batching and is mutually exclusive with drop_last"):
        DataLoader(make_dataset(4), batch_size=None, drop_last=True)


@pytest.mark.parametrize(
    "option",
    [{"batch_size": 2}, {"shuffle": True}, {"sampler": [0, 1]}, {"drop_last": True}],
    ids=["batch_size", "shuffle", "sampler", "drop_last"],
)
def test_batch_sampler_excludes_batch_size_shuffle_sampler_and_drop_last(option):
    """Passing `batch_sampler` together with `batch_size`, `shuffle`, `sampler` or `drop_last` raises a `ValueError`.

    The batch sampler already decides which indices form each batch, so each of those
    four options would contradict it; `batch_size` counts as given when it is not the
    default 1.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    with raises_exactly(ValueError, match=r"batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"):
        DataLoader(make_dataset(4), batch_sampler=[[0, 1]], **option)


def test_workers_give_the_same_samples_in_the_same_order():
    """`num_workers=2` yields exactly what `num_workers=0` yields, in the same order.

    Workers fetch in parallel, but the loader hands results back in sampler order,
    holding early arrivals until their turn, so what you get does not depend on the
    worker count. (The samples are plain ints and batching is off, so that nothing but
    the order is on show.)

    Docs: https://docs.pytorch.org/docs/stable/data.html#single-and-multi-process-data-loading
    """
    samples = list(range(6))

    serial = list(DataLoader(samples, batch_size=None))
    parallel = list(DataLoader(samples, batch_size=None, num_workers=2, timeout=30))

    assert parallel == serial == [0, 1, 2, 3, 4, 5]


@pytest.mark.no_accelerator
@pytest.mark.torch_version("<2.7")
def test_pin_memory_without_an_accelerator_is_silently_ignored_before_2_7():
    """Before 2.7, without an accelerator `pin_memory=True` is ignored without a word and batches stay unpinned.

    Pinning only helps copies to an accelerator, so on a CPU-only machine the loader
    skips it. Since 2.7 it says so (next test).

    Docs: https://docs.pytorch.org/docs/stable/data.html#memory-pinning
    """
    loader = DataLoader(make_dataset(4), batch_size=2, pin_memory=True)

    features, _ = next(iter(loader))

    assert not features.is_pinned()


@pytest.mark.no_accelerator
@pytest.mark.torch_version(">=2.7")
def test_pin_memory_without_an_accelerator_warns_and_is_ignored_since_2_7():
    """Since 2.7, without an accelerator `pin_memory=True` warns with a `UserWarning` and batches stay unpinned.

    The loader checks `torch.accelerator.is_available()` when an iterator is created and
    warns that "no accelerator is found", so the warning comes from `iter(loader)`, not
    from the constructor.

    Docs: https://docs.pytorch.org/docs/stable/data.html#memory-pinning
    """
    loader = DataLoader(make_dataset(4), batch_size=2, pin_memory=True)

    with warns_exactly(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        features, _ = next(iter(loader))

    assert not features.is_pinned()


# Without an accelerator (or on MPS) the loader adds its own pin_memory warning; this test is about the other one.
@pytest.mark.filterwarnings("ignore:'pin_memory' argument is set as true but no accelerator is found:UserWarning")
@pytest.mark.filterwarnings("ignore:'pin_memory' argument is set as true but not supported on MPS:UserWarning")
@pytest.mark.torch_version(">=2.9")
def test_pin_memory_device_is_deprecated_since_2_9():
    """Since 2.9, `pin_memory_device=` is ignored with a `UserWarning`: the current accelerator is used.

    The argument used to pick the device to pin for; the loader now always pins for
    `torch.accelerator.current_accelerator()`
    (https://github.com/pytorch/pytorch/pull/158323). Drop the argument.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(make_dataset(4), batch_size=2, pin_memory=True, pin_memory_device="cpu")

    with warns_exactly(UserWarning, match=r"pin_memory_device is deprecated, the current accelerator will be used as the device"):
        features, _ = next(iter(loader))

    assert features.shape == (2, 3)


@pytest.mark.cuda
def test_pin_memory_pins_batches_on_a_gpu_machine():
    """With CUDA available, `pin_memory=True` puts every batch in page-locked memory.

    Pinned batches can be copied to the GPU asynchronously with
    `.to("cuda", non_blocking=True)`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#memory-pinning
    """
    loader = DataLoader(make_dataset(4), batch_size=2, pin_memory=True)

    features, labels = next(iter(loader))

    assert features.is_pinned()
    assert labels.is_pinned()
    assert features.device.type == "cpu"


def test_prefetch_factor_needs_workers():
    """`prefetch_factor` only applies to worker processes: with `num_workers=0` it raises a `ValueError`.

    Each worker keeps `prefetch_factor` batches in flight (2 by default when
    `num_workers > 0`); the main process loads on demand, so there is nothing to
    prefetch.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    with raises_exactly(ValueError, match=r"prefetch_factor option could only be specified in multiprocessing"):
        DataLoader(make_dataset(4), prefetch_factor=2)

    assert DataLoader(make_dataset(4), num_workers=2).prefetch_factor == 2


def test_persistent_workers_needs_workers():
    """`persistent_workers=True` with `num_workers=0` raises a `ValueError`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    with raises_exactly(ValueError, match=r"persistent_workers option needs num_workers > 0"):
        DataLoader(make_dataset(4), persistent_workers=True)


def test_persistent_workers_survive_the_epoch():
    """With `persistent_workers=True` the same worker process serves every epoch.

    By default the workers are shut down when an epoch's iterator is exhausted and new
    ones start with the next `iter(loader)`; persistent workers skip that start-up cost
    and keep whatever state the dataset copy built up.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(WorkerReport(1), batch_size=None, num_workers=1, persistent_workers=True, timeout=30)

    first_pid = [sample[4] for sample in loader]
    second_pid = [sample[4] for sample in loader]

    assert first_pid == second_pid
    assert first_pid != [os.getpid()]


class RandomDraws(Dataset):
    """Sample i is, from inside its worker: the worker's seed, a draw of Python's `random` and of NumPy's global generator."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return get_worker_info().seed, random.random(), int(np.random.randint(2**31))


@pytest.mark.docs_erratum("Seeds for other libraries may be duplicated upon initializing workers, causing each worker to return identical random numbers.")
def test_workers_reseed_python_random_and_numpy_too():
    """Each worker also seeds Python's `random` with its seed, and NumPy's global generator from it: forked workers do not repeat each other's draws.

    The docs still warn that other libraries' seeds "may be duplicated", so that every
    forked worker returns the same "random" augmentation. That was true once; the worker
    loop now calls `random.seed(seed)` and seeds NumPy from the base seed and the worker
    id, before `worker_init_fn`. Without any `worker_init_fn`, the two workers below
    (forked from one parent, with one NumPy state) draw different numbers, and each
    `random` draw is the first draw of `random.Random(seed)`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#randomness-in-multi-process-data-loading
    """
    loader = DataLoader(RandomDraws(), batch_size=None, num_workers=2, timeout=30)

    (seed_0, random_0, numpy_0), (seed_1, random_1, numpy_1) = list(loader)

    assert random_0 == random.Random(seed_0).random()
    assert random_1 == random.Random(seed_1).random()
    assert numpy_0 != numpy_1


def test_worker_seeds_are_base_seed_plus_worker_id():
    """Each worker seeds torch with `base_seed + worker_id`; a seeded `generator` repeats the seeds, a new epoch changes them.

    The main process draws `base_seed` from `generator` (or the global RNG) every time
    an iterator is created, so the two workers of one epoch get consecutive seeds,
    `get_worker_info().seed` is that seed, and the next epoch gets new ones. A second
    loader with an equally seeded generator reproduces the first.

    A `worker_init_fn` runs after that seeding, so `seed_numpy` here replaces NumPy's
    per-worker seed (the next behaviour) with one of its own, making each NumPy draw the
    first draw of `RandomState(seed % 2**32)`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#randomness-in-multi-process-data-loading
    """
    def seeded_loader():
        return DataLoader(
            WorkerReport(2),
            batch_size=None,
            num_workers=2,
            worker_init_fn=seed_numpy,
            generator=torch.Generator().manual_seed(0),
            timeout=30,
        )

    loader, again = seeded_loader(), seeded_loader()

    epoch_1, epoch_2 = list(loader), list(loader)
    repeated = list(again)

    (id_0, seed_0, torch_seed_0, draw_0, _), (id_1, seed_1, torch_seed_1, draw_1, _) = epoch_1
    assert (id_0, id_1) == (0, 1)
    assert seed_1 == seed_0 + 1
    assert (torch_seed_0, torch_seed_1) == (seed_0, seed_1)
    assert draw_0 == np.random.RandomState(seed_0 % 2**32).randint(2**31)
    assert draw_1 == np.random.RandomState(seed_1 % 2**32).randint(2**31)
    assert [sample[1] for sample in repeated] == [seed_0, seed_1]
    assert epoch_2[0][1] not in (seed_0, seed_1)


def test_starting_an_epoch_draws_the_base_seed_from_the_global_rng():
    """Each `iter(loader)` draws one int64 base seed from the global RNG, even with `num_workers=0`; with `generator=` it draws from that generator instead.

    The draw happens whether or not workers exist, so adding a `DataLoader` loop shifts every
    later `torch.rand` of the main process. Passing a `generator` leaves the global RNG
    alone. The draw is exactly `torch.empty((), dtype=torch.int64).random_()`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#randomness-in-multi-process-data-loading
    """
    torch.manual_seed(0)
    torch.empty((), dtype=torch.int64).random_()
    after_one_draw = torch.rand(3)
    torch.manual_seed(0)
    untouched = torch.rand(3)

    torch.manual_seed(0)
    iter(DataLoader(range(4)))
    after_loader = torch.rand(3)
    torch.manual_seed(0)
    iter(DataLoader(range(4), generator=torch.Generator().manual_seed(1)))
    after_loader_with_generator = torch.rand(3)

    assert torch.equal(after_loader, after_one_draw)
    assert torch.equal(after_loader_with_generator, untouched)


def test_worker_init_fn_gets_the_worker_id():
    """`worker_init_fn` is called once in each worker process with that worker's id, from 0 to `num_workers - 1`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(WorkerIds(), batch_size=None, num_workers=2, worker_init_fn=record_worker_id, timeout=30)

    samples = list(loader)

    assert samples == [[0, "0"], [1, "1"]]  # default_convert turns each tuple into a list


def test_timeout_must_not_be_negative():
    """`timeout` is in seconds and must not be negative: -1 raises a `ValueError`.

    The default 0 means "wait for each batch from the workers as long as it takes"; a
    positive value makes the loader raise a `RuntimeError` ("DataLoader timed out after
    ... seconds") when a batch takes longer.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    with raises_exactly(ValueError, match=r"timeout option should be non-negative"):
        DataLoader(make_dataset(4), timeout=-1)


def test_num_workers_must_not_be_negative():
    """`num_workers=-1` raises a `ValueError` that points to `num_workers=0` for loading in the main process.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    with raises_exactly(ValueError, match=r"num_workers option should be non-negative; use num_workers=0 to disable multiprocessing"):
        DataLoader(make_dataset(4), num_workers=-1)


def test_multiprocessing_context_needs_workers():
    """`multiprocessing_context` with `num_workers=0` raises a `ValueError`: there are no worker processes to start.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    with raises_exactly(ValueError, match=r"multiprocessing_context can only be used with multi-process loading \(num_workers > 0\)"):
        DataLoader(make_dataset(4), multiprocessing_context="spawn")


def test_multiprocessing_context_must_be_a_start_method():
    """A `multiprocessing_context` string that is no start method of this platform raises a `ValueError`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    with raises_exactly(ValueError, match=r"should specify a valid start method in .*, but got multiprocessing_context='threads'"):
        DataLoader(make_dataset(4), num_workers=1, multiprocessing_context="threads")

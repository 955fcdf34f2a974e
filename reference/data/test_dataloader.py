"""DataLoader: batches, shuffling, collation and workers

`DataLoader` draws indices from a sampler, fetches the samples, and merges each group of
samples into a batch with a *collate* function. The defaults (`batch_size=1`, no
shuffling, `default_collate`, `num_workers=0`) cover most needs; the traps are in how
collation treats Python numbers and mismatched shapes.
"""

import math

import pytest
import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, TensorDataset, default_collate

from torchref import by_version, raises_exactly, warns_exactly


def make_dataset(n=10):
    """n samples of 3 features each, labelled 0, 1, 0, 1, ..."""
    return TensorDataset(torch.arange(3.0 * n).view(n, 3), torch.arange(n) % 2)


def pad_collate(batch):
    """Pads 1-D sequences to the longest with zeros; returns (padded, lengths)."""
    return pad_sequence(batch, batch_first=True), torch.tensor([len(s) for s in batch])


@pytest.mark.claim("S1-024", verdict="true")
def test_next_iter_gives_one_batch_of_features_and_labels():
    """`next(iter(loader))` is the first batch: a features tensor and a labels tensor.

    Each sample is a `(features, label)` pair; the loader stacks `batch_size` of them into
    a `(batch_size, 3)` tensor and a `(batch_size,)` tensor. With `shuffle=True` the
    samples are drawn in a new random order every epoch.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(make_dataset(), batch_size=4, shuffle=True)

    features, labels = next(iter(loader))

    assert features.shape == (4, 3)
    assert labels.shape == (4,)
    assert labels.dtype == torch.int64


def test_loader_len_is_the_number_of_batches():
    """`len(loader)` is ceil(N / batch_size): the last batch may be short.

    Ten samples in batches of 4 are 4, 4 and 2.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    loader = DataLoader(make_dataset(10), batch_size=4)

    sizes = [len(labels) for _, labels in loader]

    assert len(loader) == math.ceil(10 / 4) == 3
    assert sizes == [4, 4, 2]


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


def test_default_collate_keeps_dict_structure():
    """A batch of dicts is a dict of batches, key by key.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    samples = [{"x": torch.zeros(2), "y": 0}, {"x": torch.ones(2), "y": 1}]

    batch = default_collate(samples)

    assert set(batch) == {"x", "y"}
    assert batch["x"].shape == (2, 2)
    assert batch["y"].tolist() == [0, 1]


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


def test_default_collate_fails_on_mismatched_shapes():
    """Tensors of different shapes cannot be stacked: `default_collate` raises `RuntimeError`.

    The message names the two sizes and the positions in the batch. Variable-length
    samples need a custom `collate_fn` (next test) or resizing in the dataset.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.default_collate
    """
    samples = [torch.zeros(3), torch.zeros(2)]

    with raises_exactly(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[3\] at entry 0 and \[2\] at entry 1"):
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
    parallel = list(DataLoader(samples, batch_size=None, num_workers=2))

    assert parallel == serial == [0, 1, 2, 3, 4, 5]


@pytest.mark.no_cuda
def test_pin_memory_without_an_accelerator_is_ignored():
    """Without an accelerator `pin_memory=True` is ignored and batches stay unpinned.

    Pinning only helps copies to a GPU. On a CPU-only machine the loader skips it; since
    torch 2.7 it also says so with a `UserWarning`, before that it was silent.

    Docs: https://docs.pytorch.org/docs/stable/data.html#memory-pinning
    """
    warns = by_version({"<2.7": False, ">=2.7": True})
    loader = DataLoader(make_dataset(4), batch_size=2, pin_memory=True)

    if warns:
        with warns_exactly(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
            features, _ = next(iter(loader))
    else:
        features, _ = next(iter(loader))

    assert not features.is_pinned()


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

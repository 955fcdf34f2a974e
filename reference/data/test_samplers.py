"""Samplers: which indices, in which order

A sampler decides the order in which a map-style dataset is read: it yields indices, and
the `DataLoader` fetches `dataset[i]` for each. `shuffle=True` is only a shortcut for a
`RandomSampler`; a `BatchSampler` groups indices into the lists that become batches.
"""

import pytest
import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)

from torchref import raises_exactly


def test_sequential_sampler_yields_indices_in_order():
    """`SequentialSampler` yields 0, 1, ..., N-1, which is what `shuffle=False` uses.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.SequentialSampler
    """
    sampler = SequentialSampler(range(4))

    assert list(sampler) == [0, 1, 2, 3]


def test_random_sampler_is_randperm_of_its_generator():
    """`RandomSampler` with a generator yields `torch.randperm(N, generator=...)` (an implementation detail, not a documented promise).

    What the docs promise is a random permutation when sampling without replacement:
    every index exactly once per epoch, reproducible with a seeded `generator`. That the
    permutation is exactly `torch.randperm(N, generator=g)` is how the current code draws
    it; a release could draw differently (and the exact order has no reason to survive a
    change of release), so rely on the seed for reproducibility, not on this equality.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.RandomSampler
    """
    sampler = RandomSampler(range(6), generator=torch.Generator().manual_seed(0))
    expected = torch.randperm(6, generator=torch.Generator().manual_seed(0)).tolist()

    order = list(sampler)

    assert order == expected
    assert sorted(order) == [0, 1, 2, 3, 4, 5]


def test_random_sampler_with_replacement_draws_num_samples():
    """`RandomSampler(replacement=True, num_samples=k)` draws k indices that may repeat.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.RandomSampler
    """
    sampler = RandomSampler(range(3), replacement=True, num_samples=10, generator=torch.Generator().manual_seed(0))

    indices = list(sampler)

    assert len(indices) == len(sampler) == 10
    assert set(indices) <= {0, 1, 2}


def test_weighted_random_sampler_never_draws_zero_weights():
    """`WeightedRandomSampler` draws index i with probability weight[i] / sum; weight 0 is never drawn.

    The weights need not sum to 1. The usual use is to balance classes: give each sample
    the weight 1 / (count of its class).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.WeightedRandomSampler
    """
    sampler = WeightedRandomSampler([0.0, 3.0, 0.0, 1.0], num_samples=4000, generator=torch.Generator().manual_seed(0))

    indices = list(sampler)
    share_of_1 = indices.count(1) / len(indices)

    assert len(indices) == 4000
    assert set(indices) <= {1, 3}
    # 3 / (3 + 1) = 0.75; one binomial standard deviation over 4000 draws is about 0.007.
    assert abs(share_of_1 - 0.75) < 5 * (0.75 * 0.25 / 4000) ** 0.5


def test_weighted_random_sampler_without_replacement_draws_each_once():
    """With `replacement=False` each index is drawn at most once.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.WeightedRandomSampler
    """
    sampler = WeightedRandomSampler([1.0, 1.0, 1.0], num_samples=3, replacement=False, generator=torch.Generator().manual_seed(0))

    assert sorted(sampler) == [0, 1, 2]


def test_subset_random_sampler_shuffles_only_the_given_indices():
    """`SubsetRandomSampler(indices)` yields the given indices in a random order.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.SubsetRandomSampler
    """
    sampler = SubsetRandomSampler([10, 20, 30], generator=torch.Generator().manual_seed(0))

    assert sorted(sampler) == [10, 20, 30]


def test_batch_sampler_groups_indices_into_lists():
    """`BatchSampler` turns a stream of indices into lists of `batch_size`, the last one short.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.BatchSampler
    """
    sampler = BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False)

    assert list(sampler) == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(sampler) == 3


def test_batch_sampler_drop_last_drops_the_short_list():
    """`BatchSampler(..., drop_last=True)` leaves out the incomplete last list, and `len` counts only full ones.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.BatchSampler
    """
    sampler = BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=True)

    assert list(sampler) == [[0, 1, 2], [3, 4, 5]]
    assert len(sampler) == 7 // 3


def test_loader_accepts_a_batch_sampler():
    """`DataLoader(batch_sampler=...)` fetches exactly the index lists the batch sampler yields.

    `batch_size`, `shuffle`, `sampler` and `drop_last` must then stay at their defaults
    (any of them raises a `ValueError`, see the DataLoader page). Any iterable of index
    lists works, here a plain list of lists.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    ds = TensorDataset(torch.arange(10, 15))

    loader = DataLoader(ds, batch_sampler=[[4, 0], [2]])

    assert [batch[0].tolist() for batch in loader] == [[14, 10], [12]]


def test_loader_rejects_sampler_with_shuffle():
    """Passing both `sampler=` and `shuffle=True` raises a `ValueError`.

    The sampler already decides the order, so shuffling on top would be ambiguous.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    ds = TensorDataset(torch.arange(4))

    with raises_exactly(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)


class EvenIndices(Sampler):
    """A custom sampler: the even indices of its data, in order."""

    def __init__(self, data):
        super().__init__()
        self.n = len(data)

    def __iter__(self):
        return iter(range(0, self.n, 2))


@pytest.mark.torch_version(">=2.10")
def test_sampler_base_class_takes_no_data_source_since_2_10():
    """Since 2.10 the `Sampler` base class takes no arguments: `Sampler(data)` raises `TypeError`.

    The unused `data_source` argument was removed
    (https://github.com/pytorch/pytorch/pull/163134). A custom sampler keeps the data it
    needs itself and calls `super().__init__()` without it.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.Sampler
    """
    with raises_exactly(TypeError, match=r"Sampler\(\) takes no arguments"):
        Sampler([1, 2, 3])
    assert list(EvenIndices([10, 11, 12, 13, 14])) == [0, 2, 4]


def test_random_sampler_checks_num_samples_and_replacement():
    """`RandomSampler` raises a `ValueError` for `num_samples` below 1 and a `TypeError` for a non-bool `replacement`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.RandomSampler
    """
    with raises_exactly(ValueError, match=r"num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with raises_exactly(TypeError, match=r"replacement should be a boolean value, but got replacement=1"):
        RandomSampler(range(3), replacement=1)


def test_batch_sampler_checks_batch_size_and_drop_last():
    """`BatchSampler` raises a `ValueError` for a `batch_size` below 1 and for a non-bool `drop_last`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.BatchSampler
    """
    with raises_exactly(ValueError, match=r"batch_size should be a positive integer value, but got batch_size=0"):
        BatchSampler(range(3), batch_size=0, drop_last=False)
    with raises_exactly(ValueError, match=r"drop_last should be a boolean value, but got drop_last=1"):
        BatchSampler(range(3), batch_size=2, drop_last=1)

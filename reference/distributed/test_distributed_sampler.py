"""DistributedSampler

In data-parallel training each process must see a different part of the dataset.
`DistributedSampler` gives rank `r` of `num_replicas` every `num_replicas`-th index,
starting at `r`, after padding the index list so all ranks get the same number of
samples. It reads rank and world size from the process group, or takes them as arguments,
which is how this page runs it without any processes.
"""

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, DistributedSampler

from torchref import by_version, raises_exactly


def test_distributed_sampler_deals_indices_round_robin():
    """Rank `r` of `n` gets indices `r, r + n, r + 2n, ...` of the (unshuffled) dataset.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    dataset = list(range(8))

    parts = [list(DistributedSampler(dataset, num_replicas=2, rank=r, shuffle=False)) for r in range(2)]

    assert parts == [[0, 2, 4, 6], [1, 3, 5, 7]]


def test_distributed_sampler_pads_by_repeating_the_first_indices():
    """When the dataset does not divide evenly, the sampler repeats indices from the start.

    10 samples over 3 ranks: each rank gets `ceil(10 / 3) = 4`, so 2 indices (0 and 1)
    are used twice in an epoch. Every rank must run the same number of steps, or the
    gradient all-reduce would wait forever for the rank that stopped early.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    dataset = list(range(10))

    parts = [list(DistributedSampler(dataset, num_replicas=3, rank=r, shuffle=False)) for r in range(3)]

    assert parts == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    assert [len(p) for p in parts] == [4, 4, 4]


def test_distributed_sampler_drop_last_drops_the_tail_instead():
    """With `drop_last=True`, the sampler cuts the tail so every sample is used at most once.

    10 samples over 3 ranks: 9 are used, sample 9 is dropped this epoch.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    dataset = list(range(10))

    parts = [
        list(DistributedSampler(dataset, num_replicas=3, rank=r, shuffle=False, drop_last=True)) for r in range(3)
    ]

    assert parts == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]


def test_distributed_sampler_shuffled_parts_do_not_overlap():
    """With the default `shuffle=True`, the ranks' parts are disjoint and together cover the dataset.

    Every rank shuffles with the same seed (`seed + epoch`), so they agree on one
    permutation and each takes its own stride of it.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    dataset = list(range(12))
    permutation = torch.randperm(12, generator=torch.Generator().manual_seed(0)).tolist()  # seed 0 + epoch 0

    lists = [list(DistributedSampler(dataset, num_replicas=3, rank=r)) for r in range(3)]
    parts = [set(p) for p in lists]

    assert lists == [permutation[r::3] for r in range(3)]
    assert parts[0] | parts[1] | parts[2] == set(range(12))
    assert parts[0] & parts[1] == parts[0] & parts[2] == parts[1] & parts[2] == set()


def test_distributed_sampler_repeats_the_order_unless_set_epoch_is_called():
    """Without `set_epoch`, every epoch gets the same shuffled order.

    The permutation comes from a generator seeded with `seed + epoch`, and `epoch` only
    changes when you call `sampler.set_epoch(epoch)` at the start of each epoch. After
    it, rank 0 gets not only another order but another half of the dataset. A
    `DataLoader(shuffle=True)` reshuffles by itself; a DistributedSampler does not.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    sampler = DistributedSampler(list(range(100)), num_replicas=2, rank=0)
    first = list(sampler)

    again = list(sampler)
    sampler.set_epoch(1)
    next_epoch = list(sampler)

    assert again == first
    assert next_epoch != first
    assert set(next_epoch) != set(first)
    assert next_epoch == torch.randperm(100, generator=torch.Generator().manual_seed(1)).tolist()[0::2]


def test_distributed_sampler_seed_is_added_to_the_epoch():
    """`seed=s` shuffles with a generator seeded `s + epoch`: seed 5 at epoch 2 is the permutation of seed 7.

    Every rank must pass the same `seed`, or their permutations differ and the parts
    overlap.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    sampler = DistributedSampler(list(range(10)), num_replicas=2, rank=1, seed=5)

    sampler.set_epoch(2)

    assert list(sampler) == torch.randperm(10, generator=torch.Generator().manual_seed(7)).tolist()[1::2]


def test_distributed_sampler_length_is_the_per_rank_count():
    """`len(sampler)` is the number of samples one rank sees, not the dataset size.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    sampler = DistributedSampler(list(range(10)), num_replicas=4, rank=0)

    assert len(sampler) == 3


def test_distributed_sampler_rejects_a_rank_outside_the_group():
    """A `rank` not below `num_replicas` raises ValueError naming the valid interval.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    with raises_exactly(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(list(range(10)), num_replicas=2, rank=2)


def test_distributed_sampler_needs_a_process_group_or_explicit_rank():
    """Without a process group, a sampler that is not given `num_replicas` and `rank` raises.

    The exception type changed in 2.2: before, RuntimeError; since, ValueError (the
    distributed package's "Default process group has not been initialized" error became a
    ValueError).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    error = by_version({"<2.2": RuntimeError, ">=2.2": ValueError})

    assert not dist.is_initialized()
    with raises_exactly(error, match="Default process group has not been initialized"):
        DistributedSampler(list(range(10)))


def test_data_loader_with_a_sampler_refuses_shuffle_true():
    """`DataLoader(..., sampler=DistributedSampler(...), shuffle=True)` raises ValueError.

    The sampler decides the order, so shuffle belongs to the sampler (`shuffle=True` is
    its default). Leave the DataLoader's `shuffle` at False.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    dataset = list(range(10))
    sampler = DistributedSampler(dataset, num_replicas=2, rank=0)

    with raises_exactly(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(dataset, sampler=sampler, shuffle=True)


def test_data_loader_batches_only_the_rank_share():
    """A DataLoader over a DistributedSampler batches only this rank's indices.

    With 2 ranks and batch size 2, rank 1 of an 8-sample dataset sees 2 batches holding the
    odd samples: the per-process batch size is the DataLoader's, and the global batch is
    `batch_size * world_size`.

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.distributed.DistributedSampler
    """
    dataset = torch.arange(8)
    sampler = DistributedSampler(dataset, num_replicas=2, rank=1, shuffle=False)

    batches = [b.tolist() for b in DataLoader(dataset, batch_size=2, sampler=sampler)]

    assert batches == [[1, 3], [5, 7]]

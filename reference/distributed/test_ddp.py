"""DistributedDataParallel and collectives

`DistributedDataParallel` (DDP) runs one process per model replica. Each process computes
gradients on its own part of the batch; during `backward` DDP averages them across the
processes, so every replica takes the same optimizer step. It needs no GPU: the `gloo`
backend runs on CPU over TCP, which is how the tests here run it, with two processes on
the loopback interface.

Starting a process costs a `torch` import, so this page starts one group of two processes
for all its tests: each helper `_scenario_*` below runs in both processes, and each test
asserts on what the two ranks returned. The helpers are the code to read; the tests say
what it shows.
"""

import json
import os
import re
import socket
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

from torchref import by_version, raises_exactly, warns_exactly

WORLD_SIZE = 2
DEADLINE_S = 120.0  # the whole group, from spawn to the last result: the suite must never hang


def _data():
    """The same full batch of 4 samples on every rank; rank r trains on samples 2r and 2r+1."""
    g = torch.Generator().manual_seed(100)
    return torch.randn(4, 3, generator=g), torch.randn(4, 1, generator=g)


def _model(seed):
    torch.manual_seed(seed)
    return nn.Linear(3, 1)


def _scenario_collectives(rank, world_size):
    summed = torch.tensor([rank + 1.0])
    dist.all_reduce(summed)  # op=ReduceOp.SUM
    biggest = torch.tensor([rank + 1.0])
    dist.all_reduce(biggest, op=dist.ReduceOp.MAX)
    from_zero = torch.tensor([10.0 * (rank + 1)])
    dist.broadcast(from_zero, src=0)
    gathered = [torch.zeros(2) for _ in range(world_size)]
    dist.all_gather(gathered, torch.tensor([rank, 10.0 * rank]))
    return {
        "rank": dist.get_rank(),
        "world_size": dist.get_world_size(),
        "backend": dist.get_backend(),
        "all_reduce_sum": summed.tolist(),
        "all_reduce_max": biggest.tolist(),
        "broadcast": from_zero.tolist(),
        "all_gather": [t.tolist() for t in gathered],
    }


def _scenario_ddp_step(rank, world_size):
    model = _model(seed=rank)  # a different initialisation on each rank
    before = model.weight.detach().clone()
    ddp = DDP(model)  # on CPU: no device_ids
    wrapped = model.weight.detach().clone()
    x, y = _data()
    mine = slice(2 * rank, 2 * rank + 2)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1)

    loss = nn.functional.mse_loss(ddp(x[mine]), y[mine])
    loss.backward()
    grad = model.weight.grad.clone()
    opt.step()
    return {
        "weight_before_wrap": before,
        "weight_after_wrap": wrapped,
        "grad": grad,
        "weight_after_step": model.weight.detach().clone(),
        "module_is_model": ddp.module is model,
        "state_dict_keys": list(ddp.state_dict()),
    }


def _scenario_no_sync(rank, world_size):
    model = _model(seed=0)
    ddp = DDP(model)
    x, y = _data()
    mine = slice(2 * rank, 2 * rank + 2)

    with ddp.no_sync():
        nn.functional.mse_loss(ddp(x[mine]), y[mine]).backward()
    local = model.weight.grad.clone()
    nn.functional.mse_loss(ddp(x[mine]), y[mine]).backward()  # outside no_sync: synchronises
    return {"grad_inside_no_sync": local, "grad_after_synced_backward": model.weight.grad.clone()}


class Tagged(nn.Module):
    """A linear model with a buffer `tag`; `forward` records the tag it sees."""

    def __init__(self, tag):
        super().__init__()
        self.lin = nn.Linear(3, 1)
        self.register_buffer("tag", torch.tensor([tag]))

    def forward(self, x):
        self.seen = self.tag.clone()
        return self.lin(x)


class TwoHeads(nn.Module):
    """Two linear layers, of which `forward` uses only the first: `unused` never gets a gradient."""

    def __init__(self):
        super().__init__()
        self.used = nn.Linear(3, 1)
        self.unused = nn.Linear(3, 1)

    def forward(self, x):
        return self.used(x)


def _scenario_buffers(rank, world_size):
    x, _ = _data()
    results = {}
    for broadcast in (True, False):
        model = Tagged(float(rank))  # tag 0 on rank 0, 1 on rank 1
        ddp = DDP(model, broadcast_buffers=broadcast)
        results[f"tag_after_wrap_{broadcast}"] = model.tag.item()
        model.tag.fill_(10.0 * (rank + 1))  # the ranks' buffers drift apart: 10 and 20
        ddp(x).sum().backward()
        results[f"tag_seen_in_forward_{broadcast}"] = model.seen.item()
    return results


def _scenario_parameters_drift(rank, world_size):
    model = _model(seed=0)
    ddp = DDP(model)
    with torch.no_grad():
        model.weight.add_(float(rank))  # after construction: rank 1's weight moves by 1
    x, y = _data()
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1)

    nn.functional.mse_loss(ddp(x[2 * rank : 2 * rank + 2]), y[2 * rank : 2 * rank + 2]).backward()
    opt.step()
    return {"weight_after_step": model.weight.detach().clone()}


def _scenario_unused_parameters(rank, world_size):
    x, _ = _data()
    found = DDP(TwoHeads(), find_unused_parameters=True)
    for _ in range(2):
        found(x).sum().backward()
    results = {"unused_grad_is_none": found.module.unused.weight.grad is None,
               "used_grad": found.module.used.weight.grad.clone()}

    strict = DDP(TwoHeads())  # find_unused_parameters=False, the default
    strict(x).sum().backward()  # the first iteration passes; its reduction never finishes
    try:
        strict(x)
    except Exception as error:  # recorded for the test to assert its exact class and message
        results["second_forward_error"] = [type(error).__module__, type(error).__qualname__, str(error)]
    return results


def _scenario_all_gather_single(rank, world_size):
    out = torch.zeros(2 * world_size)
    dist.all_gather_single(out, torch.tensor([rank, 10.0 * rank]))
    return {"gathered": out.tolist()}


SCENARIOS = {
    "collectives": _scenario_collectives,
    "ddp_step": _scenario_ddp_step,
    "no_sync": _scenario_no_sync,
    "buffers": _scenario_buffers,
    "parameters_drift": _scenario_parameters_drift,
    # Last: the error it provokes leaves that DDP module unusable (the group stays fine).
    "unused_parameters": _scenario_unused_parameters,
}
if hasattr(dist, "all_gather_single"):  # new in 2.13; its test is gated at that release
    SCENARIOS["all_gather_single"] = _scenario_all_gather_single


def _init_group(backend, rank, world_size, port):
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"  # gloo talks over loopback only (set in the child)
    dist.init_process_group(
        backend,
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world_size,
        timeout=timedelta(seconds=60),  # a rank that never arrives fails the group, not the suite
    )


def _worker(rank, world_size, port, out_dir):
    torch.set_num_threads(1)
    _init_group("gloo", rank, world_size, port)
    try:
        results = {name: scenario(rank, world_size) for name, scenario in SCENARIOS.items()}
        _save(results, rank, out_dir)
        # Rank 0 hosts the rendezvous store: no rank may tear down while another still uses it.
        dist.barrier()
    finally:
        dist.destroy_process_group()
    # Everything is saved: leave without running C++ static destructors, since torch's
    # background threads can still abort a normal exit ("terminate called without an
    # active exception", SIGABRT) once all the work is done.
    os._exit(0)


def _save(results, rank, out_dir):
    """Write a rank's results as JSON (tensors as nested lists): plain data, read back without torch.load."""
    text = json.dumps(results, default=lambda t: t.tolist())
    (Path(out_dir) / f"rank{rank}.json").write_text(text)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(worker, out_dir):
    """Run `worker(rank, WORLD_SIZE, port, out_dir)` in WORLD_SIZE fresh processes; kill them on any failure."""
    context = mp.start_processes(
        worker, args=(WORLD_SIZE, _free_port(), out_dir), nprocs=WORLD_SIZE, join=False, start_method="spawn"
    )
    deadline = time.monotonic() + DEADLINE_S
    try:
        while not context.join(timeout=max(deadline - time.monotonic(), 0.1)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the workers did not finish within {DEADLINE_S} s")
    finally:
        for process in context.processes:
            if process.is_alive():
                process.kill()
            process.join(5)
    return [json.loads((Path(out_dir) / f"rank{r}.json").read_text()) for r in range(WORLD_SIZE)]


@pytest.fixture(scope="module")
def ranks():
    """Spawn two gloo processes once, run every scenario in both, return [rank 0, rank 1] results."""
    with tempfile.TemporaryDirectory() as out_dir:
        yield _spawn(_worker, out_dir)


def test_process_group_must_be_initialised_first():
    """Before `init_process_group`, asking for the rank raises "Default process group has not been initialized".

    Collectives, `get_rank`, `DistributedSampler` and DDP all go through the default
    process group, so every process calls `dist.init_process_group(...)` first (the
    helper `_init_group` above). The exception type changed in 2.2: a RuntimeError
    before, a ValueError since.

    Docs: https://docs.pytorch.org/docs/stable/distributed.html#torch.distributed.init_process_group
    """
    error = by_version({"<2.2": RuntimeError, ">=2.2": ValueError})

    assert dist.is_available()
    assert not dist.is_initialized()
    with raises_exactly(error, match="Default process group has not been initialized"):
        dist.get_rank()


def test_collectives_know_rank_and_world_size(ranks):
    """Each process has a rank from 0 to `world_size - 1` in the group it joined.

    Rank and world size are what a script uses to pick its shard of the data and to let
    only rank 0 print or save checkpoints.

    Docs: https://docs.pytorch.org/docs/stable/distributed.html#torch.distributed.get_rank
    """
    assert [r["collectives"]["rank"] for r in ranks] == [0, 1]
    assert [r["collectives"]["world_size"] for r in ranks] == [2, 2]
    assert ranks[0]["collectives"]["backend"] == "gloo"


@pytest.mark.shows("_scenario_collectives")
def test_all_reduce_sums_in_place_on_every_rank(ranks):
    """`all_reduce` replaces each rank's tensor with the sum over all ranks.

    Rank 0 holds 1 and rank 1 holds 2; afterwards both hold 3. The reduction happens in
    place, and `op=ReduceOp.MAX` (or `MIN`, `PRODUCT`) picks another one. This is the
    collective DDP uses for gradients.

    Docs: https://docs.pytorch.org/docs/stable/distributed.html#torch.distributed.all_reduce
    """
    assert [r["collectives"]["all_reduce_sum"] for r in ranks] == [[3.0], [3.0]]
    assert [r["collectives"]["all_reduce_max"] for r in ranks] == [[2.0], [2.0]]


def test_broadcast_copies_the_source_rank_tensor(ranks):
    """`broadcast(t, src=0)` overwrites every rank's `t` with rank 0's.

    Rank 1's own value (20) is gone; both ranks hold rank 0's 10.

    Docs: https://docs.pytorch.org/docs/stable/distributed.html#torch.distributed.broadcast
    """
    assert [r["collectives"]["broadcast"] for r in ranks] == [[10.0], [10.0]]


def test_all_gather_lists_every_rank_tensor_in_rank_order(ranks):
    """`all_gather` fills a list with each rank's tensor, indexed by rank.

    Each rank contributes `[rank, 10 * rank]`; every rank receives the same list, entry `i`
    coming from rank `i`. The output tensors must be allocated beforehand, one per rank.

    Docs: https://docs.pytorch.org/docs/stable/distributed.html#torch.distributed.all_gather
    """
    expected = [[0.0, 0.0], [1.0, 10.0]]

    assert [r["collectives"]["all_gather"] for r in ranks] == [expected, expected]


@pytest.mark.shows("_scenario_ddp_step")
def test_ddp_broadcasts_rank_zero_parameters_at_construction(ranks):
    """Wrapping a model in DDP copies rank 0's parameters to every rank.

    The helper seeds each rank differently, so the two models start apart. DDP's
    constructor broadcasts rank 0's parameters and buffers, so training starts from one
    model: without that, averaged gradients would be applied to different weights.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html
    """
    before = [r["ddp_step"]["weight_before_wrap"] for r in ranks]
    after = [r["ddp_step"]["weight_after_wrap"] for r in ranks]

    assert before[0] != before[1]
    assert after == [before[0], before[0]]


@pytest.mark.shows("_scenario_ddp_step")
def test_ddp_gradient_is_the_full_batch_gradient(ranks):
    """After `backward`, every rank holds the average of the ranks' gradients.

    Each rank computes the mean loss over its own 2 samples. DDP all-reduces the gradients
    during `backward` and divides by the world size, so with equal local batches every
    rank ends up with the gradient of the mean loss over all 4 samples, computed here on
    one model for comparison.

    Docs: https://docs.pytorch.org/docs/stable/notes/ddp.html
    """
    x, y = _data()
    reference = _model(seed=0)
    nn.functional.mse_loss(reference(x), y).backward()

    for r in ranks:
        torch.testing.assert_close(torch.tensor(r["ddp_step"]["grad"]), reference.weight.grad)


def test_ddp_parameters_stay_identical_after_a_step(ranks):
    """Same start, same averaged gradient: the ranks' parameters stay equal after `step`.

    DDP never synchronises parameters after construction; they stay equal because every
    rank applies the same update. Anything that breaks that (a different learning rate
    on one rank, an update outside the optimizer) makes the replicas drift.

    Docs: https://docs.pytorch.org/docs/stable/notes/ddp.html
    """
    assert ranks[0]["ddp_step"]["weight_after_step"] == ranks[1]["ddp_step"]["weight_after_step"]
    assert ranks[0]["ddp_step"]["weight_after_step"] != ranks[0]["ddp_step"]["weight_after_wrap"]


@pytest.mark.shows("_scenario_no_sync")
def test_ddp_no_sync_keeps_gradients_local(ranks):
    """Inside `no_sync()`, `backward` accumulates local gradients and communicates nothing.

    Used for gradient accumulation: skip the all-reduce for all but the last micro-batch.
    The first `backward` (inside `no_sync`) leaves each rank its own local gradient `g_r`.
    The second, outside, adds `g_r` again and averages the accumulated sums:
    `(2 g_0 + 2 g_1) / 2 = g_0 + g_1` on both ranks.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html#torch.nn.parallel.DistributedDataParallel.no_sync
    """
    x, y = _data()
    local = []
    for rank in range(2):
        model = _model(seed=0)
        nn.functional.mse_loss(model(x[2 * rank : 2 * rank + 2]), y[2 * rank : 2 * rank + 2]).backward()
        local.append(model.weight.grad)

    for rank, r in enumerate(ranks):
        torch.testing.assert_close(torch.tensor(r["no_sync"]["grad_inside_no_sync"]), local[rank])
        torch.testing.assert_close(torch.tensor(r["no_sync"]["grad_after_synced_backward"]), local[0] + local[1])


def test_ddp_holds_the_model_as_module(ranks):
    """Like DataParallel, DDP keeps the model as `.module`, and its `state_dict` keys start with `module.`.

    Save `ddp.module.state_dict()` (usually from rank 0 only) to get a checkpoint that
    loads into the bare model.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html
    """
    result = ranks[0]["ddp_step"]

    assert result["module_is_model"] is True
    assert result["state_dict_keys"] == ["module.weight", "module.bias"]


@pytest.mark.shows("_scenario_buffers")
def test_ddp_broadcasts_rank_zero_buffers_before_every_forward(ranks):
    """With the default `broadcast_buffers=True`, DDP copies rank 0's buffers to every rank at construction and before each forward.

    `Tagged` starts with buffer `tag` = rank, and each rank then overwrites its own
    (10 on rank 0, 20 on rank 1). Construction made both 0; inside the next forward both
    ranks see rank 0's 10 again: rank 1's own value was overwritten. This keeps BatchNorm
    running statistics equal on all ranks, at the cost of a broadcast per step.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html
    """
    assert [r["buffers"]["tag_after_wrap_True"] for r in ranks] == [0.0, 0.0]
    assert [r["buffers"]["tag_seen_in_forward_True"] for r in ranks] == [10.0, 10.0]


@pytest.mark.shows("_scenario_buffers")
def test_ddp_broadcast_buffers_false_leaves_each_rank_its_own_buffers(ranks):
    """With `broadcast_buffers=False`, DDP does not copy buffers before a forward, so each rank keeps its own.

    The same `Tagged` model: each rank's forward sees its own overwritten value (10 and
    20). Since 2.1 the constructor leaves buffers alone too (tags stay 0 and 1); 2.0 still
    copied rank 0's buffers once at construction. Use it when buffers are meant to
    be per-rank, or when you synchronise them yourself (for BatchNorm, see
    `nn.SyncBatchNorm`).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html
    """
    assert [r["buffers"]["tag_after_wrap_False"] for r in ranks] == by_version({"<2.1": [0.0, 0.0], ">=2.1": [0.0, 1.0]})
    assert [r["buffers"]["tag_seen_in_forward_False"] for r in ranks] == [10.0, 20.0]


@pytest.mark.shows("_scenario_parameters_drift")
def test_ddp_never_resynchronises_parameters_after_construction(ranks):
    """A change to one rank's parameters after wrapping stays on that rank: DDP syncs gradients, not weights.

    `_scenario_parameters_drift` adds 1 to rank 1's weight after construction. Both ranks
    then apply the same averaged gradient, so after the step the weights still differ by
    exactly that 1. Parameters are broadcast once, in the constructor; change them on
    every rank alike (or before wrapping), or the replicas silently diverge.

    Docs: https://docs.pytorch.org/docs/stable/notes/ddp.html
    """
    w0, w1 = (torch.tensor(r["parameters_drift"]["weight_after_step"]) for r in ranks)

    torch.testing.assert_close(w1 - w0, torch.ones_like(w0))


@pytest.mark.shows("_scenario_unused_parameters")
def test_ddp_find_unused_parameters_lets_a_parameter_go_without_gradient(ranks):
    """With `find_unused_parameters=True`, a parameter that takes no part in the loss is skipped and keeps `grad` None.

    `TwoHeads.forward` uses only `used`. DDP walks the autograd graph after each forward,
    marks `unused` as ready at once, and two training iterations pass; `used` gets the
    averaged gradient of the ranks' equal losses, which here is its local one.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html
    """
    x, _ = _data()

    for r in ranks:
        assert r["unused_parameters"]["unused_grad_is_none"] is True
    # d/dW of sum(x @ W.T + b), accumulated over two backward passes: 2 * column sums of x.
    expected = 2 * x.sum(dim=0, keepdim=True)
    for r in ranks:
        torch.testing.assert_close(torch.tensor(r["unused_parameters"]["used_grad"]), expected)


@pytest.mark.shows("_scenario_unused_parameters")
def test_ddp_without_find_unused_parameters_fails_on_the_next_forward(ranks):
    """Without `find_unused_parameters`, a parameter that gets no gradient makes the next forward raise RuntimeError.

    DDP waits for every parameter's gradient before it all-reduces a bucket. `unused`
    never gets one, so the first `backward` returns with the reduction unfinished, and
    the next forward refuses to start: "Expected to have finished reduction in the prior
    iteration", naming the unused parameters and the `find_unused_parameters=True` fix.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html
    """
    for r in ranks:
        module, name, message = r["unused_parameters"]["second_forward_error"]
        assert (module, name) == ("builtins", "RuntimeError")
        assert re.search(r"Expected to have finished reduction in the prior iteration before starting a new one", message)
        assert "find_unused_parameters=True" in message


@pytest.mark.torch_version(">=2.13")
@pytest.mark.shows("_scenario_all_gather_single")
def test_all_gather_single_concatenates_every_rank_tensor(ranks):
    """`all_gather_single(out, t)` writes every rank's `t` into one tensor, in rank order.

    The single-tensor form of `all_gather`: `out` holds `world_size` times the elements
    of `t`. It arrived in 2.13 as the new name of `all_gather_into_tensor`
    (one of the rename's PRs: [PR 186123](https://github.com/pytorch/pytorch/pull/186123)).

    Docs: https://docs.pytorch.org/docs/stable/distributed.html#torch.distributed.all_gather_single
    """
    expected = [0.0, 0.0, 1.0, 10.0]

    assert [r["all_gather_single"]["gathered"] for r in ranks] == [expected, expected]


@pytest.mark.torch_version(">=2.13,<2.15")
def test_all_gather_into_tensor_warns_that_it_is_deprecated():
    """`dist.all_gather_into_tensor` gives a FutureWarning pointing to `all_gather_single` since 2.13.

    The old name still gathers: in a one-process gloo group (an in-memory `HashStore`,
    no spawn needed) the output is the input. The same rename turned
    `reduce_scatter_tensor` into `reduce_scatter_single`
    (one of the rename's PRs: [PR 186123](https://github.com/pytorch/pytorch/pull/186123)).

    Docs: https://docs.pytorch.org/docs/stable/distributed.html#torch.distributed.all_gather_into_tensor
    """
    out, t = torch.zeros(1), torch.tensor([3.0])
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        with warns_exactly(FutureWarning, match=r"`torch\.distributed\.all_gather_into_tensor` is deprecated\. Please use `torch\.distributed\.all_gather_single` instead"):
            dist.all_gather_into_tensor(out, t)
    finally:
        dist.destroy_process_group()

    assert out.tolist() == [3.0]


@pytest.mark.torch_version(">=2.15")
def test_all_gather_into_tensor_gathers_without_a_warning_in_2_15():
    """In 2.15 the old name `dist.all_gather_into_tensor` gathers without a FutureWarning.

    The same one-process gloo group as above: 2.13 and 2.14 warn on this call, 2.15.0
    does not (seen on the recorded 2.15.0 run; the 2.15 release notes could not be read
    here, so whether the deprecation was withdrawn or moved is not asserted). Prefer
    `all_gather_single`, the name every release since 2.13 documents.

    Docs: https://docs.pytorch.org/docs/stable/distributed.html#torch.distributed.all_gather_into_tensor
    """
    out, t = torch.zeros(1), torch.tensor([3.0])
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            dist.all_gather_into_tensor(out, t)
    finally:
        dist.destroy_process_group()

    assert [w.category for w in caught if "all_gather" in str(w.message)] == []
    assert out.tolist() == [3.0]


def _nccl_worker(rank, world_size, port, out_dir):
    # First the device, then the group: NCCL binds each rank's communicator to its current GPU.
    torch.cuda.set_device(rank)
    _init_group("nccl", rank, world_size, port)
    try:
        ddp = DDP(_model(seed=0).to(rank), device_ids=[rank])
        x, y = (t.to(rank) for t in _data())
        mine = slice(2 * rank, 2 * rank + 2)
        nn.functional.mse_loss(ddp(x[mine]), y[mine]).backward()
        _save({"grad": ddp.module.weight.grad.cpu(), "device": str(ddp.module.weight.device)}, rank, out_dir)
        dist.barrier()  # as in the gloo worker: nobody tears down while another rank still works
    finally:
        dist.destroy_process_group()
    os._exit(0)  # everything is saved: skip the static destructors (see `_worker`)


@pytest.mark.multi_gpu
@pytest.mark.shows("_nccl_worker")
def test_ddp_with_nccl_on_two_gpus_averages_gradients(tmp_path):
    """With the `nccl` backend, one process per GPU, DDP gives each GPU the full-batch gradient.

    The GPU recipe (`_nccl_worker` above): `torch.cuda.set_device(rank)` before
    `init_process_group`, move the model to `rank`, and pass `device_ids=[rank]`. The
    averaging is the same as with gloo on CPU.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parallel.DistributedDataParallel.html
    """
    x, y = _data()
    reference = _model(seed=0)
    nn.functional.mse_loss(reference(x), y).backward()

    results = _spawn(_nccl_worker, tmp_path)

    assert [r["device"] for r in results] == ["cuda:0", "cuda:1"]
    for r in results:
        torch.testing.assert_close(torch.tensor(r["grad"]), reference.weight.grad)

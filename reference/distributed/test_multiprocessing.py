"""Sharing tensors between processes

`torch.multiprocessing` is Python's `multiprocessing` with one addition: a tensor sent
through one of its queues has its storage moved into shared memory, and the receiver gets
a handle to that memory, not a copy. A write on one side is then seen on the other. The
gradient is the exception: it stays with the process that computed it.

The tests start one child process for the whole page (`_child` below, run by a
module-scoped fixture) and assert on what it did and reported. The child is *forked*:
fork copies the parent with `torch` already imported, so it starts in milliseconds, and it
is the start method that lets a child inherit tensors as arguments, which two tests need.
The child touches only CPU tensors; CUDA in a child needs the `spawn` (or `forkserver`)
start method instead.
"""

import multiprocessing
import sys
import warnings

import pytest
import torch
import torch.multiprocessing as mp

CHILD_TIMEOUT_S = 60.0  # the child finishes in well under a second; never let the suite hang


def _child(inbox, outbox, inherited, inherited_shared):
    """Runs in the forked child: receive through the queue, write, backprop, report."""
    torch.set_num_threads(1)  # one process per core: do not oversubscribe the CPU
    received = inbox.get()
    received.add_(1.0)  # a write through the shared memory
    param = inbox.get()
    (param * 3.0).sum().backward()  # a gradient computed in the child
    inherited.add_(1.0)  # inherited by fork, not shared: the child's private copy
    inherited_shared.add_(1.0)  # inherited by fork, in shared memory
    outbox.put(
        {
            "received_is_shared": received.is_shared(),
            "param_is_shared": param.is_shared(),
            "param_requires_grad": param.requires_grad,
            "grad_in_child": param.grad.tolist(),
        }
    )


@pytest.fixture(scope="module")
def child():
    """Fork one child, send it two tensors, wait for its report; return what both sides saw."""
    ctx = mp.get_context("fork")
    inbox = ctx.SimpleQueue()  # no feeder thread: `put` pickles (and shares) at once
    outbox = ctx.Queue()  # carries plain data back; unlike SimpleQueue, its `get` takes a timeout
    sent = torch.zeros(3)
    param = torch.zeros(2, requires_grad=True)
    inherited = torch.zeros(2)
    inherited_shared = torch.zeros(2).share_memory_()
    process = ctx.Process(target=_child, args=(inbox, outbox, inherited, inherited_shared))
    with warnings.catch_warnings():
        # Python 3.12+ warns when forking a process that runs threads (torch's thread pool):
        # a thread holding a lock at fork time can deadlock the child. The child here takes
        # no such lock (SimpleQueue, no logging, one thread), and the timeouts bound the rest.
        warnings.filterwarnings("ignore", message=r"This process .* is multi-threaded", category=DeprecationWarning)
        process.start()
    try:
        was_shared = sent.is_shared()
        inbox.put(sent)
        inbox.put(param)
        report = outbox.get(timeout=CHILD_TIMEOUT_S)
        process.join(CHILD_TIMEOUT_S)
    finally:
        if process.is_alive():
            process.kill()
            process.join(5)
        inbox.close()
        outbox.close()
    return {
        "sent_was_shared_before_put": was_shared,
        "sent_is_shared_after_put": sent.is_shared(),
        "sent": sent,
        "param": param,
        "inherited": inherited,
        "inherited_shared": inherited_shared,
        "exitcode": process.exitcode,
        **report,
    }


@pytest.mark.shows("_child")
def test_tensor_sent_through_a_queue_shares_memory_with_the_receiver(child):
    """A tensor put on a `torch.multiprocessing` queue is moved to shared memory, and the receiver's writes show in the sender's tensor.

    `sent` was ordinary memory; `put` moved its storage into shared memory (the sender's
    own tensor now reports `is_shared()`), and the child received a handle to the same
    pages. The child added 1 to every element; the parent's `sent` holds 1s without
    anything being sent back.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html
    """
    assert child["exitcode"] == 0
    assert child["sent_was_shared_before_put"] is False
    assert child["sent_is_shared_after_put"] is True
    assert child["received_is_shared"] is True
    assert child["sent"].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.shows("_child")
def test_gradient_computed_in_the_receiver_is_not_shared(child):
    """A tensor sent without a `.grad` gets a gradient of its own in the receiver; the sender's stays None.

    The data of `param` is shared and `requires_grad` travels with it, but the `.grad`
    the child's `backward` created (3 for each element, from `sum(3 * param)`) lives in
    the child's memory only. That is why Hogwild-style training lets each process keep
    its own gradients and only the parameters are shared.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html
    """
    assert child["param_requires_grad"] is True
    assert child["param_is_shared"] is True
    assert child["grad_in_child"] == [3.0, 3.0]
    assert child["param"].grad is None


def test_share_memory_moves_the_storage_in_place():
    """`t.share_memory_()` moves `t`'s storage into shared memory, keeps the values and returns `t`.

    It is a no-op for a tensor already shared. `Module.share_memory()` does it for every
    parameter and buffer: what the Hogwild example calls before starting its workers.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.share_memory_.html
    """
    t = torch.arange(4.0)
    before = t.untyped_storage().data_ptr()

    returned = t.share_memory_()
    shared_at = t.untyped_storage().data_ptr()
    again = t.share_memory_()

    assert returned is t and again is t
    assert t.is_shared()
    assert shared_at != before
    assert t.untyped_storage().data_ptr() == shared_at
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.shows("_child")
def test_fork_inherited_tensor_is_copied_unless_it_is_in_shared_memory(child):
    """A tensor a forked child inherits is its own copy, unless it was put in shared memory first.

    Fork gives the child a copy-on-write image of the parent: the child's write to
    `inherited` went to its private copy, and the parent's stays 0. `inherited_shared`
    had `share_memory_()` called before the fork, so both processes map the same pages and
    the child's write shows. This is the "NOTE: this is required for the fork method to
    work" of the note's Hogwild example (`model.share_memory()`).

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#asynchronous-multiprocess-training-e-g-hogwild
    """
    assert child["inherited"].tolist() == [0.0, 0.0]
    assert child["inherited_shared"].tolist() == [1.0, 1.0]


@pytest.mark.skipif(sys.platform != "linux", reason="needs Linux: the default start method differs by platform")
def test_file_descriptor_is_the_default_sharing_strategy_on_linux():
    """On Linux, tensors are shared by passing file descriptors; `file_system` is the alternative.

    With `file_descriptor` each shared storage keeps a descriptor open, which can hit the
    open-files limit when many tensors are in flight; `set_sharing_strategy("file_system")`
    names shared-memory files instead.

    Docs: https://docs.pytorch.org/docs/stable/multiprocessing.html#sharing-strategies
    """
    assert mp.get_sharing_strategy() == "file_descriptor"
    assert mp.get_all_sharing_strategies() == {"file_descriptor", "file_system"}


@pytest.mark.skipif(
    sys.platform != "linux" or sys.version_info >= (3, 14), reason="needs Linux with Python < 3.14, where fork is the default"
)
def test_fork_is_the_default_start_method_on_linux():
    """On Linux (before Python 3.14) the default start method is `fork`, and `spawn` and `forkserver` are available.

    `get_all_start_methods()` lists the default first, and asks without fixing it (unlike
    `get_start_method()`, which sets the default as a side effect). `torch.multiprocessing`
    is the same module as Python's here. Python 3.14 made `forkserver` the default on
    Linux; since CUDA cannot be used in a forked child, choosing a context explicitly
    (`mp.get_context("spawn")`) is safer than relying on the default.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#cuda-in-multiprocessing
    """
    methods = mp.get_all_start_methods()

    assert methods[0] == "fork"
    assert set(methods) == {"fork", "spawn", "forkserver"}
    assert mp.get_all_start_methods is multiprocessing.get_all_start_methods

"""Sharing tensors between processes

`torch.multiprocessing` is Python's `multiprocessing` with one addition: a tensor sent
through one of its queues has its storage moved into shared memory, and the receiver gets
a handle to that memory, not a copy. A write on one side is then seen on the other. The
gradient is the exception: it stays with the process that computed it.

The tests start one child process for the whole page (`_child` below, run by a
module-scoped fixture) and assert on what it did and reported. The child is *forked*:
fork copies the parent with `torch` already imported, so it starts in milliseconds, and it
is the start method that lets a child inherit tensors and a model as arguments, which
two tests need.
The child touches only CPU tensors; CUDA in a child needs the `spawn` (or `forkserver`)
start method instead.
"""

import multiprocessing
import sys
import threading
import warnings

import pytest
import torch
import torch.multiprocessing as mp

CHILD_TIMEOUT_S = 60.0  # the child finishes in well under a second; never let the suite hang


def _child(inbox, outbox, inherited, inherited_shared, model):
    """Runs in the forked child: receive through the queue, write, backprop, train, send back, report."""
    torch.set_num_threads(1)  # one process per core: do not oversubscribe the CPU
    received = inbox.get()
    received.add_(1.0)  # a write through the shared memory
    param = inbox.get()
    (param * 3.0).sum().backward()  # a gradient computed in the child
    with_grad = inbox.get()  # sent while its .grad held 5s
    already_shared = inbox.get()
    inherited.add_(1.0)  # inherited by fork, not shared: the child's private copy
    inherited_shared.add_(1.0)  # inherited by fork, in shared memory
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)  # the note's Hogwild `train`, one step
    model(torch.ones(1, 2)).sum().backward()
    optimizer.step()  # updates the shared parameters
    outbox.put(
        {
            "received_is_shared": received.is_shared(),
            "param_is_shared": param.is_shared(),
            "param_requires_grad": param.requires_grad,
            "grad_in_child": param.grad.tolist(),
            "with_grad_grad_in_child": with_grad.grad,
            "with_grad_requires_grad": with_grad.requires_grad,
            "already_shared_is_shared": already_shared.is_shared(),
            "model_grad_in_child": model.weight.grad.tolist(),
            "sent_back": received,  # the buffer goes back to the process it came from
        }
    )
    inbox.get()  # stay alive until the parent has the buffer: it fetches the handle from this process


@pytest.fixture(scope="module")
def child():
    """Fork one child, send it four tensors, wait for its report; return what both sides saw."""
    ctx = mp.get_context("fork")
    inbox = ctx.SimpleQueue()  # no feeder thread: `put` pickles (and shares) at once
    outbox = ctx.Queue()  # unlike SimpleQueue, its `get` takes a timeout
    sent = torch.zeros(3)
    param = torch.zeros(2, requires_grad=True)
    with_grad = torch.zeros(2, requires_grad=True)
    with_grad.grad = torch.full((2,), 5.0)
    already_shared = torch.zeros(2).share_memory_()
    inherited = torch.zeros(2)
    inherited_shared = torch.zeros(2).share_memory_()
    model = torch.nn.Linear(2, 1, bias=False)
    torch.nn.init.zeros_(model.weight)
    model.share_memory()  # the note's Hogwild example: required for the fork method to work
    process = ctx.Process(target=_child, args=(inbox, outbox, inherited, inherited_shared, model))
    with warnings.catch_warnings():
        # Python 3.12+ warns when forking a process that runs threads (torch's thread pool):
        # a thread holding a lock at fork time can deadlock the child. The child here takes
        # no such lock (SimpleQueue, no logging, one thread), and the timeouts bound the rest.
        warnings.filterwarnings("ignore", message=r"This process .* is multi-threaded", category=DeprecationWarning)
        process.start()
    try:
        was_shared = sent.is_shared()
        ptr_before_put = sent.untyped_storage().data_ptr()
        inbox.put(sent)
        ptr_after_put = sent.untyped_storage().data_ptr()
        inbox.put(param)
        inbox.put(with_grad)
        shared_ptr_before_put = already_shared.untyped_storage().data_ptr()
        inbox.put(already_shared)
        shared_ptr_after_put = already_shared.untyped_storage().data_ptr()
        report = outbox.get(timeout=CHILD_TIMEOUT_S)
        inbox.put("done")
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
        "sent_moved_by_put": ptr_after_put != ptr_before_put,
        "already_shared_moved_by_put": shared_ptr_after_put != shared_ptr_before_put,
        "sent": sent,
        "param": param,
        "with_grad": with_grad,
        "inherited": inherited,
        "inherited_shared": inherited_shared,
        "model": model,
        "exitcode": process.exitcode,
        **report,
    }


@pytest.mark.shows("_child")
def test_tensor_sent_through_a_queue_shares_memory_with_the_receiver(child):
    """A tensor put on a `torch.multiprocessing` queue is moved to shared memory, and the receiver's writes show in the sender's tensor.

    `sent` was ordinary memory; `put` moved its storage into shared memory (the sender's
    own tensor now reports `is_shared()`), and the child received a handle to the same
    pages. Moving is a copy into new memory, so the storage's address changed under the
    sender's tensor. The child added 1 to every element; the parent's `sent` holds 1s
    without anything being sent back.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#multiprocessing-best-practices
    """
    assert child["exitcode"] == 0
    assert child["sent_was_shared_before_put"] is False
    assert child["sent_is_shared_after_put"] is True
    assert child["sent_moved_by_put"] is True
    assert child["received_is_shared"] is True
    assert child["sent"].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.shows("_child")
def test_gradient_computed_in_the_receiver_is_not_shared(child):
    """A tensor sent without a `.grad` gets a gradient of its own in the receiver; the sender's stays None.

    The data of `param` is shared and `requires_grad` travels with it, but the `.grad`
    the child's `backward` created (3 for each element, from `sum(3 * param)`) lives in
    the child's memory only. That is why Hogwild-style training lets each process keep
    its own gradients and only the parameters are shared.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#multiprocessing-best-practices
    """
    assert child["param_requires_grad"] is True
    assert child["param_is_shared"] is True
    assert child["grad_in_child"] == [3.0, 3.0]
    assert child["param"].grad is None


@pytest.mark.docs_erratum("If torch.Tensor.grad is not None, it is also shared.")
@pytest.mark.shows("_child")
def test_gradient_is_not_sent_with_the_tensor(child):
    """A tensor sent while its `.grad` holds values arrives with `.grad` None: the gradient is not shared.

    The note says that a gradient which is not None is shared along with the data. It is
    not sent at all: torch's reduction for tensors carries the storage, the view
    metadata and `requires_grad`, nothing else. `with_grad` had a `.grad` of 5s when
    the parent put it on the queue; its data moved to shared memory and the child
    received `requires_grad=True`, but `.grad` None, while the parent's `.grad` stayed in
    ordinary private memory. To share a gradient, send it as a tensor of its own.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#multiprocessing-best-practices
    """
    assert child["with_grad_requires_grad"] is True
    assert child["with_grad_grad_in_child"] is None
    assert child["with_grad"].grad.tolist() == [5.0, 5.0]
    assert child["with_grad"].is_shared() and not child["with_grad"].grad.is_shared()


def test_queue_runs_a_feeder_thread_and_simple_queue_does_not():
    """`Queue.put` starts a background feeder thread in the sending process; `SimpleQueue` starts none.

    A `multiprocessing.Queue` hands each object to a thread that pickles and writes it
    to the pipe, so `put` returns before the data is sent. Threads are the most common
    cause of deadlocks in a forked child (one may hold a lock at the moment of `fork`),
    which is why the note suggests `SimpleQueue`, whose `put` pickles and writes in the
    calling thread. The feeder thread ends after `close()` and `join_thread()`.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#avoiding-and-fighting-deadlocks
    """
    ctx = mp.get_context("fork")
    queue, simple = ctx.Queue(), ctx.SimpleQueue()
    before = set(threading.enumerate())

    try:
        simple.put(1)
        after_simple = set(threading.enumerate()) - before
        queue.put(1)
        after_queue = set(threading.enumerate()) - before
        received = (simple.get(), queue.get(timeout=CHILD_TIMEOUT_S))
    finally:
        queue.close()
        queue.join_thread()
        simple.close()

    assert after_simple == set()
    assert [thread.name for thread in after_queue] == ["QueueFeederThread"]
    assert received == (1, 1)
    assert not any(thread.is_alive() for thread in after_queue)


@pytest.mark.shows("_child")
def test_putting_an_already_shared_tensor_copies_nothing(child):
    """Putting a tensor that is already in shared memory on a queue moves nothing: its storage stays where it is.

    Each `put` of a tensor in ordinary memory copies it into shared memory (the first
    test's `sent` moved); for `already_shared`, which had `share_memory_()` called
    first, `put` is a no-op and the child still receives shared memory. Hence the
    note's advice: reuse the buffers you pass through a queue.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#reuse-buffers-passed-through-a-queue
    """
    assert child["already_shared_moved_by_put"] is False
    assert child["already_shared_is_shared"] is True
    assert child["sent_moved_by_put"] is True


@pytest.mark.shows("_child")
def test_buffer_sent_back_is_the_senders_own_storage(child):
    """A shared buffer the receiver sends back arrives as the sender's own storage, so sending it again copies nothing.

    The child put the tensor it had received back on a queue. The parent, which still
    holds `sent`, recognises the shared memory and hands back the storage it already
    has: the same address, the child's writes in it, and still shared, so the next `put`
    of it is free. This is the note's "make it send the buffers back".

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#reuse-buffers-passed-through-a-queue
    """
    back, sent = child["sent_back"], child["sent"]

    assert back.untyped_storage().data_ptr() == sent.untyped_storage().data_ptr()
    assert back.is_shared()
    assert back.tolist() == [1.0, 1.0, 1.0]


def test_share_memory_moves_the_storage_in_place():
    """`t.share_memory_()` moves `t`'s storage into shared memory, keeps the values and returns `t`.

    It is a no-op for a tensor already shared. `Module.share_memory()` does it for every
    parameter and buffer and returns the module: what the Hogwild example calls before
    starting its workers.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.share_memory_.html
    """
    t = torch.arange(4.0)
    before = t.untyped_storage().data_ptr()
    module = torch.nn.BatchNorm1d(2)  # parameters and buffers

    returned = t.share_memory_()
    shared_at = t.untyped_storage().data_ptr()
    again = t.share_memory_()
    module_returned = module.share_memory()

    assert returned is t and again is t
    assert module_returned is module
    assert all(p.is_shared() for p in module.parameters()) and all(b.is_shared() for b in module.buffers())
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


@pytest.mark.shows("_child")
def test_hogwild_worker_updates_the_shared_model_and_keeps_its_gradients(child):
    """A forked worker's `optimizer.step()` on a `share_memory()` model updates the parent's parameters; its gradients stay in the worker.

    The note's Hogwild example, with one worker and one step: the parent zeroed a
    `Linear(2, 1)`, called `model.share_memory()` and passed the model to the child
    as an argument. The child's loss `sum(w @ [1, 1])` has gradient 1 for each weight,
    and SGD with `lr=0.5` moved each weight to `0 - 0.5 * 1 = -0.5` in the shared
    memory, where the parent reads it. The gradient was allocated in the child, so the
    parent's model has none.

    Docs: https://docs.pytorch.org/docs/stable/notes/multiprocessing.html#hogwild
    """
    model = child["model"]

    assert child["model_grad_in_child"] == [[1.0, 1.0]]
    assert model.weight.tolist() == [[-0.5, -0.5]]
    assert model.weight.is_shared()
    assert model.weight.grad is None


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

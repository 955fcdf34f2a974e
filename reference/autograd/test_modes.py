"""Turning tracking on and off

Recording history costs memory, so there are several ways to do without it. `detach()`
cuts one tensor out of the graph; `no_grad` (and its cousins `enable_grad` and
`set_grad_enabled`) switch recording off for a block of code; `inference_mode` goes
further and makes inference tensors, which autograd refuses to save for a backward pass. On the other side,
`requires_grad_` turns tracking on for a leaf, and switching it off freezes a parameter.
`model.eval()`, despite its name, is not one of these switches.
"""

import threading

import pytest
import torch
from torch import nn

from torchref import raises_exactly


@torch.no_grad()
def _triple_decorated(t):
    return t * 3


def _triple_in_block(t):
    with torch.no_grad():
        return t * 3


@torch.enable_grad()
def _double_with_grad(t):
    return t * 2


@pytest.mark.claim("S0-007", verdict="true")
@pytest.mark.claim("S2-080", verdict="true")
def test_detach_returns_a_tensor_without_history():
    """`detach()` returns a tensor that does not require grad and has no `grad_fn`.

    As the notes say, detaching stops tracking: what you compute from the detached tensor
    is not recorded, and no gradient flows back through it to `x`. In `y + d` only the
    `y` path reaches `x`, giving d(2x)/dx = 2 rather than 4.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.detach.html
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2

    d = y.detach()
    (y + d).sum().backward()

    assert d.requires_grad is False
    assert d.grad_fn is None
    assert d.is_leaf
    assert x.grad.tolist() == [2.0, 2.0]  # only through y: d contributes nothing


def test_detach_shares_storage_with_the_original():
    """A detached tensor is a view of the same memory, so writes show through.

    `detach` copies nothing. Call `.clone()` as well (`y.detach().clone()`) when you need an
    independent copy.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.detach.html
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    d = y.detach()

    d[0] = 10.0

    assert y[0].item() == 10.0
    assert d.untyped_storage().data_ptr() == y.untyped_storage().data_ptr()


def test_default_mode_is_grad_mode():
    """Unless a context says otherwise, code runs in grad mode, where `requires_grad` takes effect.

    Grad mode is on and inference mode off by default; an operation on a tensor that
    requires grad is then recorded.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#default-mode-grad-mode
    """
    x = torch.ones(2, requires_grad=True)

    y = x * 2

    assert torch.is_grad_enabled()
    assert not torch.is_inference_mode_enabled()
    assert y.requires_grad and y.grad_fn is not None


@pytest.mark.parametrize("mode", [torch.no_grad, torch.inference_mode], ids=["no_grad", "inference_mode"])
def test_requires_grad_takes_effect_only_in_grad_mode(mode):
    """In no-grad and inference mode an input's `requires_grad=True` is ignored: results do not require grad.

    Grad mode is the only mode where the flag matters; in the two others every operation
    behaves as if no input required grad, while the input keeps its flag.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#default-mode-grad-mode
    """
    x = torch.ones(2, requires_grad=True)

    with mode():
        y = x * 2

    assert x.requires_grad
    assert not y.requires_grad and y.grad_fn is None


@pytest.mark.claim("S1-045", verdict="true")
@pytest.mark.claim("S0-007", verdict="true")
def test_no_grad_block_records_nothing():
    """Inside `with torch.no_grad():` results do not require grad, even from tracked inputs.

    This is the standard way to evaluate a model or update weights: no graph is built,
    so no memory is kept for a backward pass.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    x = torch.ones(2, requires_grad=True)

    with torch.no_grad():
        y = x * 2
        enabled = torch.is_grad_enabled()

    assert enabled is False
    assert y.requires_grad is False
    assert y.grad_fn is None


def test_no_grad_leaves_the_leaves_requires_grad_alone():
    """`no_grad` changes what is recorded, not the `requires_grad` flag of existing tensors.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    x = torch.ones(2, requires_grad=True)

    with torch.no_grad():
        flag_inside = x.requires_grad

    assert flag_inside is True
    assert (x * 2).requires_grad


def test_result_computed_under_no_grad_cannot_backward():
    """A loss computed under `no_grad` has no graph, so its `backward()` raises.

    A classic trap when a validation helper decorated with `no_grad` is reused for
    training.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        loss = (x * 2).sum()

    with raises_exactly(RuntimeError, match="does not require grad and does not have a grad_fn"):
        loss.backward()


@pytest.mark.claim("S2-049", verdict="true")
def test_no_grad_decorator_equals_the_context_manager():
    """`@torch.no_grad()` on a function does what `with torch.no_grad():` around its body does.

    The note is right: the decorator enters the same context on every call. Both give the
    same values and neither builds a graph. The two helpers, `_triple_decorated` and
    `_triple_in_block`, are under "Imports and helpers".

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    a, b = _triple_decorated(x), _triple_in_block(x)

    assert a.tolist() == b.tolist() == [3.0, 6.0]
    assert not a.requires_grad and not b.requires_grad


@pytest.mark.claim("S2-082", verdict="true")
def test_enable_grad_turns_recording_back_on_inside_no_grad():
    """`torch.enable_grad()` re-enables recording inside a `no_grad` block.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.enable_grad.html
    """
    x = torch.ones(2, requires_grad=True)

    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
        z = x * 2

    assert y.requires_grad
    assert not z.requires_grad


@pytest.mark.claim("S2-082", verdict="true")
def test_enable_grad_works_as_a_decorator():
    """`@torch.enable_grad()` makes a function record history even when called under `no_grad`.

    `_double_with_grad` (under "Imports and helpers") is decorated with
    `@torch.enable_grad()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.enable_grad.html
    """
    x = torch.ones(2, requires_grad=True)

    with torch.no_grad():
        y = _double_with_grad(x)

    assert y.requires_grad


@pytest.mark.claim("S2-082", verdict="true")
@pytest.mark.parametrize("enabled", [True, False], ids=["on", "off"])
def test_set_grad_enabled_takes_the_mode_as_an_argument(enabled):
    """`torch.set_grad_enabled(flag)` switches recording on or off as its argument says.

    The flag form suits code shared by training and evaluation:
    `with torch.set_grad_enabled(is_train):`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.set_grad_enabled.html
    """
    x = torch.ones(2, requires_grad=True)

    with torch.set_grad_enabled(enabled):
        y = x * 2

    assert y.requires_grad is enabled


def test_no_grad_is_thread_local():
    """`no_grad` switches recording off only in the thread that entered it.

    Grad mode is per thread: a worker thread started inside a `no_grad` block still
    records history, so each thread of a program has to choose its own mode.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    x = torch.ones(2, requires_grad=True)
    seen = {}

    def worker():
        seen["enabled"] = torch.is_grad_enabled()
        seen["y"] = x * 2

    with torch.no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()

    assert seen["enabled"] is True
    assert seen["y"].requires_grad


def test_result_of_no_grad_can_be_used_in_grad_mode_later():
    """A tensor computed under `no_grad` is an ordinary tensor: later tracked computations may use it.

    This is the difference the note draws between no-grad and inference mode. Here
    `scale` is computed without history and then multiplies a tracked `w`; the gradient
    of `w` is `scale` itself.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#no-grad-mode
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        scale = x * 3
    w = torch.ones(2, requires_grad=True)

    (w * scale).sum().backward()

    assert not scale.is_inference()
    assert w.grad.tolist() == [3.0, 6.0]


def test_nn_init_fills_a_parameter_in_place_without_recording():
    """`nn.init` functions overwrite a parameter in place under no-grad mode, so it stays a leaf.

    Writing in place into a leaf that requires grad normally raises (see "In-place safety");
    the initializers run under `torch.no_grad()` internally, so the parameter keeps no
    history and still requires grad.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#no-grad-mode
    """
    weight = nn.Parameter(torch.empty(2, 3))

    nn.init.constant_(weight, 0.5)

    assert weight.tolist() == [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    assert weight.is_leaf and weight.requires_grad
    assert weight.grad_fn is None


def test_eval_mode_does_not_disable_gradients():
    """`model.eval()` changes how some layers behave; it does not stop autograd recording.

    Evaluation mode and grad modes are orthogonal: after `eval()` the output of a layer
    still requires grad and backward still fills the parameters' `.grad`. To evaluate
    without a graph, combine `eval()` with `no_grad()` or `inference_mode()`.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#evaluation-mode-nn-module-eval
    """
    torch.manual_seed(0)
    model = nn.Linear(2, 1)

    model.eval()
    out = model(torch.ones(1, 2))
    out.sum().backward()

    assert model.training is False
    assert torch.is_grad_enabled()
    assert out.requires_grad and out.grad_fn is not None
    assert model.bias.grad.tolist() == [1.0]


def test_inference_mode_makes_inference_tensors():
    """Tensors created under `torch.inference_mode()` are inference tensors without history.

    `inference_mode` is a stricter `no_grad`: besides recording nothing it skips the
    bookkeeping (version counters, view tracking) that autograd would need later, so it
    is a little faster. An inference tensor has no version counter to read.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#inference-mode
    """
    x = torch.ones(2, requires_grad=True)

    with torch.inference_mode():
        y = x * 2

    assert y.is_inference()
    assert not y.requires_grad
    assert not x.is_inference()
    with raises_exactly(RuntimeError, match="Inference tensors do not track version counter"):
        y._version


def test_inference_tensor_cannot_be_saved_for_backward():
    """Using an inference tensor in a computation that autograd records raises.

    Its missing bookkeeping means autograd cannot safely save it for the backward pass
    (here `mul` must save `t` to compute the gradient of `w`). The message suggests the
    fix shown next: a clone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.inference_mode.html
    """
    with torch.inference_mode():
        t = torch.ones(2)
    w = torch.ones(2, requires_grad=True)

    with raises_exactly(RuntimeError, match="Inference tensors cannot be saved for backward") as info:
        w * t
    assert "make a clone to get a normal tensor" in str(info.value)


def test_inference_tensor_clone_is_a_normal_tensor():
    """A clone made outside inference mode is an ordinary tensor that autograd accepts.

    This is the fix the error message itself suggests.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.inference_mode.html
    """
    with torch.inference_mode():
        t = torch.full((2,), 3.0)
    w = torch.ones(2, requires_grad=True)

    normal = t.clone()
    (w * normal).sum().backward()

    assert not normal.is_inference()
    assert w.grad.tolist() == [3.0, 3.0]


def test_inference_tensor_rejects_in_place_updates_outside_inference_mode():
    """An inference tensor cannot be modified in place once inference mode is over.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.inference_mode.html
    """
    with torch.inference_mode():
        t = torch.ones(2)

    with raises_exactly(RuntimeError, match="Inplace update to inference tensor outside"):
        t.add_(1)


@pytest.mark.claim("S2-080", verdict="true")
def test_requires_grad_underscore_turns_tracking_on_in_place():
    """`requires_grad_()` switches tracking on for an existing leaf and returns it.

    The note's second way of asking for gradients. The trailing underscore marks an
    in-place method: the same tensor object comes back, now a tracked leaf.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.requires_grad_.html
    """
    w = torch.ones(2)

    same = w.requires_grad_()
    (w * 5).sum().backward()

    assert same is w
    assert w.requires_grad and w.is_leaf
    assert w.grad.tolist() == [5.0, 5.0]


@pytest.mark.claim("S4-008", verdict="true")
def test_requires_grad_can_change_only_on_leaves():
    """Switching `requires_grad` off on a non-leaf raises and points to `detach()`.

    The note is right. A non-leaf's flag is decided by its inputs; to stop gradients at an
    intermediate result, take `y.detach()`, as the message suggests.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.requires_grad_.html
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2

    with raises_exactly(RuntimeError, match="only change requires_grad flags of leaf") as info:
        y.requires_grad_(False)
    assert "var.detach()" in str(info.value)


@pytest.mark.claim("S4-009", verdict="true")
def test_frozen_parameter_gets_no_gradient():
    """A parameter with `requires_grad=False` gets no gradient, so it stays frozen.

    The note's use case: freeze part of a model for fine-tuning. The frozen weight keeps
    `grad = None` (an optimizer then skips it) while the bias still learns.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#setting-requires-grad
    """
    torch.manual_seed(0)
    layer = nn.Linear(2, 1)
    layer.weight.requires_grad_(False)

    layer(torch.ones(1, 2)).sum().backward()

    assert layer.weight.grad is None
    assert layer.bias.grad.tolist() == [1.0]


def test_parameter_requires_grad_by_default():
    """An `nn.Parameter` requires grad unless told otherwise, while a plain tensor does not.

    `requires_grad` defaults to false *unless the tensor is wrapped in an
    `nn.Parameter`*: parameters are what a model learns.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#setting-requires-grad
    """
    t = torch.ones(2)

    p = nn.Parameter(t)

    assert t.requires_grad is False
    assert p.requires_grad is True
    assert p.is_leaf


def test_module_requires_grad_underscore_freezes_every_parameter():
    """`module.requires_grad_(False)` switches tracking off for all of the module's parameters at once.

    The module-level form of freezing: after it, no parameter gets a gradient, and an
    input that requires grad still does (gradient flows *through* a frozen layer).
    For two stacked linear layers d(out)/dx is the product W₂W₁ of their weights.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#setting-requires-grad
    """
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    x = torch.ones(1, 2, requires_grad=True)

    same = model.requires_grad_(False)
    model(x).sum().backward()

    assert same is model
    assert all(not p.requires_grad and p.grad is None for p in model.parameters())
    expected = (model[1].weight @ model[0].weight).detach()
    torch.testing.assert_close(x.grad, expected)


@pytest.mark.claim("S2-084", verdict="true")
def test_detach_then_requires_grad_makes_a_new_leaf():
    """`y.detach().requires_grad_()` is a new leaf: it gets a gradient, the old graph does not.

    The note is right. The detached tensor starts a fresh graph; gradient stops there and
    never reaches `x`. This is how you take a gradient with respect to an intermediate
    value alone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.detach.html
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2

    t = y.detach().requires_grad_(True)
    (t * 3).sum().backward()

    assert t.is_leaf
    assert t.grad.tolist() == [3.0, 3.0]
    assert x.grad is None

"""Autograd before 0.4: what old code means today

Tutorials written for PyTorch 0.1 to 0.3 wrap tensors in `Variable`, read `.creator`,
pass `volatile=True` or `retain_variables=True` and write `Function`s with instance
methods. Since PyTorch 0.4 (April 2018) `Variable` and `Tensor` are one class, and these
names were renamed or removed. Each section shows what the old spelling does now and
what replaced it.
"""

import inspect

import pytest
import torch
from torch import nn
from torch.autograd import Variable

from torchref import by_version, raises_exactly, warns_exactly


@pytest.mark.claim("S4-004", verdict="outdated")
def test_variable_returns_a_plain_tensor():
    """`torch.autograd.Variable(t)` returns an ordinary `torch.Tensor`.

    The note calls `Variable` a thin wrapper around a Tensor. That was true before 0.4;
    today `Variable` survives only so old code runs: calling it gives back a Tensor, and
    every tensor passes `isinstance(t, Variable)`. `requires_grad` now lives on the
    tensor itself.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#variable-deprecated
    """
    t = torch.ones(2)

    v = Variable(t, requires_grad=True)

    assert type(v) is torch.Tensor
    assert v.requires_grad
    assert isinstance(torch.ones(2), Variable)


@pytest.mark.claim("S3-005", verdict="outdated")
def test_model_accepts_plain_tensors():
    """A model takes plain tensors as input; no `Variable` wrapping is needed.

    The note says tensors must be wrapped as `Variable(t)` (or `Variable(t.cuda())`) before
    they are fed to a model. That was the 0.3 API. Now pass the tensor (moved with
    `.to(device)` if needed); the parameters already require grad, so the output is
    tracked.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#variable-deprecated
    """
    torch.manual_seed(0)
    model = nn.Linear(2, 1)

    out = model(torch.ones(1, 2))

    assert type(out) is torch.Tensor
    assert out.requires_grad and out.grad_fn is not None


@pytest.mark.claim("S4-010", verdict="outdated")
def test_volatile_has_no_effect_and_warns():
    """`Variable(t, volatile=True)` only warns; history is still recorded.

    The note presents `volatile` as the inference-mode switch. It was removed in 0.4: the
    flag is ignored with a UserWarning that points to `torch.no_grad()` (and, since 1.9,
    there is also `torch.inference_mode()`). In 0.3 anything computed from a volatile input
    was volatile; now `w * v` records history as usual.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    w = torch.ones(2, requires_grad=True)

    with warns_exactly(UserWarning, match=r"volatile was removed and now has no effect\. Use `with torch\.no_grad\(\):` instead"):
        v = Variable(torch.ones(2), volatile=True)

    assert (w * v).grad_fn is not None


def test_volatile_together_with_requires_grad_raises():
    """`Variable(t, requires_grad=True, volatile=True)` raises a ValueError.

    The one case where the dead flag still matters: the two requests contradict each
    other, so old code that passed both fails (after the usual warning). Drop `volatile`.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#variable-deprecated
    """
    t = torch.ones(2)

    with warns_exactly(UserWarning, match="volatile was removed"):
        with raises_exactly(ValueError, match="can't be volatile and require_grad"):
            Variable(t, requires_grad=True, volatile=True)


def test_volatile_attribute_is_always_false():
    """Reading `t.volatile` warns and returns `False`.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#variable-deprecated
    """
    t = torch.ones(2)

    with warns_exactly(UserWarning, match=r"volatile was removed \(Variable\.volatile is always False\)"):
        flag = t.volatile

    assert flag is False


@pytest.mark.claim("S4-006", verdict="outdated")
def test_creator_became_grad_fn():
    """Tensors have no `.creator`; the node that made a tensor is its `.grad_fn`.

    The note's `creator` (None for leaves, set for results of operations) was renamed
    `grad_fn` in 0.2 (pytorch/pytorch#1016), with the same meaning. Like `creator`, it is
    read-only.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#tensor-autograd-functions
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2

    with raises_exactly(AttributeError, match="'Tensor' object has no attribute 'creator'"):
        y.creator
    assert x.grad_fn is None
    assert y.grad_fn is not None


def test_grad_fn_cannot_be_assigned():
    """Assigning to `grad_fn` raises: the history of a tensor is read-only.

    The attribute has no setter, so Python raises an AttributeError that calls it "not
    writable", and the tensor keeps the node that made it.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#tensor-autograd-functions
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2

    with raises_exactly(AttributeError, match=r"attribute 'grad_fn' of .* objects is not writable"):
        y.grad_fn = None

    assert type(y.grad_fn).__name__ == "MulBackward0"


@pytest.mark.claim("S4-011", verdict="outdated")
def test_backward_takes_retain_graph_not_retain_variables():
    """`Tensor.backward` takes `retain_graph`; the old `retain_variables` is gone.

    The note's signature `backward(gradient=None, retain_variables=False)` is from 0.3.
    `retain_variables` became `retain_graph` (default `None`, meaning "same as
    `create_graph`"); passing the old name is now a TypeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.ones(2, requires_grad=True)
    loss = (x * 2).sum()

    params = list(inspect.signature(torch.Tensor.backward).parameters)

    assert params == ["self", "gradient", "retain_graph", "create_graph", "inputs"]
    with raises_exactly(TypeError, match="retain_variables"):
        loss.backward(retain_variables=True)


@pytest.mark.claim("S4-012", verdict="outdated")
def test_autograd_backward_grad_variables_is_deprecated():
    """`autograd.backward(..., grad_variables=...)` still works but warns to use `grad_tensors`.

    The note's `backward(variables, grad_variables, retain_variables=False)` is the 0.3
    signature. Today it is `backward(tensors, grad_tensors=None, retain_graph=None,
    create_graph=False, inputs=None)`. The old keyword is accepted with a warning: a
    UserWarning before 2.4, a FutureWarning from 2.4 on.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.backward.html
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    category = by_version({"<2.4": UserWarning, ">=2.4": FutureWarning})

    with warns_exactly(category, match="grad_variables.? is deprecated. Use .?grad_tensors"):
        torch.autograd.backward([y], grad_variables=[torch.tensor([1.0, 0.5])])

    assert x.grad.tolist() == [2.0, 1.0]


@pytest.mark.claim("S4-013", verdict="outdated")
def test_autograd_backward_needs_grad_tensors_for_a_non_scalar():
    """`autograd.backward` on a non-scalar needs `grad_tensors`, the new name of `grad_variables`.

    The rule the note states still holds; only the argument's name changed.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.backward.html
    """
    x = torch.ones(2, requires_grad=True)

    with raises_exactly(RuntimeError, match="implicitly created only for scalar outputs"):
        torch.autograd.backward([x * 2])
    torch.autograd.backward([x * 2], grad_tensors=[torch.tensor([1.0, 0.5])])

    assert x.grad.tolist() == [2.0, 1.0]


@pytest.mark.claim("S4-005", verdict="outdated")
def test_data_is_an_untracked_tensor_on_the_same_memory():
    """`.data` still exists: it is an untracked tensor that shares the original's memory.

    In the note `.data` is the tensor wrapped inside a Variable. With no wrapper left, it
    is a second tensor on the same storage with `requires_grad=False`, much like
    `detach()`.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html
    """
    x = torch.ones(2, requires_grad=True)

    d = x.data

    assert type(d) is torch.Tensor
    assert not d.requires_grad
    assert d is not x
    assert d.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


def test_data_changes_escape_the_in_place_check():
    """Writing through `.data` bypasses the version counter, so backward silently goes wrong.

    `exp` saves its output to reuse as its own derivative. Zeroing it through `.data` is not
    seen by autograd, and `x.grad` comes out as 0 instead of e⁰ = 1. This is why new code
    should use `detach()`: see the next section.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.detach.html
    """
    x = torch.zeros(2, requires_grad=True)
    y = x.exp()

    y.data.zero_()
    y.sum().backward()

    assert x.grad.tolist() == [0.0, 0.0]


def test_detach_changes_are_caught_by_the_in_place_check():
    """Writing through `detach()` bumps the shared version counter, so backward raises.

    The same mistake as above, made with `detach()`, is reported instead of giving a
    wrong gradient: detached tensors share the version counter with their origin.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.detach.html
    """
    x = torch.zeros(2, requires_grad=True)
    y = x.exp()

    y.detach().zero_()

    assert y._version == 1
    with raises_exactly(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


class LegacyDouble(torch.autograd.Function):
    """Old-style Function: instance methods, called on an instance."""

    def forward(self, x):
        return x * 2

    def backward(self, grad_output):
        return grad_output * 2


@pytest.mark.claim("S4-019", verdict="outdated")
def test_function_with_instance_methods_is_refused():
    """Calling an old-style `Function` instance raises: forward and backward must be static.

    The note writes `Function` with instance `forward()` and `backward()`. That style was
    deprecated in 0.4 and removed in 1.5; the error names the fix, static methods taking
    `ctx` and `Function.apply`. Creating the instance already warns that autograd functions
    should not be instantiated.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#extending-torch-autograd
    """
    x = torch.ones(2, requires_grad=True)

    with warns_exactly(DeprecationWarning, match="should not be instantiated"):
        with raises_exactly(RuntimeError, match="Legacy autograd function with non-static forward"):
            LegacyDouble()(x)


class Scale(torch.autograd.Function):
    """Multiply by a constant tensor `k`, saving `k` for backward."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(k)
        return x * k

    @staticmethod
    def backward(ctx, grad_output):
        (k,) = ctx.saved_tensors
        return grad_output * k, None


@pytest.mark.claim("S4-018", verdict="outdated")
def test_function_attributes_moved_to_ctx_and_next_functions():
    """`saved_tensors` and `needs_input_grad` live on `ctx`; graph nodes have `next_functions`.

    The note lists `saved_tensors, needs_input_grad, num_inputs, num_outputs,
    requires_grad, previous_functions` on a Function. Today the context passed to a
    static `forward`/`backward` carries `saved_tensors` and `needs_input_grad`, and a
    graph node links to its inputs through `next_functions`; `previous_functions`,
    `num_inputs` and `num_outputs` are gone (`previous_functions` was renamed
    `next_functions` in 0.2, pytorch/pytorch#1016). For a custom Function the node *is*
    the `ctx`, so `y.grad_fn` shows what `forward` stored.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#function
    """
    x = torch.ones(2, requires_grad=True)

    y = Scale.apply(x, torch.tensor(3.0))

    assert y.grad_fn.needs_input_grad == (True, False)
    assert y.grad_fn.saved_tensors[0].item() == 3.0
    assert hasattr(y.grad_fn, "next_functions")
    for old in ("previous_functions", "num_inputs", "num_outputs"):
        assert not hasattr(y.grad_fn, old)

"""backward, gradient arguments and autograd.grad

`backward()` differentiates a scalar with respect to the leaves and adds the result to
their `.grad`. For a non-scalar output you pass the vector of a vector-Jacobian product.
The graph is freed after one pass unless you keep it, and it can itself be
differentiated when `create_graph=True`. `torch.autograd.grad` computes the same
gradients but returns them instead of accumulating them.
"""

import pytest
import torch

from torchref import by_version, raises_exactly


@pytest.mark.claim("S0-008", verdict="true")
def test_backward_of_a_non_scalar_needs_a_gradient():
    """`backward()` without arguments works only on a one-element output.

    The note is right. The gradient of a vector with respect to a vector is a Jacobian,
    which autograd never builds; without a `gradient` to weight the outputs there is no
    single number to differentiate, so it refuses.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.ones(3, requires_grad=True)
    y = x * 2

    with raises_exactly(RuntimeError, match="implicitly created only for scalar outputs"):
        y.backward()


@pytest.mark.claim("S2-087", verdict="true")
@pytest.mark.claim("S0-012", verdict="true")
def test_backward_gradient_is_the_vector_of_a_vector_jacobian_product():
    """`out.backward(v)` gives the same gradient as `(out * v).sum().backward()`.

    The notes describe it well: `v` weights each output element, the weighted sum is one
    scalar, and its gradient has the input's shape. Mathematically `x.grad = vᵀ J`, a
    vector-Jacobian product, computed without ever forming `J`.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html
    """
    x1 = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x2 = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = torch.tensor([1.0, 0.5, 0.0])

    (x1**2).backward(v)
    ((x2**2) * v).sum().backward()

    assert x1.grad.tolist() == [2.0, 2.0, 0.0]
    assert x1.grad.tolist() == x2.grad.tolist()
    assert x1.grad.shape == x1.shape


def test_backward_gradient_must_have_the_output_shape():
    """A `gradient` whose shape differs from the output's raises a shape mismatch.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.ones(3, requires_grad=True)
    y = x * 2

    with raises_exactly(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of .*\[2\]"):
        y.backward(torch.ones(2))


@pytest.mark.claim("S2-086", verdict="true")
def test_backward_of_sum_sends_one_to_every_element():
    """`out.sum().backward()` weights every output element by 1.

    d(sum)/d(out_i) = 1, so the gradient is what `out.backward(torch.ones_like(out))`
    gives: here d(2x)/dx = 2 everywhere.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.sum.html
    """
    x = torch.ones(4, requires_grad=True)

    (2 * x).sum().backward()

    assert x.grad.tolist() == [2.0, 2.0, 2.0, 2.0]


@pytest.mark.claim("S2-086", verdict="true")
def test_backward_of_mean_divides_the_sum_gradient_by_the_count():
    """`out.mean().backward()` gives the sum's gradient divided by the number of elements.

    d(mean)/d(out_i) = 1/n; with n = 4 the gradient of `2x` becomes 2/4 = 0.5. This is
    why a loss averaged over a batch has gradients that do not grow with the batch size.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.mean.html
    """
    x = torch.ones(4, requires_grad=True)

    (2 * x).mean().backward()

    assert x.grad.tolist() == [0.5, 0.5, 0.5, 0.5]


@pytest.mark.claim("S1-020", verdict="true")
@pytest.mark.claim("S2-081", verdict="true")
def test_backward_accumulates_into_grad():
    """A second `backward()` adds to `.grad` instead of replacing it.

    The notes say `.grad` accumulates; it does. Accumulation is what lets several losses
    (or several micro-batches) contribute to one update, and it is why training loops
    clear gradients before each step.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.ones(2, requires_grad=True)

    (3 * x).sum().backward()
    (3 * x).sum().backward()

    assert x.grad.tolist() == [6.0, 6.0]


def test_setting_grad_to_none_starts_afresh():
    """Setting `.grad` to `None` makes the next backward store, not add.

    This is what `optimizer.zero_grad()` does by default since PyTorch 2.0
    (`set_to_none=True`): it saves a memset and a read.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html
    """
    x = torch.ones(2, requires_grad=True)
    (3 * x).sum().backward()

    x.grad = None
    (3 * x).sum().backward()

    assert x.grad.tolist() == [3.0, 3.0]


@pytest.mark.claim("S2-088", verdict="true")
def test_second_backward_through_a_freed_graph_raises():
    """A second `backward()` through the same graph raises and suggests `retain_graph=True`.

    As the note says, backward frees the tensors the graph saved for it (here `exp`
    saved its output) as soon as they are used. The error message names the way out.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.ones(2, requires_grad=True)
    loss = x.exp().sum()
    loss.backward()

    with raises_exactly(RuntimeError, match="backward through the graph a second time") as info:
        loss.backward()
    assert "Specify retain_graph=True" in str(info.value)


@pytest.mark.claim("S2-088", verdict="true")
def test_retain_graph_allows_a_second_backward():
    """With `retain_graph=True` the graph survives, and a second backward accumulates.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.zeros(2, requires_grad=True)
    loss = x.exp().sum()

    loss.backward(retain_graph=True)
    loss.backward()

    assert x.grad.tolist() == [2.0, 2.0]


def test_graph_that_saved_no_tensors_can_be_walked_twice():
    """A graph whose nodes saved no tensors survives a second backward.

    The error above is about *freed saved tensors*, not about a graph used twice.
    Addition and sum need no saved values (their derivatives are constants), so nothing
    is freed and a second pass works. Do not rely on this; pass `retain_graph=True`.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#saved-tensors
    """
    x = torch.ones(2, requires_grad=True)
    loss = (x + 1).sum()

    loss.backward()
    loss.backward()

    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.claim("S2-089", verdict="true")
def test_create_graph_makes_the_gradient_differentiable():
    """With `create_graph=True` the gradient has a `grad_fn`, so it can be differentiated again.

    The note is right: the backward pass is itself recorded. For `y = x³` the first
    derivative 3x² is a tracked tensor and its derivative is the second derivative 6x.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    (dy,) = torch.autograd.grad((x**3).sum(), x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy.sum(), x)

    assert dy.grad_fn is not None
    assert dy.tolist() == [3.0, 12.0]
    assert d2y.tolist() == [6.0, 12.0]


def test_gradient_without_create_graph_is_a_constant():
    """Without `create_graph` the computed gradient has no history.

    It is a plain result, cheaper to compute; differentiating it again would need the
    graph that was not recorded.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    (dy,) = torch.autograd.grad((x**3).sum(), x)

    assert dy.grad_fn is None
    assert not dy.requires_grad


def test_autograd_grad_returns_gradients_and_leaves_grad_alone():
    """`torch.autograd.grad` returns a tuple of gradients and does not touch `.grad`.

    It is the functional form: ask for d(out)/d(inputs), get them back, no side effects.
    That makes it the tool for gradient penalties and higher-order derivatives, where
    accumulating into `.grad` would be in the way.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    grads = torch.autograd.grad((x**2).sum(), x)

    assert isinstance(grads, tuple)
    assert grads[0].tolist() == [2.0, 4.0]
    assert x.grad is None


def test_autograd_grad_does_not_accumulate():
    """Two calls of `torch.autograd.grad` return the same gradient, not a running sum.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (x**2).sum()

    (first,) = torch.autograd.grad(loss, x, retain_graph=True)
    (second,) = torch.autograd.grad(loss, x)

    assert first.tolist() == second.tolist() == [2.0, 4.0]


def test_autograd_grad_rejects_an_unused_input():
    """Asking for the gradient of an input the output does not depend on raises.

    Usually that is a bug (a tensor that fell out of the graph), so it is an error by
    default. Since 2.13 the message names the input's index: "The differentiated Tensor at
    index 1 appears to not have been used"; before, it said "One of the differentiated
    Tensors appears to not have been used".

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.ones(2, requires_grad=True)
    unused = torch.ones(2, requires_grad=True)
    message = by_version({
        "<2.13": "One of the differentiated Tensors appears to not have been used in the graph",
        ">=2.13": "The differentiated Tensor at index 1 appears to not have been used in the graph",
    })

    with raises_exactly(RuntimeError, match=message):
        torch.autograd.grad((2 * x).sum(), [x, unused])


def test_autograd_grad_allow_unused_returns_none():
    """With `allow_unused=True` an unused input gets `None` as its gradient.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.ones(2, requires_grad=True)
    unused = torch.ones(2, requires_grad=True)

    gx, gu = torch.autograd.grad((2 * x).sum(), [x, unused], allow_unused=True)

    assert gx.tolist() == [2.0, 2.0]
    assert gu is None


def test_autograd_grad_outputs_weights_a_non_scalar_output():
    """`grad_outputs` plays the role of backward's `gradient` for a non-scalar output.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = torch.tensor([1.0, 0.0, 2.0])

    (g,) = torch.autograd.grad(x**2, x, grad_outputs=v)

    assert g.tolist() == [2.0, 0.0, 12.0]


def test_backward_inputs_limits_which_leaves_get_grad():
    """`backward(inputs=[a])` fills only `a.grad`, even if other leaves require grad.

    Useful when part of a model should not accumulate gradient from one loss, without
    detaching anything.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)

    (a * b * 3).sum().backward(inputs=[a])

    assert a.grad.tolist() == [3.0, 3.0]
    assert b.grad is None


def test_backward_of_an_untracked_tensor_raises():
    """Calling `backward()` on a result with no history raises.

    The message says exactly what is missing: the tensor neither requires grad nor has a
    `grad_fn`, typically because it was computed under `no_grad` or from untracked inputs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    loss = torch.ones(2).sum()

    with raises_exactly(RuntimeError, match="does not require grad and does not have a grad_fn"):
        loss.backward()


def test_autograd_grad_of_an_untracked_input_raises():
    """`torch.autograd.grad` refuses an input that does not require grad.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.ones(2, requires_grad=True)
    c = torch.ones(2)

    with raises_exactly(RuntimeError, match="differentiated Tensors does not require grad"):
        torch.autograd.grad((x * c).sum(), c)

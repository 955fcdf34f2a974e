"""backward, gradient arguments and autograd.grad

`backward()` differentiates a scalar with respect to the leaves and adds the result to
their `.grad`. For a non-scalar output you pass the vector of a vector-Jacobian product.
The graph is freed after one pass unless you keep it, and it can itself be
differentiated when `create_graph=True`. `torch.autograd.grad` computes the same
gradients but returns them instead of accumulating them.
"""

import inspect
import threading

import pytest
import torch
from torch.autograd import forward_ad as fwAD

from torchref import by_version, raises_exactly, warns_exactly


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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
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

    This is what `optimizer.zero_grad()` and `model.zero_grad()` do by default since
    PyTorch 2.0 (`set_to_none=True`): it saves a memset and a read. Here a layer's bias,
    d(sum(Wx + b))/db = 1, is cleared by `zero_grad()` and then gets exactly 1 again.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html
    """
    torch.manual_seed(0)
    layer = torch.nn.Linear(2, 1)
    x = torch.ones(1, 2)
    layer(x).sum().backward()

    layer.zero_grad()
    after_zero_grad = layer.bias.grad
    layer(x).sum().backward()

    assert after_zero_grad is None
    assert layer.bias.grad.tolist() == [1.0]
    for zero_grad in (torch.optim.Optimizer.zero_grad, torch.nn.Module.zero_grad):
        assert inspect.signature(zero_grad).parameters["set_to_none"].default is True


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


def test_create_graph_keeps_the_graph_for_another_pass():
    """`retain_graph` defaults to the value of `create_graph`, so a graph differentiated with `create_graph=True` survives.

    Differentiating the gradient needs the forward graph again, so asking for
    `create_graph=True` also keeps it: a second pass through `loss` works without
    `retain_graph`. (Here `exp` saved its output, which would otherwise be freed.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.zeros(2, requires_grad=True)
    loss = x.exp().sum()

    (first,) = torch.autograd.grad(loss, x, create_graph=True)
    (second,) = torch.autograd.grad(loss, x)

    assert first.tolist() == second.tolist() == [1.0, 1.0]


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
    message = by_version(
        {
            "<2.13": "One of the differentiated Tensors appears to not have been used in the graph",
            ">=2.13": "The differentiated Tensor at index 1 appears to not have been used in the graph",
        }
    )

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


@pytest.mark.torch_version(">=2.1")
def test_autograd_grad_materialize_grads_returns_zeros_for_an_unused_input():
    """With `materialize_grads=True` an unused input gets a tensor of zeros instead of `None`.

    The output does not depend on `unused`, so its gradient really is zero; materializing
    it saves `None` checks in code that computes higher-order derivatives. The argument
    is new in 2.1 (https://github.com/pytorch/pytorch/pull/97015).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.ones(2, requires_grad=True)
    unused = torch.ones(2, requires_grad=True)

    gx, gu = torch.autograd.grad((2 * x).sum(), [x, unused], materialize_grads=True)

    assert gx.tolist() == [2.0, 2.0]
    assert gu.tolist() == [0.0, 0.0]


@pytest.mark.torch_version(">=2.1")
def test_autograd_grad_materialize_grads_contradicts_allow_unused_false():
    """`materialize_grads=True` together with an explicit `allow_unused=False` raises a ValueError.

    Materializing only makes sense for unused inputs, which `allow_unused=False` forbids;
    leave `allow_unused` out (or pass True).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.ones(2, requires_grad=True)

    with raises_exactly(ValueError, match="Expected allow_unused to be True or not passed when materialize_grads=True"):
        torch.autograd.grad((2 * x).sum(), [x], materialize_grads=True, allow_unused=False)


@pytest.mark.torch_version(">=2.13")
def test_autograd_grad_takes_a_dict_of_inputs_and_returns_a_dict():
    """Since 2.13 `torch.autograd.grad` accepts a dict of inputs and returns the gradients under the same keys.

    For `loss = sum(2x + 3u)` the gradients are 2 for `x` and 3 for `u`, returned by name
    instead of by position (https://github.com/pytorch/pytorch/pull/178140).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.ones(2, requires_grad=True)
    u = torch.ones(2, requires_grad=True)

    grads = torch.autograd.grad((2 * x + 3 * u).sum(), {"x": x, "u": u})

    assert isinstance(grads, dict)
    assert list(grads) == ["x", "u"]
    assert grads["x"].tolist() == [2.0, 2.0]
    assert grads["u"].tolist() == [3.0, 3.0]


def test_autograd_grad_outputs_weights_a_non_scalar_output():
    """`grad_outputs` plays the role of backward's `gradient` for a non-scalar output.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = torch.tensor([1.0, 0.0, 2.0])

    (g,) = torch.autograd.grad(x**2, x, grad_outputs=v)

    assert g.tolist() == [2.0, 0.0, 12.0]


def test_autograd_grad_is_grads_batched_treats_the_first_dimension_as_a_batch():
    """With `is_grads_batched=True`, each row of `grad_outputs` gives its own vector-Jacobian product.

    The first dimension of `grad_outputs` is a batch: autograd runs one backward per row
    (vectorized with vmap) and stacks the results. Feeding the rows of the identity
    therefore returns the whole Jacobian of `y = 2x`, one row per output element: 2·I.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html#torch.autograd.grad
    """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2

    (jac,) = torch.autograd.grad(y, x, grad_outputs=torch.eye(3), is_grads_batched=True)

    assert jac.shape == (3, 3)
    assert torch.equal(jac, 2 * torch.eye(3))


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


def test_functional_jacobian_returns_every_partial_derivative():
    """`torch.autograd.functional.jacobian(f, x)` returns the matrix of ∂f_i/∂x_j.

    It takes a function and a point, not a graph: `x` need not require grad. For the
    elementwise `f(t) = t²` the Jacobian is diagonal with 2t on the diagonal, shaped
    (output size, input size).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0])

    jac = torch.autograd.functional.jacobian(lambda t: t**2, x)

    assert jac.shape == (2, 2)
    assert torch.equal(jac, torch.diag(2 * x))
    assert not jac.requires_grad


def test_functional_hessian_returns_the_second_derivatives_of_a_scalar_function():
    """`torch.autograd.functional.hessian(f, x)` returns the matrix of ∂²f/∂x_i∂x_j of a scalar `f`.

    For `f(t) = Σ t³` the mixed derivatives vanish and ∂²f/∂t_i² = 6t_i.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.hessian.html#torch.autograd.functional.hessian
    """
    x = torch.tensor([1.0, 2.0])

    hess = torch.autograd.functional.hessian(lambda t: (t**3).sum(), x)

    assert torch.equal(hess, torch.diag(6 * x))


def test_functional_vjp_and_jvp_return_the_output_and_a_product_with_the_jacobian():
    """`vjp(f, x, v)` returns `(f(x), vᵀJ)` and `jvp(f, x, v)` returns `(f(x), J v)`.

    Both give the function's output first, so one call evaluates and differentiates. For
    `f(t) = t²`, J = diag(2t), so with x = (1, 2) and v = (1, 0.5) both products are
    (2·1·1, 2·2·0.5) = (2, 2); they differ only for a non-symmetric Jacobian.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.vjp.html#torch.autograd.functional.vjp
    """
    x = torch.tensor([1.0, 2.0])
    v = torch.tensor([1.0, 0.5])

    out_v, vjp = torch.autograd.functional.vjp(lambda t: t**2, x, v)
    out_j, jvp = torch.autograd.functional.jvp(lambda t: t**2, x, v)

    assert out_v.tolist() == out_j.tolist() == [1.0, 4.0]
    assert vjp.tolist() == jvp.tolist() == [2.0, 2.0]


def test_functional_vjp_and_jvp_differ_for_a_non_symmetric_jacobian():
    """`vjp` multiplies the Jacobian from the left and `jvp` from the right.

    `f(t) = A t` has Jacobian `A`, so `vjp` gives `vᵀA` (a combination of rows) and `jvp`
    gives `A v` (a combination of columns).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jvp.html#torch.autograd.functional.jvp
    """
    A = torch.tensor([[1.0, 2.0], [0.0, 3.0]])
    x = torch.tensor([1.0, 1.0])
    v = torch.tensor([1.0, 1.0])

    _, vjp = torch.autograd.functional.vjp(lambda t: A @ t, x, v)
    _, jvp = torch.autograd.functional.jvp(lambda t: A @ t, x, v)

    assert vjp.tolist() == (v @ A).tolist() == [1.0, 5.0]
    assert jvp.tolist() == (A @ v).tolist() == [3.0, 3.0]


def test_functional_jacobian_of_tuples_is_a_tuple_of_tuples():
    """With a tuple of inputs and a tuple of outputs, `jacobian` returns `J[i][j]` = ∂output_i/∂input_j.

    Each block is shaped `output_i.shape + input_j.shape`. For `f(a, b) = (a·Σb, (Σa²)·b)`
    with a = (1, 2) and b = (3, 4, 5): ∂(a·Σb)/∂a = 12·I (2×2), ∂(a·Σb)/∂b has every row equal
    to a (2×3), ∂((Σa²)·b)/∂a = b ⊗ 2a (3×2) and ∂((Σa²)·b)/∂b = 5·I (3×3).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    a = torch.tensor([1.0, 2.0])
    b = torch.tensor([3.0, 4.0, 5.0])

    jac = torch.autograd.functional.jacobian(lambda a, b: (a * b.sum(), (a**2).sum() * b), (a, b))

    assert isinstance(jac, tuple) and all(isinstance(row, tuple) for row in jac)
    assert [[block.shape for block in row] for row in jac] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
    assert torch.equal(jac[0][0], 12 * torch.eye(2))
    assert torch.equal(jac[0][1], a.unsqueeze(1).expand(2, 3))
    assert torch.equal(jac[1][0], torch.outer(b, 2 * a))
    assert torch.equal(jac[1][1], 5 * torch.eye(3))


def test_functional_jacobian_gives_zeros_for_an_output_independent_of_the_input():
    """By default `jacobian` returns zeros for an output that does not depend on the input.

    With `strict=False` (the default) an output computed without the input, here a
    constant, is simply treated as having a zero derivative.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0])

    jac = torch.autograd.functional.jacobian(lambda t: torch.ones(2), x)

    assert torch.equal(jac, torch.zeros(2, 2))


def test_functional_jacobian_strict_rejects_an_output_independent_of_the_input():
    """With `strict=True`, `jacobian` raises instead of returning zeros for an output independent of the input.

    Strict mode catches a function that silently cut the graph, for instance with
    `.detach()`, where a zero Jacobian would be a wrong answer rather than a true one.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0])

    with raises_exactly(RuntimeError, match="Output 0 of the user-provided function does not require gradients"):
        torch.autograd.functional.jacobian(lambda t: t.detach() * 2, x, strict=True)


def test_functional_jacobian_create_graph_makes_the_jacobian_differentiable():
    """With `create_graph=True` the Jacobian is part of a graph and can be differentiated again.

    For `f(t) = t³` the Jacobian is diag(3t²); the sum of its entries, Σ3t², has gradient 6t.
    Without `create_graph` the Jacobian is a constant even when the input requires grad.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    jac = torch.autograd.functional.jacobian(lambda t: t**3, x, create_graph=True)
    jac.sum().backward()

    assert jac.requires_grad
    assert torch.equal(x.grad, 6 * x.detach())
    assert not torch.autograd.functional.jacobian(lambda t: t**3, x).requires_grad


def test_functional_jacobian_vectorize_gives_the_same_jacobian():
    """`vectorize=True` computes the same Jacobian with one batched backward instead of a loop.

    Without it `jacobian` runs one backward per output element; with it, it uses vmap
    over the rows. The result is the same: diag(2t) for `f(t) = t²`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0])

    jac = torch.autograd.functional.jacobian(lambda t: t**2, x, vectorize=True)

    assert torch.equal(jac, torch.diag(2 * x))


def test_functional_jacobian_strict_and_vectorize_cannot_be_combined():
    """`jacobian(..., strict=True, vectorize=True)` raises: the two options are not supported together.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0])

    with raises_exactly(RuntimeError, match="`strict=True` and `vectorized=True` are not supported together"):
        torch.autograd.functional.jacobian(lambda t: t**2, x, strict=True, vectorize=True)


# Forward-mode AD makes torch load its forward-AD decompositions once, which calls the
# deprecated torch.jit.script inside torch (FutureWarning in 2.14, DeprecationWarning in 2.13).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_functional_jacobian_forward_mode_strategy_gives_the_same_jacobian():
    """`strategy="forward-mode"` (with `vectorize=True`) computes the Jacobian column by column, with the same result.

    Reverse mode (the default) builds one row per output element, forward mode one
    column per input element; the docs advise forward mode when there are more outputs
    than inputs. Either way `f(t) = t²` has Jacobian diag(2t).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0])

    jac = torch.autograd.functional.jacobian(lambda t: t**2, x, vectorize=True, strategy="forward-mode")

    assert torch.equal(jac, torch.diag(2 * x))


def test_functional_jacobian_forward_mode_strategy_requires_vectorize():
    """`strategy="forward-mode"` without `vectorize=True` raises `NotImplementedError`.

    The docs say so: forward mode is only implemented through vmap.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0])

    with raises_exactly(NotImplementedError, match="only implemented for `vectorize=True`"):
        torch.autograd.functional.jacobian(lambda t: t**2, x, strategy="forward-mode")


def test_functional_jacobian_takes_a_tensor_or_a_tuple_of_tensors_only():
    """`jacobian` raises `TypeError` when the inputs are a list, or the function returns a number.

    Inputs and outputs must be a Tensor or a tuple of Tensors; anything else, a list
    included, is rejected before differentiating.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html#torch.autograd.functional.jacobian
    """
    x = torch.tensor([1.0, 2.0])

    with raises_exactly(TypeError, match="inputs given to jacobian must be either a Tensor or a tuple of Tensors"):
        torch.autograd.functional.jacobian(lambda t: t**2, [x])
    with raises_exactly(TypeError, match="outputs of the user-provided function given to jacobian must be either a Tensor"):
        torch.autograd.functional.jacobian(lambda t: 3.0, x)


def test_functional_hessian_of_a_non_scalar_function_raises():
    """`hessian` needs a function that returns a single element, and raises otherwise.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.hessian.html#torch.autograd.functional.hessian
    """
    x = torch.tensor([1.0, 2.0])

    with raises_exactly(RuntimeError, match="function given to hessian should contain a single element"):
        torch.autograd.functional.hessian(lambda t: t**3, x)


def test_functional_hessian_of_tuple_inputs_is_a_tuple_of_tuples():
    """With a tuple of inputs, `hessian` returns `H[i][j]` = ∂²f/∂input_i∂input_j.

    For `f(u, w) = Σ uᵢwᵢ` the second derivatives within `u` or within `w` are zero,
    and the mixed blocks ∂²f/∂u∂w and ∂²f/∂w∂u are the identity.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.hessian.html#torch.autograd.functional.hessian
    """
    u = torch.tensor([1.0, 2.0])
    w = torch.tensor([3.0, 4.0])

    hess = torch.autograd.functional.hessian(lambda u, w: (u * w).sum(), (u, w))

    assert torch.equal(hess[0][0], torch.zeros(2, 2))
    assert torch.equal(hess[0][1], torch.eye(2))
    assert torch.equal(hess[1][0], torch.eye(2))
    assert torch.equal(hess[1][1], torch.zeros(2, 2))


# Forward-mode AD makes torch load its forward-AD decompositions once, which calls the
# deprecated torch.jit.script inside torch (FutureWarning in 2.14, DeprecationWarning in 2.13).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_functional_hessian_forward_over_reverse_gives_the_same_hessian():
    """`outer_jacobian_strategy="forward-mode"` (with `vectorize=True`) computes the Hessian forward-over-reverse, with the same result.

    The Hessian is the Jacobian of the gradient; the inner gradient is always reverse
    mode, the outer Jacobian may be forward mode. For `f(t) = Σt³` it is diag(6t).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.hessian.html#torch.autograd.functional.hessian
    """
    x = torch.tensor([1.0, 2.0])

    hess = torch.autograd.functional.hessian(lambda t: (t**3).sum(), x, vectorize=True, outer_jacobian_strategy="forward-mode")

    assert torch.equal(hess.detach(), torch.diag(6 * x))


def test_functional_vjp_v_can_be_omitted_only_for_a_single_element_output():
    """`vjp(f, x)` without `v` works when `f` returns one element, and raises otherwise.

    For a scalar output vᵀJ with v = 1 is just the gradient: 2t for `f(t) = Σt²`. For a
    vector output there is no default weighting, as with `backward()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.vjp.html#torch.autograd.functional.vjp
    """
    x = torch.tensor([1.0, 2.0])

    out, vjp = torch.autograd.functional.vjp(lambda t: (t**2).sum(), x)

    assert out.item() == 5.0
    assert vjp.tolist() == (2 * x).tolist()
    with raises_exactly(RuntimeError, match="v can only be None if the user-provided function returns a single Tensor"):
        torch.autograd.functional.vjp(lambda t: t**2, x)


def test_functional_jvp_v_can_be_omitted_only_for_a_single_element_input():
    """`jvp(f, x)` without `v` works when the input is one element, and raises otherwise.

    Here `v` has the input's shape, so the default v = 1 needs a single-element input:
    for `f(t) = t²` at t = 3 the product is 2·3·1 = 6.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.jvp.html#torch.autograd.functional.jvp
    """
    x = torch.tensor(3.0)

    out, jvp = torch.autograd.functional.jvp(lambda t: t**2, x)

    assert (out.item(), jvp.item()) == (9.0, 6.0)
    with raises_exactly(RuntimeError, match="v can only be None if the input to the user-provided function is a single Tensor"):
        torch.autograd.functional.jvp(lambda t: t**2, torch.tensor([1.0, 2.0]))


def test_functional_vjp_rejects_v_of_the_wrong_shape():
    """`vjp` raises when `v` does not have the output's shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.vjp.html#torch.autograd.functional.vjp
    """
    x = torch.tensor([1.0, 2.0])

    with raises_exactly(RuntimeError, match=r"v has invalid size: should be torch.Size\(\[2\]\) but got torch.Size\(\[3\]\)"):
        torch.autograd.functional.vjp(lambda t: t**2, x, torch.ones(3))


def test_functional_hvp_and_vhp_return_the_output_and_a_hessian_product():
    """`hvp(f, x, v)` returns `(f(x), H v)` and `vhp(f, x, v)` returns `(f(x), vᵀH)`; they agree for a symmetric H.

    For the quadratic form `f(t) = tᵀAt` the Hessian is A + Aᵀ. With A = [[1, 2], [0, 3]]
    that is [[2, 2], [2, 6]], and with v = (1, 0) both products are its first column,
    (2, 2). The Hessian of a twice continuously differentiable function is always
    symmetric, which is why the docs suggest the faster `vhp` in place of `hvp`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.hvp.html#torch.autograd.functional.hvp
    """
    A = torch.tensor([[1.0, 2.0], [0.0, 3.0]])
    x = torch.tensor([1.0, 2.0])
    v = torch.tensor([1.0, 0.0])

    out_h, hvp = torch.autograd.functional.hvp(lambda t: t @ A @ t, x, v)
    out_v, vhp = torch.autograd.functional.vhp(lambda t: t @ A @ t, x, v)

    assert out_h.item() == out_v.item() == (x @ A @ x).item() == 17.0
    assert hvp.tolist() == vhp.tolist() == ((A + A.T) @ v).tolist() == [2.0, 2.0]


def test_functional_hvp_needs_a_single_element_function():
    """`hvp` raises when the function returns more than one element, like `hessian`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.functional.hvp.html#torch.autograd.functional.hvp
    """
    x = torch.tensor([1.0, 2.0])

    with raises_exactly(RuntimeError, match="function given to hvp should contain a single element"):
        torch.autograd.functional.hvp(lambda t: t * 2, x, torch.ones(2))


# make_dual loads torch's forward-AD decompositions before it checks for a level, which calls
# the deprecated torch.jit.script inside torch (FutureWarning in 2.14, DeprecationWarning in 2.13).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_make_dual_outside_a_dual_level_raises():
    """`forward_ad.make_dual` raises unless it runs inside a `dual_level()` context.

    Tangents belong to a level; without one there is nowhere to attach them, and the
    message tells you to enter a level first.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.forward_ad.make_dual.html#torch.autograd.forward_ad.make_dual
    """
    x = torch.tensor([1.0, 2.0])

    with raises_exactly(RuntimeError, match="Trying to create a dual Tensor for forward AD but no level exists"):
        fwAD.make_dual(x, torch.ones(2))


# The first dual tensor makes torch load its forward-AD decompositions, which calls the
# deprecated torch.jit.script inside torch (FutureWarning in 2.14, DeprecationWarning in 2.13).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_forward_ad_tangent_of_an_operation_is_its_derivative_times_the_input_tangent():
    """Inside a `dual_level`, every operation on a dual tensor carries the tangent `f'(x)·ẋ` along.

    Forward mode computes a Jacobian-vector product as the computation runs: for
    `3·sin(x)` the tangent is `3·cos(x)·ẋ`, for `x·x` the product rule gives `2x·ẋ`,
    and for `exp(x)` it is `exp(x)·ẋ`.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#forward-mode-automatic-differentiation
    """
    x = torch.tensor([1.0, 2.0])
    x_tangent = torch.tensor([1.0, 0.5])

    with fwAD.dual_level():
        dual = fwAD.make_dual(x, x_tangent)
        sine = fwAD.unpack_dual(3 * torch.sin(dual))
        square = fwAD.unpack_dual(dual * dual)
        exp = fwAD.unpack_dual(torch.exp(dual))

    torch.testing.assert_close(sine.primal, 3 * torch.sin(x))
    torch.testing.assert_close(sine.tangent, 3 * torch.cos(x) * x_tangent)
    assert square.primal.tolist() == [1.0, 4.0]
    assert square.tangent.tolist() == (2 * x * x_tangent).tolist() == [2.0, 2.0]
    torch.testing.assert_close(exp.tangent, torch.exp(x) * x_tangent)


# The first dual tensor makes torch load its forward-AD decompositions, which calls the
# deprecated torch.jit.script inside torch (FutureWarning in 2.14, DeprecationWarning in 2.13).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_unpack_dual_returns_a_named_tuple_whose_tangent_ends_with_the_level():
    """`unpack_dual` returns a namedtuple `(primal, tangent)`; the tangent is `None` for a plain tensor or after the level exits.

    The tangent lives only as long as its `dual_level`: once the `with` block ends, the
    same dual tensor unpacks to its primal and `None`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.forward_ad.unpack_dual.html#torch.autograd.forward_ad.unpack_dual
    """
    x = torch.tensor([1.0, 2.0])

    with fwAD.dual_level():
        dual = fwAD.make_dual(x, torch.tensor([1.0, 0.5]))
        inside = fwAD.unpack_dual(dual)
        plain = fwAD.unpack_dual(x)
    after = fwAD.unpack_dual(dual)

    assert isinstance(inside, fwAD.UnpackedDualTensor)
    assert inside._fields == ("primal", "tangent")
    assert inside.primal is inside[0] and inside.tangent is inside[1]
    assert inside.primal.tolist() == [1.0, 2.0]
    assert inside.tangent.tolist() == [1.0, 0.5]
    assert plain.tangent is None
    assert after.primal.tolist() == [1.0, 2.0]
    assert after.tangent is None


# The first dual tensor makes torch load its forward-AD decompositions, which calls the
# deprecated torch.jit.script inside torch (FutureWarning in 2.14, DeprecationWarning in 2.13).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_make_dual_rejects_a_tangent_of_another_shape():
    """`make_dual` raises when the tangent's size differs from the primal's.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.forward_ad.make_dual.html#torch.autograd.forward_ad.make_dual
    """
    x = torch.tensor([1.0, 2.0])

    with fwAD.dual_level():
        with raises_exactly(RuntimeError, match="Tensor is of size \\[2\\] while the given forward gradient is of size \\[3\\]"):
            fwAD.make_dual(x, torch.ones(3))


def test_dual_levels_cannot_be_nested():
    """Entering a `dual_level` inside another raises: nested forward-mode AD is not supported.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.forward_ad.dual_level.html#torch.autograd.forward_ad.dual_level
    """
    with fwAD.dual_level():
        with raises_exactly(RuntimeError, match="Nested forward mode AD is not supported at the moment"):
            with fwAD.dual_level():
                pass


def test_first_grad_of_a_dense_parameter_copies_its_strides():
    """A `.grad` created by backward has the strides of its parameter when the parameter is dense.

    `p` is the transpose of a contiguous 3×2 tensor: dense and non-overlapping, but
    column-major (strides (1, 2)). Its fresh `.grad` is laid out the same way, so an
    optimizer can walk `p` and `p.grad` in step.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#default-gradient-layouts
    """
    p = torch.zeros(3, 2).t().requires_grad_()

    (p * 2).sum().backward()

    assert p.stride() == p.grad.stride() == (1, 2)
    assert not p.grad.is_contiguous()


def test_first_grad_of_a_non_dense_parameter_is_row_major_contiguous():
    """A `.grad` created for a parameter with gaps in its storage is row-major contiguous.

    Every other column of a 4×6 tensor has strides (6, 2): not dense, so its layout is
    not worth copying, and `.grad` gets the plain contiguous strides (3, 1).

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#default-gradient-layouts
    """
    p = torch.zeros(4, 6)[:, ::2].requires_grad_()

    (p * 2).sum().backward()

    assert p.stride() == (6, 2)
    assert p.grad.stride() == (3, 1)
    assert p.grad.is_contiguous()


def test_accumulation_without_create_graph_keeps_the_grad_tensor_and_its_strides():
    """With `create_graph=False`, a second backward adds into the existing `.grad` in place.

    The same tensor object stays in `.grad`, with its strides, and holds 2 + 3 = 5.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#default-gradient-layouts
    """
    p = torch.zeros(3, 2).t().requires_grad_()
    (p * 2).sum().backward()
    first = p.grad

    (p * 3).sum().backward()

    assert p.grad is first
    assert p.grad.stride() == (1, 2)
    assert torch.equal(p.grad, torch.full((2, 3), 5.0))


def test_accumulation_with_create_graph_replaces_the_grad_tensor():
    """With `create_graph=True`, backward replaces `.grad` by a new tensor `.grad + new grad`.

    The sum must stay differentiable, so it cannot be written into the old tensor; here
    the new tensor still matches the old strides, which the docs only attempt. Torch
    warns that `backward(create_graph=True)` makes a reference cycle between the
    parameter and its gradient.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#default-gradient-layouts
    """
    p = torch.zeros(3, 2).t().requires_grad_()
    (p * 2).sum().backward()
    first = p.grad

    with warns_exactly(UserWarning, match="create a reference cycle between the parameter and its gradient"):
        (p * 3).sum().backward(create_graph=True)

    assert p.grad is not first
    assert p.grad.stride() == (1, 2)
    assert torch.equal(p.grad, torch.full((2, 3), 5.0))


def test_manually_set_grad_keeps_its_layout_with_a_warning():
    """A zeroed `.grad` assigned before the first backward keeps its strides, and torch warns they differ from the parameter's.

    This is the docs' way to choose the layout of `.grad` by hand: accumulation writes
    into it in place, so row-major strides (3, 1) survive on a column-major parameter.
    Torch points out that the pair does not follow the default layout contract.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#manual-gradient-layouts
    """
    p = torch.zeros(3, 2).t().requires_grad_()
    p.grad = torch.zeros(2, 3)

    with warns_exactly(UserWarning, match="grad and param do not obey the gradient layout contract"):
        (p * 2).sum().backward()

    assert p.grad.stride() == (3, 1)
    assert torch.equal(p.grad, torch.full((2, 3), 2.0))


def test_modifying_a_tensor_saved_for_backward_makes_backward_raise():
    """Backward raises when a tensor a built-in operation saved was modified in place since.

    `sigmoid` saves its output to compute σ(1 − σ). `mul_` bumps that output's version
    counter from 0 to 1, and the check at backward time reports both versions instead
    of returning a wrong gradient.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#in-place-correctness-checks
    """
    a = torch.ones(2, requires_grad=True)
    b = a.sigmoid()
    assert b._version == 0

    b.mul_(2)

    assert b._version == 1
    with raises_exactly(
        RuntimeError, match="one of the variables needed for gradient computation has been modified by an inplace operation"
    ) as info:
        b.sum().backward()
    assert "is at version 1; expected version 0 instead" in str(info.value)


def test_modifying_a_tensor_no_backward_needs_in_place_is_fine():
    """An in-place operation on a tensor that no backward formula saved raises nothing, and the gradient is right.

    `a * 2` with a constant saves only the constant, not its result, so `add_(1)` on the
    result is safe: the check fires only when a saved tensor changed.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#in-place-correctness-checks
    """
    a = torch.ones(2, requires_grad=True)
    c = a * 2

    c.add_(1)
    c.sum().backward()

    assert a.grad.tolist() == [2.0, 2.0]


def test_relu_at_zero_takes_the_minimum_norm_subgradient():
    """At a kink the gradient is the subgradient of smallest norm: `relu` at 0 gets 0.

    `relu` is not differentiable at 0, where every slope in [0, 1] is a subgradient of the
    convex function. Autograd's rule picks the one of minimum norm, 0.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#gradients-for-non-differentiable-functions
    """
    x = torch.tensor(0.0, requires_grad=True)

    torch.relu(x).backward()

    assert x.grad.item() == 0.0


def test_sqrt_at_zero_takes_its_gradient_by_continuity():
    """Where a function is defined but has no finite slope, the gradient is its limit: `sqrt` at 0 gets inf.

    d√x/dx = 1/(2√x) grows without bound as x → 0⁺; the rule "define the gradient by
    continuity" gives `inf`, which the note names as a possible value.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#gradients-for-non-differentiable-functions
    """
    x = torch.tensor(0.0, requires_grad=True)

    torch.sqrt(x).backward()

    assert x.grad.item() == float("inf")


def test_clamp_min_at_its_bound_gets_the_minimum_norm_subgradient_since_2_14():
    """`clamp_min(x, 0.0)` at x = 0 passes gradient 0 since 2.14, and 1 before.

    With a Python number as the bound, the bound is a fixed parameter, so the function of
    `x` alone is max(x, 0), and its minimum-norm subgradient at 0 is 0, as for `relu`.
    Before 2.14 the gradient was 1 at the tie; 2.14 brought clamp and min/max in line with
    the documented rule (https://github.com/pytorch/pytorch/pull/191142).

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#gradients-for-non-differentiable-functions
    """
    x = torch.tensor(0.0, requires_grad=True)

    torch.clamp_min(x, 0.0).backward()

    assert x.grad.item() == by_version({"<2.14": 1.0, ">=2.14": 0.0})


def test_clamp_min_with_a_tensor_bound_splits_a_tie_since_2_14():
    """`clamp_min(v, b)` with `v == b` gives each tensor gradient 1/2 since 2.14; before, `v` got 1 and `b` 0.

    With a tensor bound the function is max(v, b) of both tensors jointly. At a tie every
    (t, 1 - t) with t in [0, 1] is a subgradient, and the one of minimum Euclidean norm is
    (1/2, 1/2). Before 2.14 all the gradient went to `v`
    (https://github.com/pytorch/pytorch/pull/191142).

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#gradients-for-non-differentiable-functions
    """
    v = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)

    torch.clamp_min(v, b).backward()

    assert (v.grad.item(), b.grad.item()) == by_version({"<2.14": (1.0, 0.0), ">=2.14": (0.5, 0.5)})


def test_masking_after_a_division_by_zero_still_gives_nan_gradients():
    """Masking out `x / 0` after the division does not help: its gradient is still NaN.

    The masked loss uses only the finite element, but the division is in the graph for
    every element: backward sends 0 through the mask to `x / 0`, whose local derivative
    is 1/0 = inf, and 0 · inf is NaN. Mask *before* dividing instead.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#division-by-zero-in-autograd
    """
    x = torch.tensor([1.0, 1.0], requires_grad=True)
    div = torch.tensor([0.0, 1.0])
    mask = div != 0

    (x / div)[mask].sum().backward()

    assert x.grad[0].isnan()
    assert x.grad[1].item() == 1.0


def test_masking_before_the_division_gives_clean_gradients():
    """Dividing only the selected elements keeps the division by zero out of the graph.

    This is the fix the note recommends: the zero divisor never takes part in a recorded
    operation, so the masked-out element gets gradient 0 and the other 1/1.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#division-by-zero-in-autograd
    """
    x = torch.tensor([1.0, 1.0], requires_grad=True)
    div = torch.tensor([0.0, 1.0])
    mask = div != 0

    safe = torch.zeros_like(x)
    safe[mask] = x[mask] / div[mask]
    safe.sum().backward()

    assert x.grad.tolist() == [0.0, 1.0]


def test_backward_can_run_in_several_threads_at_once():
    """Threads that each build and differentiate their own graph get correct gradients side by side.

    Since PyTorch 1.6 `backward()` called from several CPU threads runs concurrently
    instead of being serialized. With no shared leaves there is nothing to race on: every
    thread's `x` gets d/dx of ½(x + 3)(x + 4) = x + 3.5, which is 4.5 at x = 1.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#concurrency-on-cpu
    """
    grads = [None] * 4

    def train(i):
        x = torch.ones(5, 5, requires_grad=True)
        y = (x + 3) * (x + 4) * 0.5
        y.sum().backward()
        grads[i] = x.grad

    threads = [threading.Thread(target=train, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert all(torch.equal(g, torch.full((5, 5), 4.5)) for g in grads)


def test_autograd_grad_on_a_shared_graph_from_threads_leaves_grad_untouched():
    """Threads that differentiate one shared graph with `torch.autograd.grad` all get the gradient, and `.grad` stays `None`.

    `backward()` from several threads would accumulate into the shared leaf's `.grad`, a
    race. The note recommends `torch.autograd.grad`, which returns the gradient instead;
    `retain_graph=True` keeps the shared part of the graph alive for the other threads.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#non-determinism
    """
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (w**2).sum()
    grads = [None] * 4

    def work(i):
        (grads[i],) = torch.autograd.grad(loss, w, retain_graph=True)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert all(g.tolist() == [2.0, 4.0] for g in grads)
    assert w.grad is None


def test_shared_graph_freed_by_one_thread_raises_in_the_next():
    """A graph shared between threads is freed by the first thread's backward, so the next one raises.

    The forward part computed once (`shared = w.exp()`, which saves its output) is shared
    by every thread that builds on it. Without `retain_graph=True`, the first backward
    frees its saved tensors; a second thread then gets the same error as calling
    `backward()` twice, telling it to pass `retain_graph=True`. The threads run one after
    the other here so that the outcome is certain.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#graph-retaining
    """
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    shared = w.exp()
    errors = []

    def work():
        try:
            (shared * 3).sum().backward()
        except RuntimeError as error:  # collected so the main thread can check it
            errors.append(error)

    for _ in range(2):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()

    assert len(errors) == 1
    assert type(errors[0]) is RuntimeError
    assert "Trying to backward through the graph a second time" in str(errors[0])
    assert "retain_graph=True" in str(errors[0])
    assert torch.equal(w.grad, 3 * shared.detach())  # d(3eʷ)/dw, from the one backward that ran


@pytest.mark.docs_erratum("The gradient computed is ∂L/∂z* (the conjugate Wirtinger derivative)")
def test_complex_gradient_is_the_real_gradient_packed_as_a_complex_number():
    """For a real loss of a complex tensor `z = x + iy`, `z.grad` is ∂L/∂x + i·∂L/∂y.

    That is the steepest-ascent direction in the plane, so `z - lr * z.grad` descends and
    optimizers work on complex parameters unchanged. For L = |z|² = x² + y² it is
    2x + 2iy = 2z. The autograd note's short version says the gradient computed is the
    conjugate Wirtinger derivative ∂L/∂z* = ½(∂L/∂x + i·∂L/∂y), which is z here; the value
    PyTorch returns is twice that, as the gradcheck note states ("PyTorch uses 2 * CW as
    the value it backwards and returns",
    https://docs.pytorch.org/docs/stable/notes/gradcheck.html#notations-and-background-information).
    The direction, which is what optimization needs, is the same.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#autograd-for-complex-numbers
    """
    z = torch.tensor([1 + 2j, -3 + 0.5j], requires_grad=True)
    x, y = z.detach().real, z.detach().imag

    (z.abs() ** 2).sum().backward()

    torch.testing.assert_close(z.grad, torch.complex(2 * x, 2 * y))
    conjugate_wirtinger = z.detach()  # ∂(z z*)/∂z* = z
    torch.testing.assert_close(z.grad, 2 * conjugate_wirtinger)
    stepped = z.detach() - 0.1 * z.grad
    assert (stepped.abs() ** 2).sum() < (z.detach().abs() ** 2).sum()


def test_real_function_computed_through_complex_numbers_has_the_real_gradient():
    """A real-to-real function that uses complex numbers inside gets the same gradient as its real form.

    `|x · (3 + 4i)|` is 5|x| for real `x`, so its derivative is 5 · sign(x) whatever
    convention complex autograd uses on the way.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#autograd-for-complex-numbers
    """
    x = torch.tensor([2.0, -1.0], requires_grad=True)

    (x * (3 + 4j)).abs().sum().backward()

    torch.testing.assert_close(x.grad, 5 * torch.sign(x.detach()))

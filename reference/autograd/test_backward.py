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

"""Extending autograd

When an operation cannot be written with PyTorch's differentiable operations, or its
built-in gradient is too slow or too memory-hungry, you write a `torch.autograd.Function`:
a static `forward` that computes the result and a static `backward` that maps the gradient
of each output to the gradient of each input. The `ctx` object carries what backward needs
(`save_for_backward`) and tells autograd what forward did (`mark_dirty`,
`mark_non_differentiable`). `gradcheck` compares your backward with finite differences, and
an `nn.Module` that holds the parameters makes the Function a layer. The Functions the
sections use (`Exp`, `LinearFunction`, `MulConstant`, `AddOne_`, `Cube`, ...) are defined
under "Imports and helpers".
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd import forward_ad as fwAD
from torch.autograd.function import once_differentiable
from torch.autograd.gradcheck import GradcheckError

from torchref import raises_exactly, warns_exactly


class Exp(torch.autograd.Function):
    """y = eˣ; backward reuses the saved output, since d eˣ/dx = eˣ."""

    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        ctx.grad_was_enabled = torch.is_grad_enabled()
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class LinearFunction(torch.autograd.Function):
    """y = x Wᵀ + b, with forward and setup_context separate, as the docs recommend."""

    @staticmethod
    def forward(x, weight, bias):
        return x.mm(weight.t()) + bias

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, weight, bias = inputs
        ctx.save_for_backward(x, weight)

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        ctx.asked = ctx.needs_input_grad
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_x = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(x)
        if ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_x, grad_weight, grad_bias


class MulConstant(torch.autograd.Function):
    """y = x · k for a Python number k: the number gets `None` as its gradient."""

    @staticmethod
    def forward(x, k):
        return x * k

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.inputs, ctx.output = inputs, output
        _, ctx.k = inputs

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.k, None


class MulConstantTensorGradForK(MulConstant):
    """MulConstant whose backward wrongly returns a tensor for the number k."""

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.k, grad_output


class MulConstantOneGradient(MulConstant):
    """MulConstant whose backward forgets the gradient slot of k."""

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.k


class MulConstantExtraNones(MulConstant):
    """MulConstant whose backward returns two extra `None`s."""

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.k, None, None, None


class AddOne_(torch.autograd.Function):
    """x += 1 in place; forward returns the modified input and marks it dirty."""

    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


class ScaleAndSign(torch.autograd.Function):
    """Returns 2x and sign(x); the float sign output is marked non-differentiable."""

    @staticmethod
    def forward(ctx, x):
        sign = torch.sign(x)
        ctx.mark_non_differentiable(sign)
        return 2 * x, sign

    @staticmethod
    def backward(ctx, grad_scaled, grad_sign):
        ctx.received = grad_sign
        return 2 * grad_scaled


class TwoCopies(torch.autograd.Function):
    """Returns two copies of x; backward records the gradients it was given."""

    @staticmethod
    def forward(ctx, x):
        return x.clone(), x.clone()

    @staticmethod
    def backward(ctx, grad_first, grad_second):
        ctx.received = (grad_first, grad_second)
        return grad_first + grad_second


class TwoCopiesUnmaterialized(torch.autograd.Function):
    """TwoCopies with `set_materialize_grads(False)`: backward must handle `None`."""

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x.clone(), x.clone()

    @staticmethod
    def backward(ctx, grad_first, grad_second):
        ctx.received = (grad_first, grad_second)
        grad = torch.zeros_like(grad_first if grad_first is not None else grad_second)
        for g in (grad_first, grad_second):
            if g is not None:
                grad = grad + g
        return grad


class Cube(torch.autograd.Function):
    """y = x³; backward is built from differentiable operations, so it can be differentiated again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x**2


class CubeOnce(Cube):
    """Cube whose backward is declared `once_differentiable`."""

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x**2


class CubeWrongBackward(Cube):
    """Cube whose backward forgets the factor 3."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x**2


class MyLinear(nn.Module):
    """A layer that owns its parameters and computes with LinearFunction."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        nn.init.uniform_(self.weight, -0.1, 0.1)
        nn.init.uniform_(self.bias, -0.1, 0.1)

    def forward(self, x):
        return LinearFunction.apply(x, self.weight, self.bias)


class Square(torch.autograd.Function):
    """y = x² in the separate forward / setup_context style, with a generated vmap rule."""

    generate_vmap_rule = True

    @staticmethod
    def forward(x):
        return x * x

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 2 * x


class SquareNoVmapRule(Square):
    """Square without `generate_vmap_rule` and without a `vmap` staticmethod."""

    generate_vmap_rule = False


class SquareWithJvp(torch.autograd.Function):
    """y = x² with a forward-mode formula: the tangent of y is 2x times the tangent of x."""

    @staticmethod
    def forward(x):
        return x * x

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_forward(x)

    @staticmethod
    def jvp(ctx, x_tangent):
        (x,) = ctx.saved_tensors
        return 2 * x * x_tangent


# The overrides ScalarTensor knows, keyed by the torch function they replace.
HANDLED_FUNCTIONS = {}


class ScalarTensor:
    """A tensor-like type: N×N with `value` on the diagonal, never stored densely."""

    def __init__(self, n, value):
        self.n = n
        self.value = value

    def tensor(self):
        return self.value * torch.eye(self.n)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func not in HANDLED_FUNCTIONS or not all(issubclass(t, (torch.Tensor, ScalarTensor)) for t in types):
            return NotImplemented
        return HANDLED_FUNCTIONS[func](*args, **(kwargs or {}))


def scalar_tensor_mean(input):
    return float(input.value) / input.n


def scalar_tensor_add(input, other):
    if isinstance(input, ScalarTensor) and isinstance(other, ScalarTensor):
        return ScalarTensor(input.n, input.value + other.value)
    as_tensor = [a.tensor() if isinstance(a, ScalarTensor) else a for a in (input, other)]
    return torch.add(*as_tensor)


HANDLED_FUNCTIONS[torch.mean] = scalar_tensor_mean
HANDLED_FUNCTIONS[torch.add] = scalar_tensor_add


class PlainScalarTensor:
    """The same idea without `__torch_function__`."""

    def __init__(self, n, value):
        self.n = n
        self.value = value


class SubTensor(torch.Tensor):
    """A Tensor subclass that adds nothing."""


def test_function_apply_computes_forward_and_records_a_node_named_after_the_class():
    """`Function.apply` runs `forward` and records a `grad_fn` named after the class, whose backward autograd calls.

    You never call `forward` or `backward` yourself: `Exp.apply(x)` returns eˣ and a node
    `ExpBackward`; `backward()` on the result runs `Exp.backward`, which returns
    d eˣ/dx = eˣ.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#extending-torch-autograd
    """
    x = torch.tensor([0.0, 1.0], requires_grad=True)

    y = Exp.apply(x)
    y.sum().backward()

    torch.testing.assert_close(y, torch.exp(x.detach()))
    assert type(y.grad_fn).__name__ == "ExpBackward"
    torch.testing.assert_close(x.grad, torch.exp(x.detach()))


def test_forward_runs_with_grad_mode_off():
    """Inside `forward` recording is off: the result's only node is the Function's own.

    The operations forward performs (here `exp`) are not recorded; autograd knows the
    Function only through your `backward`. So the node after `ExpBackward` is directly
    the `AccumulateGrad` of `x`, not an `ExpBackward0` of the built-in `exp`.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """
    x = torch.tensor([0.0, 1.0], requires_grad=True)

    y = Exp.apply(x)

    assert y.grad_fn.grad_was_enabled is False
    accumulate, _ = y.grad_fn.next_functions[0]
    assert type(accumulate).__name__ == "AccumulateGrad"
    assert accumulate.variable is x


def test_save_for_backward_returns_the_tensors_in_saved_tensors():
    """What forward passes to `ctx.save_for_backward` comes back, equal, from `ctx.saved_tensors`.

    `Exp` saves its output; the node (which *is* the `ctx` of a custom Function) hands it
    back as a tuple with one tensor equal to `y`. Saving this way, rather than as
    `ctx.result = ...`, lets autograd check it for in-place changes (see below) and
    free it once backward has used it: afterwards `saved_tensors` raises.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.save_for_backward.html#torch.autograd.function.FunctionCtx.save_for_backward
    """
    x = torch.tensor([0.0, 1.0], requires_grad=True)

    y = Exp.apply(x)
    saved = y.grad_fn.saved_tensors
    y.sum().backward()

    assert isinstance(saved, tuple) and len(saved) == 1
    assert saved[0].equal(y)
    with raises_exactly(RuntimeError, match="directly access saved tensors after they have already been freed"):
        y.grad_fn.saved_tensors


def test_save_for_backward_accepts_only_tensors():
    """`ctx.save_for_backward` refuses a non-tensor with a TypeError; store numbers directly on `ctx`.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """

    class SavesANumber(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3.0)
            return x * 3.0

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 3.0

    x = torch.ones(2, requires_grad=True)

    with raises_exactly(TypeError, match="save_for_backward can only save variables, but argument 0 is of type float"):
        SavesANumber.apply(x)


def test_saved_tensor_changed_in_place_makes_backward_raise():
    """A tensor saved with `save_for_backward` and then modified in place makes backward raise.

    Saved tensors carry the version counter they had when saved; reading `saved_tensors`
    in backward compares it with the current one. `b.mul_(3)` moved `b` to version 1, so
    `Cube.backward` would compute with the wrong x and is stopped instead.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#in-place-correctness-checks
    """
    a = torch.ones(2, requires_grad=True)
    b = a * 1
    y = Cube.apply(b)

    b.mul_(3)

    with raises_exactly(RuntimeError, match="modified by an inplace operation") as info:
        y.sum().backward()
    assert "is at version 1; expected version 0 instead" in str(info.value)


def test_setup_context_receives_the_inputs_and_the_output():
    """With a separate `setup_context(ctx, inputs, output)`, forward takes no `ctx` and setup_context gets both ends.

    Since PyTorch 2.0 `forward` can be pure computation; `setup_context` then receives the
    tuple of forward's inputs and the very output object it returned, and fills `ctx`.
    This split is the recommended style (it composes with `torch.func`).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.Function.forward.html#torch.autograd.Function.forward
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    y = MulConstant.apply(x, 3.0)
    y.sum().backward()

    assert y.grad_fn.inputs[0] is x and y.grad_fn.inputs[1] == 3.0
    assert y.grad_fn.output is y
    assert x.grad.tolist() == [3.0, 3.0]


def test_non_tensor_input_gets_none_as_its_gradient():
    """`backward` returns one gradient per forward input, and `None` for an input that is not a tensor.

    `MulConstant.apply(x, 3.0)` has two inputs, so backward returns `(grad * 3, None)`:
    the number 3.0 has no gradient. `x` receives d(3x)/dx = 3.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    MulConstant.apply(x, 3.0).sum().backward()

    assert x.grad.tolist() == [3.0, 3.0]


def test_tensor_gradient_for_a_non_tensor_input_raises():
    """A backward that returns a tensor for a non-tensor input raises.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = MulConstantTensorGradForK.apply(x, 3.0)

    with raises_exactly(
        RuntimeError, match="returned a gradient different than None at position 2, but the corresponding forward input was not a Variable"
    ):
        y.sum().backward()


def test_backward_returning_too_few_gradients_raises():
    """A backward that returns fewer gradients than forward had inputs raises, naming both counts.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = MulConstantOneGradient.apply(x, 3.0)

    with raises_exactly(
        RuntimeError, match=r"function MulConstantOneGradientBackward returned an incorrect number of gradients \(expected 2, got 1\)"
    ):
        y.sum().backward()


def test_backward_may_return_extra_trailing_nones():
    """Extra gradients beyond the number of inputs are accepted as long as they are all `None`.

    This lets a Function with optional arguments always return the same number of values.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    MulConstantExtraNones.apply(x, 3.0).sum().backward()

    assert x.grad.tolist() == [3.0, 3.0]


@pytest.mark.torch_version(">=2.13")
def test_apply_accepts_keyword_arguments_since_2_13():
    """Since 2.13 `Function.apply` accepts forward's arguments by keyword.

    Before, `apply` took positional arguments only, so a Function was usually wrapped in a
    plain function to offer keywords (https://github.com/pytorch/pytorch/pull/182206).

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#example
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    y = MulConstant.apply(x, k=3.0)
    y.sum().backward()

    assert y.tolist() == [3.0, 6.0]
    assert x.grad.tolist() == [3.0, 3.0]


def test_needs_input_grad_tells_backward_which_gradients_are_wanted():
    """`ctx.needs_input_grad` holds one boolean per forward input, so backward can skip unwanted gradients.

    Here the input `x` does not require grad but the weight and bias do: backward sees
    `(False, True, True)` and computes only the parameter gradients,
    dL/dW = grad_outputᵀ x and dL/db = the column sums of grad_output.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.Function.backward.html#torch.autograd.Function.backward
    """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    weight = torch.tensor([[0.5, -1.0]], requires_grad=True)
    bias = torch.tensor([0.25], requires_grad=True)

    y = LinearFunction.apply(x, weight, bias)
    y.sum().backward()

    assert y.grad_fn.asked == (False, True, True)
    grad_output = torch.ones(2, 1)
    torch.testing.assert_close(weight.grad, grad_output.t() @ x)
    torch.testing.assert_close(bias.grad, grad_output.sum(0))
    assert x.grad is None


def test_mark_dirty_lets_forward_modify_an_input_in_place():
    """With `ctx.mark_dirty`, forward may change an input in place and return it: the same object, one version later.

    Marking the input dirty tells autograd that the tensor now holds the Function's
    output, so the returned tensor *is* the input, its version counter moved on, and
    backward flows through the Function: d(b + 1)/db = 1, times db/da = 2.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.mark_dirty.html#torch.autograd.function.FunctionCtx.mark_dirty
    """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    version_before = b._version

    c = AddOne_.apply(b)
    c.sum().backward()

    assert c is b
    assert b._version > version_before
    assert b.tolist() == [3.0, 5.0]
    assert type(b.grad_fn).__name__ == "AddOne_Backward"
    assert a.grad.tolist() == [2.0, 2.0]


def test_mark_dirty_on_a_leaf_that_requires_grad_raises():
    """A Function that modifies a leaf requiring grad in place raises, like any in-place operation on it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.mark_dirty.html#torch.autograd.function.FunctionCtx.mark_dirty
    """
    a = torch.tensor([1.0, 2.0], requires_grad=True)

    with raises_exactly(RuntimeError, match="a leaf Variable that requires grad has been used in an in-place operation"):
        AddOne_.apply(a)


@pytest.mark.torch_version(">=2.8")
def test_mark_dirty_on_a_view_of_a_leaf_raises_since_2_8():
    """Since 2.8 a Function that modifies in place a *view* of a leaf requiring grad raises too.

    Before 2.8 `AddOne_.apply(a.view_as(a))` ran (and leaked memory); now it is refused
    as the same mistake as writing to the leaf itself
    (https://github.com/pytorch/pytorch/pull/153094).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.mark_dirty.html#torch.autograd.function.FunctionCtx.mark_dirty
    """
    a = torch.tensor([1.0, 2.0], requires_grad=True)

    with raises_exactly(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an in-place operation"):
        AddOne_.apply(a.view_as(a))


def test_mark_non_differentiable_output_does_not_require_grad():
    """An output passed to `ctx.mark_non_differentiable` does not require grad, and backward receives zeros for it.

    By default every floating-point output requires grad. `sign(x)` has zero slope almost
    everywhere, so `ScaleAndSign` marks it; it then counts as a constant, and even when it
    is used in the loss its gradient slot in backward holds zeros.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.mark_non_differentiable.html#torch.autograd.function.FunctionCtx.mark_non_differentiable
    """
    x = torch.tensor([1.0, -2.0], requires_grad=True)

    scaled, sign = ScaleAndSign.apply(x)
    (scaled + sign).sum().backward()

    assert scaled.requires_grad
    assert sign.requires_grad is False
    assert scaled.grad_fn.received.tolist() == [0.0, 0.0]
    assert x.grad.tolist() == [2.0, 2.0]


def test_integer_output_of_a_function_never_requires_grad():
    """An integer output of a custom Function never requires grad, marked or not.

    Only floating-point and complex tensors can carry gradients, so an index output
    (here `argmax`) is left untracked automatically.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """

    class WithIndex(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x.argmax()

        @staticmethod
        def backward(ctx, grad_values, grad_index):
            return grad_values * 2

    x = torch.tensor([1.0, 3.0], requires_grad=True)

    values, index = WithIndex.apply(x)

    assert values.requires_grad
    assert index.dtype == torch.int64
    assert index.requires_grad is False


def test_unused_output_gets_a_zero_gradient_by_default():
    """By default backward receives a tensor of zeros for an output the loss did not use.

    The loss uses only the first copy, so there is no gradient for the second; autograd
    *materializes* one, filled with zeros, so backward can add without checking.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.set_materialize_grads.html#torch.autograd.function.FunctionCtx.set_materialize_grads
    """
    x = torch.ones(2, requires_grad=True)

    first, _ = TwoCopies.apply(x)
    first.sum().backward()

    grad_first, grad_second = first.grad_fn.received
    assert grad_first.tolist() == [1.0, 1.0]
    assert grad_second.tolist() == [0.0, 0.0]
    assert x.grad.tolist() == [1.0, 1.0]


def test_set_materialize_grads_false_passes_none_for_an_unused_output():
    """After `ctx.set_materialize_grads(False)` backward receives `None` for an output the loss did not use.

    Skipping the zero tensor saves an allocation, but backward must now treat `None` as
    zeros itself, as `TwoCopiesUnmaterialized` does. The gradient of `x` is unchanged.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.function.FunctionCtx.set_materialize_grads.html#torch.autograd.function.FunctionCtx.set_materialize_grads
    """
    x = torch.ones(2, requires_grad=True)

    first, _ = TwoCopiesUnmaterialized.apply(x)
    first.sum().backward()

    grad_first, grad_second = first.grad_fn.received
    assert grad_first.tolist() == [1.0, 1.0]
    assert grad_second is None
    assert x.grad.tolist() == [1.0, 1.0]


def test_backward_made_of_differentiable_operations_supports_double_backward():
    """A backward written with differentiable operations can itself be differentiated.

    With `create_graph=True`, `Cube.backward` runs with recording on, so the first
    derivative 3x² has a graph, and differentiating it gives 6x.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    (first,) = torch.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x)

    assert first.tolist() == [3.0, 12.0]
    assert second.tolist() == [6.0, 12.0]


def test_once_differentiable_backward_refuses_double_backward():
    """A backward decorated with `once_differentiable` gives first derivatives, and differentiating them again raises.

    The decorator runs backward without recording and attaches an error node to its
    result. Here L = (x³)², so dL/dx = 6x⁵ = [6, 192]; the second backward hits the error
    node.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#how-to-use
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    (first,) = torch.autograd.grad((CubeOnce.apply(x) ** 2).sum(), x, create_graph=True)

    assert first.tolist() == [6.0, 192.0]
    with raises_exactly(RuntimeError, match="trying to differentiate twice a function that was marked with @once_differentiable"):
        first.sum().backward()


def test_gradcheck_passes_on_a_correct_function_in_float64():
    """`gradcheck` returns True for a Function whose backward matches finite differences in float64.

    It perturbs each input element by `eps` (1e-6), builds the numerical Jacobian and
    compares it with the one your backward gives, within `atol` 1e-5 and `rtol` 1e-3 by
    default. Double precision keeps the finite-difference error far below those.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.gradcheck.gradcheck.html#torch.autograd.gradcheck.gradcheck
    """
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 2, dtype=torch.float64, generator=g, requires_grad=True)
    weight = torch.randn(4, 2, dtype=torch.float64, generator=g, requires_grad=True)
    bias = torch.randn(4, dtype=torch.float64, generator=g, requires_grad=True)

    assert torch.autograd.gradcheck(LinearFunction.apply, (x, weight, bias)) is True


def test_gradcheck_raises_gradcheck_error_on_a_wrong_backward():
    """`gradcheck` raises `torch.autograd.gradcheck.GradcheckError` when backward is wrong.

    `CubeWrongBackward` returns x² instead of 3x²; the numerical Jacobian is three times
    the analytical one, and the error says for which output and input they differ.
    `GradcheckError` subclasses `RuntimeError`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.gradcheck.gradcheck.html#torch.autograd.gradcheck.gradcheck
    """
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)

    with raises_exactly(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        torch.autograd.gradcheck(CubeWrongBackward.apply, (x,))

    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_warns_about_float32_and_rejects_even_a_correct_backward():
    """In float32 `gradcheck` warns that the input is not double precision, and then fails a correct backward.

    With `eps` = 1e-6, float32 rounding (about 1e-7 relative) swamps the finite
    difference: at x = 0.5 the numerical derivative of x³ comes out near 0.76 instead of
    0.75, outside the tolerance, although `Cube.backward` is right.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.gradcheck.gradcheck.html#torch.autograd.gradcheck.gradcheck
    """
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)

    with warns_exactly(UserWarning, match="Input #0 requires gradient and is not a double precision floating point or complex"):
        with raises_exactly(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
            torch.autograd.gradcheck(Cube.apply, (x,))


def test_gradgradcheck_passes_on_a_function_with_a_differentiable_backward():
    """`gradgradcheck` returns True when the backward of a Function is itself correctly differentiable.

    It differentiates backward (a random vector-Jacobian product, taken with
    `create_graph=True`) and compares that second derivative with finite differences of
    the first. `Cube.backward` computes 3x² from differentiable operations, so its
    derivative 6x checks out. Use it when a Function will be used in higher-order
    derivatives.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#example
    """
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)

    assert torch.autograd.gradgradcheck(Cube.apply, (x,)) is True


# The first dual tensor makes torch load its forward-AD decompositions, which calls the
# deprecated torch.jit.script inside torch (FutureWarning in 2.14, DeprecationWarning in 2.13).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_jvp_staticmethod_gives_the_forward_mode_tangent():
    """A Function's `jvp` staticmethod computes the output tangent under forward-mode AD.

    Forward mode pushes a tangent through the computation alongside the value. For y = x²
    the tangent of y is 2x·ẋ; `SquareWithJvp.jvp` receives ẋ and returns that. Tensors
    `jvp` needs are saved with `ctx.save_for_forward` (not `save_for_backward`) and read
    back from `ctx.saved_tensors`.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#forward-mode-ad
    """
    x = torch.tensor([1.0, 2.0, 3.0])
    x_tangent = torch.tensor([1.0, 0.5, -1.0])

    with fwAD.dual_level():
        y = SquareWithJvp.apply(fwAD.make_dual(x, x_tangent))
        value, tangent = fwAD.unpack_dual(y)

        assert value.tolist() == [1.0, 4.0, 9.0]
        assert tangent.tolist() == (2 * x * x_tangent).tolist()


# The first dual tensor makes torch load its forward-AD decompositions, which calls the
# deprecated torch.jit.script inside torch (FutureWarning in 2.14, DeprecationWarning in 2.13).
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_function_without_jvp_raises_under_forward_mode_ad():
    """A Function that defines no `jvp` raises `NotImplementedError` when it meets a dual tensor.

    Only `backward` is required for ordinary autograd; forward-mode AD needs the separate
    `jvp` formula, and a Function that lacks one cannot guess it.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#forward-mode-ad
    """
    x = torch.tensor([1.0, 2.0])

    with fwAD.dual_level():
        dual = fwAD.make_dual(x, torch.ones(2))
        with raises_exactly(NotImplementedError, match=r"You must implement the jvp function for custom autograd\.Function"):
            Cube.apply(dual)


def test_generate_vmap_rule_lets_vmap_batch_a_function():
    """With `generate_vmap_rule = True` and a separate `setup_context`, `torch.vmap` runs a Function per sample.

    `generate_vmap_rule` promises that forward and backward use only PyTorch operations,
    so vmap can batch them itself. The result equals applying the Function to every row;
    `torch.func.grad` works through it as well.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#torch-func-transforms-and-or-torch-vmap
    """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])

    batched = torch.vmap(Square.apply)(x)

    assert batched.tolist() == [Square.apply(row).tolist() for row in x]
    assert torch.func.grad(lambda t: Square.apply(t).sum())(x[0]).tolist() == [2.0, 4.0]


def test_vmap_of_a_function_without_a_vmap_rule_raises():
    """`torch.vmap` over a Function with neither `generate_vmap_rule = True` nor a `vmap` staticmethod raises RuntimeError.

    The message tells you the two ways out. Gradient transforms such as
    `torch.func.grad` do not need a vmap rule, only `setup_context`.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#torch-func-transforms-and-or-torch-vmap
    """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])

    with raises_exactly(
        RuntimeError,
        match=r"does not have vmap support\. Please override and implement the vmap staticmethod or set generate_vmap_rule=True",
    ):
        torch.vmap(SquareNoVmapRule.apply)(x)

    assert torch.func.grad(lambda t: SquareNoVmapRule.apply(t).sum())(x[0]).tolist() == [2.0, 4.0]


def test_function_transforms_refuse_a_forward_that_takes_ctx():
    """`torch.vmap` and `torch.func.grad` raise RuntimeError for a Function whose `forward` takes `ctx`.

    Function transforms support only the style with a ctx-free `forward` and a separate
    `setup_context`; `Cube` combines them, so it works with ordinary autograd but not
    with torch.func.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#combined-or-separate-forward-and-setup-context
    """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    message = r"In order to use an autograd\.Function with functorch transforms .* it must override the setup_context staticmethod"

    with raises_exactly(RuntimeError, match=message):
        torch.vmap(Cube.apply)(x)
    with raises_exactly(RuntimeError, match=message):
        torch.func.grad(lambda t: Cube.apply(t).sum())(x[0])


@pytest.mark.torch_version(">=2.14")
def test_set_output_grad_dtype_chooses_the_dtype_backward_receives():
    """Since 2.14 `ctx.set_output_grad_dtype` decides the dtype of the gradient handed to backward.

    The output is float32, but the Function asks for its gradient in float64, and backward
    receives exactly that (https://github.com/pytorch/pytorch/pull/189634). What backward
    returns is still cast to the input's dtype, so `x.grad` is float32.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#context-method-mixins
    """

    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_output_grad_dtype(torch.float64)
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            ctx.received_dtype = grad_output.dtype
            return grad_output * 2

    x = torch.ones(2, requires_grad=True)

    y = Double.apply(x)
    y.sum().backward()

    assert y.dtype == torch.float32
    assert y.grad_fn.received_dtype == torch.float64
    assert x.grad.dtype == torch.float32
    assert x.grad.tolist() == [2.0, 2.0]


def test_module_wrapping_a_function_registers_its_parameters_and_gets_their_gradients():
    """An `nn.Module` that keeps `nn.Parameter`s and calls the Function in `forward` is a trainable layer.

    Assigning `nn.Parameter`s registers them, so `parameters()` finds them for an
    optimizer; `forward` calls `LinearFunction.apply`, whose backward fills their
    `.grad`. The result matches `F.linear`, and for `loss = sum(y)` the gradients are
    dL/dW = 1ᵀx (the column sums of `x`, one row per output) and dL/db = the batch size.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#adding-a-module
    """
    torch.manual_seed(0)
    layer = MyLinear(2, 3)
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])

    y = layer(x)
    y.sum().backward()

    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    torch.testing.assert_close(y, F.linear(x, layer.weight, layer.bias))
    torch.testing.assert_close(layer.weight.grad, torch.ones(3, 2) @ x)
    assert layer.bias.grad.tolist() == [2.0, 2.0, 2.0]


def test_torch_function_without_an_override_rejects_a_tensor_like_type():
    """Passing an object without `__torch_function__` to `torch.mean` raises TypeError.

    `torch` functions accept Tensors; an unrelated class, however Tensor-like, is refused
    with the argument's name and position.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#extending-torch-with-a-tensor-like-type
    """
    d = PlainScalarTensor(5, 2)

    with raises_exactly(TypeError, match=r"mean\(\): argument 'input' \(position 1\) must be Tensor, not PlainScalarTensor"):
        torch.mean(d)


@pytest.mark.shows("scalar_tensor_mean", "scalar_tensor_add")
def test_torch_function_dispatches_torch_calls_to_a_tensor_like_type():
    """A class with `__torch_function__` receives calls of `torch` functions made with its instances.

    `torch.mean(d)` calls `ScalarTensor.__torch_function__(func=torch.mean, types, args,
    kwargs)`, which looks the function up in `HANDLED_FUNCTIONS`: the mean of a 5×5 matrix with 2 on
    the diagonal is 2/5. `torch.add` takes the fast path for two ScalarTensors and
    falls back to dense tensors when one operand is a `Tensor`. The docs define
    `__torch_function__` as a plain method; PyTorch warns that this is deprecated and wants
    a classmethod, as here.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#extending-torch-with-a-tensor-like-type
    """
    s = ScalarTensor(2, 2)
    t = torch.tensor([[1.0, 1.0], [1.0, 1.0]])

    mean = torch.mean(ScalarTensor(5, 2))
    both = torch.add(s, s)
    mixed = torch.add(s, t)

    assert mean == 0.4
    assert type(both) is ScalarTensor and (both.n, both.value) == (2, 4)
    assert mixed.tolist() == [[3.0, 1.0], [1.0, 3.0]]


@pytest.mark.docs_erratum("the TypeError says \"no implementation found for 'torch.mul' on types that implement __torch_function__\"")
def test_torch_function_returning_not_implemented_raises_type_error():
    """When every `__torch_function__` returns `NotImplemented`, the `torch` function raises TypeError.

    `ScalarTensor` handles only `torch.mean` and `torch.add`, so `torch.mul` finds no
    implementation. The docs quote the older wording ("no implementation found for
    'torch.mul' on types that implement __torch_function__"); newer releases say
    "Multiple dispatch failed for 'torch.mul'; all __torch_function__ handlers returned
    NotImplemented". Both name the function and the protocol.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#extending-torch-with-a-tensor-like-type
    """
    s = ScalarTensor(2, 2)

    with raises_exactly(TypeError, match=r"'torch\.mul'.*__torch_function__"):
        torch.mul(s, 3)


def test_tensor_subclass_is_preserved_by_torch_functions_and_methods():
    """`torch` functions, Tensor methods and operators applied to a Tensor subclass return the subclass.

    `torch.Tensor.__torch_function__` wraps every result in the subclass of the inputs,
    even when the other operand is a plain Tensor (since PyTorch 1.7).

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#subclassing-torch-tensor
    """
    a = torch.tensor([0.0]).as_subclass(SubTensor)
    b = torch.tensor([1.0])

    results = [torch.add(a, b), torch.add(a, a), a.exp(), a + 1]

    assert [type(r) for r in results] == [SubTensor] * 4
    assert torch.add(a, b).tolist() == [1.0]

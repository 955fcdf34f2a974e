"""Worked gradients

The numbers of the study notes, reproduced exactly, with the calculus that gives them.
The running example is `x = [1, 2, 3]`, `y = 2x + 1 = [3, 5, 7]`, `z = y³ = [27, 125, 343]`,
so dy/dx = 2, dz/dy = 3y² and dz/dx = 6y². The last example is the classic
cross-entropy gradient, softmax minus one-hot.
"""

import pytest
import torch
import torch.nn.functional as F


def _xyz():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = 2 * x + 1
    z = y**3
    return x, y, z


@pytest.mark.claim("S2-090", verdict="true")
def test_worked_y_backward_with_ones_gives_two():
    """For `y = 2x + 1`, `y.backward(torch.ones(3))` gives `x.grad = [2, 2, 2]`.

    The forward values are the note's `y = [3, 5, 7]` and `z = [27, 125, 343]`. With all
    weights 1 the vector-Jacobian product is just dy/dx = 2 per element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x, y, z = _xyz()

    y.backward(torch.ones(3))

    assert y.tolist() == [3.0, 5.0, 7.0]
    assert z.tolist() == [27.0, 125.0, 343.0]
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.claim("S2-091", verdict="true")
def test_worked_z_backward_with_weights_gives_54_15_2_94():
    """`z.backward(gradient=[1, 0.1, 0.01])` gives `x.grad = [54, 15, 2.94]`.

    dz/dx = 6y² = [54, 150, 294]; weighting by `[1, 0.1, 0.01]` gives the note's
    `[54.0, 15.0, 2.94]` (up to float32 rounding of 0.1 and 0.01).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x, y, z = _xyz()

    z.backward(gradient=torch.tensor([1.0, 0.1, 0.01]))

    torch.testing.assert_close(x.grad, torch.tensor([54.0, 15.0, 2.94]))


@pytest.mark.claim("S2-092", verdict="true")
def test_worked_first_derivative_with_respect_to_y():
    """`autograd.grad(z.sum(), y, create_graph=True)` is `[27, 75, 147]` with a `MulBackward0`.

    dz/dy = 3y² = 3·[9, 25, 49]. A derivative can be taken with respect to a non-leaf such
    as `y`. Because of `create_graph=True` the result is tracked; its `grad_fn` is the
    multiplication in the backward formula of `pow`, printed `grad_fn=<MulBackward0>` as
    in the note.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x, y, z = _xyz()

    (dz_dy,) = torch.autograd.grad(z.sum(), y, create_graph=True)

    assert dz_dy.tolist() == [27.0, 75.0, 147.0]
    assert type(dz_dy.grad_fn).__name__ == "MulBackward0"


@pytest.mark.claim("S2-093", verdict="true")
def test_worked_higher_derivatives_with_respect_to_y():
    """The 2nd, 3rd and 4th derivatives of `y³` are `6y`, `6` and `0`.

    Each `create_graph=True` keeps the previous derivative differentiable: 6y = [18, 30,
    42], then the constant 6, then zeros, exactly the note's values.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x, y, z = _xyz()

    (d1,) = torch.autograd.grad(z.sum(), y, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), y, create_graph=True)
    (d3,) = torch.autograd.grad(d2.sum(), y, create_graph=True)
    (d4,) = torch.autograd.grad(d3.sum(), y)

    assert d2.tolist() == [18.0, 30.0, 42.0]
    assert d3.tolist() == [6.0, 6.0, 6.0]
    assert d4.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.claim("S2-094", verdict="true")
def test_worked_backward_of_the_summed_z():
    """With `z = z.sum()`, `z.backward()` and `autograd.grad(z, x)` both give `[54, 150, 294]`.

    dz/dx = 6y² = 6·[9, 25, 49]. The two calls compute the same derivative; only where it
    ends up differs (`x.grad` versus the returned tuple).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x, y, z = _xyz()
    z = z.sum()

    (returned,) = torch.autograd.grad(z, x, retain_graph=True)
    z.backward()

    assert x.grad.tolist() == [54.0, 150.0, 294.0]
    assert returned.tolist() == [54.0, 150.0, 294.0]


@pytest.mark.claim("S2-094", verdict="true")
def test_worked_second_derivative_with_respect_to_x():
    """The second derivative of `sum((2x + 1)³)` with respect to `x` is `24y = [72, 120, 168]`.

    d/dx 6y² = 12y · dy/dx = 24y, and 24·[3, 5, 7] is the note's `[72, 120, 168]`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.grad.html
    """
    x, y, z = _xyz()

    (d1,) = torch.autograd.grad(z.sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x)

    assert d1.tolist() == [54.0, 150.0, 294.0]
    assert d2.tolist() == [72.0, 120.0, 168.0]


@pytest.mark.claim("S2-098", verdict="true")
def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    """The gradient of cross-entropy with respect to the logits is `softmax - onehot`.

    Choosing `logits = log([0.7, 0.1, 0.2])` makes the softmax exactly `[0.7, 0.1, 0.2]`;
    with label 0 the one-hot is `[1, 0, 0]`, so the gradient is the note's
    `[-0.3, 0.1, 0.2]`. It is why cross-entropy on logits trains well: the gradient is
    just "predicted minus wanted".

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html
    """
    logits = torch.log(torch.tensor([[0.7, 0.1, 0.2]])).requires_grad_()

    F.cross_entropy(logits, torch.tensor([0])).backward()

    torch.testing.assert_close(logits.grad, torch.tensor([[-0.3, 0.1, 0.2]]))


def test_cross_entropy_mean_divides_the_gradient_by_the_batch_size():
    """With the default `reduction="mean"`, each row's gradient is `(softmax - onehot) / N`.

    Two identical rows give half the single-row gradient each, because the loss is the
    average of the two.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html
    """
    logits = torch.log(torch.tensor([[0.7, 0.1, 0.2], [0.7, 0.1, 0.2]])).requires_grad_()

    F.cross_entropy(logits, torch.tensor([0, 0])).backward()

    torch.testing.assert_close(logits.grad, torch.tensor([[-0.15, 0.05, 0.1]] * 2))

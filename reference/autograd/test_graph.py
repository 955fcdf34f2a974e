"""The autograd graph

Autograd records, while your code runs, which operations produced each tensor. The record
is a graph whose nodes are backward *functions* (`grad_fn`) and whose edges carry tensors
back to the *leaves*, the tensors you created yourself. `backward()` walks that graph with
the chain rule and leaves a gradient in the `.grad` of every leaf that asked for one.
Because the graph is recorded anew each time the code runs, ordinary Python `if` and
`for` decide its shape.
"""

import pytest
import torch

from torchref import autograd_graph, raises_exactly, warns_exactly


def _square_or_triple(x):
    """x * x for a positive sum, 3 * x otherwise: data decides the graph."""
    if x.sum() > 0:
        return x * x
    return 3 * x


def test_requires_grad_defaults_to_false():
    """A tensor you create does not record history unless you ask it to.

    Tracking costs memory (autograd keeps the inputs a backward formula needs), so it is
    off by default: data, targets and constants never need a gradient.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#setting-requires-grad
    """
    x = torch.ones(3)

    y = x * 2

    assert x.requires_grad is False
    assert y.requires_grad is False
    assert y.grad_fn is None


@pytest.mark.claim("S0-005", verdict="true")
@pytest.mark.claim("S4-001", verdict="true")
def test_requires_grad_propagates_to_every_result():
    """Every result computed from a tensor that requires grad also requires grad.

    The notes say that `requires_grad=True` makes autograd track all operations on the
    tensor; that is right. One tracked input is enough: `x * w` requires grad although `w`
    does not, and so does everything computed from it afterwards.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#setting-requires-grad
    """
    x = torch.ones(3, requires_grad=True)
    w = torch.full((3,), 2.0)

    y = x * w
    z = y.exp().sum()

    assert y.requires_grad and z.requires_grad
    assert w.requires_grad is False


def test_requires_grad_needs_a_floating_point_dtype():
    """Only floating-point and complex tensors can require gradients.

    A gradient is a rate of change, which integers cannot express: asking an integer
    tensor to require grad raises at once. Every floating-point dtype (half, bfloat16,
    float, double) and the complex dtypes are accepted.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#automatic-differentiation-package-torch-autograd
    """
    accepted = [torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128]

    with raises_exactly(RuntimeError, match="Only Tensors of floating point and complex dtype"):
        torch.tensor([1, 2], requires_grad=True)
    assert all(torch.zeros(2, dtype=dtype, requires_grad=True).requires_grad for dtype in accepted)


@pytest.mark.claim("S1-019", verdict="true")
def test_tensor_created_with_requires_grad_is_a_leaf():
    """A tensor created with `requires_grad=True` is a leaf: it has no `grad_fn`.

    The note's `torch.tensor([[1., 0.], [-1., 1.]], requires_grad=True)` is exactly how a
    differentiable input is made. It was not produced by an operation, so it has no
    backward function; after `backward()` its gradient lands in `.grad`, here
    d(sum x²)/dx = 2x.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.is_leaf.html
    """
    x = torch.tensor([[1.0, 0.0], [-1.0, 1.0]], requires_grad=True)

    x.pow(2).sum().backward()

    assert x.is_leaf
    assert x.grad_fn is None
    assert x.grad.tolist() == [[2.0, 0.0], [-2.0, 2.0]]


def test_result_of_an_operation_is_not_a_leaf():
    """A tensor computed from a tracked tensor is a non-leaf with a `grad_fn`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.is_leaf.html
    """
    x = torch.ones(3, requires_grad=True)

    y = x * 2

    assert not y.is_leaf
    assert y.grad_fn is not None


def test_tensor_without_requires_grad_is_a_leaf_by_convention():
    """A tensor that does not require grad counts as a leaf, whatever made it.

    `is_leaf` really means "autograd will not look further back from here": an untracked
    tensor has no history to follow, even when it is the result of an operation.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.is_leaf.html
    """
    a = torch.ones(3)

    b = a * 2

    assert b.is_leaf
    assert b.grad_fn is None


@pytest.mark.claim("S2-081", verdict="true")
def test_tracked_tensor_exposes_data_grad_and_graph_attributes():
    """A tracked tensor carries `data`, `requires_grad`, `grad`, `grad_fn` and `is_leaf`.

    The note's list of attributes is right. `grad` starts as `None` and is filled (and
    then accumulated) by `backward()`; `grad_fn` is the node that made the tensor, `None`
    on a leaf.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#tensor-autograd-functions
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3

    assert x.data.tolist() == [1.0, 2.0]
    assert x.requires_grad and x.is_leaf and x.grad_fn is None and x.grad is None
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None


@pytest.mark.claim("S4-016", verdict="true")
def test_grad_fn_names_the_backward_of_each_operation():
    """Each operation records its own node, named after the operation's backward.

    The note says every operation creates a new function object: still true. `x * 2`
    records a `MulBackward0`, adding one records an `AddBackward0`, and two runs of the
    same operation record two distinct nodes.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#how-autograd-encodes-the-history
    """
    x = torch.ones(3, requires_grad=True)

    a = x * 2
    b = x * 2
    c = a + 1

    assert type(a.grad_fn).__name__ == "MulBackward0"
    assert type(c.grad_fn).__name__ == "AddBackward0"
    assert a.grad_fn is not b.grad_fn


@pytest.mark.claim("S4-002", verdict="false")
def test_graph_nodes_are_functions_and_tensors_travel_on_edges():
    """The graph's nodes are backward functions, not tensors.

    A note says the nodes of the graph are tensors and the edges functions. It is the
    other way round: every node is a `torch.autograd.graph.Node` (a `grad_fn`), and the
    edges, listed in `next_functions`, say where each node sends the gradient tensors it
    computes. Tensors only point at the node that produced them.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#autograd-graph
    """
    x = torch.ones(3, requires_grad=True)

    y = x * 2

    assert isinstance(y.grad_fn, torch.autograd.graph.Node)
    assert not isinstance(y.grad_fn, torch.Tensor)
    next_node, _ = y.grad_fn.next_functions[0]
    assert isinstance(next_node, torch.autograd.graph.Node)


def graph_of_a_small_expression():
    """The backward graph of `((x * w).sum() + x.sum())`, walked from its grad_fn."""
    x = torch.ones(3, requires_grad=True)
    w = torch.full((3,), 2.0, requires_grad=True)
    return autograd_graph((x * w).sum() + x.sum(), "backward graph of (x * w).sum() + x.sum()")


@pytest.mark.figure("graph_of_a_small_expression")
def test_backward_graph_is_a_dag_that_meets_at_each_leaf():
    """The backward graph branches at each operation and meets again at a leaf used twice.

    Walking `next_functions` breadth first from the result gives the picture below: the
    final `AddBackward0` has two parents, one per summand, and `x` feeds both, so its
    single `AccumulateGrad` node is reached along two edges. That is why `x.grad` is the
    sum of the gradients of both paths.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#how-autograd-encodes-the-history
    """
    graph = graph_of_a_small_expression()

    assert graph.nodes == ("AddBackward0", "SumBackward0", "SumBackward0", "MulBackward0", "AccumulateGrad", "AccumulateGrad")
    assert graph.edges == ((0, 1), (0, 2), (1, 3), (2, 4), (3, 4), (3, 5))
    assert [b for a, b in graph.edges].count(4) == 2  # x's AccumulateGrad: reached along both paths


@pytest.mark.claim("S4-014", verdict="true")
def test_next_functions_lead_back_to_the_leaves():
    """Following `next_functions` from a result reaches an `AccumulateGrad` holding the leaf.

    The note's "directed acyclic graph of Function objects" is still the design.
    `z = x * 2 + 1` records `AddBackward0 -> MulBackward0 -> AccumulateGrad`; the last one
    stores the gradient into `x.grad`, and its `variable` is `x` itself. The constant
    operands have no node, shown as `(None, 0)`.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#autograd-graph
    """
    x = torch.ones(3, requires_grad=True)

    z = x * 2 + 1

    mul, _ = z.grad_fn.next_functions[0]
    accumulate, _ = mul.next_functions[0]
    assert type(mul).__name__ == "MulBackward0"
    assert z.grad_fn.next_functions[1] == (None, 0)
    assert type(accumulate).__name__ == "AccumulateGrad"
    assert accumulate.variable is x


def test_grad_fn_exposes_the_tensors_it_saved():
    """A node shows what it saved for backward as `_saved_*` attributes: `pow` saved its input itself.

    The derivative of x² is 2x, so `PowBackward0` needs `x`: its `_saved_self` is the very
    tensor object `x`, and `_saved_exponent` is the 2. These attributes are for learning
    and debugging.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#saved-tensors
    """
    x = torch.tensor([1.0, -2.0], requires_grad=True)

    y = x.pow(2)

    assert y.grad_fn._saved_self is x
    assert y.grad_fn._saved_exponent == 2


def test_saved_output_is_unpacked_into_a_new_tensor_object():
    """A node that saved its own output hands back an equal tensor on the same storage, not the same object.

    `exp` saves its result (d eˣ/dx = eˣ). Keeping `y` itself inside `y.grad_fn` would make
    a reference cycle, so autograd packs it and unpacks a different tensor object that
    shares `y`'s memory. Which saved tensors come back as new objects is an implementation
    detail; the values are what you can rely on.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#saved-tensors
    """
    x = torch.tensor([0.0, 1.0], requires_grad=True)

    y = x.exp()
    saved = y.grad_fn._saved_result

    assert saved is not y
    assert saved.equal(y)
    assert saved.untyped_storage().data_ptr() == y.untyped_storage().data_ptr()


def test_saved_tensors_are_freed_by_backward():
    """After `backward()` the saved tensors are gone: reading `_saved_self` raises.

    Backward releases what the graph saved as soon as it has used it, which is where the
    memory of training goes back. The error is the one a second backward gives.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#saved-tensors
    """
    x = torch.tensor([1.0, -2.0], requires_grad=True)
    y = x.pow(2)
    node = y.grad_fn

    y.sum().backward()

    with raises_exactly(RuntimeError, match="directly access saved tensors after they have already been freed"):
        node._saved_self


@pytest.mark.claim("S0-001", verdict="true")
@pytest.mark.claim("S4-003", verdict="true")
def test_graph_follows_python_control_flow():
    """The graph records the branch that actually ran, so it can differ on every call.

    PyTorch is define-by-run, as the notes say: there is no graph before the code runs.
    The helper `_square_or_triple` (see "Imports and helpers") has an `if` on the data: it
    picks `x * x` for one input and `3 * x` for another, and each backward differentiates
    the branch taken.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#how-autograd-encodes-the-history
    """
    pos = torch.tensor([2.0], requires_grad=True)
    neg = torch.tensor([-2.0], requires_grad=True)

    _square_or_triple(pos).sum().backward()
    _square_or_triple(neg).sum().backward()

    assert pos.grad.tolist() == [4.0]
    assert neg.grad.tolist() == [3.0]


@pytest.mark.claim("S4-017", verdict="true")
def test_each_forward_pass_records_a_new_graph():
    """Running the same code twice records two separate graphs.

    Unlike a static graph compiled once, each forward pass builds fresh nodes; the graph
    of the first call can be freed by its `backward()` without touching the second. Both
    graphs save `x` (the derivative of `x * x` needs it), and each backward adds 2x.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#how-autograd-encodes-the-history
    """
    x = torch.ones(2, requires_grad=True)

    first = (x * x).sum()
    second = (x * x).sum()

    assert first.grad_fn is not second.grad_fn
    first.backward()
    second.backward()
    assert x.grad.tolist() == [4.0, 4.0]


@pytest.mark.claim("S0-006", verdict="true")
@pytest.mark.claim("S4-007", verdict="true")
def test_backward_fills_grad_of_the_leaves():
    """`backward()` on a scalar computes the gradient of every leaf that requires grad.

    One call differentiates the whole graph: both `w` and `b` get d(loss)/d(leaf) in their
    `.grad`, which was `None` before. For `loss = sum(w * x + b)`, that is `x` for `w` and
    1 for `b`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.tensor([1.0, 2.0])
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    b = torch.tensor([0.0, 0.0], requires_grad=True)
    loss = (w * x + b).sum()
    assert w.grad is None

    loss.backward()

    assert w.grad.tolist() == [1.0, 2.0]
    assert b.grad.tolist() == [1.0, 1.0]


def test_untracked_leaf_gets_no_grad():
    """A leaf that does not require grad keeps `grad` as `None` after backward.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.tensor([1.0, 2.0])
    w = torch.tensor([0.5, -1.0], requires_grad=True)

    (w * x).sum().backward()

    assert x.grad is None
    assert w.grad.tolist() == [1.0, 2.0]


@pytest.mark.claim("S2-083", verdict="true")
def test_non_leaf_grad_is_not_kept_and_reading_it_warns():
    """A non-leaf's `.grad` stays `None` after backward, and reading it warns.

    The note is right that only leaves keep gradients: intermediate gradients are passed
    along the graph and dropped, which saves memory. Reading `.grad` of a non-leaf is
    almost always a bug, so PyTorch says so with a UserWarning.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.grad.html
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 3

    y.sum().backward()

    with warns_exactly(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None
    assert x.grad.tolist() == [3.0, 3.0]


def test_retain_grad_keeps_a_non_leaf_gradient():
    """`retain_grad()` asks autograd to keep a non-leaf's gradient in its `.grad`.

    `y = x * 3` and `loss = sum(y²)`, so d(loss)/dy = 2y = 6 per element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.retain_grad.html
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    y.retain_grad()

    (y**2).sum().backward()

    assert y.retains_grad
    assert y.grad.tolist() == [6.0, 6.0]


def test_retain_grad_sets_retains_grad_and_is_a_no_op_on_a_leaf():
    """`retains_grad` is `True` only for a non-leaf after `retain_grad()`; on a leaf the call changes nothing.

    A leaf that requires grad fills `.grad` anyway, so `retain_grad()` has nothing to add
    there and `retains_grad` stays `False`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.retain_grad.html#torch.Tensor.retain_grad
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    before = y.retains_grad

    x.retain_grad()
    y.retain_grad()
    y.sum().backward()

    assert before is False
    assert x.retains_grad is False and y.retains_grad is True
    assert x.grad.tolist() == [3.0, 3.0]
    assert y.grad.tolist() == [1.0, 1.0]


@pytest.mark.claim("S4-015", verdict="true")
def test_backward_applies_the_chain_rule():
    """The gradient through a chain is the product of the local derivatives.

    For `z = sin(x)²`, dz/dx = 2 sin(x) · cos(x): the derivative of the square times the
    derivative of the sine, which autograd reproduces.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#how-autograd-encodes-the-history
    """
    x = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)

    torch.sin(x).pow(2).sum().backward()

    expected = 2 * torch.sin(x.detach()) * torch.cos(x.detach())
    torch.testing.assert_close(x.grad, expected)


def test_backward_adds_the_gradients_of_every_path():
    """A tensor used twice gets the sum of the gradients from both uses.

    In `y = x * x + x`, `x` reaches `y` along three edges; the multivariate chain rule adds
    their contributions: x + x + 1 = 2x + 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    (x * x + x).sum().backward()

    assert x.grad.tolist() == [3.0, 5.0]

"""In-place safety, anomaly mode, custom functions and hooks

Autograd protects you from changing values it still needs: in-place writes to a tracked
leaf are refused, and a write to a tensor saved for backward is caught by a version
counter when backward runs. Anomaly mode points at the forward line behind a failing
backward. When the built-in formulas are not enough you write a `torch.autograd.Function`
(checked with `gradcheck`), and hooks let you watch or change gradients as they flow,
or decide how the tensors saved for backward are stored.
"""

import threading

import pytest
import torch
from torch import nn
from torch.autograd.gradcheck import GradcheckError

from torchref import raises_exactly, warns_exactly


@pytest.mark.claim("S1-018", verdict="true")
def test_in_place_on_a_leaf_that_requires_grad_raises():
    """An in-place operation on a leaf that requires grad raises a RuntimeError.

    The note warns that in-place operations can cause problems for derivatives; this is
    the first. The leaf's old value would be lost while autograd still treats it as the
    input of the graph.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#in-place-operations-with-autograd
    """
    w = torch.ones(2, requires_grad=True)

    with raises_exactly(RuntimeError, match=r"leaf Variable that requires grad .* in-place operation"):
        w.add_(1)


def test_in_place_on_a_leaf_is_allowed_under_no_grad():
    """Under `no_grad` a tracked leaf can be updated in place, as optimizers do.

    A weight update is not part of the model's computation, so it must not be recorded;
    inside `no_grad` it is not, and the leaf stays a leaf.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    w = torch.ones(2, requires_grad=True)
    (w * 4).sum().backward()

    with torch.no_grad():
        w -= 0.5 * w.grad

    assert w.tolist() == [-1.0, -1.0]
    assert w.is_leaf and w.requires_grad


def test_in_place_operation_bumps_the_version_counter():
    """Every in-place operation increments the tensor's `_version`.

    The counter is how autograd notices that a value it saved has changed since.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#in-place-correctness-checks
    """
    t = torch.zeros(2)

    t.add_(1)
    t.mul_(2)

    assert t._version == 2


@pytest.mark.claim("S1-018", verdict="true")
def test_in_place_on_a_saved_tensor_makes_backward_raise():
    """Changing in place a tensor that was saved for backward makes backward raise.

    `sin` saves its input `b` to compute `cos(b)` later. `b.mul_(2)` bumps `b`'s version
    from 0 to 1, and backward refuses to use a value that is no longer the one of the
    forward pass, instead of silently returning a wrong gradient.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#in-place-correctness-checks
    """
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    c = b.sin()

    b.mul_(2)

    with raises_exactly(RuntimeError, match="modified by an inplace operation") as info:
        c.sum().backward()
    assert "is at version 1; expected version 0 instead" in str(info.value)


def test_in_place_on_a_tensor_nobody_saved_is_fine():
    """An in-place change to a tensor that no backward formula saved does no harm.

    `b + 1` needs no saved value (its derivative is 1), so changing `b` afterwards
    leaves backward correct. The check is precise, not a blanket ban.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#in-place-correctness-checks
    """
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    c = b + 1

    b.mul_(2)
    c.sum().backward()

    assert a.grad.tolist() == [1.0, 1.0, 1.0]


def test_detect_anomaly_warns_that_it_is_on():
    """Entering `torch.autograd.detect_anomaly()` emits a UserWarning that it slows things down.

    Anomaly mode records a traceback for every forward operation, so it is for debugging
    only. Use it as a context manager, so that it switches off again.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#anomaly-detection
    """
    with warns_exactly(UserWarning, match="Anomaly Detection has been enabled"):
        with torch.autograd.detect_anomaly():
            enabled = torch.is_anomaly_enabled()

    assert enabled


def test_detect_anomaly_names_the_backward_that_made_nan():
    """In anomaly mode a backward that produces NaN raises, naming the node and the forward line.

    `sqrt` has an infinite slope at 0; multiplied by a zero upstream gradient that is
    NaN. Without anomaly mode the NaN would reach `a.grad` silently. With it, backward
    raises `Function 'SqrtBackward0' returned nan values` and warns with the traceback of
    the forward call that created the node.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#anomaly-detection
    """
    a = torch.tensor([0.0], requires_grad=True)

    # Entering anomaly mode warns that it slows things down; the backward error warns with the traceback.
    with warns_exactly(UserWarning, match="Anomaly Detection has been enabled|Error detected in SqrtBackward0") as caught:
        with torch.autograd.detect_anomaly():
            y = a.sqrt() * 0
            with raises_exactly(RuntimeError, match="Function 'SqrtBackward0' returned nan values"):
                y.sum().backward()

    (report,) = [str(w.message) for w in caught if "Error detected in SqrtBackward0" in str(w.message)]
    assert "Traceback of forward call that caused the error" in report
    assert "y = a.sqrt() * 0" in report
    assert a.grad is None


def test_detect_anomaly_check_nan_false_lets_a_nan_gradient_through():
    """`detect_anomaly(check_nan=False)` keeps the forward tracebacks but does not raise on NaN gradients.

    The same `sqrt(0) * 0` as above: with the NaN check off, backward completes and
    `a.grad` holds the NaN.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#anomaly-detection
    """
    a = torch.tensor([0.0], requires_grad=True)

    with warns_exactly(UserWarning, match="Anomaly Detection has been enabled"):
        with torch.autograd.detect_anomaly(check_nan=False):
            (a.sqrt() * 0).sum().backward()

    assert torch.isnan(a.grad).all()


def test_set_detect_anomaly_switches_anomaly_mode_for_a_block():
    """`torch.autograd.set_detect_anomaly(True)` turns anomaly mode on inside its block and restores it after.

    Unlike `detect_anomaly()` it takes the mode as an argument, suiting code that enables
    it from a setting, and it does not warn.

    Docs: https://docs.pytorch.org/docs/stable/autograd.html#anomaly-detection
    """
    with torch.autograd.set_detect_anomaly(True):
        inside = torch.is_anomaly_enabled()

    assert inside is True
    assert torch.is_anomaly_enabled() is False


class Cube(torch.autograd.Function):
    """y = x³ with a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x**2


class WrongCube(Cube):
    """Cube with a backward that forgets the factor 3."""

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x**2


def test_custom_function_has_static_forward_and_backward():
    """A custom `Function` defines static `forward` and `backward` and is called with `apply`.

    `forward` stores what backward needs with `ctx.save_for_backward`; `backward` reads
    it back from `ctx.saved_tensors` and returns one gradient per input. The result's
    `grad_fn` is a node named after the class.

    Docs: https://docs.pytorch.org/docs/stable/notes/extending.html#extending-torch-autograd
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    y = Cube.apply(x)
    y.sum().backward()

    assert y.tolist() == [1.0, 8.0]
    assert type(y.grad_fn).__name__ == "CubeBackward"
    assert x.grad.tolist() == [3.0, 12.0]


def test_gradcheck_accepts_a_correct_backward():
    """`gradcheck` compares a backward with finite differences and returns True when they agree.

    Use float64 inputs: finite differences in float32 are too noisy for its tolerances.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.gradcheck.gradcheck.html
    """
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)

    assert torch.autograd.gradcheck(Cube.apply, (x,))


def test_gradcheck_rejects_a_wrong_backward():
    """`gradcheck` raises a `GradcheckError` on a backward that disagrees with finite differences.

    `GradcheckError` is a subclass of `RuntimeError` defined in `torch.autograd.gradcheck`,
    so `except RuntimeError` still catches it. The message reports a Jacobian mismatch and
    prints the numerical and analytical Jacobians one after the other: here the
    analytical diagonal x² is a third of the numerical 3x².

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.autograd.gradcheck.gradcheck.html
    """
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)

    with raises_exactly(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0") as info:
        torch.autograd.gradcheck(WrongCube.apply, (x,))

    assert issubclass(GradcheckError, RuntimeError)
    message = str(info.value)
    assert message.index("numerical:") < message.index("analytical:")


@pytest.mark.claim("S2-083", verdict="true")
def test_tensor_hook_sees_an_intermediate_gradient():
    """A hook registered on a non-leaf receives its gradient during backward.

    The note's remark is right: hooks are how you look at gradients of intermediate
    tensors without `retain_grad`. Here `y = 2x` and `loss = sum(y²)`, so the hook sees
    d(loss)/dy = 2y.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.register_hook.html
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = 2 * x
    seen = []
    y.register_hook(seen.append)

    (y**2).sum().backward()

    assert seen[0].tolist() == [4.0, 8.0]


def test_tensor_hook_can_replace_the_gradient():
    """A tensor hook that returns a tensor replaces the gradient flowing on.

    Returning `None` leaves the gradient unchanged; returning a tensor substitutes it, the
    way gradient clipping per tensor is written.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.register_hook.html
    """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = 2 * x
    y.register_hook(lambda g: g.clamp(max=5.0))

    (y**2).sum().backward()

    assert x.grad.tolist() == [8.0, 10.0]


def test_hook_handle_remove_stops_the_hook():
    """The handle returned by `register_hook` removes the hook again.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.register_hook.html
    """
    x = torch.ones(2, requires_grad=True)
    seen = []
    handle = x.register_hook(seen.append)

    handle.remove()
    (x * 2).sum().backward()

    assert seen == []


def test_module_full_backward_hook_sees_output_and_input_gradients():
    """`register_full_backward_hook` gets the gradients of a module's outputs and inputs.

    For `Linear(2, 1)` with weight `[[3, 4]]`, the output gradient of `sum` is 1 and the
    input gradient is the weight row.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook
    """
    layer = nn.Linear(2, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[3.0, 4.0]]))
    seen = {}

    def hook(module, grad_input, grad_output):
        seen["in"], seen["out"] = grad_input[0], grad_output[0]

    handle = layer.register_full_backward_hook(hook)
    layer(torch.ones(1, 2, requires_grad=True)).sum().backward()
    handle.remove()

    assert seen["out"].tolist() == [[1.0]]
    assert seen["in"].tolist() == [[3.0, 4.0]]


def test_tensor_hooks_run_in_registration_order_and_see_earlier_changes():
    """Two hooks on one tensor run in the order they were registered, each seeing what the one before returned.

    The first hook receives d(loss)/dy = 1 and returns it times 10; the second hook
    therefore sees 10, and that is what flows on to `x` (times dy/dx = 2).

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#the-order-in-which-the-different-hooks-are-fired
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    seen = []

    def first(g):
        seen.append(("first", g.tolist()))
        return g * 10

    y.register_hook(first)
    y.register_hook(lambda g: seen.append(("second", g.tolist())))

    y.sum().backward()

    assert seen == [("first", [1.0, 1.0]), ("second", [10.0, 10.0])]
    assert x.grad.tolist() == [20.0, 20.0]


def test_tensor_hook_runs_before_the_node_pre_hook_and_post_hook():
    """During backward a tensor's hooks fire first, then its node's pre-hooks, then the node's post-hooks.

    The note lists the order: hooks registered to the Tensor, pre-hooks registered to the
    Node (`grad_fn.register_prehook`), the Node itself, post-hooks registered to the Node
    (`grad_fn.register_hook`, which receives both the gradients it produced and those it
    was given).

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#the-order-in-which-the-different-hooks-are-fired
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    events = []
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: events.append("node post-hook"))
    y.grad_fn.register_prehook(lambda grad_outputs: events.append("node pre-hook"))
    y.register_hook(lambda g: events.append("tensor hook"))

    (y * 3).sum().backward()

    assert events == ["tensor hook", "node pre-hook", "node post-hook"]


def test_retain_grad_stores_the_gradient_after_the_tensor_hooks_changed_it():
    """`.grad` of a tensor that retains grad holds the gradient as the tensor's hooks left it.

    Tensor hooks run before the retained `.grad` is filled, so a hook that doubles the
    gradient of `y` (3 from `sum(3y)`) makes `y.grad` 6, and the doubled value is also
    what flows on: `x.grad` = 6 · dy/dx = 12.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#the-order-in-which-the-different-hooks-are-fired
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 2)

    (y * 3).sum().backward()

    assert y.grad.tolist() == [6.0, 6.0]
    assert x.grad.tolist() == [12.0, 12.0]


def test_autograd_grad_runs_an_input_tensor_hook_but_not_its_node_hook():
    """With `torch.autograd.grad(out, y)`, the hook on `y` fires but a post-hook on `y.grad_fn` does not.

    A tensor hook runs whenever the gradient *for that tensor* is computed. The node that
    made `y` lies beyond the requested input, so `grad` never executes it, and hooks on
    that node stay silent.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#whether-a-particular-hook-will-be-fired
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    events = []
    y.register_hook(lambda g: events.append("tensor hook"))
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: events.append("node post-hook"))

    (g,) = torch.autograd.grad((y * 3).sum(), y)

    assert events == ["tensor hook"]
    assert g.tolist() == [3.0, 3.0]


def test_hook_registered_before_an_in_place_change_gets_the_gradient_of_the_old_value():
    """A hook registered before an in-place change stays with the old value: it receives the gradient with respect to it.

    `t = sin(x)` gets a hook, then `t.cos_()` replaces `t` by cos(t). The hook registered
    afterwards sees d(out)/d(new t) = 1; the earlier one sees d(out)/d(old t) =
    -sin(sin(1)), because hooks are bound to the `grad_fn` the tensor had when they were
    registered.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#behavior-of-tensor-hooks-when-tensor-is-modified-in-place
    """
    x = torch.tensor(1.0, requires_grad=True)
    t = x.sin()
    seen = {}
    t.register_hook(lambda g: seen.setdefault("before", g))
    t.cos_()
    t.register_hook(lambda g: seen.setdefault("after", g))

    t.backward()

    assert seen["after"].item() == 1.0
    torch.testing.assert_close(seen["before"], -torch.sin(torch.sin(x.detach())))


@pytest.mark.torch_version(">=2.1")
def test_post_accumulate_grad_hook_runs_after_grad_is_stored():
    """A post-accumulate-grad hook on a leaf runs once `.grad` holds the new gradient.

    A hook from `register_hook` runs while the gradient is being computed, before it is
    stored, so it still sees `x.grad` as `None`; the hook from
    `register_post_accumulate_grad_hook` gets the tensor itself, after `x.grad` was set to
    d(sum 3x)/dx = 3. That is the place for an optimizer step fused into backward.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.register_post_accumulate_grad_hook.html
    """
    x = torch.ones(2, requires_grad=True)
    events = []
    x.register_post_accumulate_grad_hook(lambda t: events.append(("post-accumulate", t is x, t.grad.tolist())))
    x.register_hook(lambda g: events.append(("tensor hook", x.grad)))

    (3 * x).sum().backward()

    assert events == [("tensor hook", None), ("post-accumulate", True, [3.0, 3.0])]


@pytest.mark.torch_version(">=2.1")
def test_post_accumulate_grad_hook_refuses_a_non_leaf():
    """Registering a post-accumulate-grad hook on a non-leaf raises.

    Only leaves accumulate into `.grad`, so there is no moment for such a hook to run on
    an intermediate tensor.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#whether-a-particular-hook-will-be-fired
    """
    y = torch.ones(2, requires_grad=True) * 2

    with raises_exactly(RuntimeError, match="post accumulate grad hooks cannot be registered on non-leaf tensors"):
        y.register_post_accumulate_grad_hook(lambda t: None)


@pytest.mark.torch_version(">=2.1")
def test_post_accumulate_grad_hook_runs_between_the_accumulate_node_pre_and_post_hooks():
    """For a leaf, the tensor hook fires first, then the AccumulateGrad node's pre-hook, the post-accumulate-grad hook, and the node's post-hook.

    A leaf's node is the `AccumulateGrad` that `x * 2` points to in `next_functions`. The
    note's order is: tensor hooks, node pre-hooks, the node runs (it stores `.grad`),
    post-accumulate-grad hooks, node post-hooks. Hooks on a node fire because the node
    runs; `backward()` runs every node down to the leaves.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#the-order-in-which-the-different-hooks-are-fired
    """
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    accumulate = y.grad_fn.next_functions[0][0]
    events = []
    accumulate.register_hook(lambda grad_inputs, grad_outputs: events.append("node post-hook"))
    accumulate.register_prehook(lambda grad_outputs: events.append("node pre-hook"))
    x.register_post_accumulate_grad_hook(lambda t: events.append("post-accumulate-grad hook"))
    x.register_hook(lambda g: events.append("tensor hook"))

    y.sum().backward()

    assert type(accumulate).__name__ == "AccumulateGrad"
    assert events == ["tensor hook", "node pre-hook", "post-accumulate-grad hook", "node post-hook"]


def test_multi_grad_hook_runs_once_after_the_last_of_its_tensors_gets_its_gradient():
    """`register_multi_grad_hook(tensors, fn)` calls `fn` once, with every gradient, after each tensor's own hooks.

    It is built from one hook per tensor: each records its gradient, and the last one to
    fire calls `fn` with the tuple of gradients in the order the tensors were given. For
    `2a + 3b` those are 2 and 3.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#special-hooks
    """
    a = torch.ones(2, requires_grad=True) * 1
    b = torch.ones(2, requires_grad=True) * 1
    events = []
    a.register_hook(lambda g: events.append("a"))
    b.register_hook(lambda g: events.append("b"))
    torch.autograd.graph.register_multi_grad_hook(
        (a, b), lambda grads: events.append(("multi", [g.tolist() for g in grads]))
    )

    (2 * a + 3 * b).sum().backward()

    assert sorted(events[:2]) == ["a", "b"]
    assert events[2:] == [("multi", [[2.0, 2.0], [3.0, 3.0]])]


def test_saved_tensors_hooks_pack_in_forward_and_unpack_in_backward():
    """Inside `saved_tensors_hooks(pack, unpack)`, `pack` runs once per saved tensor and `unpack` when backward needs it.

    `x * x` saves `x` twice (as `self` and as `other`), so `pack` runs twice during the
    forward pass and `unpack` not at all; backward unpacks both. What `pack` returns is
    stored instead of the tensor: here a detached alias, so the unpacked tensor is a new
    object on the same storage as `x`. The gradient is unchanged, 2x.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#registering-default-hooks-for-saved-tensors
    """
    packed, unpacked = [], []

    def pack(t):
        packed.append(t)
        return t.detach()

    def unpack(t):
        unpacked.append(t)
        return t

    x = torch.ones(2, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = x * x
    counts_after_forward = (len(packed), len(unpacked))
    y.sum().backward()

    assert counts_after_forward == (2, 0)
    assert len(unpacked) == 2
    assert all(t is not x and t.untyped_storage().data_ptr() == x.untyped_storage().data_ptr() for t in unpacked)
    assert x.grad.tolist() == [2.0, 2.0]


def test_saved_tensors_hooks_are_thread_local():
    """Hooks set with `saved_tensors_hooks` apply only in the thread that entered the context.

    A forward pass running in another thread (as inside `nn.DataParallel`) saves its
    tensors without calling `pack`: set the hooks inside the code that each thread runs.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#registering-default-hooks-for-saved-tensors
    """
    packed = []
    results = {}

    def forward_in_a_thread():
        w = torch.ones(2, requires_grad=True)
        results["y"] = w * w

    with torch.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t, lambda t: t):
        thread = threading.Thread(target=forward_in_a_thread)
        thread.start()
        thread.join()

    assert packed == []
    assert results["y"].grad_fn is not None


def test_saved_tensor_hooks_registered_on_one_saved_tensor():
    """`grad_fn._raw_saved_self.register_hooks(pack, unpack)` packs at once and unpacks at every access.

    Hooks can also be set on one saved tensor after the fact. `pack` runs as soon as the
    pair is registered; `unpack` runs each time the value is needed, whether you read
    `_saved_self` or backward does.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#registering-hooks-for-a-saved-tensor
    """
    events = []

    def pack(t):
        events.append("pack")
        return t

    def unpack(t):
        events.append("unpack")
        return t

    x = torch.ones(2, requires_grad=True)
    y = x.pow(2)

    y.grad_fn._raw_saved_self.register_hooks(pack, unpack)
    after_registering = list(events)
    y.grad_fn._saved_self
    y.sum().backward()

    assert after_registering == ["pack"]
    assert events == ["pack", "unpack", "unpack"]
    assert x.grad.tolist() == [2.0, 2.0]


def test_pack_hook_that_modifies_its_input_in_place_raises():
    """A pack hook must not modify the tensor it receives: doing it in place raises.

    The input of `pack` is the very tensor the forward pass is using, so changing it would
    change the forward result behind autograd's back.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#hooks-for-saved-tensors
    """

    def pack(t):
        t.add_(1)
        return t

    b = torch.ones(2, requires_grad=True) * 1

    with raises_exactly(RuntimeError, match="A saved tensor pack hook is modifying its input in place"):
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            b.sin()


def test_pack_hook_may_return_any_object_for_unpack_to_turn_back_into_a_tensor():
    """What `pack` returns need not be a tensor: `unpack` gets that object back and must return a tensor with the same content.

    Here `pack` files a detached copy under a string key and returns the key, as one would
    to keep saved tensors on disk. `unpack` looks the key up. Only the content matters:
    the autograd metadata of the returned copy is replaced when it is unpacked, so
    `_saved_self` again requires grad, and the gradient of x² is 2x.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#hooks-for-saved-tensors
    """
    store = {}

    def pack(t):
        key = f"saved-{len(store)}"
        store[key] = t.detach().clone()
        return key

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, store.__getitem__):
        y = x.pow(2)

    saved = y.grad_fn._saved_self
    y.sum().backward()

    assert list(store) == ["saved-0"]
    assert saved.equal(x) and saved.requires_grad
    assert x.grad.tolist() == [2.0, 4.0]


def test_registering_hooks_on_a_freed_saved_tensor_raises():
    """`register_hooks` on a saved tensor that backward already released raises.

    Keeping a reference to the `_raw_saved_self` object does not keep its tensor alive:
    backward frees it, and registering hooks afterwards is refused with the usual hint
    about `retain_graph=True`.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#registering-hooks-for-a-saved-tensor
    """
    x = torch.ones(2, requires_grad=True)
    y = x.pow(2)
    raw = y.grad_fn._raw_saved_self

    y.sum().backward()

    with raises_exactly(RuntimeError, match="Calling register_hooks on a saved tensor after it has been freed"):
        raw.register_hooks(lambda t: t, lambda t: t)

"""Writing an nn.Module

Every model, layer and container in `torch.nn` is an `nn.Module`. A module's job is
bookkeeping: it notices the parameters, buffers and submodules you assign to it, so that
`parameters()`, `state_dict()`, `.to()`, `train()` and hooks can find them later. This page
starts with the shape of a subclass, then shows what gets registered and what does not, and
ends with the traps: the forgotten `super().__init__()`, integer indexing, and `repr`.
"""

import pytest
import torch
from torch import nn

from torchref import by_version, raises_exactly


class TwoLayer(nn.Module):
    """A small model used on several sections: Linear(2, 3) -> ReLU -> Linear(3, 1)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class Double(nn.Module):
    """A module that owns nothing: it defines `forward` and no `__init__`."""

    def forward(self, x):
        return 2 * x


@pytest.mark.claim("S1-031", verdict="true")
def test_module_subclass_builds_layers_in_init_and_computes_in_forward():
    """A model subclasses `nn.Module`, creates its layers in `__init__` and uses them in `forward`.

    `__init__` runs once and decides *what the model owns*; `forward` runs on every call and
    decides *what the model computes*. `TwoLayer` (in the helpers above) owns two `Linear`
    layers and maps a batch of 2-feature rows to one output each.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html
    """
    torch.manual_seed(0)
    model = TwoLayer()
    x = torch.randn(4, 2)

    y = model(x)

    assert isinstance(model, nn.Module)
    assert y.shape == (4, 1)
    torch.testing.assert_close(y, model.fc2(torch.relu(model.fc1(x))))


@pytest.mark.claim("S2-033", verdict="true")
def test_module_call_runs_forward():
    """Calling a module instance runs its `forward` method.

    `model(x)` goes through `nn.Module.__call__`, which runs any hooks and then `forward(x)`.
    Call the module, not `model.forward(x)`: the direct call skips the hooks.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.forward
    """
    module = Double()
    calls = []
    module.register_forward_hook(lambda m, inputs, output: calls.append("hook"))

    y = module(torch.tensor([1.0, 3.0]))
    direct = module.forward(torch.tensor([1.0, 3.0]))

    assert y.tolist() == [2.0, 6.0]
    assert direct.tolist() == [2.0, 6.0]
    assert calls == ["hook"]


@pytest.mark.claim("S2-129", verdict="false")
def test_module_needs_forward_but_not_init():
    """A subclass without submodules works with `forward` alone; `__init__` is optional.

    The note says a custom model *must* write both `__init__()` and `forward()`. Only
    `forward` is required: `nn.Module.__init__` is inherited, so a module that owns nothing
    (like `Double` in the helpers above) needs no `__init__` of its own. You write
    `__init__` when there are layers or parameters to create.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html
    """
    module = Double()

    assert module(torch.tensor([4.0])).tolist() == [8.0]
    assert list(module.parameters()) == []


def test_module_without_forward_raises_when_called():
    """Calling a module whose class defines no `forward` raises NotImplementedError.

    The base class's `forward` is a placeholder that raises, and the message names the
    class that forgot it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.forward
    """

    class NoForward(nn.Module):
        pass

    with raises_exactly(NotImplementedError, match=r'Module \[NoForward\] is missing the required "forward" function'):
        NoForward()(torch.zeros(1))


@pytest.mark.claim("S2-127", verdict="true")
def test_module_init_must_run_before_assigning_submodules():
    """Assigning a layer before `super().__init__()` raises AttributeError.

    The note is right: `nn.Module.__init__` creates the dictionaries (`_parameters`,
    `_modules`, `_buffers`) that assignment fills in. Until it has run there is nowhere to
    register the layer.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html
    """

    class Forgetful(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with raises_exactly(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
        Forgetful()


@pytest.mark.claim("S4-020", verdict="true")
def test_module_parameters_iterates_over_registered_parameters():
    """`parameters()` yields every parameter of the module and its submodules, as an iterator.

    Assigning an `nn.Linear` to `self.fc1` registered it as a submodule, and its `weight` and
    `bias` came along. `parameters()` is a generator, so wrap it in `list` to count or reuse it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.parameters
    """
    model = TwoLayer()

    params = model.parameters()

    assert not isinstance(params, list)
    assert [tuple(p.shape) for p in params] == [(3, 2), (3,), (1, 3), (1,)]


def test_module_named_parameters_uses_dotted_names():
    """`named_parameters()` pairs each parameter with its dotted path from the root module.

    The names are the attribute names you chose, joined by dots: they are the keys that
    `state_dict()` uses too.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.named_parameters
    """
    model = TwoLayer()

    names = [name for name, _ in model.named_parameters()]

    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_module_assigned_parameter_is_registered():
    """Assigning an `nn.Parameter` to an attribute registers it as a parameter.

    `nn.Module.__setattr__` checks the type of the value: a `Parameter` goes into
    `_parameters`, a `Module` into `_modules`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parameter.Parameter.html
    """
    module = nn.Module()

    module.scale = nn.Parameter(torch.ones(2))

    assert [name for name, _ in module.named_parameters()] == ["scale"]


def test_module_register_parameter_registers_under_a_name():
    """`register_parameter(name, param)` registers a parameter as assignment does, and accepts only an `nn.Parameter` (or None).

    It is the method behind `self.name = nn.Parameter(...)`, for names built at run time.
    Handing it a plain tensor raises TypeError, and so does assigning a plain tensor to
    a name that already holds a parameter: to change a parameter's values, copy into it
    under `torch.no_grad()` or assign a new `nn.Parameter`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_parameter
    """
    module = nn.Module()

    module.register_parameter("scale", nn.Parameter(torch.ones(2)))

    assert [name for name, _ in module.named_parameters()] == ["scale"]
    with raises_exactly(TypeError, match=r"cannot assign 'torch\.FloatTensor' object to parameter 'bias'"):
        module.register_parameter("bias", torch.zeros(2))
    with raises_exactly(TypeError, match=r"cannot assign 'torch\.FloatTensor' as parameter 'scale'"):
        module.scale = torch.zeros(2)


def test_module_plain_tensor_attribute_is_not_registered():
    """A plain tensor assigned to a module attribute is neither a parameter nor a buffer.

    Only `Parameter`, `Module` and `register_buffer` are tracked. A plain tensor is an
    ordinary Python attribute: the optimizer never sees it, `state_dict()` does not save it
    and `.to(device)` does not move it. Make it a buffer if it belongs to the model's state.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """
    module = nn.Module()

    module.mask = torch.ones(2)
    module.to(torch.float64)

    assert list(module.parameters()) == []
    assert list(module.buffers()) == []
    assert list(module.state_dict()) == []
    assert module.mask.dtype == torch.float32


@pytest.mark.claim("S2-056", verdict="true")
def test_module_add_module_registers_a_child_by_name():
    """`add_module(name, module)` registers a child exactly as attribute assignment does.

    It is the method behind `self.name = layer`, useful when the name is built at run time
    (`f"block{i}"`). The child becomes an attribute too.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.add_module
    """
    model = nn.Module()

    model.add_module("block0", nn.Linear(2, 2))

    assert isinstance(model.block0, nn.Linear)
    assert [name for name, _ in model.named_children()] == ["block0"]
    assert list(model.state_dict()) == ["block0.weight", "block0.bias"]


def test_module_register_module_is_add_module_under_another_name():
    """`register_module(name, module)` registers a child exactly as `add_module` does.

    The two methods are aliases; the Modules note uses `register_module` alongside
    `register_parameter` and `register_buffer`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_module
    """
    by_register = nn.Module()
    by_add = nn.Module()

    by_register.register_module("head", nn.Linear(2, 1))
    by_add.add_module("head", nn.Linear(2, 1))

    assert isinstance(by_register.head, nn.Linear)
    assert list(by_register.state_dict()) == list(by_add.state_dict()) == ["head.weight", "head.bias"]


def test_module_register_buffer_is_state_but_not_a_parameter():
    """A registered buffer is saved in `state_dict` but is not returned by `parameters()`.

    Buffers hold state that is not trained by gradient descent, such as BatchNorm's
    running mean. They travel with the module (`.to`, `state_dict`) but the optimizer never
    updates them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """
    module = nn.Module()

    module.register_buffer("steps", torch.zeros(1))
    module.to(torch.float64)

    assert list(module.parameters()) == []
    assert [name for name, _ in module.named_buffers()] == ["steps"]
    assert list(module.state_dict()) == ["steps"]
    assert module.steps.dtype == torch.float64


def test_module_non_persistent_buffer_is_left_out_of_state_dict():
    """`register_buffer(..., persistent=False)` keeps the buffer out of `state_dict`.

    A non-persistent buffer still moves with `.to()` and is listed by `buffers()`, but it is
    not saved: good for values you can recompute, such as a cached mask.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-state
    """
    module = nn.Module()

    module.register_buffer("cache", torch.zeros(1), persistent=False)
    module.to(torch.float64)

    assert [name for name, _ in module.named_buffers()] == ["cache"]
    assert list(module.state_dict()) == []
    assert module.cache.dtype == torch.float64


def test_module_buffer_must_be_a_tensor_or_none():
    """Assigning a non-tensor to a registered buffer raises TypeError; None is accepted.

    Once `steps` is a buffer, the name stays one: only a tensor (or None) may replace it.
    Since PyTorch 2.5 the message also lists `torch.nn.Buffer` among the accepted types.
    A buffer set to None stays registered under its name but is left out of `buffers()`
    and `state_dict()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """
    module = nn.Module()
    module.register_buffer("steps", torch.zeros(1))
    accepted = by_version(
        {"<2.5": r"\(torch\.Tensor or None expected\)", ">=2.5": r"\(torch\.nn\.Buffer, torch\.Tensor or None expected\)"}
    )

    with raises_exactly(TypeError, match=r"cannot assign 'int' as buffer 'steps' " + accepted):
        module.steps = 5
    module.steps = None

    assert module.steps is None
    assert list(module.buffers()) == []
    assert list(module.state_dict()) == []


@pytest.mark.torch_version(">=2.5")
def test_module_assigned_buffer_object_is_registered():
    """Assigning an `nn.Buffer` to an attribute registers it as a buffer, like `register_buffer`.

    `nn.Buffer` arrived in PyTorch 2.5; it does for buffers what `nn.Parameter` does for
    parameters, so `self.steps = nn.Buffer(torch.zeros(1))` can sit beside the layers in
    `__init__`. The stored buffer is a plain tensor again.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parameter.Buffer.html
    """
    module = nn.Module()

    module.steps = nn.Buffer(torch.zeros(1), persistent=True)

    assert [name for name, _ in module.named_buffers()] == ["steps"]
    assert type(module.steps) is torch.Tensor


@pytest.mark.claim("S2-057", verdict="true")
def test_module_apply_visits_children_before_self():
    """`apply(fn)` calls `fn` on every submodule, children first, then on the module itself.

    The note is right that `apply` is recursive. The order is post-order: a container is
    visited after everything inside it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.apply
    """
    model = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU(), nn.Tanh()))
    seen = []

    model.apply(lambda m: seen.append(type(m).__name__))

    assert seen == ["Linear", "ReLU", "Tanh", "Sequential", "Sequential"]


@pytest.mark.claim("S2-128", verdict="true")
def test_module_to_converts_in_place_and_returns_self():
    """`module.to(dtype)` changes the module's own parameters and returns the same module.

    Unlike `Tensor.to`, which returns a new tensor, `Module.to` modifies the module in place;
    the return value is only there for chaining, so `model.to(device)` without assignment is
    enough. The note's list of `nn.Module` methods (`to`, `cpu`, `cuda`, `type`,
    `state_dict`, `parameters`, `children`, `train`, `zero_grad`...) is right.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Linear(2, 2)

    result = model.to(torch.float64)

    assert result is model
    assert model.weight.dtype == torch.float64


def test_module_double_half_and_type_cast_floating_parameters():
    """`double()`, `half()` and `type(dtype)` cast every floating-point parameter and buffer.

    They are shorthands for `.to(dtype)`. Integer buffers, such as BatchNorm's
    `num_batches_tracked`, are left alone by `double()` and `half()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.double
    """
    bn = nn.BatchNorm1d(2)

    bn.double()
    dtypes_after_double = {bn.weight.dtype, bn.running_mean.dtype}
    bn.half()

    assert dtypes_after_double == {torch.float64}
    assert bn.weight.dtype == torch.float16
    assert bn.num_batches_tracked.dtype == torch.int64
    assert nn.Linear(1, 1).type(torch.float64).weight.dtype == torch.float64


def test_module_cpu_returns_the_same_module():
    """`cpu()` moves parameters to the CPU in place and returns the module itself.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.cpu
    """
    model = nn.Linear(2, 2)

    assert model.cpu() is model
    assert model.weight.device.type == "cpu"


def test_module_parameters_lists_a_shared_weight_once():
    """A parameter used by two layers appears once in `parameters()`.

    Weight tying (`decoder.weight = encoder.weight`) makes one tensor reachable under two
    names. `parameters()` removes duplicates, so the optimizer updates it once per step;
    `state_dict()` still has both keys.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.parameters
    """
    model = nn.Sequential(nn.Linear(2, 2, bias=False), nn.Linear(2, 2, bias=False))
    model[1].weight = model[0].weight

    names = [name for name, _ in model.named_parameters()]

    assert names == ["0.weight"]
    assert list(model.state_dict()) == ["0.weight", "1.weight"]


def test_module_children_yields_direct_submodules_only():
    """`children()` yields the direct submodules; `modules()` also yields the module itself and all descendants.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.children
    """
    inner = nn.Sequential(nn.ReLU())
    model = nn.Sequential(nn.Linear(1, 1), inner)

    children = [type(m).__name__ for m in model.children()]
    modules = [type(m).__name__ for m in model.modules()]

    assert children == ["Linear", "Sequential"]
    assert modules == ["Sequential", "Linear", "Sequential", "ReLU"]


def test_module_named_modules_lists_a_shared_submodule_once():
    """`named_modules()` yields a submodule reachable under two names only once, under the first name.

    Like `parameters()`, the module iterators remove duplicates by identity, so a layer
    reused twice in a `Sequential` is visited once (by `apply`, `train`, `to` and the
    rest alike). `named_modules(remove_duplicate=False)` lists every path.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.named_modules
    """
    shared = nn.Linear(1, 1)
    model = nn.Sequential(shared, nn.ReLU(), shared)

    names = [name for name, _ in model.named_modules()]
    every_path = [name for name, _ in model.named_modules(remove_duplicate=False)]

    assert names == ["", "0", "1"]
    assert every_path == ["", "0", "1", "2"]
    assert [type(m).__name__ for m in model.modules()] == ["Sequential", "Linear", "ReLU"]


@pytest.mark.torch_version(">=2.11")
def test_module_modules_remove_duplicate_false_visits_every_occurrence():
    """`modules(remove_duplicate=False)` yields a shared submodule once per place it occurs.

    PyTorch 2.11 gave `modules()` the `remove_duplicate` argument that `named_modules()`
    already had (https://github.com/pytorch/pytorch/pull/174383). The default still
    removes duplicates.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.modules
    """
    shared = nn.Linear(1, 1)
    model = nn.Sequential(shared, nn.ReLU(), shared)

    every = list(model.modules(remove_duplicate=False))

    assert len(every) == 4
    assert every[1] is every[3] is shared
    assert len(list(model.modules())) == 3


@pytest.mark.claim("S2-071", verdict="true")
def test_module_children_returns_an_iterator():
    """`children()` returns an iterator, so it cannot be indexed until you make it a list.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.children
    """
    model = TwoLayer()

    children = model.children()

    assert next(children) is model.fc1
    assert list(model.children())[1] is model.fc2


@pytest.mark.claim("S2-071", verdict="true")
def test_module_cannot_be_indexed_by_integer():
    """A plain `nn.Module` subclass cannot be indexed like `nn.Sequential`: `model[0]` raises TypeError.

    The note is right. Only containers (`Sequential`, `ModuleList`) define `__getitem__`.
    Reach a submodule of your own class by its attribute name.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html
    """
    model = TwoLayer()

    with raises_exactly(TypeError, match="'TwoLayer' object is not subscriptable"):
        model[0]


@pytest.mark.claim("S2-065", verdict="true")
def test_module_requires_grad_false_freezes_every_parameter():
    """`requires_grad_(False)` switches gradient tracking off for all parameters at once.

    It recurses into submodules and returns the module. This is how a pretrained backbone is
    frozen; `requires_grad_()` with no argument turns tracking back on.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.requires_grad_
    """
    model = TwoLayer()

    result = model.requires_grad_(False)
    frozen = [p.requires_grad for p in model.parameters()]
    model.requires_grad_()

    assert result is model
    assert frozen == [False] * 4
    assert all(p.requires_grad for p in model.parameters())


def test_module_zero_grad_sets_grads_to_none():
    """`zero_grad()` resets each parameter's `.grad` to None, not to a zero tensor.

    Since PyTorch 2.0 `set_to_none=True` is the default: it frees memory and skips a fill.
    Code that reads `p.grad` right after `zero_grad()` must expect None; pass
    `set_to_none=False` to get zeros as before 2.0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.zero_grad
    """
    model = nn.Linear(2, 1)
    model(torch.ones(1, 2)).sum().backward()

    model.zero_grad()

    assert model.weight.grad is None
    assert model.bias.grad is None


def test_module_zero_grad_set_to_none_false_fills_zeros():
    """`zero_grad(set_to_none=False)` keeps the `.grad` tensors and fills them with zeros.

    The same tensor objects stay attached to the parameters and are zeroed in place, so
    any reference to a `.grad` taken before (say, by a hook or a logger) sees the zeros.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.zero_grad
    """
    model = nn.Linear(2, 1)
    model(torch.ones(1, 2)).sum().backward()
    weight_grad, bias_grad = model.weight.grad, model.bias.grad

    model.zero_grad(set_to_none=False)

    assert model.weight.grad is weight_grad
    assert model.bias.grad is bias_grad
    assert model.weight.grad.tolist() == [[0.0, 0.0]]
    assert model.bias.grad.tolist() == [0.0]


def test_module_forward_hook_sees_input_and_output():
    """A forward hook runs after `forward` and receives the module, its inputs and its output.

    The inputs arrive as a tuple of the positional arguments. Hooks are the way to read
    intermediate activations without editing `forward`; `remove()` on the returned handle
    detaches the hook.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_forward_hook
    """
    relu = nn.ReLU()
    seen = []
    handle = relu.register_forward_hook(lambda m, inputs, output: seen.append((inputs[0].tolist(), output.tolist())))

    relu(torch.tensor([-1.0, 2.0]))
    handle.remove()
    relu(torch.tensor([5.0]))

    assert seen == [([-1.0, 2.0], [0.0, 2.0])]


def test_module_forward_hook_can_replace_the_output():
    """A forward hook that returns a value replaces the module's output.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_forward_hook
    """
    relu = nn.ReLU()
    relu.register_forward_hook(lambda m, inputs, output: output + 10)

    y = relu(torch.tensor([-1.0, 2.0]))

    assert y.tolist() == [10.0, 12.0]


def test_module_forward_pre_hook_runs_before_forward():
    """A forward pre-hook runs before `forward` and may replace its inputs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_forward_pre_hook
    """
    relu = nn.ReLU()
    relu.register_forward_pre_hook(lambda m, inputs: (-inputs[0],))

    y = relu(torch.tensor([-1.0, 2.0]))

    assert y.tolist() == [1.0, 0.0]


def test_module_hooks_run_in_order_around_forward_and_backward():
    """Forward pre-hook, `forward`, forward hook, then in the backward pass the full backward hook.

    Each hook receives the module first. The pre-hook gets the positional inputs as a
    tuple; the forward hook gets the inputs and the output; the full backward hook gets
    `grad_input` and `grad_output`, tuples of gradients with respect to the module's
    inputs and outputs. For `y = 3x` and the loss `y.sum()`, `grad_output` is all ones
    and `grad_input` is all threes.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-hooks
    """
    events = []

    class Triple(nn.Module):
        def forward(self, x):
            events.append("forward")
            return 3 * x

    module = Triple()
    module.register_forward_pre_hook(lambda m, args: events.append(("pre", m is module, args[0].tolist())))
    module.register_forward_hook(lambda m, args, out: events.append(("forward hook", args[0].tolist(), out.tolist())))
    module.register_full_backward_hook(lambda m, g_in, g_out: events.append(("backward", g_in[0].tolist(), g_out[0].tolist())))
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    module(x).sum().backward()

    assert events == [
        ("pre", True, [1.0, 2.0]),
        "forward",
        ("forward hook", [1.0, 2.0], [3.0, 6.0]),
        ("backward", [3.0, 3.0], [1.0, 1.0]),
    ]
    assert x.grad.tolist() == [3.0, 3.0]


def test_module_full_backward_hook_can_replace_the_input_gradient():
    """A full backward hook that returns a tuple replaces `grad_input`, the gradient that flows on.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook
    """
    relu = nn.ReLU()
    relu.register_full_backward_hook(lambda m, g_in, g_out: (10 * g_in[0],))
    x = torch.tensor([-1.0, 2.0], requires_grad=True)

    relu(x).sum().backward()

    assert x.grad.tolist() == [0.0, 10.0]


@pytest.mark.claim("S2-070", verdict="true")
def test_module_repr_lists_submodules_but_not_functional_calls():
    """`print(model)` lists the submodules registered in `__init__`, not the functions called in `forward`.

    The note is right. `repr` walks the registered children; `forward` is ordinary code that
    `repr` never runs. The `torch.relu` below is invisible, and so is the order in which
    `forward` uses the layers.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html
    """
    model = TwoLayer()

    text = repr(model)

    assert text.splitlines() == [
        "TwoLayer(",
        "  (fc1): Linear(in_features=2, out_features=3, bias=True)",
        "  (fc2): Linear(in_features=3, out_features=1, bias=True)",
        ")",
    ]
    assert "relu" not in text.lower()


@pytest.mark.claim("S2-072", verdict="true")
def test_module_repr_shows_maxpool2d_and_linear_settings():
    """The repr of `MaxPool2d(2)` and `Linear(288, 10)` spells out every setting, defaults included.

    The note's printed lines are exact. `MaxPool2d`'s stride defaults to its kernel size.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
    """
    pool = nn.MaxPool2d(kernel_size=2)
    fc = nn.Linear(288, 10)

    assert repr(pool) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(fc) == "Linear(in_features=288, out_features=10, bias=True)"


@pytest.mark.claim("S2-072", verdict="true")
def test_module_repr_follows_registration_order():
    """`repr` lists children in the order they were registered, so a block added later with `add_module` prints last.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.add_module
    """
    model = nn.Module()
    model.conv = nn.Conv2d(1, 2, 3)
    model.add_module("head", nn.Linear(2, 1))
    model.pool = nn.MaxPool2d(2)

    names = [line.split(")")[0].strip(" (") for line in repr(model).splitlines()[1:-1]]

    assert names == ["conv", "head", "pool"]


def test_conv2d_repr_omits_default_settings():
    """`Conv2d`'s repr leaves out settings still at their default, unlike `MaxPool2d`'s.

    Each module writes its own `extra_repr`. Conv layers print padding, dilation, groups and
    bias only when they differ from the default.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
    """
    plain = nn.Conv2d(1, 32, 3)
    padded = nn.Conv2d(1, 32, 3, padding=1, bias=False)

    assert repr(plain) == "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))"
    assert repr(padded) == "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)"

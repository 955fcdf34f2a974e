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

from torchref import raises_exactly


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
    y = Double()(torch.tensor([1.0, 3.0]))

    assert y.tolist() == [2.0, 6.0]


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
    register the layer. `super().__init__()` and `super(Net, self).__init__()` do the same.

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


def test_module_plain_tensor_attribute_is_not_registered():
    """A plain tensor assigned to a module attribute is neither a parameter nor a buffer.

    Only `Parameter`, `Module` and `register_buffer` are tracked. A plain tensor is an
    ordinary Python attribute: the optimizer never sees it, `state_dict()` does not save it
    and `.to(device)` does not move it. Make it a buffer if it belongs to the model's state.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """
    module = nn.Module()

    module.mask = torch.ones(2)

    assert list(module.parameters()) == []
    assert list(module.buffers()) == []
    assert list(module.state_dict()) == []


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


def test_module_register_buffer_is_state_but_not_a_parameter():
    """A registered buffer is saved in `state_dict` but is not returned by `parameters()`.

    Buffers hold state that is not trained by gradient descent, such as BatchNorm's
    running mean. They travel with the module (`.to`, `state_dict`) but the optimizer never
    updates them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """
    module = nn.Module()

    module.register_buffer("steps", torch.zeros(1))

    assert list(module.parameters()) == []
    assert [name for name, _ in module.named_buffers()] == ["steps"]
    assert list(module.state_dict()) == ["steps"]


def test_module_non_persistent_buffer_is_left_out_of_state_dict():
    """`register_buffer(..., persistent=False)` keeps the buffer out of `state_dict`.

    A non-persistent buffer still moves with `.to()` and is listed by `buffers()`, but it is
    not saved: good for values you can recompute, such as a cached mask.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """
    module = nn.Module()

    module.register_buffer("cache", torch.zeros(1), persistent=False)

    assert [name for name, _ in module.named_buffers()] == ["cache"]
    assert list(module.state_dict()) == []


def test_module_buffer_must_be_a_tensor_or_none():
    """Assigning a non-tensor to a registered buffer raises TypeError.

    Once `steps` is a buffer, the name stays one: only a tensor (or None) may replace it.
    Since PyTorch 2.5 the message also lists `torch.nn.Buffer` among the accepted types.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """
    module = nn.Module()
    module.register_buffer("steps", torch.zeros(1))

    with raises_exactly(TypeError, match="cannot assign 'int' as buffer 'steps'"):
        module.steps = 5


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


def test_module_apply_is_the_idiom_for_weight_initialisation():
    """`apply` with a function that tests the layer type initialises every matching layer.

    `apply` returns the module itself, so it can be chained after construction.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.apply
    """

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    model = TwoLayer()

    result = model.apply(init)

    assert result is model
    assert model.fc1.weight.tolist() == [[1.0, 1.0]] * 3
    assert model.fc2.bias.tolist() == [0.0]


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

    model.requires_grad_(False)
    frozen = [p.requires_grad for p in model.parameters()]
    model.requires_grad_()

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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.zero_grad
    """
    model = nn.Linear(2, 1)
    model(torch.ones(1, 2)).sum().backward()

    model.zero_grad(set_to_none=False)

    assert model.weight.grad.tolist() == [[0.0, 0.0]]


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

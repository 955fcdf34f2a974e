"""Writing an nn.Module

Every model, layer and container in `torch.nn` is an `nn.Module`. A module's job is
bookkeeping: it notices the parameters, buffers and submodules you assign to it, so that
`parameters()`, `state_dict()`, `.to()`, `train()` and hooks can find them later. This page
starts with the shape of a subclass, then shows what gets registered and what does not, how
modules are built and initialized, how hooks reach into the forward and backward passes, and
the tools that transform modules; it ends with the traps: the forgotten `super().__init__()`,
integer indexing, and `repr`.
"""

import warnings

import pytest
import torch
from torch import nn

from torchref import by_version, raises_exactly, warns_exactly


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


class MyLinear(nn.Module):
    """The Modules note's first example: an affine map `input @ weight + bias` built from two parameters."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_features, out_features))
        self.bias = nn.Parameter(torch.randn(out_features))

    def forward(self, input):
        return (input @ self.weight) + self.bias


class Net(nn.Module):
    """Two `MyLinear` children, `l0` and `l1`, with a functional ReLU between them."""

    def __init__(self):
        super().__init__()
        self.l0 = MyLinear(4, 3)
        self.l1 = MyLinear(3, 1)

    def forward(self, x):
        return self.l1(torch.relu(self.l0(x)))


class BigNet(nn.Module):
    """A `MyLinear` child `l1` and a whole `Net` child `net`: a tree two levels deep."""

    def __init__(self):
        super().__init__()
        self.l1 = MyLinear(5, 4)
        self.net = Net()

    def forward(self, x):
        return self.net(self.l1(x))


@pytest.mark.claim("S1-031", verdict="true")
def test_module_subclass_builds_layers_in_init_and_computes_in_forward():
    """A model subclasses `nn.Module`, creates its layers in `__init__` and uses them in `forward`.

    `__init__` runs once and decides *what the model owns*; `forward` runs on every call and
    decides *what the model computes*. `TwoLayer` (in the helpers above) owns two `Linear`
    layers and maps a batch of 2-feature rows to one output each.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#a-simple-custom-module
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
    `__init__` when there are layers or parameters to create. The Modules note says as much:
    modules "are not required to have state, and can also be stateless".

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#a-simple-custom-module
    """
    module = Double()

    assert module(torch.tensor([4.0])).tolist() == [8.0]
    assert list(module.parameters()) == []


def test_module_parameter_attributes_are_registered_and_used_by_forward():
    """`nn.Parameter` attributes are registered in assignment order, and calling the module runs `forward` on them.

    `MyLinear` (in the helpers above) owns a `weight` of shape (in, out) and a `bias` of shape
    (out,). Assigning them is all it takes for `named_parameters()` to list them, each a
    `Parameter` that requires grad, and the call computes `input @ weight + bias`. The
    result was made by autograd-tracked operations, so it carries a `grad_fn`.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#a-simple-custom-module
    """
    torch.manual_seed(0)
    m = MyLinear(4, 3)
    sample_input = torch.randn(4)

    out = m(sample_input)

    named = list(m.named_parameters())
    assert [name for name, _ in named] == ["weight", "bias"]
    assert all(type(p) is nn.Parameter and p.requires_grad for _, p in named)
    assert (m.weight.shape, m.bias.shape) == ((4, 3), (3,))
    torch.testing.assert_close(out, sample_input @ m.weight + m.bias)
    assert out.shape == (3,)
    assert type(out.grad_fn).__name__ == "AddBackward0"


def test_module_backward_needs_no_backward_method():
    """A module defines only `forward`; autograd computes the backward pass and fills each parameter's `.grad`.

    For `y = x @ W + b` and the loss `y.sum()`, the gradient of `W[i, j]` is `x[i]` (for
    every `j`) and that of `b` is 1: exactly what `backward()` leaves in `.grad`, with no
    `backward()` written in `MyLinear`.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#a-simple-custom-module
    """
    torch.manual_seed(0)
    m = MyLinear(4, 3)
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])

    m(x).sum().backward()

    torch.testing.assert_close(m.weight.grad, x.unsqueeze(1).expand(4, 3))
    assert m.bias.grad.tolist() == [1.0, 1.0, 1.0]


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


def test_module_add_module_rejects_invalid_names_and_non_modules():
    """`add_module` raises TypeError for a name that is not a string or a value that is not a module, and KeyError for a dotted, empty or taken name.

    Dots are reserved for the paths that `named_modules()` and `state_dict()` build, so a
    name may not contain one; an attribute the module already has (here the plain `x`)
    cannot be shadowed by a child. `None` is accepted as the module: the name is reserved
    and reads as None, but `named_children()` skips it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.add_module
    """
    model = nn.Module()
    model.x = 3

    model.add_module("slot", None)

    assert model.slot is None
    assert list(model.named_children()) == []
    with raises_exactly(TypeError, match=r"module name should be a string\. Got int"):
        model.add_module(1, nn.ReLU())
    with raises_exactly(KeyError, match=r"module name can\W*t contain \"\.\", got: a\.b"):
        model.add_module("a.b", nn.ReLU())
    with raises_exactly(KeyError, match=r"module name can\W*t be empty string"):
        model.add_module("", nn.ReLU())
    with raises_exactly(KeyError, match=r"attribute 'x' already exists"):
        model.add_module("x", nn.ReLU())
    with raises_exactly(TypeError, match=r"int is not a Module subclass"):
        model.add_module("y", 5)


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


def test_module_register_parameter_none_reserves_the_name():
    """`register_parameter(name, None)` reserves the name for a parameter without adding one to `parameters()` or `state_dict()`.

    The attribute reads as None, and from then on only an `nn.Parameter` (or None) may be
    assigned to it: a plain tensor raises TypeError. `nn.Linear(..., bias=False)` uses
    this to keep a `bias` attribute that is None.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-state
    """
    module = nn.Module()

    module.register_parameter("param3", None)

    assert module.param3 is None
    assert list(module.parameters()) == []
    assert list(module.state_dict()) == []
    expected = r"cannot assign 'torch\.FloatTensor' as parameter 'param3' \(torch\.nn\.Parameter or None expected\)"
    with raises_exactly(TypeError, match=expected):
        module.param3 = torch.zeros(1)
    module.param3 = nn.Parameter(torch.ones(1))
    assert [name for name, _ in module.named_parameters()] == ["param3"]


def test_module_register_buffer_rejects_invalid_names_and_values():
    """`register_buffer` raises TypeError for a non-string name or a non-tensor value, and KeyError for a dotted, empty or taken name.

    A name already used by a parameter or an ordinary attribute cannot become a buffer.
    And like every registration, it needs `nn.Module.__init__` to have run first:
    otherwise there is no `_buffers` dictionary and it raises AttributeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """

    class Early(nn.Module):
        def __init__(self):
            self.register_buffer("steps", torch.zeros(1))

    module = nn.Module()
    module.x = 3
    module.register_parameter("weight", nn.Parameter(torch.zeros(1)))

    with raises_exactly(TypeError, match=r"buffer name should be a string\. Got int"):
        module.register_buffer(1, torch.zeros(1))
    with raises_exactly(KeyError, match=r"buffer name can\W*t contain \"\.\""):
        module.register_buffer("a.b", torch.zeros(1))
    with raises_exactly(KeyError, match=r"buffer name can\W*t be empty string"):
        module.register_buffer("", torch.zeros(1))
    with raises_exactly(KeyError, match=r"attribute 'x' already exists"):
        module.register_buffer("x", torch.zeros(1))
    with raises_exactly(KeyError, match=r"attribute 'weight' already exists"):
        module.register_buffer("weight", torch.zeros(1))
    with raises_exactly(TypeError, match=r"cannot assign 'int' object to buffer 'z' \(torch Tensor or None required\)"):
        module.register_buffer("z", 5)
    with raises_exactly(AttributeError, match=r"cannot assign buffer before Module\.__init__\(\) call"):
        Early()


def test_module_register_buffer_none_is_skipped_by_to_and_state_dict():
    """A buffer registered as None stays None through `.to()` and is left out of `buffers()` and `state_dict()`.

    The docs say operations that run on buffers "are ignored" for a None buffer: there is
    no tensor to move or cast, so `.to(torch.float64)` passes over it, while the real
    buffer beside it is converted.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_buffer
    """
    module = nn.Module()
    module.register_buffer("cache", None)
    module.register_buffer("steps", torch.zeros(1))

    module.to(torch.float64)

    assert module.cache is None
    assert [name for name, _ in module.named_buffers()] == ["steps"]
    assert list(module.state_dict()) == ["steps"]
    assert module.steps.dtype == torch.float64


def test_module_register_parameter_rejects_invalid_names():
    """`register_parameter` raises TypeError for a non-string name, KeyError for a dotted, empty or taken name, and AttributeError before `__init__`.

    The checks mirror `register_buffer`'s: a buffer's name (here `steps`) or a plain
    attribute's cannot be reused for a parameter.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_parameter
    """

    class Early(nn.Module):
        def __init__(self):
            self.register_parameter("weight", None)

    module = nn.Module()
    module.x = 3
    module.register_buffer("steps", torch.zeros(1))

    with raises_exactly(TypeError, match=r"parameter name should be a string\. Got int"):
        module.register_parameter(1, None)
    with raises_exactly(KeyError, match=r"parameter name can\W*t contain \"\.\""):
        module.register_parameter("a.b", None)
    with raises_exactly(KeyError, match=r"parameter name can\W*t be empty string"):
        module.register_parameter("", None)
    with raises_exactly(KeyError, match=r"attribute 'x' already exists"):
        module.register_parameter("x", None)
    with raises_exactly(KeyError, match=r"attribute 'steps' already exists"):
        module.register_parameter("steps", None)
    with raises_exactly(AttributeError, match=r"cannot assign parameter before Module\.__init__\(\) call"):
        Early()


class RunningMean(nn.Module):
    """The Modules note's buffer example: `forward` replaces the `mean` buffer with a new tensor."""

    def __init__(self, num_features, momentum=0.9):
        super().__init__()
        self.momentum = momentum
        self.register_buffer("mean", torch.zeros(num_features))

    def forward(self, x):
        self.mean = self.momentum * self.mean + (1.0 - self.momentum) * x
        return self.mean


def test_module_tensor_assigned_to_a_buffer_name_stays_a_buffer():
    """Assigning a new tensor to a registered buffer's name replaces the buffer; it stays in `buffers()` and `state_dict()`.

    `RunningMean` (in the helpers above) rebinds `self.mean` on every call. Because
    `mean` was registered as a buffer, `nn.Module.__setattr__` stores the new tensor as
    the buffer, so the latest value is saved and `load_state_dict` restores it into a
    fresh module. It is not a parameter: the optimizer never sees it.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-state
    """
    m = RunningMean(2)
    m(torch.tensor([1.0, 2.0]))
    m(torch.tensor([1.0, 2.0]))
    m_loaded = RunningMean(2)

    m_loaded.load_state_dict(m.state_dict())

    # 0 -> 0.1 * x -> 0.9 * 0.1 * x + 0.1 * x = 0.19 * x
    torch.testing.assert_close(m.mean, 0.19 * torch.tensor([1.0, 2.0]))
    assert [name for name, _ in m.named_buffers()] == ["mean"]
    assert list(m.parameters()) == []
    assert list(m.state_dict()) == ["mean"]
    assert torch.equal(m_loaded.mean, m.mean)


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


@torch.no_grad()
def init_weights(m):
    """The Modules note's initializer: a constant weight and a zero bias for every `nn.Linear`."""
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.5)
        m.bias.fill_(0.0)


@pytest.mark.shows("init_weights")
def test_module_apply_initializes_every_matching_submodule():
    """`model.apply(init_weights)` reaches every `nn.Linear` in the tree, however deeply nested, and returns the model.

    `init_weights` is written under `torch.no_grad()`, so the in-place writes to the
    parameters are not recorded by autograd (see the next behaviour for what happens
    without it). Modules it does not recognise, such as `ReLU`, are visited and left alone.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#modules-as-building-blocks
    """
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1)))

    result = model.apply(init_weights)

    assert result is model
    for linear in (model[0], model[2][0]):
        assert torch.equal(linear.weight, torch.full_like(linear.weight, 0.5))
        assert torch.equal(linear.bias, torch.zeros_like(linear.bias))
        assert linear.weight.requires_grad


def test_module_in_place_init_of_a_parameter_outside_no_grad_raises():
    """Writing into a parameter in place outside `torch.no_grad()` raises RuntimeError.

    A parameter is a leaf that requires grad; autograd refuses to record an in-place
    change to it. That is why the note's initializer carries `@torch.no_grad()`, and
    why the `nn.init` functions run under `no_grad` themselves.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#modules-as-building-blocks
    """
    linear = nn.Linear(2, 1)

    with raises_exactly(RuntimeError, match=r"a leaf Variable that requires grad is being used in an in-place operation"):
        linear.bias.fill_(0.0)
    with torch.no_grad():
        linear.bias.fill_(0.0)

    assert linear.bias.tolist() == [0.0]


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


def test_module_bfloat16_and_float_cast_floating_point_only():
    """`bfloat16()` and `float()` cast the floating-point parameters and buffers in place, return the module and leave integer buffers alone.

    Like `double()` and `half()`, they are `.to(dtype)` for one dtype each: BatchNorm's
    `running_var` follows the weight, its int64 batch counter does not.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.bfloat16
    """
    bn = nn.BatchNorm1d(2)

    to_bf16 = bn.bfloat16()
    dtypes_bf16 = (bn.weight.dtype, bn.running_var.dtype, bn.num_batches_tracked.dtype)
    to_float = bn.double().float()

    assert to_bf16 is bn and to_float is bn
    assert dtypes_bf16 == (torch.bfloat16, torch.bfloat16, torch.int64)
    assert (bn.weight.dtype, bn.running_var.dtype, bn.num_batches_tracked.dtype) == (torch.float32, torch.float32, torch.int64)


def test_module_type_casts_integer_buffers_too():
    """`type(dst_type)` casts *all* parameters and buffers, the integer ones included, and accepts a dtype or a type string.

    Unlike `double()` and `.to(dtype)`, which only touch floating-point tensors, `type`
    applies `Tensor.type` to every tensor, so BatchNorm's batch counter becomes float64
    too. The docs say so ("Casts all parameters and buffers"), and it is the reason to
    prefer `.to` for a model.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.type
    """
    by_dtype = nn.BatchNorm1d(2)
    by_string = nn.BatchNorm1d(2)

    result = by_dtype.type(torch.float64)
    by_string.type("torch.DoubleTensor")

    assert result is by_dtype
    for bn in (by_dtype, by_string):
        assert (bn.weight.dtype, bn.running_mean.dtype, bn.num_batches_tracked.dtype) == (torch.float64,) * 3


def test_module_to_accepts_a_device_a_dtype_or_a_tensor():
    """`Module.to` takes a device and dtype (positionally or by keyword, with `non_blocking`) or a tensor whose dtype and device to copy.

    These are the call forms the docs list. On the CPU `non_blocking=True` changes nothing
    observable: it only matters for copies from pinned memory to a GPU.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    positional = nn.Linear(2, 2)
    keywords = nn.Linear(2, 2)
    like = nn.Linear(2, 2)

    positional.to("cpu", torch.float16, non_blocking=True)
    keywords.to(device=torch.device("cpu"), dtype=torch.float64)
    like.to(torch.zeros(1, dtype=torch.float64))

    assert (positional.weight.dtype, positional.weight.device.type) == (torch.float16, "cpu")
    assert (keywords.weight.dtype, keywords.bias.dtype) == (torch.float64, torch.float64)
    assert (like.weight.dtype, like.weight.device.type) == (torch.float64, "cpu")


def test_module_to_rejects_an_integer_dtype():
    """`Module.to(torch.int64)` raises TypeError: a module only converts to floating-point or complex dtypes.

    `Tensor.to` accepts any dtype; `Module.to` refuses one that would make its parameters
    untrainable.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    linear = nn.Linear(2, 2)

    with raises_exactly(
        TypeError, match=r"nn\.Module\.to only accepts floating point or complex dtypes, but got desired dtype=torch\.int64"
    ):
        linear.to(torch.int64)


def test_module_to_a_complex_dtype_warns_and_converts():
    """`Module.to(torch.complex64)` converts the parameters to complex and warns that complex modules are experimental.

    Complex is the one non-floating kind `to` accepts; each conversion of a module to a
    complex dtype raises a UserWarning that some modules may not work as expected.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    linear = nn.Linear(2, 2)

    with warns_exactly(UserWarning, match=r"Complex modules are a new feature under active development"):
        linear.to(torch.complex64)

    assert (linear.weight.dtype, linear.bias.dtype) == (torch.complex64, torch.complex64)


def test_module_to_memory_format_applies_to_4d_parameters():
    """`Module.to(memory_format=torch.channels_last)` re-lays out the 4-D parameters and leaves the others as they were.

    A `Conv2d` weight (out, in, kH, kW) becomes channels-last, that is no longer
    contiguous in the default order; the 1-D bias has no such layout and is untouched.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    conv = nn.Conv2d(2, 3, 2)

    conv.to(memory_format=torch.channels_last)

    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert not conv.weight.is_contiguous()
    assert conv.bias.is_contiguous()


def test_module_share_memory_moves_parameters_to_shared_memory():
    """`share_memory()` moves every parameter's storage to shared memory and returns the module.

    It calls `Tensor.share_memory_` on each tensor, so worker processes (e.g. Hogwild
    training with `torch.multiprocessing`) see the same weights.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.share_memory
    """
    linear = nn.Linear(2, 2)
    was_shared = linear.weight.is_shared()

    result = linear.share_memory()

    assert result is linear
    assert not was_shared
    assert linear.weight.is_shared() and linear.bias.is_shared()


def test_module_cpu_returns_the_same_module():
    """`cpu()` moves parameters to the CPU in place and returns the module itself.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.cpu
    """
    model = nn.Linear(2, 2)

    assert model.cpu() is model
    assert model.weight.device.type == "cpu"


def test_module_parameters_default_to_float32_on_the_cpu():
    """`torch.nn` modules create their parameters and floating-point buffers as float32 on the CPU.

    That is the default whatever the module; `dtype=` and `device=` at construction
    change it (next behaviour). Integer buffers such as BatchNorm's
    `num_batches_tracked` are int64.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-initialization
    """
    linear = nn.Linear(5, 3)
    bn = nn.BatchNorm2d(3)

    tensors = [linear.weight, linear.bias, bn.weight, bn.running_mean, bn.running_var]

    assert {(t.dtype, t.device.type) for t in tensors} == {(torch.float32, "cpu")}
    assert bn.num_batches_tracked.dtype == torch.int64


def test_module_dtype_argument_applies_to_parameters_and_floating_point_buffers():
    """`dtype=` at construction sets the dtype of the parameters and of the floating-point buffers, not of integer buffers.

    `nn.BatchNorm2d(3, dtype=torch.half)` creates its weight and running statistics as
    float16 from the start (no float32 copy is made first), while the integer batch
    counter stays int64. Every `torch.nn` module accepts `device=` and `dtype=`.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-initialization
    """
    bn = nn.BatchNorm2d(3, dtype=torch.half)
    linear = nn.Linear(5, 3, dtype=torch.half)

    assert bn.running_mean.dtype == torch.float16
    assert bn.running_mean.tolist() == [0.0, 0.0, 0.0]
    assert bn.weight.dtype == torch.float16
    assert bn.num_batches_tracked.dtype == torch.int64
    assert {linear.weight.dtype, linear.bias.dtype} == {torch.float16}


def test_module_skip_init_builds_the_module_without_initializing_it():
    """`torch.nn.utils.skip_init(nn.Linear, 5, 3)` builds the module without running its default initialization.

    The default init of `nn.Linear` draws random numbers; `skip_init` draws none (the
    global generator's state is unchanged), and leaves float32 CPU parameters of the
    right shapes whose values are whatever the memory held, as `torch.empty` would. You
    then initialize them yourself, e.g. with `nn.init.orthogonal_`, which makes the
    rows of the (3, 5) weight orthonormal.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-initialization
    """
    torch.manual_seed(0)
    state_before = torch.random.get_rng_state()

    m = torch.nn.utils.skip_init(nn.Linear, 5, 3)
    state_after = torch.random.get_rng_state()
    nn.init.orthogonal_(m.weight)

    assert torch.equal(state_before, state_after)
    assert type(m.weight) is nn.Parameter
    assert (m.weight.shape, m.weight.dtype, m.weight.device.type) == ((3, 5), torch.float32, "cpu")
    torch.testing.assert_close(m.weight @ m.weight.T, torch.eye(3))


def test_module_skip_init_needs_a_device_argument():
    """`skip_init` raises RuntimeError for a module class whose constructor takes no `device` argument.

    It works by building the module on the `meta` device and then giving it empty
    storage, so the constructor must accept `device=` and pass it to every parameter
    and buffer: the convention all `torch.nn` modules follow.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.init.skip_init.html#torch.nn.utils.init.skip_init
    """

    class NoDeviceArg(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(2))

    with raises_exactly(RuntimeError, match=r"Module must support a 'device' arg to skip initialization"):
        torch.nn.utils.skip_init(NoDeviceArg)


def test_module_on_the_meta_device_is_materialized_with_to_empty():
    """A module built with `device="meta"` has shapes but no data; `to_empty(device=...)` gives it real, uninitialized storage.

    Meta tensors record shape and dtype only, so building a huge model there costs no
    memory. `.to("cpu")` cannot copy data that does not exist and raises
    NotImplementedError; `to_empty` allocates fresh storage instead, in place, and keeps
    each `Parameter` a parameter that requires grad. The values are garbage until you
    initialize or load them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to_empty
    """
    linear = nn.Linear(5, 3, device="meta")
    on_meta = (linear.weight.is_meta, linear.weight.shape)

    with raises_exactly(NotImplementedError, match=r"Cannot copy out of meta tensor; no data!"):
        linear.to("cpu")
    result = linear.to_empty(device="cpu")

    assert on_meta == (True, (3, 5))
    assert result is linear
    assert type(linear.weight) is nn.Parameter
    assert linear.weight.requires_grad
    assert (linear.weight.device.type, linear.weight.shape) == ("cpu", (3, 5))
    assert not linear.bias.is_meta


@pytest.mark.torch_version(">=2.1")
def test_module_to_empty_recurse_false_moves_only_the_modules_own_tensors():
    """`to_empty(device=..., recurse=False)` materializes the module's own parameters and buffers and leaves its children on `meta`.

    The `recurse` keyword arrived in PyTorch 2.1 (https://github.com/pytorch/pytorch/pull/104197).
    `device` is keyword-only: `to_empty("cpu")` raises TypeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to_empty
    """
    model = nn.Sequential(nn.Linear(1, 1, device="meta"))
    model.register_buffer("own", torch.zeros(1, device="meta"))

    model.to_empty(device="cpu", recurse=False)

    assert model.own.device.type == "cpu"
    assert model[0].weight.device.type == "meta"
    with raises_exactly(TypeError, match=r"to_empty\(\) takes 1 positional argument but 2 were given"):
        model.to_empty("cpu")


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


def test_module_named_modules_walks_the_tree_with_dotted_names():
    """`named_children()` yields the immediate children; `named_modules()` walks the whole tree, root first, with dotted names.

    `BigNet` (in the helpers above) holds `l1` and a `Net` under `net`, which holds `l0`
    and `l1` itself. The root comes first under the empty name, and each module is
    followed by its descendants (pre-order). A module with no children and no
    `extra_repr`, like `MyLinear`, prints as just `MyLinear()`.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#modules-as-building-blocks
    """
    big_net = BigNet()

    children = [name for name, _ in big_net.named_children()]
    modules = dict(big_net.named_modules())

    assert children == ["l1", "net"]
    assert list(modules) == ["", "l1", "net", "net.l0", "net.l1"]
    assert modules[""] is big_net
    assert modules["net.l0"] is big_net.net.l0
    assert [name for name, _ in big_net.net.named_children()] == ["l0", "l1"]
    assert repr(big_net.l1) == "MyLinear()"


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


def test_module_parameters_recurse_false_yields_only_direct_members():
    """`parameters(recurse=False)` and `buffers(recurse=False)` yield only the module's own tensors, not its submodules'; repeated calls give the same order.

    A `Sequential` holding a `BatchNorm1d` owns nothing itself until `p` and `own` are
    registered on it directly. The docs leave the order of `parameters()` unspecified but
    promise it is stable for an unchanged module: two calls agree.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.parameters
    """
    model = nn.Sequential(nn.BatchNorm1d(1))
    model.register_parameter("p", nn.Parameter(torch.zeros(1)))
    model.register_buffer("own", torch.zeros(1))

    own_params = list(model.parameters(recurse=False))
    own_buffers = list(model.buffers(recurse=False))

    assert len(own_params) == 1 and own_params[0] is model.p
    assert len(own_buffers) == 1 and own_buffers[0] is model.own
    assert len(list(model.parameters())) == 3
    assert len(list(model.buffers())) == 4
    assert [id(p) for p in model.parameters()] == [id(p) for p in model.parameters()]


def test_module_named_parameters_prefix_and_recurse():
    """`named_parameters(prefix=...)` prepends the prefix and a dot to every name; `recurse=False` keeps only the module's own parameters.

    The module's own parameters come before its children's.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.named_parameters
    """
    model = nn.Sequential(nn.Linear(1, 1))
    model.register_parameter("p", nn.Parameter(torch.zeros(1)))

    prefixed = [name for name, _ in model.named_parameters(prefix="model")]
    own = [name for name, _ in model.named_parameters(recurse=False)]

    assert prefixed == ["model.p", "model.0.weight", "model.0.bias"]
    assert own == ["p"]


def test_module_named_parameters_remove_duplicate_false_lists_every_name():
    """`named_parameters(remove_duplicate=False)` lists a tied parameter under each of its names.

    By default a parameter reachable twice is yielded once, under its first name (see
    `test_module_parameters_lists_a_shared_weight_once`); turning deduplication off shows
    both paths, the same object twice.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.named_parameters
    """
    model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False))
    model[1].weight = model[0].weight

    every = list(model.named_parameters(remove_duplicate=False))

    assert [name for name, _ in every] == ["0.weight", "1.weight"]
    assert every[0][1] is every[1][1]


def test_module_named_buffers_prefix_recurse_and_remove_duplicate():
    """`named_buffers` takes the same `prefix`, `recurse` and `remove_duplicate` arguments as `named_parameters`, with the same effects.

    The module's own buffers come first, then its children's. One tensor registered as two
    buffers (`own` and `alias`) is yielded once unless `remove_duplicate=False`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.named_buffers
    """
    model = nn.Sequential(nn.BatchNorm1d(1))
    shared = torch.zeros(1)
    model.register_buffer("own", shared)
    model.register_buffer("alias", shared)

    prefixed = [name for name, _ in model.named_buffers(prefix="m")]
    own = [name for name, _ in model.named_buffers(recurse=False)]
    every_own = [name for name, _ in model.named_buffers(recurse=False, remove_duplicate=False)]

    assert prefixed == ["m.own", "m.0.running_mean", "m.0.running_var", "m.0.num_batches_tracked"]
    assert own == ["own"]
    assert every_own == ["own", "alias"]


def test_module_named_modules_prefix_and_memo():
    """`named_modules(prefix=...)` names the root by the prefix and dots it onto every path; modules already in `memo` are skipped, and the set grows with each module yielded.

    `memo` is the set of modules already visited, which the recursion shares; passing one
    in leaves out those modules and everything below them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.named_modules
    """
    model = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    memo = {model[0]}

    names = [name for name, _ in model.named_modules(memo=memo, prefix="model")]

    assert names == ["model", "model.1", "model.1.0"]
    assert memo == {model[0], model, model[1], model[1][0]}


def test_module_get_submodule_follows_a_dotted_path():
    """`get_submodule("a.b")` returns the submodule at that path, and the empty string returns the module itself.

    A missing name raises AttributeError naming the class where the walk stopped; a name
    that exists but is not a module (a parameter) raises AttributeError saying so.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.get_submodule
    """
    big_net = BigNet()

    found = big_net.get_submodule("net.l0")

    assert found is big_net.net.l0
    assert big_net.get_submodule("") is big_net
    with raises_exactly(AttributeError, match=r"Net has no attribute `l2`"):
        big_net.get_submodule("net.l2")
    with raises_exactly(AttributeError, match=r"`weight` is not an nn\.Module"):
        big_net.get_submodule("net.l0.weight")


def test_module_get_parameter_and_get_buffer_check_what_they_find():
    """`get_parameter` and `get_buffer` return the tensor at a dotted path, and raise AttributeError when the path is missing or names the other kind.

    The path up to the last dot is resolved with `get_submodule`; the last name must
    then be a parameter (for `get_parameter`) or a buffer (for `get_buffer`). A plain
    attribute is neither.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.get_parameter
    """
    model = nn.Sequential(nn.Linear(1, 1), nn.BatchNorm1d(1))
    model[0].plain = 3

    weight = model.get_parameter("0.weight")
    running_mean = model.get_buffer("1.running_mean")

    assert weight is model[0].weight
    assert running_mean is model[1].running_mean
    with raises_exactly(AttributeError, match=r"`running_mean` is not an nn\.Parameter"):
        model.get_parameter("1.running_mean")
    with raises_exactly(AttributeError, match=r"`weight` is not a buffer"):
        model.get_buffer("0.weight")
    with raises_exactly(AttributeError, match=r"`plain` is not an nn\.Parameter"):
        model.get_parameter("0.plain")
    with raises_exactly(AttributeError, match=r"Linear has no attribute `nope`"):
        model.get_parameter("0.nope")
    with raises_exactly(AttributeError, match=r"Sequential has no attribute `2`"):
        model.get_buffer("2.running_mean")


def _nested_a():
    """The docs' module `A`: `net_b` holds `net_c` (which holds `conv`) and `linear`."""
    a = nn.Module()
    a.net_b = nn.Module()
    a.net_b.net_c = nn.Module()
    a.net_b.net_c.conv = nn.Conv2d(3, 3, 3)
    a.net_b.linear = nn.Linear(3, 3)
    return a


@pytest.mark.torch_version(">=2.5")
def test_module_set_submodule_replaces_or_adds_a_submodule():
    """`set_submodule(target, module)` replaces the submodule at a dotted path, or adds it when only its parent exists.

    It is the setter to `get_submodule`, added in PyTorch 2.5
    (https://github.com/pytorch/pytorch/pull/127714). An empty target raises ValueError;
    a parent that does not exist, or is not a module, raises AttributeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.set_submodule
    """
    a = _nested_a()
    new_conv, added = nn.Linear(1, 1), nn.Conv2d(1, 1, 1)

    a.set_submodule("net_b.net_c.conv", new_conv)
    a.set_submodule("net_b.conv", added)

    assert a.get_submodule("net_b.net_c.conv") is new_conv
    assert a.get_submodule("net_b.conv") is added
    with raises_exactly(ValueError, match=r"Cannot set the submodule without a target name!"):
        a.set_submodule("", nn.ReLU())
    with raises_exactly(AttributeError, match=r"Module has no attribute `nope`"):
        a.set_submodule("nope.x", nn.ReLU())
    with raises_exactly(AttributeError, match=r"`weight` is not an nn\.Module"):
        a.set_submodule("net_b.linear.weight.x", nn.ReLU())


@pytest.mark.torch_version(">=2.7")
def test_module_set_submodule_refuses_a_value_that_is_not_a_module():
    """`set_submodule(target, value)` raises a ValueError when `value` is not an `nn.Module`.

    torch 2.5 and 2.6 set whatever they were given (seen on 2.5.1: `a.x` became the int 5);
    the check came with `strict` in 2.7.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.set_submodule
    """
    a = _nested_a()

    with raises_exactly(ValueError, match=r"`module` is not an nn\.Module, found <class 'int'>"):
        a.set_submodule("net_b.x", 5)
    assert not hasattr(a.net_b, "x")


@pytest.mark.torch_version(">=2.7")
def test_module_set_submodule_strict_only_replaces():
    """`set_submodule(..., strict=True)` replaces an existing submodule but raises AttributeError instead of adding a new one.

    The `strict` keyword arrived in PyTorch 2.7 (https://github.com/pytorch/pytorch/pull/143455).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.set_submodule
    """
    a = _nested_a()
    replacement = nn.Linear(1, 1)

    a.set_submodule("net_b.net_c.conv", replacement, strict=True)

    assert a.net_b.net_c.conv is replacement
    with raises_exactly(AttributeError, match=r"Module has no attribute `conv`"):
        a.set_submodule("net_b.conv", nn.Conv2d(1, 1, 1), strict=True)
    assert [name for name, _ in a.net_b.named_children()] == ["net_c", "linear"]


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


def test_module_training_step_updates_parameters_through_the_optimizer():
    """One training step (`zero_grad`, `backward`, `optimizer.step()`) moves each parameter by the optimizer's rule.

    The optimizer holds the very `Parameter` objects that `parameters()` yielded, so
    `step()` changes the module in place. With the note's SGD settings, the first step
    is `p - lr * (grad + weight_decay * p)`: momentum has no history yet. For `Net` and
    `l1`'s bias, the gradient of `|output|` is the sign of the output.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#neural-network-training-with-modules
    """
    torch.manual_seed(0)
    net = Net()
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-4, weight_decay=1e-2, momentum=0.9)
    bias_before = net.l1.bias.detach().clone()
    output = net(torch.randn(4))

    loss = torch.abs(output)
    net.zero_grad()
    loss.backward()
    optimizer.step()

    grad = torch.sign(output.detach())
    torch.testing.assert_close(net.l1.bias.detach(), bias_before - 1e-4 * (grad + 1e-2 * bias_before))
    assert optimizer.param_groups[0]["params"][0] is net.l0.weight


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


class Scale(nn.Module):
    """A module with a keyword argument: `forward(x, scale=1.0)` returns `x * scale`."""

    def forward(self, x, scale=1.0):
        return x * scale


def test_module_forward_hooks_with_kwargs_see_and_replace_keyword_arguments():
    """With `with_kwargs=True` a forward pre-hook receives the keyword arguments and may return new `(args, kwargs)`; a forward hook receives them before the output.

    Without it, hooks see only the positional arguments: keyword arguments go to
    `forward` alone. Here the pre-hook swaps `scale=5.0` for `scale=3.0`, so `forward`
    computes `2 * 3`, and the forward hook registered with `with_kwargs=True` sees the
    replaced kwargs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_forward_pre_hook
    """
    module = Scale()
    seen = []
    module.register_forward_pre_hook(lambda m, args, kwargs: (args, {"scale": 3.0}), with_kwargs=True)
    module.register_forward_hook(lambda m, args, kwargs, out: seen.append(("kwargs hook", kwargs, out.tolist())), with_kwargs=True)
    module.register_forward_hook(lambda m, args, out: seen.append(("plain hook", len(args), out.tolist())))

    y = module(torch.tensor([2.0]), scale=5.0)

    assert y.tolist() == [6.0]
    assert seen == [("kwargs hook", {"scale": 3.0}, [6.0]), ("plain hook", 1, [6.0])]


def test_module_hooks_prepend_runs_first_after_global_hooks():
    """`prepend=True` puts a hook before the module's existing hooks of its kind, but still after the global hooks.

    Hooks run in registration order unless `prepend=True`. Global hooks from
    `register_module_forward_hook` always fire before the module's own forward hooks,
    even prepended ones.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_forward_hook
    """
    from torch.nn.modules.module import register_module_forward_hook

    events = []
    module = nn.Identity()
    module.register_forward_pre_hook(lambda m, args: events.append("pre, registered first"))
    module.register_forward_pre_hook(lambda m, args: events.append("pre, prepended"), prepend=True)
    module.register_forward_hook(lambda m, args, out: events.append("hook, registered first"))
    module.register_forward_hook(lambda m, args, out: events.append("hook, prepended"), prepend=True)
    handle = register_module_forward_hook(lambda m, args, out: events.append("global hook"))
    try:
        module(torch.ones(1))
    finally:
        handle.remove()

    assert events == ["pre, prepended", "pre, registered first", "global hook", "hook, prepended", "hook, registered first"]


@pytest.mark.torch_version(">=2.1")
def test_module_forward_hook_always_call_runs_when_forward_raises():
    """A forward hook registered with `always_call=True` runs even when `forward` raises, with None as the output; other hooks do not run.

    The exception still propagates to the caller. Use it for clean-up that must happen
    (closing a profiler range, releasing a lock) whatever `forward` does.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_forward_hook
    """

    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    events = []
    module = Boom()
    module.register_forward_hook(lambda m, args, out: events.append(("always", out)), always_call=True)
    module.register_forward_hook(lambda m, args, out: events.append("ordinary"))

    with raises_exactly(ValueError, match="boom"):
        module(torch.ones(1))

    assert events == [("always", None)]


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


def test_module_forward_pre_hook_single_return_value_becomes_the_input():
    """A forward pre-hook that returns a single tensor, not a tuple, has it wrapped into a one-element tuple of inputs.

    The hook receives the positional inputs always wrapped in a tuple, but may return a
    bare value, as the note's `return input + 1.` does: `__call__` wraps it. Returning
    None leaves the inputs unchanged.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-hooks
    """
    seen = []
    module = nn.Identity()
    module.register_forward_pre_hook(lambda m, inputs: seen.append(type(inputs)))
    module.register_forward_pre_hook(lambda m, inputs: inputs[0] + 1.0)

    y = module(torch.tensor([1.0, 2.0]))

    assert seen == [tuple]
    assert y.tolist() == [2.0, 3.0]


def test_module_forward_hooks_change_the_output_until_removed():
    """With the note's pre-hook (`input + 1`) and residual forward hook (`output + input`), `m(x)` becomes `m(x + 1) + (x + 1)`; removing both restores `m(x)`.

    The pre-hook runs first, so the forward hook sees the *modified* inputs; it receives
    the output as-is (not in a tuple) and its return value replaces it. Each
    `register_*` call returns a handle whose `remove()` detaches that hook.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-hooks
    """
    torch.manual_seed(1)
    m = nn.Linear(3, 3)
    x = torch.randn(2, 3)
    plain = m(x)
    pre_handle = m.register_forward_pre_hook(lambda mod, inputs: inputs[0] + 1.0)
    with_pre = m(x)
    hook_handle = m.register_forward_hook(lambda mod, inputs, output: output + inputs[0])

    with_both = m(x)
    pre_handle.remove()
    hook_handle.remove()

    torch.testing.assert_close(with_pre, m(x + 1.0))
    torch.testing.assert_close(with_both, m(x + 1.0) + (x + 1.0))
    torch.testing.assert_close(m(x), plain)


def test_module_full_backward_hook_changes_input_grads_not_parameter_grads():
    """A full backward hook's returned gradients (a list works too) reach the module's inputs; its parameters' gradients are unchanged.

    The note's hook returns `[torch.ones_like(gi) * 42. for gi in grad_inputs]`, so
    `x.grad` becomes all 42. `grad_input` is the gradient with respect to the module's
    *inputs*: the weight's gradient was computed from `grad_output` and stays
    `grad_output.T @ x`: with `grad_output` all ones, every row is `x` summed over the batch.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-hooks
    """
    torch.manual_seed(1)
    m = nn.Linear(3, 3)
    x = torch.randn(2, 3, requires_grad=True)
    m.register_full_backward_hook(lambda mod, grad_inputs, grad_outputs: [torch.ones_like(gi) * 42.0 for gi in grad_inputs])

    m(x).sum().backward()

    assert x.grad.tolist() == [[42.0] * 3] * 2
    torch.testing.assert_close(m.weight.grad, torch.ones(2, 3).T @ x.detach())
    assert m.bias.grad.tolist() == [2.0, 2.0, 2.0]


def test_module_full_backward_pre_hook_runs_first_and_can_replace_grad_output():
    """A full backward pre-hook runs before the module's backward, sees only `grad_output`, and its return value replaces it.

    `register_full_backward_pre_hook` gives access to the gradients of the outputs;
    `register_full_backward_hook` runs afterwards, with the gradients of both inputs and
    outputs. Doubling `grad_output` in the pre-hook doubles every gradient computed
    from it, so the full hook already sees the doubled values (ReLU passes the gradient of
    its positive inputs through unchanged).

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-hooks
    """
    events = []
    module = nn.ReLU()
    module.register_full_backward_pre_hook(lambda m, grad_output: (2 * grad_output[0],))
    module.register_full_backward_hook(lambda m, grad_input, grad_output: events.append((grad_input[0].tolist(), grad_output[0].tolist())))
    x = torch.tensor([1.0, 2.0], requires_grad=True)

    module(x).sum().backward()

    assert events == [([2.0, 2.0], [2.0, 2.0])]
    assert x.grad.tolist() == [2.0, 2.0]


def test_module_full_backward_hook_does_not_fire_without_output_gradients():
    """A full backward hook does not fire when none of the module's outputs require gradients.

    With every parameter frozen and an input that does not require grad, the output has
    no `grad_fn`: there is no backward pass through the module to hook into.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook
    """
    calls = []
    linear = nn.Linear(2, 1).requires_grad_(False)
    linear.register_full_backward_hook(lambda m, grad_input, grad_output: calls.append("hook"))

    out = linear(torch.ones(1, 2))

    assert out.requires_grad is False
    assert calls == []


def test_module_full_backward_hook_fires_with_none_grad_input_when_no_input_requires_grad():
    """When only the parameters require grad, a full backward hook still fires, with `grad_input` all None; from torch 2.8 it also warns that it does.

    The page's firing rule: with no input requiring grad, the hook fires when the gradients
    with respect to the module's outputs are computed, and `grad_input` holds None for
    each input. torch 2.8 added a UserWarning that says so at that moment; 2.0 to 2.7
    fire the hook silently (seen on 2.0.1 to 2.7.1).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook
    """
    calls = []
    linear = nn.Linear(1, 1)
    linear.register_full_backward_hook(lambda m, grad_input, grad_output: calls.append((grad_input, grad_output)))
    out = linear(torch.ones(1, 1))
    expected = by_version(
        {
            "<2.8": [],
            ">=2.8": [(UserWarning, "Full backward hook is firing when gradients are computed with respect to module outputs since no inputs require gradients.")],
        }
    )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out.sum().backward()

    assert [(w.category, str(w.message).split(" See ")[0]) for w in caught] == expected
    ((grad_input, grad_output),) = calls
    assert grad_input == (None,)
    assert grad_output[0].tolist() == [[1.0]]


def test_module_full_backward_hook_gives_none_for_non_tensor_arguments():
    """`grad_input` holds one entry per positional argument, None for an argument that is not a tensor.

    `Mixed(x, n)` computes `x * n` with a Python number `n`; its gradient entry is None,
    and `x`'s is `n`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook
    """

    class Mixed(nn.Module):
        def forward(self, x, n):
            return x * n

    seen = []
    module = Mixed()
    module.register_full_backward_hook(lambda m, grad_input, grad_output: seen.append(grad_input))

    module(torch.ones(1, requires_grad=True), 3).sum().backward()

    assert len(seen) == 1
    assert seen[0][0].tolist() == [3.0]
    assert seen[0][1] is None


def test_module_full_backward_hook_forbids_modifying_the_output_in_place():
    """With a full backward hook registered, the module's output is a view, and modifying it in place raises RuntimeError.

    To intercept the gradients the module wraps its inputs and outputs in an identity
    autograd function whose results are views; autograd refuses an in-place change to
    such a view.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook
    """
    relu = nn.ReLU()
    relu.register_full_backward_hook(lambda m, grad_input, grad_output: None)

    y = relu(torch.ones(2, requires_grad=True))

    assert y._is_view()
    with raises_exactly(RuntimeError, match=r"is a view and is being modified inplace"):
        y.add_(1.0)


def test_module_backward_hooks_prepend_runs_first():
    """`prepend=True` on `register_full_backward_hook` and `register_full_backward_pre_hook` runs that hook before the ones registered earlier.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_pre_hook
    """
    events = []
    relu = nn.ReLU()
    relu.register_full_backward_hook(lambda m, gi, go: events.append("hook, registered first"))
    relu.register_full_backward_hook(lambda m, gi, go: events.append("hook, prepended"), prepend=True)
    relu.register_full_backward_pre_hook(lambda m, go: events.append("pre, registered first"))
    relu.register_full_backward_pre_hook(lambda m, go: events.append("pre, prepended"), prepend=True)

    relu(torch.ones(1, requires_grad=True)).sum().backward()

    assert events == ["pre, prepended", "pre, registered first", "hook, prepended", "hook, registered first"]


def test_module_global_forward_hooks_run_for_every_module():
    """`register_module_forward_pre_hook` and `register_module_forward_hook` install hooks that run for every module call, until their handles are removed.

    They live in `torch.nn.modules.module` and apply to all modules at once, including
    the children called inside a container's `forward`: here the `Sequential`, then its
    `Linear` and `ReLU`, each with a pre-hook call before and a forward hook call after.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-hooks
    """
    from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook

    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    events = []
    pre = register_module_forward_pre_hook(lambda m, inputs: events.append(("pre", type(m).__name__)))
    post = register_module_forward_hook(lambda m, inputs, output: events.append(("post", type(m).__name__)))
    try:
        model(torch.zeros(1, 2))
    finally:
        pre.remove()
        post.remove()
    model(torch.zeros(1, 2))

    assert events == [
        ("pre", "Sequential"),
        ("pre", "Linear"),
        ("post", "Linear"),
        ("pre", "ReLU"),
        ("post", "ReLU"),
        ("post", "Sequential"),
    ]


def test_module_global_full_backward_hooks_run_for_every_module():
    """`register_module_full_backward_pre_hook` and `register_module_full_backward_hook` run for every module in the backward pass.

    The backward pass visits modules in reverse order of the forward pass, so the `ReLU`
    applied last is hooked before the `Linear` that fed it; for each module the pre-hook
    comes before the full hook.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-hooks
    """
    from torch.nn.modules.module import register_module_full_backward_hook, register_module_full_backward_pre_hook

    linear, relu = nn.Linear(2, 2), nn.ReLU()
    events = []
    pre = register_module_full_backward_pre_hook(lambda m, grad_output: events.append(("pre", type(m).__name__)))
    post = register_module_full_backward_hook(lambda m, grad_input, grad_output: events.append(("post", type(m).__name__)))
    x = torch.ones(1, 2, requires_grad=True)
    try:
        relu(linear(x)).sum().backward()
    finally:
        pre.remove()
        post.remove()

    assert events == [("pre", "ReLU"), ("post", "ReLU"), ("pre", "Linear"), ("post", "Linear")]


class Symmetric(nn.Module):
    """A parametrization: builds a symmetric matrix from the upper triangle of its input."""

    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)


def test_module_parametrization_computes_the_weight_from_a_stored_original():
    """`register_parametrization(module, "weight", Symmetric())` makes `weight` a value computed from a stored `original` parameter.

    After registration the module's trainable parameter is
    `parametrizations.weight.original`; reading `module.weight` runs `Symmetric`
    (in the helpers above) on it, so the weight is symmetric whatever the optimizer
    does to `original`. The `state_dict` saves `original`, not `weight`.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#parametrizations
    """
    import torch.nn.utils.parametrize as parametrize

    torch.manual_seed(0)
    linear = nn.Linear(3, 3)

    parametrize.register_parametrization(linear, "weight", Symmetric())

    original = linear.parametrizations.weight.original
    assert parametrize.is_parametrized(linear, "weight")
    assert type(original) is nn.Parameter
    assert [name for name, _ in linear.named_parameters()] == ["bias", "parametrizations.weight.original"]
    assert list(linear.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert torch.equal(linear.weight, linear.weight.T)
    assert torch.equal(linear.weight, Symmetric()(original))


def test_module_pruning_masks_the_weight_with_a_buffer():
    """`prune.l1_unstructured(module, "weight", amount=0.5)` zeroes the half of the weights smallest in magnitude, through a mask buffer.

    Pruning reparametrizes the module: the parameter becomes `weight_orig`, a buffer
    `weight_mask` of zeros and ones is added, and `weight` is recomputed as
    `weight_orig * weight_mask`. Both are in the `state_dict`. `prune.remove` makes the
    pruned values permanent and restores a plain `weight` parameter.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#improving-memory-usage-with-pruning
    """
    import torch.nn.utils.prune as prune

    linear = nn.Linear(2, 2)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[0.1, -2.0], [3.0, -0.4]]))

    prune.l1_unstructured(linear, "weight", amount=0.5)
    names = ([n for n, _ in linear.named_parameters()], [n for n, _ in linear.named_buffers()])
    prune.remove(linear, "weight")

    assert names == (["bias", "weight_orig"], ["weight_mask"])
    assert [name for name, _ in linear.named_parameters()] == ["bias", "weight"]
    assert linear.weight.abs().tolist() == [[0.0, 2.0], [3.0, 0.0]]


def test_module_fx_symbolic_trace_records_forward_as_a_graph():
    """`torch.fx.symbolic_trace(module)` returns a `GraphModule` whose graph lists the calls `forward` makes, and which computes the same output.

    Tracing runs `forward` once on proxy values and records each operation as a node:
    the input (`placeholder`), the submodule call (`call_module`), the function call
    (`call_function`) and the result (`output`). Transformations edit that graph and
    regenerate the code.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#transforming-modules-with-fx
    """
    from torch import fx

    torch.manual_seed(0)
    model = TwoLayer()
    x = torch.randn(4, 2)

    traced = fx.symbolic_trace(model)

    assert isinstance(traced, fx.GraphModule)
    assert [node.op for node in traced.graph.nodes] == ["placeholder", "call_module", "call_function", "call_module", "output"]
    assert [node.target for node in traced.graph.nodes if node.op == "call_module"] == ["fc1", "fc2"]
    torch.testing.assert_close(traced(x), model(x))


# torch 2.10 and 2.11 import code decorated with the deprecated torch.jit.script_method the
# first time torch.compile is called; the warning says nothing about compiling.
@pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")
# Not before 2.3: there, this test would stop the optim page's step hooks from firing.
@pytest.mark.torch_version(">=2.3")
def test_module_compile_works_in_place_unlike_torch_compile():
    """`module.compile()` returns None and keeps the module as it is, while `torch.compile(module)` returns a wrapper whose `state_dict` keys gain `_orig_mod.`.

    `Module.compile` compiles the module's own `__call__`, so the object, its class and
    its `state_dict` keys stay the same. Neither call compiles anything yet: compilation
    happens lazily at the first call, which this test does not make. The method is
    present from PyTorch 2.1 on and takes `torch.compile`'s arguments (`backend="eager"`
    here spares loading a compiler that is never used). This test runs from 2.3: on 2.1
    and 2.2 the first `torch.compile` in a process rewraps every optimizer class's `step`,
    and optimizer step hooks never fire again in that process (seen on 2.1.2 and 2.2.2,
    not on 2.3.1).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.compile
    """
    in_place = nn.Linear(1, 1)
    wrapped = torch.compile(nn.Linear(1, 1), backend="eager")

    result = in_place.compile(backend="eager")

    assert result is None
    assert type(in_place) is nn.Linear
    assert list(in_place.state_dict()) == ["weight", "bias"]
    assert type(wrapped).__name__ == "OptimizedModule"
    assert list(wrapped.state_dict()) == ["_orig_mod.weight", "_orig_mod.bias"]


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


def test_module_extra_repr_adds_lines_to_the_repr():
    """A module's `extra_repr()` string is printed inside its repr, before the children; a multi-line string gives one indented line each.

    The base class returns the empty string. Built-in layers override it to print their
    settings (`in_features=2, ...`); your own module does the same to show its own.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.extra_repr
    """

    class Described(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(1, 1)

        def extra_repr(self):
            return "size=3,\nmode=fast"

    text = repr(Described())

    assert nn.Module().extra_repr() == ""
    assert text.splitlines() == [
        "Described(",
        "  size=3,",
        "  mode=fast",
        "  (fc): Linear(in_features=1, out_features=1, bias=True)",
        ")",
    ]


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

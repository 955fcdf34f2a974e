"""Containers: Sequential, ModuleList, ModuleDict

Containers are modules that hold other modules. `nn.Sequential` is a pipeline: calling it
runs its layers in order. `nn.ModuleList` and `nn.ModuleDict` only *register* modules (so
their parameters are found) and leave the wiring to your `forward`. `nn.ParameterList`
does the same for bare parameters. A plain Python list does none of this, which is the
trap at the end of the page.
"""

from collections import OrderedDict

import pytest
import torch
from torch import nn

from torchref import raises_exactly


class Stack(nn.Module):
    """Runs the layers of a ModuleList one after another, as Sequential would."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.ReLU(), nn.Hardtanh(-1.0, 1.0)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


@pytest.mark.claim("S4-021", verdict="true")
@pytest.mark.claim("S1-036", verdict="true")
def test_sequential_runs_layers_in_constructor_order():
    """`nn.Sequential` passes the input through its layers in the order given to the constructor.

    Each layer's output is the next layer's input, and the whole chain is one
    `nn.Module`, so it nests inside another `Sequential` like any single layer.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sequential.html
    """
    torch.manual_seed(0)
    first, second = nn.Linear(2, 3), nn.Linear(3, 1)
    model = nn.Sequential(first, nn.ReLU(), second)
    x = torch.randn(4, 2)

    y = model(x)

    assert isinstance(model, nn.Module)
    torch.testing.assert_close(y, second(torch.relu(first(x))))
    torch.testing.assert_close(nn.Sequential(model, nn.Identity())(x), y)


def test_sequential_passes_a_single_input():
    """Calling a `Sequential` with two inputs raises TypeError: it chains modules with one input and one output.

    `Sequential.forward` takes exactly one argument and hands each layer's single output
    to the next layer. A model whose layers need several inputs, or that branches, is
    written as a custom module with its own `forward`.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#modules-as-building-blocks
    """
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())

    with raises_exactly(TypeError, match=r"forward\(\) takes 2 positional arguments but 3 were given"):
        model(torch.zeros(1, 2), torch.zeros(1, 2))


@pytest.mark.claim("S2-073", verdict="true")
def test_sequential_names_layers_by_position():
    """Layers passed positionally to `nn.Sequential` are named `"0"`, `"1"`, `"2"`...

    The names show in `repr`, in `named_parameters()` and in `state_dict()` keys.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sequential.html
    """
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))

    names = [name for name, _ in model.named_children()]

    assert names == ["0", "1", "2"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert "(0): Linear(in_features=2, out_features=2, bias=True)" in repr(model)


@pytest.mark.claim("S2-073", verdict="true")
@pytest.mark.claim("S2-074", verdict="true")
def test_sequential_takes_names_from_an_ordered_dict():
    """Built from an `OrderedDict`, `nn.Sequential` uses its keys as layer names and attributes.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sequential.html
    """
    model = nn.Sequential(OrderedDict([("dense1", nn.Linear(2, 2)), ("relu", nn.ReLU())]))

    names = [name for name, _ in model.named_children()]

    assert names == ["dense1", "relu"]
    assert isinstance(model.dense1, nn.Linear)


@pytest.mark.claim("S2-074", verdict="true")
def test_sequential_supports_integer_indexing():
    """`model[i]` returns the i-th layer of a `Sequential`, negative indices included.

    Indexing is by position even when the layers have names from an `OrderedDict`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sequential.html
    """
    model = nn.Sequential(OrderedDict([("dense1", nn.Linear(2, 2)), ("relu", nn.ReLU())]))

    assert model[0] is model.dense1
    assert model[-1] is model.relu
    assert len(model) == 2


def test_sequential_slice_is_a_sequential_sharing_the_layers():
    """Slicing a `Sequential` gives a new `Sequential` that holds the same layer objects.

    Handy for "the model up to layer k" as a feature extractor: no weights are copied.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sequential.html
    """
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))

    head = model[:2]

    assert isinstance(head, nn.Sequential)
    assert len(head) == 2
    assert head[0] is model[0]


@pytest.mark.claim("S2-074", verdict="true")
def test_sequential_cannot_be_indexed_by_name():
    """`model["dense1"]` raises TypeError: `Sequential` indexes by position only.

    The note is right. Names work as attributes (`model.dense1`); `nn.ModuleDict` is the
    container indexed by strings.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sequential.html
    """
    model = nn.Sequential(OrderedDict([("dense1", nn.Linear(2, 2))]))

    with raises_exactly(TypeError, match="'str' object cannot be interpreted as an integer"):
        model["dense1"]


def test_sequential_append_adds_a_layer_at_the_end():
    """`Sequential.append(layer)` adds a layer after the last one, named by its position.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sequential.html#torch.nn.Sequential.append
    """
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 2))
    relu = nn.ReLU()
    x = torch.randn(3, 2)

    result = model.append(relu)

    assert result is model
    assert [name for name, _ in model.named_children()] == ["0", "1"]
    assert model[1] is relu
    torch.testing.assert_close(model(x), torch.relu(model[0](x)))


@pytest.mark.claim("S4-022", verdict="true")
@pytest.mark.claim("S2-075", verdict="true")
def test_modulelist_registers_its_modules():
    """A `nn.ModuleList` attribute registers every module in it, so their parameters are found.

    `ModuleList` is itself an `nn.Module`, indexed like a Python list. The parameters of its
    layers appear under `<attribute>.<index>` names.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ModuleList.html
    """
    model = nn.Module()

    model.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 1)])

    assert isinstance(model.layers, nn.Module)
    assert isinstance(model.layers[1], nn.Linear)
    assert [name for name, _ in model.named_parameters()] == [
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
    ]


@pytest.mark.claim("S2-077", verdict="true")
@pytest.mark.claim("S2-075", verdict="true")
def test_modulelist_append_extend_and_insert_keep_list_order():
    """`ModuleList.append`, `extend` and `insert` change it exactly as they would a Python list.

    The note's example is right: after `append(ReLU())` and `insert(1, Sigmoid())`, the
    list is Linear, Sigmoid, ReLU, Linear, ReLU. `insert` renumbers the names after it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ModuleList.html
    """
    block = nn.ModuleList([nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)])

    block.append(nn.ReLU())
    block.insert(index=1, module=nn.Sigmoid())
    block.extend([nn.Tanh()])

    assert [type(m).__name__ for m in block] == ["Linear", "Sigmoid", "ReLU", "Linear", "ReLU", "Tanh"]
    assert [name for name, _ in block.named_children()] == ["0", "1", "2", "3", "4", "5"]


@pytest.mark.claim("S2-076", verdict="false")
def test_modulelist_is_not_callable():
    """Calling a `nn.ModuleList` raises NotImplementedError: it has no `forward`.

    The note builds a model with `self.conv_block = nn.ModuleList([...])` and calls
    `self.conv_block(x)` as if it were a `Sequential`. That raises: a `ModuleList` only
    registers modules, it does not chain them. Loop over it in `forward`, or use
    `nn.Sequential` when the layers simply run one after another.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ModuleList.html
    """
    block = nn.ModuleList([nn.ReLU(), nn.Tanh()])

    with raises_exactly(NotImplementedError, match=r'Module \[ModuleList\] is missing the required "forward" function'):
        block(torch.zeros(1))


def test_modulelist_is_iterated_in_forward():
    """A `ModuleList` is used by looping over it in `forward`, which reproduces `Sequential`.

    `Stack` (in the helpers above) keeps ReLU and Hardtanh(-1, 1) in a `ModuleList` and
    applies them in turn.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ModuleList.html
    """
    y = Stack()(torch.tensor([-3.0, 0.5, 3.0]))

    assert y.tolist() == [0.0, 0.5, 1.0]


def test_modulelist_index_out_of_range_raises_indexerror():
    """Indexing past the end of a `ModuleList` raises IndexError, as a list does.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ModuleList.html
    """
    block = nn.ModuleList([nn.ReLU()])

    with raises_exactly(IndexError, match="index 5 is out of range"):
        block[5]


def test_moduledict_registers_modules_by_key():
    """A `nn.ModuleDict` registers modules under string keys and is indexed by those keys.

    It keeps insertion order, so iterating it is predictable.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ModuleDict.html
    """
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 2)})

    out = heads["box"](torch.zeros(1, 4))

    assert list(heads.keys()) == ["cls", "box"]
    assert out.shape == (1, 2)
    assert [name for name, _ in heads.named_parameters()] == ["cls.weight", "cls.bias", "box.weight", "box.bias"]


class DynamicNet(nn.Module):
    """The Modules note's dynamic model: `num_layers` Linears in a ModuleList, activations chosen by key from a ModuleDict."""

    def __init__(self, num_layers):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(4, 4) for _ in range(num_layers)])
        self.activations = nn.ModuleDict({"relu": nn.ReLU(), "lrelu": nn.LeakyReLU()})
        self.final = nn.Linear(4, 1)

    def forward(self, x, act):
        for linear in self.linears:
            x = self.activations[act](linear(x))
        return self.final(x)


def test_modulelist_and_moduledict_register_submodules_built_at_run_time():
    """Submodules built in a loop into a `ModuleList`, or by key into a `ModuleDict`, are registered, and their parameters are the model's.

    `DynamicNet(3)` (in the helpers above) decides how many layers to make when it is
    built. `named_parameters()` recurses into both containers, so an optimizer given
    `parameters()` trains all three layers; the activations have no parameters to add.
    The key passed to `forward` picks the activation.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#modules-as-building-blocks
    """
    torch.manual_seed(0)
    net = DynamicNet(3)
    x = torch.randn(4)

    names = [name for name, _ in net.named_parameters()]
    out = net(x, "relu")

    assert names == [f"linears.{i}.{p}" for i in range(3) for p in ("weight", "bias")] + ["final.weight", "final.bias"]
    assert [name for name, _ in net.activations.named_children()] == ["relu", "lrelu"]
    expected = x
    for linear in net.linears:
        expected = torch.relu(linear(expected))
    torch.testing.assert_close(out, net.final(expected))


@pytest.mark.claim("S4-022", verdict="true")
def test_parameterlist_registers_its_parameters():
    """A `nn.ParameterList` attribute registers each parameter under its index.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ParameterList.html
    """
    model = nn.Module()

    model.scales = nn.ParameterList([nn.Parameter(torch.ones(1)) for _ in range(3)])

    assert [name for name, _ in model.named_parameters()] == ["scales.0", "scales.1", "scales.2"]


def test_parameterdict_from_a_plain_dict_sorts_its_keys():
    """A `nn.ParameterDict` built from a plain `dict` orders its keys alphabetically, unlike `nn.ModuleDict`.

    The Modules note builds `ParameterDict({'foo': ..., 'bar': ...})` and its printed
    `state_dict` lists `param_dict.bar` before `param_dict.foo`. `ParameterDict.update`
    keeps the order of an `OrderedDict`, another `ParameterDict` or a sequence of
    pairs, but sorts the items of any other mapping. Pass an `OrderedDict` (or a list
    of pairs) to keep your own order.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ParameterDict.html#torch.nn.ParameterDict.update
    """
    from_dict = nn.ParameterDict({"foo": nn.Parameter(torch.ones(1)), "bar": nn.Parameter(torch.ones(1))})
    from_pairs = nn.ParameterDict([("foo", nn.Parameter(torch.ones(1))), ("bar", nn.Parameter(torch.ones(1)))])
    modules = nn.ModuleDict({"foo": nn.ReLU(), "bar": nn.ReLU()})

    assert list(from_dict.keys()) == ["bar", "foo"]
    assert list(from_dict.state_dict()) == ["bar", "foo"]
    assert list(from_pairs.keys()) == ["foo", "bar"]
    assert list(modules.keys()) == ["foo", "bar"]


def test_python_list_of_layers_hides_their_parameters():
    """Layers kept in a plain Python list are not registered: `parameters()` does not see them.

    `nn.Module.__setattr__` registers `Module` and `Parameter` values only; a `list` is an
    ordinary attribute and its contents are never inspected. The layers still run in
    `forward`, so nothing fails, but they are not trained, saved or moved. Use
    `nn.ModuleList` instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ModuleList.html
    """
    model = nn.Module()

    model.layers = [nn.Linear(2, 2), nn.Linear(2, 1)]

    assert list(model.parameters()) == []
    assert list(model.state_dict()) == []


def test_python_list_of_layers_gives_the_optimizer_nothing():
    """An optimizer built from a model whose layers sit in a Python list gets an empty parameter list.

    Here the mistake is loud because the model has no other parameters. In a real model
    the optimizer silently trains everything *except* the hidden layers.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-it
    """
    model = nn.Module()
    model.layers = [nn.Linear(2, 2)]

    with raises_exactly(ValueError, match="optimizer got an empty parameter list"):
        torch.optim.SGD(model.parameters(), lr=0.1)


def test_python_list_of_layers_is_not_moved_by_to():
    """`.to(dtype)` skips layers hidden in a Python list, so they keep their old dtype.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.to
    """
    model = nn.Module()
    model.registered = nn.ModuleList([nn.Linear(1, 1)])
    model.hidden = [nn.Linear(1, 1)]

    model.to(torch.float64)

    assert model.registered[0].weight.dtype == torch.float64
    assert model.hidden[0].weight.dtype == torch.float32

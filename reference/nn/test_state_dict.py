"""state_dict and load_state_dict

`state_dict()` is a module's saved state: an ordered dictionary from dotted names to
tensors, holding every parameter and every persistent buffer. It is what `torch.save`
writes and `load_state_dict` reads back. The values are detached views of the live
tensors, which explains what `requires_grad` shows; loading checks keys (strictly by
default) and shapes (always).
"""

import pytest
import torch
from torch import nn

from torchref import raises_exactly


def test_state_dict_keys_are_dotted_names_in_registration_order():
    """`state_dict()` keys are the dotted attribute paths, in the order the modules were registered.

    For each module its parameters come first, then its buffers, then its children.
    BatchNorm's running statistics and batch counter are buffers, so they are saved too.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))

    keys = list(model.state_dict())

    assert keys == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]


class StatefulModule(nn.Module):
    """The Modules note's catalogue of state: every way to register a parameter or a buffer, plus a child."""

    def __init__(self):
        super().__init__()
        self.param1 = nn.Parameter(torch.randn(2))
        self.register_parameter("param2", nn.Parameter(torch.randn(3)))
        self.register_parameter("param3", None)
        self.param_list = nn.ParameterList([nn.Parameter(torch.randn(2)) for _ in range(3)])
        self.param_dict = nn.ParameterDict({"foo": nn.Parameter(torch.randn(3)), "bar": nn.Parameter(torch.randn(4))})
        self.register_buffer("buffer1", torch.randn(4), persistent=True)
        self.register_buffer("buffer2", torch.randn(5), persistent=False)
        self.register_buffer("buffer3", None)
        self.linear = nn.Linear(2, 3)


def test_state_dict_holds_parameters_and_persistent_buffers_only():
    """`state_dict()` holds the parameters and persistent buffers; non-persistent buffers and names registered as None are left out.

    `StatefulModule` (in the helpers above) registers state every way the note lists.
    The module's own parameters come first, then its own buffers, then each child's
    state under the child's name; `param_dict.bar` precedes `param_dict.foo` because a
    `ParameterDict` built from a plain dict sorts its keys. `buffer2` is still a buffer
    (`named_buffers()` lists it); it is only not saved, so loading leaves it as it was. A fresh
    instance loads the dictionary with every key matched.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-state
    """
    torch.manual_seed(0)
    m = StatefulModule()
    m_loaded = StatefulModule()

    state = m.state_dict()
    result = m_loaded.load_state_dict(state)

    assert list(state) == [
        "param1",
        "param2",
        "buffer1",
        "param_list.0",
        "param_list.1",
        "param_list.2",
        "param_dict.bar",
        "param_dict.foo",
        "linear.weight",
        "linear.bias",
    ]
    assert [name for name, _ in m.named_buffers()] == ["buffer1", "buffer2"]
    assert (m.param3, m.buffer3) == (None, None)
    assert result.missing_keys == result.unexpected_keys == []
    assert torch.equal(m_loaded.buffer1, m.buffer1)
    assert not torch.equal(m_loaded.buffer2, m.buffer2)


@pytest.mark.claim("S2-037", verdict="true")
def test_state_dict_values_are_detached():
    """`state_dict()` values have `requires_grad=False` even though the parameters require grad.

    The note is right that `requires_grad` only "prints correctly" with `keep_vars=True`,
    and this is why: by default each value is the parameter's data, detached from autograd.
    The parameters themselves still require grad; the dictionary is for saving, not for
    training.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    model = nn.Linear(2, 1)

    state = model.state_dict()

    assert state["weight"].requires_grad is False
    assert model.weight.requires_grad is True
    assert not isinstance(state["weight"], nn.Parameter)


@pytest.mark.claim("S2-037", verdict="true")
def test_state_dict_keep_vars_returns_the_parameters_themselves():
    """`state_dict(keep_vars=True)` holds the live `Parameter` objects, so `requires_grad` shows True.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    model = nn.Linear(2, 1)

    state = model.state_dict(keep_vars=True)

    assert state["weight"] is model.weight
    assert state["weight"].requires_grad is True


def test_state_dict_values_share_memory_with_the_model():
    """Detached `state_dict()` values share memory with the parameters: they are not copies.

    Writing into a value in place changes the model. To snapshot the weights (say, the best
    epoch so far), copy them: `{k: v.clone() for k, v in model.state_dict().items()}`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    model = nn.Linear(2, 1)
    state = model.state_dict()

    state["bias"].fill_(7.0)

    assert model.bias.tolist() == [7.0]


def test_load_state_dict_copies_values_into_the_existing_parameters():
    """`load_state_dict` copies the saved values into the model's existing parameter tensors.

    The `Parameter` objects stay the same ones, so an optimizer built before loading still
    points at the right tensors.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    source = nn.Linear(2, 1)
    target = nn.Linear(2, 1)
    weight_before = target.weight

    target.load_state_dict(source.state_dict())

    assert target.weight is weight_before
    assert torch.equal(target.weight, source.weight)
    assert torch.equal(target.bias, source.bias)


def test_load_state_dict_strict_reports_no_problems():
    """A successful strict load returns a result whose `missing_keys` and `unexpected_keys` are empty, printed as `<All keys matched successfully>`.

    That line is what an interactive session shows after `load_state_dict`, as in the
    Modules note: the returned named tuple has a custom `repr` when nothing is missing
    or unexpected.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#module-state
    """
    model = nn.Linear(2, 1)

    result = model.load_state_dict(nn.Linear(2, 1).state_dict())

    assert result.missing_keys == []
    assert result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"


def test_load_state_dict_strict_raises_on_a_missing_key():
    """By default (`strict=True`) a key the model needs but the dictionary lacks raises RuntimeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(2, 3)

    with raises_exactly(RuntimeError, match=r'Missing key\(s\) in state_dict: "bias"'):
        model.load_state_dict({"weight": torch.zeros(3, 2)})


def test_load_state_dict_non_strict_returns_missing_and_unexpected_keys():
    """With `strict=False` mismatched keys are skipped and listed in the returned named tuple.

    Useful for loading a backbone into a model with a new head: check the returned lists
    rather than ignoring them, or a typo in a key silently loads nothing.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(2, 3)

    result = model.load_state_dict({"weight": torch.ones(3, 2), "extra": torch.zeros(1)}, strict=False)

    assert result.missing_keys == ["bias"]
    assert result.unexpected_keys == ["extra"]
    assert model.weight.tolist() == [[1.0, 1.0]] * 3


def test_load_state_dict_shape_mismatch_raises_even_when_not_strict():
    """A tensor whose shape differs from the parameter's raises RuntimeError, whatever `strict` says.

    `strict` only concerns keys. The message names the key and both shapes.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(2, 3)

    with raises_exactly(RuntimeError, match=r"size mismatch for weight: copying a param with shape torch.Size\(\[2, 2\]\)"):
        model.load_state_dict({"weight": torch.zeros(2, 2)}, strict=False)


@pytest.mark.torch_version(">=2.1")
def test_load_state_dict_assign_keeps_the_loaded_tensors():
    """`load_state_dict(..., assign=True)` makes the loaded tensors the parameters instead of copying into them.

    The `assign` keyword arrived in PyTorch 2.1. It is meant for models built on the `meta`
    device, whose parameters have no memory to copy into. The loaded tensor becomes the
    parameter's data (wrapped in a new `Parameter`).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(2, 1)
    old_weight = model.weight
    weight = torch.ones(1, 2)

    model.load_state_dict({"weight": weight, "bias": torch.zeros(1)}, assign=True)

    assert isinstance(model.weight, nn.Parameter)
    assert model.weight is not old_weight
    assert model.weight.data_ptr() == weight.data_ptr()


# torch 2.0 and 2.1 warn about TypedStorage from inside their own weights_only loader.
@pytest.mark.filterwarnings("ignore:TypedStorage is deprecated:UserWarning")
def test_state_dict_round_trips_through_torch_save(tmp_path):
    """A `state_dict` saved with `torch.save` loads back into a fresh model with equal outputs.

    Save the `state_dict`, not the whole model: it is plain tensors keyed by name, so it
    survives changes to your class's code as long as the names stay, and it loads with
    `weights_only=True`, which unpickles nothing but tensors and containers.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    torch.save(model.state_dict(), tmp_path / "model.pt")
    fresh = nn.Linear(2, 1)
    x = torch.randn(3, 2)

    fresh.load_state_dict(torch.load(tmp_path / "model.pt", weights_only=True))

    torch.testing.assert_close(fresh(x), model(x))

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

from torchref import by_version, raises_exactly, warns_exactly


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


def test_state_dict_destination_and_prefix():
    """`state_dict(destination=d, prefix="enc.")` writes the prefixed keys into `d` and returns `d` itself; by default a new `OrderedDict` is returned.

    This is how a parent builds its dictionary: each child is asked to write into the
    same destination under the prefix `"<child name>."`. The docs advise against passing
    `destination` yourself.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    from collections import OrderedDict

    model = nn.Linear(2, 1)
    destination = {}

    result = model.state_dict(destination=destination, prefix="enc.")

    assert result is destination
    assert list(destination) == ["enc.weight", "enc.bias"]
    assert type(model.state_dict()) is OrderedDict


def test_state_dict_positional_arguments_still_work_but_are_deprecated():
    """`state_dict(None, "p.")` still fills in `destination` and `prefix` from positions, and warns: a UserWarning before 2.4, a FutureWarning from 2.4 on.

    The documented signature is `state_dict(*, destination=None, prefix='', keep_vars=False)`:
    the arguments are meant to be given by keyword, and positional ones are accepted only
    with a deprecation warning. Its category changed in torch 2.4 (seen: UserWarning on
    2.0.1 to 2.3.1, FutureWarning on 2.4.1 and later), so a filter written for one
    category misses the other.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    model = nn.Linear(2, 1)
    category = by_version({"<2.4": UserWarning, ">=2.4": FutureWarning})

    with warns_exactly(category, match="Positional args are being deprecated, use kwargs instead"):
        state = model.state_dict(None, "p.")

    assert list(state) == ["p.weight", "p.bias"]


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


def test_load_state_dict_strict_raises_on_an_unexpected_key():
    """With `strict=True` a key the model does not have raises RuntimeError, and one message lists the missing and the unexpected keys together.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(1, 1)
    full = {"weight": torch.zeros(1, 1), "bias": torch.zeros(1), "extra": torch.zeros(1)}

    with raises_exactly(RuntimeError, match=r'Error\(s\) in loading state_dict for Linear:\n\tUnexpected key\(s\) in state_dict: "extra"'):
        model.load_state_dict(full)
    with raises_exactly(RuntimeError, match=r'Missing key\(s\) in state_dict: "bias". \n\tUnexpected key\(s\) in state_dict: "extra"'):
        model.load_state_dict({"weight": torch.zeros(1, 1), "extra": torch.zeros(1)})


def test_load_state_dict_returns_a_named_tuple_of_key_lists():
    """`load_state_dict` returns a `NamedTuple` with the fields `missing_keys` and `unexpected_keys`, each a list of strings.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(1, 1)

    result = model.load_state_dict({"weight": torch.zeros(1, 1)}, strict=False)

    assert isinstance(result, tuple)
    assert result._fields == ("missing_keys", "unexpected_keys")
    assert tuple(result) == (["bias"], [])


@pytest.mark.docs_erratum(
    "If a parameter or buffer is registered as None and its key exists in state_dict, load_state_dict will raise a RuntimeError."
)
def test_load_state_dict_key_for_a_none_slot_is_unexpected():
    """A key for a parameter or buffer registered as None is an unexpected key: it raises only under `strict=True`.

    The docs say such a key makes `load_state_dict` raise a RuntimeError, without
    mentioning `strict`. A None slot is not part of the module's state, so its key is
    simply unexpected: the default `strict=True` raises, and `strict=False` loads the rest
    and reports the key in `unexpected_keys`, leaving the slot None.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """

    class Slots(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_parameter("p", None)
            self.register_buffer("b", None)

    module = Slots()

    with raises_exactly(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "p"'):
        module.load_state_dict({"p": torch.zeros(1)})
    with raises_exactly(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "b"'):
        module.load_state_dict({"b": torch.zeros(1)})
    result = module.load_state_dict({"p": torch.zeros(1)}, strict=False)

    assert result.unexpected_keys == ["p"]
    assert module.p is None


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


@pytest.mark.torch_version(">=2.1")
def test_load_state_dict_copy_keeps_the_modules_dtype_and_assign_keeps_the_loaded_one():
    """By default loading float64 values into a float32 module keeps float32; with `assign=True` the parameters become float64.

    `assign=False` copies *values* into the existing tensors, whose properties (dtype,
    device) stay the module's; `assign=True` keeps the properties of the tensors in the
    state dict, wrapping them as parameters.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    state = {"weight": torch.full((1, 1), 2.0, dtype=torch.float64), "bias": torch.ones(1, dtype=torch.float64)}
    copied = nn.Linear(1, 1)
    assigned = nn.Linear(1, 1)

    copied.load_state_dict(state)
    assigned.load_state_dict(state, assign=True)

    assert (copied.weight.dtype, copied.weight.item()) == (torch.float32, 2.0)
    assert (assigned.weight.dtype, assigned.weight.item()) == (torch.float64, 2.0)
    assert type(assigned.weight) is nn.Parameter


@pytest.mark.torch_version(">=2.3")
def test_load_state_dict_assign_keeps_the_modules_requires_grad():
    """With `assign=True` each parameter keeps the module's `requires_grad`, even when the loaded value is a `Parameter` that requires grad.

    `requires_grad` is the one property `assign=True` takes from the module rather than
    from the state dict, so a frozen layer stays frozen. PyTorch 2.3 made it so
    (https://github.com/pytorch/pytorch/pull/121157); 2.1 and 2.2 took the loaded
    `Parameter`'s flag.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(1, 1)
    model.weight.requires_grad_(False)

    model.load_state_dict({"weight": nn.Parameter(torch.ones(1, 1)), "bias": torch.zeros(1)}, assign=True)

    assert model.weight.requires_grad is False
    assert model.bias.requires_grad is True


class Counter(nn.Module):
    """A module whose state is a plain Python int, saved through `get_extra_state` and restored by `set_extra_state`."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def get_extra_state(self):
        return {"count": self.count}

    def set_extra_state(self, state):
        self.count = state["count"]


def test_state_dict_extra_state_round_trips_through_the_two_methods():
    """A module that defines `get_extra_state` gets an `_extra_state` key in its `state_dict`, and `load_state_dict` hands the value to `set_extra_state`.

    The key is required like any other: loading without it under `strict=True` raises.
    Anything picklable can be extra state, but only tensors come with a compatibility
    guarantee for serialization.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.get_extra_state
    """
    source = Counter()
    source.count = 5
    target = Counter()

    state = source.state_dict()
    target.load_state_dict(state)

    assert dict(state) == {"_extra_state": {"count": 5}}
    assert target.count == 5
    with raises_exactly(RuntimeError, match=r'Missing key\(s\) in state_dict: "_extra_state"'):
        Counter().load_state_dict({})


def test_state_dict_pre_hook_runs_before_each_state_dict_call():
    """A hook from `register_state_dict_pre_hook` is called as `hook(module, prefix, keep_vars)` before the module's state is collected.

    Called on a parent, the child's hook receives the child's prefix (`"0."`).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_state_dict_pre_hook
    """
    calls = []
    linear = nn.Linear(1, 1)
    linear.register_state_dict_pre_hook(lambda module, prefix, keep_vars: calls.append((module is linear, prefix, keep_vars)))

    linear.state_dict()
    linear.state_dict(prefix="enc.", keep_vars=True)
    nn.Sequential(linear).state_dict()

    assert calls == [(True, "", False), (True, "enc.", True), (True, "0.", False)]


@pytest.mark.torch_version(">=2.5")
def test_state_dict_post_hook_edits_the_dictionary_in_place():
    """A hook from `register_state_dict_post_hook` receives the dictionary after the module's entries are added and may edit it in place; returning a value raises.

    The public method arrived in PyTorch 2.5 (https://github.com/pytorch/pytorch/pull/131690).
    The hook gets the prefix, so it works for the module inside a parent as well.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_state_dict_post_hook
    """

    def drop_bias(module, state_dict, prefix, local_metadata):
        del state_dict[prefix + "bias"]

    linear = nn.Linear(1, 1)
    linear.register_state_dict_post_hook(drop_bias)
    returning = nn.Linear(1, 1)
    returning.register_state_dict_post_hook(lambda module, state_dict, prefix, local_metadata: state_dict)

    assert list(linear.state_dict()) == ["weight"]
    assert list(nn.Sequential(linear).state_dict()) == ["0.weight"]
    with raises_exactly(RuntimeError, match=r"state_dict post-hook must return None"):
        returning.state_dict()


@pytest.mark.torch_version(">=2.5")
def test_load_state_dict_pre_hook_can_rename_keys_before_loading():
    """A hook from `register_load_state_dict_pre_hook` sees the incoming dictionary before the module loads from it, and may rename keys.

    It is called as `hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
    unexpected_keys, error_msgs)`. Renaming an old checkpoint's `w` to `weight` lets a
    strict load succeed. The public method arrived in PyTorch 2.5
    (https://github.com/pytorch/pytorch/pull/131690).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_load_state_dict_pre_hook
    """
    seen = []

    def rename(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        seen.append((prefix, strict, sorted(state_dict)))
        state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")

    linear = nn.Linear(1, 1)
    linear.register_load_state_dict_pre_hook(rename)

    result = linear.load_state_dict({"w": torch.full((1, 1), 4.0), "bias": torch.zeros(1)})

    assert seen == [("", True, ["bias", "w"])]
    assert result.missing_keys == result.unexpected_keys == []
    assert linear.weight.item() == 4.0


def test_load_state_dict_post_hook_can_change_what_strict_checks():
    """A hook from `register_load_state_dict_post_hook` receives the module and the incompatible keys, and `strict=True` checks the lists as the hook leaves them.

    Clearing `missing_keys` lets a partial load pass the strict check; adding a key makes
    a complete load fail it. With `strict=False` the added key is only reported.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_load_state_dict_post_hook
    """
    seen = []
    forgiving = nn.Linear(1, 1)

    def forgive(module, incompatible_keys):
        seen.append((module is forgiving, list(incompatible_keys.missing_keys)))
        incompatible_keys.missing_keys.clear()

    forgiving.register_load_state_dict_post_hook(forgive)
    strict_one = nn.Linear(1, 1)
    strict_one.register_load_state_dict_post_hook(lambda module, keys: keys.unexpected_keys.append("ghost"))

    result = forgiving.load_state_dict({"weight": torch.zeros(1, 1)})

    assert seen == [(True, ["bias"])]
    assert result.missing_keys == []
    with raises_exactly(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "ghost"'):
        strict_one.load_state_dict(nn.Linear(1, 1).state_dict())
    assert strict_one.load_state_dict(nn.Linear(1, 1).state_dict(), strict=False).unexpected_keys == ["ghost"]


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

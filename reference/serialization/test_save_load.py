"""Saving and loading: torch.save, torch.load and weights_only

`torch.save` pickles any Python object, with tensors stored in a compact binary form;
`torch.load` unpickles it. The recommended unit is the `state_dict`, a plain dict of
tensors, loaded back with `model.load_state_dict`. Pickling a whole module works too but
ties the file to your code, and since 2.6 `torch.load` refuses it unless you opt in:
its `weights_only` default became `True`, which unpickles only tensors, containers,
primitives and the classes you allow.
"""

import io
import mmap
import pickle
import re
import struct
import sys
import zipfile
import zlib
from collections import OrderedDict

import pytest
import torch
from torch import nn

from torchref import by_version, raises_exactly, warns_exactly

# torch 2.0 and 2.1 emit this deprecation warning from inside torch.load(weights_only=True).
pytestmark = pytest.mark.filterwarnings("ignore:TypedStorage is deprecated:UserWarning")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(3, 4)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.body(x).relu())


class Settings:
    def __init__(self, depth):
        self.depth = depth


class Doomed(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)


def test_state_dict_maps_parameter_names_to_tensors():
    """`state_dict()` is an ordered mapping from dotted names to tensors.

    The names follow the attribute path (`body.weight`), in registration order; the values
    are detached tensors that share memory with the parameters.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    model = Net()

    sd = model.state_dict()

    assert list(sd) == ["body.weight", "body.bias", "head.weight", "head.bias"]
    assert sd["body.weight"].shape == (4, 3)
    assert not sd["body.weight"].requires_grad
    assert sd["body.weight"].untyped_storage().data_ptr() == model.body.weight.untyped_storage().data_ptr()


def test_state_dict_includes_buffers():
    """Buffers such as batch-norm running statistics are in the `state_dict` too.

    They are not parameters (the optimiser never sees them) but a restored model needs
    them to evaluate the same way.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    bn = nn.BatchNorm1d(2)

    sd = bn.state_dict()

    assert list(sd) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]


class WithCache(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(2))
        self.register_buffer("stat", torch.zeros(2))
        self.register_buffer("cache", torch.zeros(2), persistent=False)


def test_state_dict_leaves_out_non_persistent_buffers():
    """A buffer registered with `persistent=False` is part of the module but not of its `state_dict`.

    The state dict holds "all of its parameters and persistent buffers": use
    `persistent=False` for values that can be recomputed (a cache, a mask built from a
    size), so that checkpoints neither store nor require them.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    module = WithCache()

    sd = module.state_dict()

    assert [name for name, _ in module.named_buffers()] == ["stat", "cache"]
    assert list(sd) == ["weight", "stat"]
    assert module.load_state_dict(sd).missing_keys == []


@pytest.mark.claim("S2-041", verdict="true")
@pytest.mark.claim("S1-049", verdict="true")
def test_state_dict_round_trip_restores_the_model(tmp_path):
    """`torch.save(model.state_dict(), path)` then `load_state_dict(torch.load(path))` restores it.

    The notes' recipe is right and is the recommended way: the new instance is built by
    your code, and only the tensors come from the file. `weights_only=True` (the default
    since 2.6) is enough for a state dict.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    torch.manual_seed(0)
    model, x = Net(), torch.randn(2, 3)
    torch.save(model.state_dict(), tmp_path / "model.pth")

    fresh = Net()
    fresh.load_state_dict(torch.load(tmp_path / "model.pth", weights_only=True))

    assert torch.equal(fresh(x), model(x))


def test_load_state_dict_reports_all_keys_matched():
    """`load_state_dict` returns a named tuple of missing and unexpected keys, shown as `<All keys matched successfully>` when both are empty.

    The return value is `(missing_keys, unexpected_keys)`; the docs' examples print its
    repr after restoring a batch-norm layer and a custom module from their state dicts.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    bn = nn.BatchNorm1d(3, track_running_stats=True)
    new_bn = nn.BatchNorm1d(3, track_running_stats=True)

    result = new_bn.load_state_dict(bn.state_dict())

    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"


@pytest.mark.claim("S2-040", verdict="true")
def test_load_state_dict_takes_a_dict_not_a_path():
    """`load_state_dict("model.pth")` raises a TypeError: load the file with `torch.load` first.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = Net()

    with raises_exactly(TypeError, match="Expected state_dict to be dict-like"):
        model.load_state_dict("model.pth")


def test_load_state_dict_copies_into_the_existing_parameters():
    """`load_state_dict` copies values into the model's parameters; the Parameter objects stay the same.

    That is why an optimiser built before loading still updates the right tensors.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(2, 1)
    weight = model.weight

    model.load_state_dict({"weight": torch.ones(1, 2), "bias": torch.zeros(1)})

    assert model.weight is weight
    assert model.weight.tolist() == [[1.0, 1.0]]


@pytest.mark.torch_version(">=2.1")
def test_load_state_dict_assign_uses_the_loaded_tensors_themselves():
    """`load_state_dict(sd, assign=True)` (2.1+) makes the loaded tensors the module's parameters instead of copying into them.

    With the default `assign=False` the values are copied into the existing parameters,
    which is impossible for a model built on the `meta` device (it has no memory). With
    `assign=True` the state dict's tensors become the parameters, so the model lands on
    their device and shares their memory; they are still `Parameter`s that require grad.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    with torch.device("meta"):
        model = nn.Linear(2, 1)
    sd = {"weight": torch.ones(1, 2), "bias": torch.zeros(1)}

    model.load_state_dict(sd, assign=True)

    assert model.weight.device.type == "cpu"
    assert isinstance(model.weight, nn.Parameter)
    assert model.weight.requires_grad
    assert model.weight.untyped_storage().data_ptr() == sd["weight"].untyped_storage().data_ptr()


def test_load_state_dict_strict_rejects_missing_and_unexpected_keys():
    """By default (`strict=True`) a key missing from the dict, or one the model lacks, raises.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(2, 1)

    with raises_exactly(RuntimeError, match=r'Missing key\(s\) in state_dict: "bias"'):
        model.load_state_dict({"weight": torch.ones(1, 2)})
    with raises_exactly(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "extra"'):
        model.load_state_dict({"weight": torch.ones(1, 2), "bias": torch.zeros(1), "extra": torch.zeros(1)})


def test_load_state_dict_non_strict_reports_missing_and_unexpected_keys():
    """With `strict=False` the matching keys load and the result names the others.

    The returned named tuple has `missing_keys` and `unexpected_keys`; check them, because
    a typo in a prefix makes *every* key mismatch without any error.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(2, 1)

    result = model.load_state_dict({"weight": torch.ones(1, 2), "extra": torch.zeros(1)}, strict=False)

    assert result.missing_keys == ["bias"]
    assert result.unexpected_keys == ["extra"]
    assert model.weight.tolist() == [[1.0, 1.0]]


def test_load_state_dict_rejects_a_shape_mismatch_even_when_not_strict():
    """A tensor of the wrong shape raises a RuntimeError, even with `strict=False`.

    `strict` is about keys only; a size mismatch is always an error.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(2, 1)

    with raises_exactly(RuntimeError, match="size mismatch for weight"):
        model.load_state_dict({"weight": torch.ones(3, 2)}, strict=False)


@pytest.mark.claim("S3-008", verdict="true")
def test_pretrained_state_dict_initialises_the_matching_part_of_a_custom_network(tmp_path):
    """`torch.load` plus `load_state_dict(..., strict=False)` initialises the layers a new network shares.

    The note's recipe works: the body keeps the pretrained weights, the new head (different
    size, so filtered out first) keeps its fresh initialisation.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    pretrained = Net()
    torch.save(pretrained.state_dict(), tmp_path / "pretrained.pth")
    custom = Net()
    custom.head = nn.Linear(4, 5)  # new task, new head

    sd = torch.load(tmp_path / "pretrained.pth", weights_only=True)
    sd = {k: v for k, v in sd.items() if not k.startswith("head.")}
    result = custom.load_state_dict(sd, strict=False)

    assert torch.equal(custom.body.weight, pretrained.body.weight)
    assert result.missing_keys == ["head.weight", "head.bias"]


@pytest.mark.claim("S1-047", verdict="true")
def test_saving_the_whole_model_pickles_its_class(tmp_path):
    """`torch.save(model, path)` stores the module object itself: class reference plus tensors.

    The note is right that this keeps "structure and parameters", but the structure is only
    a reference to your class by module and name; the code is not in the file. Loading it
    needs `weights_only=False` (or an allowlist, below).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.save.html#torch.save
    """
    model = Net()
    torch.save(model, tmp_path / "whole.pt")

    loaded = torch.load(tmp_path / "whole.pt", weights_only=False)

    assert type(loaded) is Net
    assert torch.equal(loaded.body.weight, model.body.weight)


@pytest.mark.claim("S1-050", verdict="true")
def test_loading_a_whole_model_needs_its_class(tmp_path, monkeypatch):
    """Unpickling a whole model fails when its class cannot be found where it was defined.

    The note is right: the file names `Doomed` in this module; if the class is gone (or the
    file moved to a project without it), `torch.load` raises an AttributeError.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    torch.save(Doomed(), tmp_path / "doomed.pt")

    monkeypatch.delattr(sys.modules[__name__], "Doomed")

    with raises_exactly(AttributeError, match=r"Can't get attribute 'Doomed'"):
        torch.load(tmp_path / "doomed.pt", weights_only=False)


def test_weights_only_load_rejects_a_pickled_module(tmp_path):
    """`torch.load(..., weights_only=True)` refuses a pickled module with an UnpicklingError.

    The weights-only unpickler allows tensors, containers and primitive types only, so
    that loading an untrusted file cannot run code. The error is a
    `pickle.UnpicklingError` (the class `_pickle.UnpicklingError`, which `pickle`
    re-exports) and its message starts with "Weights only load failed" in every release.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    torch.save(nn.Linear(2, 2), tmp_path / "whole.pt")

    with raises_exactly(pickle.UnpicklingError, match=r"^Weights only load failed"):
        torch.load(tmp_path / "whole.pt", weights_only=True)


@pytest.mark.torch_version("<2.4")
def test_torch_load_default_loads_a_whole_model_before_2_4(tmp_path):
    """Before 2.4, plain `torch.load(path)` unpickles a whole model silently.

    `weights_only` defaulted to False: any pickle is loaded, which also means any code in
    it runs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.load.html#torch.load
    """
    torch.save(nn.Linear(2, 2), tmp_path / "whole.pt")

    model = torch.load(tmp_path / "whole.pt")

    assert isinstance(model, nn.Linear)


@pytest.mark.torch_version(">=2.4,<2.6")
def test_torch_load_default_warns_about_weights_only_in_2_4_and_2_5(tmp_path):
    """In 2.4 and 2.5, `torch.load` without `weights_only` still loads, but warns with a FutureWarning.

    The warning ("You are using `torch.load` with `weights_only=False` (the current
    default value) ...") announced the switch of the default to True, which came in 2.6
    (https://github.com/pytorch/pytorch/pull/129239 added it).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.load.html#torch.load
    """
    torch.save(nn.Linear(2, 2), tmp_path / "whole.pt")

    with warns_exactly(FutureWarning, match=r"You are using `torch\.load` with `weights_only=False`"):
        model = torch.load(tmp_path / "whole.pt")

    assert isinstance(model, nn.Linear)


@pytest.mark.claim("S1-048", verdict="outdated")
@pytest.mark.torch_version(">=2.6")
def test_torch_load_default_refuses_a_whole_model_since_2_6(tmp_path):
    """Since 2.6, plain `torch.load(path)` of a whole pickled model raises an UnpicklingError.

    The note's `model = torch.load(path)` worked until 2.5. In 2.6 the default of
    `weights_only` became True (https://github.com/pytorch/pytorch/pull/137602), and a
    module is not a "weight". The `pickle.UnpicklingError` says so: "In PyTorch 2.6, we
    changed the default value of the `weights_only` argument in `torch.load` from `False`
    to `True`". Pass `weights_only=False` for a file you trust, or better, save and load
    a `state_dict`.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    torch.save(nn.Linear(2, 2), tmp_path / "whole.pt")

    with raises_exactly(
        pickle.UnpicklingError,
        match=r"(?s)^Weights only load failed.*In PyTorch 2\.6, we changed the default value of the "
        r"`weights_only` argument in `torch\.load` from `False` to `True`",
    ):
        torch.load(tmp_path / "whole.pt")


@pytest.mark.torch_version(">=2.4")
def test_add_safe_globals_allows_a_class_in_weights_only_loads(tmp_path):
    """`torch.serialization.add_safe_globals([cls])` (2.4+) lets `weights_only=True` rebuild `cls`.

    The allowlist is process-wide, so this test puts it back afterwards; the `safe_globals`
    context manager (next test) is the tidier choice.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    torch.save({"settings": Settings(3)}, tmp_path / "cfg.pt")
    before = torch.serialization.get_safe_globals()

    try:
        torch.serialization.add_safe_globals([Settings])
        loaded = torch.load(tmp_path / "cfg.pt", weights_only=True)
    finally:
        torch.serialization.clear_safe_globals()
        torch.serialization.add_safe_globals(before)

    assert loaded["settings"].depth == 3


@pytest.mark.torch_version(">=2.5")
def test_safe_globals_context_allows_a_class_only_inside_the_block(tmp_path):
    """`with torch.serialization.safe_globals([cls]):` (2.5+) allowlists `cls` for that block only.

    After the block the same load fails again with a `pickle.UnpicklingError` that names
    the class it refused ("Unsupported global: GLOBAL ...Settings").

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    torch.save(Settings(3), tmp_path / "cfg.pt")

    with torch.serialization.safe_globals([Settings]):
        loaded = torch.load(tmp_path / "cfg.pt", weights_only=True)

    assert loaded.depth == 3
    with raises_exactly(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL [\w.]*Settings was not an allowed global"):
        torch.load(tmp_path / "cfg.pt", weights_only=True)


@pytest.mark.torch_version(">=2.6")
def test_whole_model_loads_with_weights_only_once_its_class_is_allowlisted(tmp_path):
    """From 2.6, allowlisting the module class is enough to load a whole `nn.Linear` with `weights_only=True`.

    (2.5 also needed internal helper types allowlisted.) You still need the class itself
    importable, exactly as with `weights_only=False`.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    torch.save(nn.Linear(2, 2), tmp_path / "whole.pt")

    with torch.serialization.safe_globals([nn.Linear]):
        model = torch.load(tmp_path / "whole.pt", weights_only=True)

    assert isinstance(model, nn.Linear)


def test_weights_only_load_accepts_tensors_containers_and_primitives():
    """`weights_only=True` loads tensors, dicts, `OrderedDict`s, lists, tuples, numbers, strings, bools and `None`.

    That is everything a state dict or a typical checkpoint dict is made of, so the safe
    loader is enough for them; only other classes need allowlisting.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    obj = {
        "t": torch.ones(2),
        "od": OrderedDict(a=1),
        "list": [1, 2.5, "x"],
        "tuple": (True, None),
        "size": torch.Size([2, 3]),
    }
    buf = io.BytesIO()
    torch.save(obj, buf)

    buf.seek(0)
    loaded = torch.load(buf, weights_only=True)

    assert type(loaded["od"]) is OrderedDict
    assert loaded["list"] == [1, 2.5, "x"]
    assert loaded["tuple"] == (True, None)
    assert loaded["size"] == torch.Size([2, 3])
    assert torch.equal(loaded["t"], obj["t"])


@pytest.mark.torch_version(">=2.6")
def test_get_unsafe_globals_in_checkpoint_lists_the_classes_to_allowlist(tmp_path):
    """`torch.serialization.get_unsafe_globals_in_checkpoint(path)` names the classes `weights_only=True` would refuse.

    It reads the pickle without running it and returns `"module.Name"` strings for every
    global that is not allowlisted, so you can decide what to pass to `add_safe_globals`.
    A plain state dict has none. (Used here from 2.6, the release that made
    `weights_only=True` the default.)

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    torch.save({"settings": Settings(3), "w": torch.ones(1)}, tmp_path / "cfg.pt")
    torch.save(Net().state_dict(), tmp_path / "sd.pt")

    unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "cfg.pt")

    assert unsafe == [f"{Settings.__module__}.Settings"]
    assert torch.serialization.get_unsafe_globals_in_checkpoint(tmp_path / "sd.pt") == []


@pytest.mark.torch_version(">=2.6")
def test_weights_only_error_names_the_global_and_both_ways_to_allowlist_it(tmp_path):
    """The weights-only error names the refused global as `module.Name` and suggests `add_safe_globals` or `safe_globals`.

    The message is meant to be acted on: it offers `weights_only=False` for a trusted file,
    or allowlisting the exact global it quotes. (Checked from 2.6, when this became the
    default path; the wording of the first part names that release.) In 2.6 the suggested
    call names the class bare (`add_safe_globals([Settings])`), which only works where that
    name is in scope; later releases write the full dotted name.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    torch.save(Settings(3), tmp_path / "cfg.pt")
    name = re.escape(f"{Settings.__module__}.Settings")
    suggested = by_version({"<2.7": "Settings", ">=2.7": name})

    with raises_exactly(
        pickle.UnpicklingError,
        match=rf"(?s)^Weights only load failed.*Unsupported global: GLOBAL {name} was not an allowed global by default\. "
        rf"Please use `torch\.serialization\.add_safe_globals\(\[{suggested}\]\)` or the "
        rf"`torch\.serialization\.safe_globals\(\[{suggested}\]\)` context manager",
    ):
        torch.load(tmp_path / "cfg.pt", weights_only=True)


@pytest.mark.torch_version(">=2.4")
def test_get_safe_globals_lists_the_allowlist_and_clear_safe_globals_empties_it():
    """`get_safe_globals()` returns the user allowlist, and `clear_safe_globals()` empties it.

    What `add_safe_globals` adds shows up in `get_safe_globals()`; after
    `clear_safe_globals()` the list is empty. The allowlist is process-wide (torch itself
    may have put entries there), so the test restores it.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    before = torch.serialization.get_safe_globals()

    try:
        torch.serialization.add_safe_globals([Settings])
        with_settings = torch.serialization.get_safe_globals()
        torch.serialization.clear_safe_globals()
        after_clear = torch.serialization.get_safe_globals()
    finally:
        torch.serialization.clear_safe_globals()
        torch.serialization.add_safe_globals(before)

    assert Settings in with_settings
    assert after_clear == []


@pytest.mark.torch_version(">=2.6")
def test_passing_pickle_module_keeps_weights_only_off_since_2_6():
    """Since 2.6 the `weights_only=True` default applies only when `pickle_module` is not passed.

    Passing your own `pickle_module` means you want the full unpickler, so `torch.load`
    keeps `weights_only=False` and loads a whole pickled module without complaint.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch-load-with-weights-only-true
    """
    buf = io.BytesIO()
    torch.save(nn.Linear(2, 2), buf)
    buf.seek(0)

    model = torch.load(buf, pickle_module=pickle)

    assert isinstance(model, nn.Linear)


@pytest.mark.torch_version(">=2.6")
def test_torch_force_weights_only_load_overrides_weights_only_false(tmp_path, monkeypatch):
    """`TORCH_FORCE_WEIGHTS_ONLY_LOAD=1` makes every `torch.load` weights-only, even one that passes `weights_only=False`.

    The variable lets you harden code whose `torch.load` calls you cannot edit: a pickled
    module is refused with the usual `pickle.UnpicklingError`.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#environment-variables
    """
    torch.save(nn.Linear(2, 2), tmp_path / "whole.pt")
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "1")

    with raises_exactly(pickle.UnpicklingError, match=r"^Weights only load failed"):
        torch.load(tmp_path / "whole.pt", weights_only=False)


@pytest.mark.torch_version(">=2.6")
def test_torch_force_no_weights_only_load_applies_only_when_weights_only_is_not_passed(tmp_path, monkeypatch):
    """`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1` turns the default off, with a UserWarning, but an explicit `weights_only=True` wins.

    It restores the pre-2.6 default for `torch.load` calls that do not pass `weights_only`;
    a call that passes it keeps its own choice.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#environment-variables
    """
    torch.save(nn.Linear(2, 2), tmp_path / "whole.pt")
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")

    with warns_exactly(UserWarning, match=r"Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected"):
        model = torch.load(tmp_path / "whole.pt")

    assert isinstance(model, nn.Linear)
    with raises_exactly(pickle.UnpicklingError, match=r"^Weights only load failed"):
        torch.load(tmp_path / "whole.pt", weights_only=True)


def test_map_location_remaps_storages_while_loading():
    """`map_location` decides where each loaded tensor lands; a function receives each storage.

    `map_location="cpu"` is the usual way to open a GPU checkpoint on a machine without
    one. A function `(storage, location) -> storage` gives full control.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.load.html#torch.load
    """
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    seen = []

    def remap(storage, location):
        seen.append(location)
        return storage

    buf.seek(0)
    loaded = torch.load(buf, map_location=remap, weights_only=True)

    assert seen == ["cpu"]
    assert loaded["w"].device.type == "cpu"


@pytest.mark.cuda
def test_map_location_cpu_loads_a_cuda_checkpoint_on_the_cpu():
    """`map_location="cpu"` loads tensors saved from a GPU onto the CPU.

    Without it they are restored to the device they were saved from.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.load.html#torch.load
    """
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2, device="cuda")}, buf)

    buf.seek(0)
    as_saved = torch.load(buf, weights_only=True)
    buf.seek(0)
    on_cpu = torch.load(buf, map_location="cpu", weights_only=True)

    assert as_saved["w"].device.type == "cuda"
    assert on_cpu["w"].device.type == "cpu"


def test_saving_a_view_saves_its_whole_storage():
    """Saving a 10-element slice of a 10 000-element tensor writes all 10 000 elements.

    `torch.save` writes storages, not the elements a tensor shows, so that views can be
    rebuilt on loading. The loaded slice comes back on a storage as big as the original
    one (40 000 bytes of float32), and the file is at least that big.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-tensors-preserves-views
    """
    big = torch.zeros(10_000)
    buf = io.BytesIO()

    torch.save(big[:10], buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=True)

    assert loaded.shape == (10,)
    assert loaded.untyped_storage().nbytes() == big.untyped_storage().nbytes() == 10_000 * 4
    assert buf.getbuffer().nbytes >= 10_000 * 4


def test_saving_a_clone_saves_only_its_own_elements():
    """`clone()` a small slice before saving it, and only its elements are written.

    The clone has a fresh storage of 10 elements, so that is all the file holds; what
    else is in the file (the pickle, zip headers, alignment padding) is a couple of
    kilobytes, far below the 40 000 bytes the whole storage would take. The price: the
    clone no longer shares memory with anything.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-tensors-preserves-views
    """
    big = torch.zeros(10_000)
    buf = io.BytesIO()

    torch.save(big[:10].clone(), buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=True)

    assert loaded.untyped_storage().nbytes() == 10 * 4
    assert buf.getbuffer().nbytes < 10_000 * 4 // 10


def test_saved_views_still_share_memory_after_loading():
    """Tensors that shared a storage when saved share one storage again after loading.

    This is the docs' example: `evens` is a strided view of `numbers`, both are saved in
    one call, and after loading, doubling `loaded_evens` in place changes every second
    element of `loaded_numbers`. Only one storage is written.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-tensors-preserves-views
    """
    numbers = torch.arange(1, 10)
    evens = numbers[1::2]
    buf = io.BytesIO()
    torch.save([numbers, evens], buf)

    buf.seek(0)
    loaded_numbers, loaded_evens = torch.load(buf, weights_only=True)
    loaded_evens *= 2

    assert loaded_evens.untyped_storage().data_ptr() == loaded_numbers.untyped_storage().data_ptr()
    assert loaded_numbers.tolist() == [n * 2 if n % 2 == 0 else n for n in range(1, 10)]
    assert numbers.tolist() == list(range(1, 10))  # the originals are untouched


def test_pt_and_pth_extensions_are_only_a_convention(tmp_path):
    """`.pt`, `.pth` or any other name produce byte-identical files.

    `torch.save` ignores the extension; both are common, and `.pth` can clash with Python's
    own `.pth` path files, which is why `.pt` is often recommended.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-tensors
    """
    sd = {"w": torch.arange(3.0)}

    torch.save(sd, tmp_path / "a.pt")
    torch.save(sd, tmp_path / "a.pth")
    torch.save(sd, tmp_path / "a.whatever")

    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "a.pth").read_bytes() == (tmp_path / "a.whatever").read_bytes()


class Batch:
    def __init__(self, inputs, labels):
        self.inputs = inputs
        self.labels = labels


def test_torch_save_round_trips_a_pickleable_object_holding_tensors():
    """Any picklable Python object that holds tensors saves and loads, tuples, lists and custom classes included.

    `torch.save` is pickle with tensors stored separately, so a custom class comes back as
    an instance of that class with equal tensors (loading a custom class needs
    `weights_only=False`, for a file you trust, or an allowlist).

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-tensors
    """
    obj = (Batch(torch.tensor([1.0, 2.0]), [3, 4]), [torch.tensor([5])])
    buf = io.BytesIO()
    torch.save(obj, buf)

    buf.seek(0)
    batch, tensors = torch.load(buf, weights_only=False)

    assert type(batch) is Batch
    assert batch.inputs.tolist() == [1.0, 2.0] and batch.labels == [3, 4]
    assert type(tensors) is list and tensors[0].tolist() == [5]


def test_torch_save_is_a_zip_archive(tmp_path):
    """The file `torch.save` writes is a zip archive holding `data.pkl`, one `data/<n>` entry per storage, and `version`.

    `data.pkl` is the pickled object with the storages left out; each storage is its own
    entry under `data/`. Two tensors that share a storage make a single entry; two
    independent ones make two.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#serialized-file-format-for-torch-save
    """
    base = torch.ones(4)
    torch.save({"w": base, "view": base[:2], "other": torch.zeros(2)}, tmp_path / "w.pt")

    names = zipfile.ZipFile(tmp_path / "w.pt").namelist()

    assert any(n.endswith("/data.pkl") for n in names)
    assert any(n.endswith("/version") for n in names)
    assert sorted(n.rsplit("/", 1)[-1] for n in names if "/data/" in n) == ["0", "1"]


@pytest.mark.torch_version(">=2.1")
def test_torch_save_archive_records_the_byteorder(tmp_path):
    """Since 2.1 the archive holds a `byteorder` entry with `sys.byteorder` of the saving machine.

    It reads "little" or "big", so that `torch.load` on a machine of the other endianness
    knows to swap the bytes of the storages.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#serialized-file-format-for-torch-save
    """
    torch.save({"w": torch.ones(2)}, tmp_path / "w.pt")

    archive = zipfile.ZipFile(tmp_path / "w.pt")
    (entry,) = [n for n in archive.namelist() if n.endswith("/byteorder")]

    assert archive.read(entry).decode() == sys.byteorder


def test_torch_save_aligns_every_entry_to_64_bytes_and_does_not_compress(tmp_path):
    """Each entry of the archive starts at a file offset that is a multiple of 64, and none is compressed.

    The local header of each entry is padded so its data is 64-byte aligned, and entries
    are stored, not deflated: a storage in the file has the same bytes as in memory, which
    is what lets `mmap=True` map it directly.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#serialized-file-format-for-torch-save
    """
    torch.save({"w": torch.arange(5.0), "b": torch.ones(3)}, tmp_path / "w.pt")
    raw = (tmp_path / "w.pt").read_bytes()

    entries = zipfile.ZipFile(tmp_path / "w.pt").infolist()
    # The data starts after the 30-byte local header, the name and the extra field.
    name_len, extra_len = zip(*(struct.unpack("<HH", raw[e.header_offset + 26 : e.header_offset + 30]) for e in entries))
    data_offsets = [e.header_offset + 30 + n + x for e, n, x in zip(entries, name_len, extra_len)]

    assert all(offset % 64 == 0 for offset in data_offsets)
    assert {e.compress_type for e in entries} == {zipfile.ZIP_STORED}


def test_torch_save_pickles_with_protocol_2_unless_pickle_protocol_is_given():
    """`torch.save` pickles `data.pkl` with protocol 2 by default; `pickle_protocol=` chooses another.

    A pickle stream starts with the PROTO opcode `0x80` followed by the protocol number,
    so the first two bytes of `data.pkl` show which protocol was used. The full unpickler
    loads either. (The weights-only unpickler is written for protocol 2: recent releases
    warn when they meet another.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.save.html#torch.save
    """
    default, explicit = io.BytesIO(), io.BytesIO()
    torch.save({"w": torch.ones(2)}, default)
    torch.save({"w": torch.ones(2)}, explicit, pickle_protocol=4)

    def header(buf):
        archive = zipfile.ZipFile(buf)
        (entry,) = [n for n in archive.namelist() if n.endswith("/data.pkl")]
        return archive.read(entry)[:2]

    assert header(default) == bytes([0x80, 2])
    assert header(explicit) == bytes([0x80, 4])
    explicit.seek(0)
    assert torch.load(explicit, weights_only=False)["w"].tolist() == [1.0, 1.0]


@pytest.mark.torch_version(">=2.1")
def test_load_with_mmap_maps_the_file_instead_of_reading_it(tmp_path):
    """`torch.load(path, mmap=True)` (2.1+) maps the storages from the file; writes to them stay in memory.

    Instead of reading every storage into RAM up front, the file is memory-mapped and
    pages are read when touched, which makes opening a big checkpoint fast. The mapping
    is private (copy-on-write, `mmap.MAP_PRIVATE`) unless you ask otherwise: changing a
    loaded tensor does not change the file.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.load.html#torch.load
    """
    path = str(tmp_path / "w.pt")  # 2.1 and 2.2 map only a str path, not a pathlib.Path
    torch.save({"w": torch.arange(4.0)}, path)
    before = (tmp_path / "w.pt").read_bytes()

    loaded = torch.load(path, mmap=True, weights_only=True)
    loaded["w"][0] = 100.0

    assert loaded["w"].tolist() == [100.0, 1.0, 2.0, 3.0]
    assert (tmp_path / "w.pt").read_bytes() == before
    assert torch.load(tmp_path / "w.pt", weights_only=True)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.torch_version(">=2.1")
def test_load_with_mmap_needs_a_file_path():
    """`mmap=True` needs a path: with a file-like object such as `io.BytesIO`, `torch.load` raises `ValueError`.

    Only a file on disk can be mapped. (2.1 said "a string filename"; later releases
    accept any path and say "a file path".)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.load.html#torch.load
    """
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    buf.seek(0)

    with raises_exactly(ValueError, match=r"f must be a (string filename|file path) in order to use (the )?mmap argument"):
        torch.load(buf, mmap=True, weights_only=True)


@pytest.mark.torch_version(">=2.6")
def test_skip_data_saves_the_layout_without_the_tensor_bytes():
    """Inside `torch.serialization.skip_data()`, `torch.save` writes every tensor's metadata and leaves its bytes as empty space.

    The file has the same size and layout as a normal save, so the data can be written
    into it later; loading it now gives tensors of the right shape and dtype that hold
    zeros.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#layout-control
    """
    sd = {"w": torch.arange(1.0, 5.0), "n": torch.tensor([7, 8], dtype=torch.int32)}
    normal, skipped = io.BytesIO(), io.BytesIO()
    torch.save(sd, normal)

    with torch.serialization.skip_data():
        torch.save(sd, skipped)

    skipped.seek(0)
    loaded = torch.load(skipped, weights_only=True)
    assert len(skipped.getvalue()) == len(normal.getvalue())
    assert loaded["w"].dtype == torch.float32 and loaded["w"].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert loaded["n"].dtype == torch.int32 and loaded["n"].tolist() == [0, 0]


@pytest.mark.torch_version(">=2.6")
def test_set_crc32_options_false_writes_zero_checksums_that_load_ignores():
    """By default each archive entry carries the CRC-32 of its bytes; after `set_crc32_options(False)` it is 0 and `torch.load` still loads.

    Computing checksums costs time on large checkpoints. Turning it off leaves the zip's
    CRC fields at zero, which zip tools may report as corrupt, but `torch.load` does not
    check them. The setting is process-wide, so the test restores it. (Checked from 2.6.)

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch.serialization.set_crc32_options
    """
    w = torch.arange(3.0)
    with_crc, without_crc = io.BytesIO(), io.BytesIO()
    torch.save({"w": w}, with_crc)

    try:
        torch.serialization.set_crc32_options(False)
        torch.save({"w": w}, without_crc)
    finally:
        torch.serialization.set_crc32_options(True)

    def storage_entry(buf):
        return next(e for e in zipfile.ZipFile(buf).infolist() if e.filename.endswith("/data/0"))

    assert storage_entry(with_crc).CRC == zlib.crc32(w.numpy().tobytes())
    assert {e.CRC for e in zipfile.ZipFile(without_crc).infolist()} == {0}
    without_crc.seek(0)
    assert torch.load(without_crc, weights_only=True)["w"].tolist() == [0.0, 1.0, 2.0]


@pytest.mark.torch_version(">=2.6")
def test_set_default_mmap_options_map_shared_writes_through_to_the_file(tmp_path):
    """With `set_default_mmap_options(mmap.MAP_SHARED)`, a write to a tensor loaded with `mmap=True` changes the file.

    The default `MAP_PRIVATE` keeps writes in memory (copy-on-write); `MAP_SHARED` maps the
    file itself, so a later load sees the new value. The option is process-wide, so the
    test puts `MAP_PRIVATE` back. (Checked from 2.6.)

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#torch.serialization.set_default_mmap_options
    """
    path = tmp_path / "w.pt"
    torch.save({"w": torch.arange(4.0)}, path)

    try:
        torch.serialization.set_default_mmap_options(mmap.MAP_SHARED)
        loaded = torch.load(path, mmap=True, weights_only=True)
        loaded["w"][0] = 100.0
        del loaded
    finally:
        torch.serialization.set_default_mmap_options(mmap.MAP_PRIVATE)

    assert torch.load(path, weights_only=True)["w"].tolist() == [100.0, 1.0, 2.0, 3.0]

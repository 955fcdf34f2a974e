"""Checkpoints and resuming training

A checkpoint is a dict you choose: the model's and the optimiser's state dicts, the
scheduler's, the epoch, anything else needed to carry on. Saved with `torch.save` and
loaded with `weights_only=True`, it restores training so exactly that the resumed run is
bit-identical to one that never stopped.
"""

import copy
import io

import pytest
import torch
from torch import nn

# torch 2.0 and 2.1 emit this deprecation warning from inside torch.load(weights_only=True).
pytestmark = pytest.mark.filterwarnings("ignore:TypedStorage is deprecated:UserWarning")


def make(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched


def run_epochs(model, opt, sched, epochs):
    x = torch.linspace(-1, 1, 12).view(4, 3)
    y = x.sum(1, keepdim=True)
    for _ in range(epochs):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        sched.step()


def test_checkpoint_bundles_model_optimizer_scheduler_and_epoch(tmp_path):
    """A checkpoint dict of state dicts and the epoch saves and loads with `weights_only=True`.

    Every piece is made of tensors, numbers, strings, lists and dicts, so the safe loader
    accepts it; no pickled classes are involved.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    model, opt, sched = make()
    run_epochs(model, opt, sched, 3)

    torch.save(
        {"epoch": 3, "model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict()},
        tmp_path / "ckpt.pt",
    )
    ckpt = torch.load(tmp_path / "ckpt.pt", weights_only=True)

    assert ckpt["epoch"] == 3
    assert sorted(ckpt) == ["epoch", "model", "optimizer", "scheduler"]
    assert ckpt["scheduler"]["last_epoch"] == 3


def test_checkpoint_resumes_to_bit_identical_training(tmp_path):
    """Training 2 epochs, saving, restoring into fresh objects and training 3 more equals 5 straight epochs.

    Model, optimiser (Adam's moments and step count) and scheduler (its epoch counter)
    are all restored; leave any one out and the runs drift apart (next test).

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    straight = make()
    run_epochs(*straight, 5)
    first = make()
    run_epochs(*first, 2)
    torch.save({k: obj.state_dict() for k, obj in zip(["model", "opt", "sched"], first)}, tmp_path / "ckpt.pt")

    resumed = make(seed=1)  # different init, overwritten by the checkpoint
    ckpt = torch.load(tmp_path / "ckpt.pt", weights_only=True)
    for k, obj in zip(["model", "opt", "sched"], resumed):
        obj.load_state_dict(ckpt[k])
    run_epochs(*resumed, 3)

    for a, b in zip(straight[0].parameters(), resumed[0].parameters()):
        assert torch.equal(a, b)
    assert resumed[1].param_groups[0]["lr"] == straight[1].param_groups[0]["lr"] == 0.05 * 0.5**2


def test_resuming_without_the_optimizer_state_changes_the_result():
    """Restoring only the model and starting a fresh Adam gives different weights.

    Adam's first steps after a restart are full-size again (its moments restart at 0), so
    a checkpoint without the optimiser does not truly resume.

    Docs: https://docs.pytorch.org/docs/stable/notes/serialization.html#saving-and-loading-torch-nn-modules
    """
    straight = make()
    run_epochs(*straight, 4)
    first = make()
    run_epochs(*first, 2)

    model, opt, sched = make()
    model.load_state_dict(first[0].state_dict())
    sched.load_state_dict(first[2].state_dict())
    run_epochs(model, opt, sched, 2)

    assert not torch.equal(model[0].weight, straight[0][0].weight)


def test_state_dict_tensors_alias_the_live_parameters():
    """A model's `state_dict()` tensors share memory with its parameters: keep a copy, not the dict.

    Saving "the best weights so far" as `best = model.state_dict()` keeps a view that keeps
    changing with training. Use `copy.deepcopy(model.state_dict())`, or `torch.save` it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.state_dict
    """
    model = nn.Linear(2, 1)
    best = model.state_dict()
    snapshot = copy.deepcopy(model.state_dict())

    with torch.no_grad():
        model.weight.add_(1.0)

    assert best["weight"].untyped_storage().data_ptr() == model.weight.untyped_storage().data_ptr()
    assert torch.equal(best["weight"], model.weight)
    assert not torch.equal(snapshot["weight"], model.weight)


def test_optimizer_built_before_loading_keeps_updating_the_model():
    """An optimiser created before `load_state_dict` still trains the model afterwards.

    Loading copies into the existing Parameters, so the optimiser's references stay valid;
    the usual order is: build model and optimiser, then load both state dicts.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.load_state_dict
    """
    model = nn.Linear(1, 1, bias=False)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    model.load_state_dict({"weight": torch.tensor([[2.0]])})

    model(torch.ones(1, 1)).sum().backward()  # d/dw (w * 1) = 1
    opt.step()

    assert model.weight.tolist() == [[1.5]]


def test_checkpoint_can_live_in_memory():
    """`torch.save` and `torch.load` accept file-like objects such as `io.BytesIO`.

    Handy for sending a checkpoint over a network or keeping a snapshot in memory.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.save.html#torch.save
    """
    model, opt, _ = make()
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, buf)

    buf.seek(0)
    ckpt = torch.load(buf, weights_only=True)

    assert torch.equal(ckpt["model"]["0.weight"], model[0].weight)
    assert ckpt["opt"]["param_groups"][0]["lr"] == 0.05

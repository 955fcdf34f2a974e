"""Parameter groups, zero_grad, state_dict and closures

Every optimiser shares one interface: `param_groups` (lists of parameters with their own
options), `zero_grad()`, `step()`, `state` and `state_dict()`. This page shows how groups
get their options, what `zero_grad` really does today, which parameters `step` touches, how
to save and restore an optimiser, and why LBFGS needs a closure.
"""

import copy

import pytest
import torch
from torch import nn

from torchref import by_version, raises_exactly


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Linear(2, 2)
        self.classifier = nn.Linear(2, 1)


@pytest.mark.claim("S0-024", verdict="true")
def test_param_group_without_lr_uses_the_default_lr():
    """A parameter group that gives no `lr` gets the `lr` passed to the constructor.

    The note's example is right: the keyword arguments of the constructor are defaults, and
    each group's dict overrides only the keys it names.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#per-parameter-options
    """
    net = Net()

    opt = torch.optim.SGD(
        [{"params": net.features.parameters()}, {"params": net.classifier.parameters(), "lr": 0.01}],
        lr=0.03,
    )

    assert [g["lr"] for g in opt.param_groups] == [0.03, 0.01]


@pytest.mark.claim("S2-119", verdict="true")
def test_param_groups_give_layers_their_own_lr_and_share_momentum():
    """Per-group options: the classifier trains at 1e-3, the rest at 1e-2, all with momentum 0.9.

    A key given to the constructor (`momentum=0.9`) fills every group that does not set it,
    so one `momentum` covers both groups while `lr` differs.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#per-parameter-options
    """
    net = Net()

    opt = torch.optim.SGD(
        [{"params": net.features.parameters()}, {"params": net.classifier.parameters(), "lr": 1e-3}],
        lr=1e-2,
        momentum=0.9,
    )

    assert [g["lr"] for g in opt.param_groups] == [1e-2, 1e-3]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]


def test_param_group_keeps_a_misspelt_option_silently():
    """A group key the optimiser does not know is stored and ignored: a typo in `'lr'` raises nothing.

    The page says the other keys *should* match the constructor's keyword arguments; it
    is not checked. `{'lrr': 0.5}` leaves the group at the default `lr`, and the step uses
    0.1.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#per-parameter-options
    """
    w = nn.Parameter(torch.tensor([1.0]))

    opt = torch.optim.SGD([{"params": [w], "lrr": 0.5}], lr=0.1)
    w.grad = torch.tensor([1.0])
    opt.step()

    assert (opt.param_groups[0]["lrr"], opt.param_groups[0]["lr"]) == (0.5, 0.1)
    torch.testing.assert_close(w.detach(), torch.tensor([0.9]))


def test_add_param_group_fills_in_the_defaults():
    """`add_param_group` appends a group; the keys it omits come from the optimiser's defaults.

    This is how you start training a layer later, e.g. unfreezing a backbone after a few
    epochs: the next `step()` updates the added parameters with the group's `lr` and the
    shared `momentum`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.add_param_group.html#torch.optim.Optimizer.add_param_group
    """
    net = Net()
    opt = torch.optim.SGD(net.classifier.parameters(), lr=0.1, momentum=0.9)

    opt.add_param_group({"params": net.features.parameters(), "lr": 0.01})
    before = net.features.bias.detach().clone()
    net.features.bias.grad = torch.ones(2)
    opt.step()

    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["lr"] == 0.01
    assert opt.param_groups[1]["momentum"] == 0.9
    # the first momentum step is the gradient itself: the new group now trains at its own lr
    torch.testing.assert_close(net.features.bias.detach(), before - 0.01)


def test_add_param_group_rejects_a_parameter_already_present():
    """A parameter may belong to only one group; adding it twice raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.add_param_group.html#torch.optim.Optimizer.add_param_group
    """
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)

    with raises_exactly(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": net.classifier.parameters()})


def test_add_param_group_rejects_a_non_dict():
    """`add_param_group` takes one dict; a list of tensors raises a TypeError.

    The argument is a whole group (`{"params": [...], "lr": ...}`), not the parameters
    alone. torch 2.0 checked it with an `assert`, so the error was an AssertionError (and
    none at all under `python -O`).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.add_param_group.html#torch.optim.Optimizer.add_param_group
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    expected, message = by_version(
        {"<2.1": (AssertionError, "param group must be a dict"), ">=2.1": (TypeError, "param_group must be a dict, but got")}
    )

    with raises_exactly(expected, match=message):
        opt.add_param_group([nn.Parameter(torch.zeros(1))])


def test_optimizer_rejects_an_empty_parameter_list():
    """An optimiser built on no parameters raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-it
    """
    with raises_exactly(ValueError, match="optimizer got an empty parameter list"):
        torch.optim.SGD([], lr=0.1)


def test_optimizer_rejects_a_single_tensor_and_non_tensors():
    """The constructor wants an *iterable* of tensors: a bare tensor, or a list holding a float, is a TypeError.

    `SGD(model.weight)` is an easy slip (iterating a tensor would yield its rows, not
    leaves), so it is refused outright; so is anything in the list that is not a tensor.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-it
    """
    w = nn.Parameter(torch.zeros(1))

    with raises_exactly(TypeError, match=r"should be an iterable of Tensors or dicts, but got torch\.FloatTensor"):
        torch.optim.SGD(w, lr=0.1)
    with raises_exactly(TypeError, match="optimizer can only optimize Tensors, but one of the params is float"):
        torch.optim.SGD([1.0], lr=0.1)


@pytest.mark.torch_version(">=2.6")  # named parameters arrived with https://github.com/pytorch/pytorch/pull/134107
def test_optimizer_accepts_named_parameters_and_keeps_their_names():
    """An optimiser built on `model.named_parameters()` keeps each name in its group's `param_names`.

    The page's second construction: the iterable may hold `(name, Parameter)` tuples. The
    optimiser still steps the parameters themselves; the names travel with the group into
    `state_dict()` (under `param_names`), beside the integer ids. Releases before 2.6 took
    only tensors or dicts.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-it
    """
    model = nn.Linear(2, 1)

    opt = torch.optim.SGD(model.named_parameters(), lr=0.01, momentum=0.9)

    group = opt.param_groups[0]
    assert group["param_names"] == ["weight", "bias"]
    assert group["params"][0] is model.weight and group["params"][1] is model.bias
    saved = opt.state_dict()["param_groups"][0]
    assert (saved["params"], saved["param_names"]) == ([0, 1], ["weight", "bias"])


def test_param_group_weight_decay_zero_exempts_the_biases():
    """A group with `weight_decay=0` is not decayed while the others use the constructor's `weight_decay`.

    The page's example splits `named_parameters()` into biases and the rest so that only
    weights are penalised. With a zero gradient the step is pure decay: the weight shrinks
    by `lr * wd * w`, the bias stays.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#per-parameter-options
    """
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(2.0)
        model.bias.fill_(2.0)
    bias_params = [p for name, p in model.named_parameters() if "bias" in name]
    others = [p for name, p in model.named_parameters() if "bias" not in name]
    opt = torch.optim.SGD([{"params": others}, {"params": bias_params, "weight_decay": 0}], weight_decay=1e-2, lr=1e-2)
    model.weight.grad, model.bias.grad = torch.zeros(1, 1), torch.zeros(1)

    opt.step()

    assert [g["weight_decay"] for g in opt.param_groups] == [1e-2, 0]
    torch.testing.assert_close(model.weight.detach(), torch.tensor([[2.0 - 1e-2 * 1e-2 * 2.0]]))
    assert model.bias.tolist() == [2.0]


def test_parameters_generator_is_used_up_by_the_first_optimizer():
    """`model.parameters()` is a generator: a second optimiser given the same one gets nothing.

    Call `model.parameters()` again for each optimiser (or make a list once).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.parameters
    """
    params = nn.Linear(2, 1).parameters()
    torch.optim.SGD(params, lr=0.1)

    with raises_exactly(ValueError, match="empty parameter list"):
        torch.optim.SGD(params, lr=0.1)


@pytest.mark.claim("S2-123", verdict="true")
def test_param_group_lr_can_be_set_by_hand():
    """Writing `group['lr']` changes the step size of the very next `step()`.

    The note's loop `for g in optimizer.param_groups: g['lr'] = lr` is how schedulers work
    too: the optimiser reads `lr` from the group at every step.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([w], lr=0.1)

    for group in opt.param_groups:
        group["lr"] = 0.5
    w.grad = torch.tensor([1.0])
    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([0.5]))


@pytest.mark.claim("S2-120", verdict="outdated")
@pytest.mark.claim("S1-042", verdict="outdated")
def test_zero_grad_sets_grads_to_none():
    """`zero_grad()` sets every `.grad` to `None`, not to a tensor of zeros.

    The notes say `zero_grad` resets gradients to 0. That was the default before PyTorch
    2.0; since 2.0 `set_to_none=True` is the default, which frees the memory and lets the
    next `backward()` write the gradient instead of adding to zeros. The effect on training
    is the same; code that reads `p.grad` after `zero_grad()` now sees `None`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html#torch.optim.Optimizer.zero_grad
    """
    w = nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([w], lr=0.1)
    w.sum().backward()

    opt.zero_grad()

    assert w.grad is None


def test_zero_grad_set_to_none_false_fills_zeros():
    """`zero_grad(set_to_none=False)` keeps the gradient tensor and fills it with zeros.

    That is the old behaviour; it keeps the same `.grad` object alive.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html#torch.optim.Optimizer.zero_grad
    """
    w = nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([w], lr=0.1)
    w.sum().backward()
    grad = w.grad

    opt.zero_grad(set_to_none=False)

    assert w.grad is grad
    assert w.grad.tolist() == [0.0, 0.0]


def test_zero_grad_none_grad_is_not_a_zero_tensor():
    """After the default `zero_grad()`, arithmetic on `.grad` fails, where zeros from `set_to_none=False` would work.

    The first difference the page lists: code that reads `p.grad` by hand gets `None`,
    and `None + 1` is a TypeError, while a zero-filled gradient gives ones.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html#torch.optim.Optimizer.zero_grad
    """
    nulled, zeroed = nn.Parameter(torch.ones(2)), nn.Parameter(torch.ones(2))
    opt_nulled, opt_zeroed = torch.optim.SGD([nulled], lr=0.1), torch.optim.SGD([zeroed], lr=0.1)
    nulled.sum().backward()
    zeroed.sum().backward()

    opt_nulled.zero_grad()
    opt_zeroed.zero_grad(set_to_none=False)

    with raises_exactly(TypeError, match=r"unsupported operand type\(s\) for \+: 'NoneType' and 'int'"):
        nulled.grad + 1
    assert (zeroed.grad + 1).tolist() == [1.0, 1.0]


def test_zero_grad_to_zeros_still_steps_while_none_skips():
    """A zero gradient is still a step (weight decay, momentum apply); a `None` gradient is no step at all.

    `zero_grad`'s documentation warns that the two settings differ: after
    `zero_grad(set_to_none=False)` a parameter that got no new gradient is decayed by
    `lr * wd * w`; after the default `zero_grad()` it is skipped and keeps its value.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html#torch.optim.Optimizer.zero_grad
    """
    zeroed, nulled = nn.Parameter(torch.tensor([2.0])), nn.Parameter(torch.tensor([2.0]))
    opt_zeroed = torch.optim.SGD([zeroed], lr=0.1, weight_decay=0.5)
    opt_nulled = torch.optim.SGD([nulled], lr=0.1, weight_decay=0.5)
    zeroed.sum().backward()
    nulled.sum().backward()

    opt_zeroed.zero_grad(set_to_none=False)
    opt_nulled.zero_grad()
    opt_zeroed.step()
    opt_nulled.step()

    torch.testing.assert_close(zeroed.detach(), torch.tensor([2.0 - 0.1 * 0.5 * 2.0]))
    assert nulled.tolist() == [2.0]


def test_zero_grad_then_backward_leaves_none_where_no_gradient_flowed():
    """After `zero_grad()`, a backward pass that does not reach a parameter leaves its `.grad` `None`.

    Guaranteed by the default `set_to_none=True`: the unused parameter is then skipped by
    `step()`, instead of holding a stale or zero gradient.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html#torch.optim.Optimizer.zero_grad
    """
    used, unused = nn.Parameter(torch.ones(1)), nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([used, unused], lr=0.1)
    (used * unused).sum().backward()

    opt.zero_grad()
    (used * 3).sum().backward()

    assert unused.grad is None
    assert used.grad.tolist() == [3.0]


def test_step_skips_parameters_without_grad():
    """`step()` leaves a parameter whose `.grad` is `None` untouched, even with weight decay.

    A frozen or unused parameter has no gradient, and the optimiser skips it entirely:
    no decay, no momentum, no state.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#taking-an-optimization-step
    """
    used, unused = nn.Parameter(torch.ones(1)), nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([used, unused], lr=0.1, momentum=0.9, weight_decay=0.1)
    used.sum().backward()

    opt.step()

    assert unused.tolist() == [1.0]
    assert used.item() < 1.0
    assert unused not in opt.state


@pytest.mark.claim("S2-085", verdict="true")
def test_step_updates_only_the_parameters_it_was_given():
    """`step()` changes the parameters in its groups and nothing else, even if they have grads.

    The note is right: an optimiser built on `model_a.parameters()` never touches `model_b`,
    although `backward()` filled gradients for both.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#taking-an-optimization-step
    """
    a, b = nn.Parameter(torch.ones(1)), nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([a], lr=0.1)
    (a * b).sum().backward()

    opt.step()

    torch.testing.assert_close(a.detach(), torch.tensor([0.9]))
    assert b.tolist() == [1.0]
    assert b.grad.tolist() == [1.0]


@pytest.mark.claim("S2-038", verdict="true")
def test_optimizer_state_dict_holds_state_and_param_groups():
    """`optimizer.state_dict()` has two keys, `'state'` and `'param_groups'`.

    The note prints both, correctly. `'param_groups'` holds every option per group;
    `'state'` holds per-parameter buffers (momentum here) and is empty until the first step.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.state_dict.html#torch.optim.Optimizer.state_dict
    """
    w = nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    w.sum().backward()
    opt.step()

    sd = opt.state_dict()

    assert list(sd) == ["state", "param_groups"]
    assert sd["param_groups"][0]["lr"] == 0.1
    assert list(sd["state"][0]) == ["momentum_buffer"]


def test_optimizer_state_dict_refers_to_params_by_index():
    """The state dict names parameters by position (0, 1, ...), not by tensor or name.

    The page: state is saved per parameter, "and the parameter itself is NOT saved";
    `state` maps each integer id to its buffers. That makes it loadable into a fresh optimiser over a fresh model, provided the
    parameters are passed in the same order.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.state_dict.html#torch.optim.Optimizer.state_dict
    """
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.weight.grad, model.bias.grad = torch.ones(1, 2), torch.ones(1)
    opt.step()

    sd = opt.state_dict()

    assert sd["param_groups"][0]["params"] == [0, 1]
    assert sorted(sd["state"]) == [0, 1]
    saved = [sd["state"][i]["momentum_buffer"] for i in (0, 1)]
    assert not any(t is p for t in saved for p in model.parameters())


def test_optimizer_state_dict_numbers_params_across_groups():
    """Parameter ids in the state dict run on across groups, and `state` is keyed by those ints.

    Two groups of one and two parameters get ids `[0]` and `[1, 2]`; after a momentum
    step `state` maps each id to its buffer. Loading zips these ids with the parameters
    in order, so the optimiser must be rebuilt with the same groups in the same order.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.state_dict.html#torch.optim.Optimizer.state_dict
    """
    a, b, c = (nn.Parameter(torch.ones(1)) for _ in range(3))
    opt = torch.optim.SGD([{"params": [a]}, {"params": [b, c], "lr": 0.01}], lr=0.1, momentum=0.9)
    for p in (a, b, c):
        p.grad = torch.ones(1)
    opt.step()

    sd = opt.state_dict()

    assert [g["params"] for g in sd["param_groups"]] == [[0], [1, 2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.01]
    assert sorted(sd["state"]) == [0, 1, 2]
    assert sd["state"][2]["momentum_buffer"] is opt.state[c]["momentum_buffer"]


def test_optimizer_load_state_dict_resumes_identically():
    """Loading an optimiser's `state_dict` into a fresh one continues with the same momentum.

    Two runs: one does four steps; the other does two, is rebuilt from a snapshot of the
    weights and the optimiser's state dict, then does two more. They end bit-identical.
    The snapshot is a `deepcopy` (as `torch.save` would be): see the next test for why.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.load_state_dict.html#torch.optim.Optimizer.load_state_dict
    """

    def train(w, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((w - 3) ** 2).sum().backward()
            opt.step()

    w = nn.Parameter(torch.zeros(2))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    train(w, opt, 2)
    w2 = nn.Parameter(w.detach().clone())
    opt2 = torch.optim.SGD([w2], lr=0.5)  # lr is overwritten by the loaded param_groups

    opt2.load_state_dict(copy.deepcopy(opt.state_dict()))
    train(w, opt, 2)
    train(w2, opt2, 2)

    assert torch.equal(w.detach(), w2.detach())
    assert opt2.param_groups[0]["lr"] == 0.1


def test_load_state_dict_rejects_a_different_number_of_groups():
    """Loading a state dict with another number of parameter groups raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.load_state_dict.html#torch.optim.Optimizer.load_state_dict
    """
    one_group = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    two_groups = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]}, {"params": [nn.Parameter(torch.zeros(1))]}], lr=0.1)

    with raises_exactly(ValueError, match="loaded state dict has a different number of parameter groups"):
        one_group.load_state_dict(two_groups.state_dict())


def test_load_state_dict_rejects_a_group_of_another_size():
    """Loading a group with another number of parameters raises a ValueError.

    Ids are matched to parameters by position only, so the sizes are the one thing the
    optimiser can check.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.load_state_dict.html#torch.optim.Optimizer.load_state_dict
    """
    one = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    two = torch.optim.SGD([nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(1))], lr=0.1)

    with raises_exactly(ValueError, match="loaded state dict contains a parameter group that doesn't match the size of optimizer's group"):
        one.load_state_dict(two.state_dict())


def test_load_state_dict_pairs_state_by_position_without_checking():
    """`load_state_dict` zips saved ids with the current parameters in order and verifies nothing else: swap them and the buffers swap.

    The page's note: ids "may look like indices", and loading matches state "WITHOUT
    additional verification". An optimiser rebuilt over `[b, a]` instead of `[a, b]`
    loads without complaint, and `b` receives the buffer that belonged to `a`, even
    though their shapes differ.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.state_dict.html#torch.optim.Optimizer.state_dict
    """
    a, b = nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(2))
    opt = torch.optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = torch.tensor([5.0]), torch.tensor([1.0, 2.0])
    opt.step()
    swapped = torch.optim.SGD([b, a], lr=0.1, momentum=0.9)

    swapped.load_state_dict(copy.deepcopy(opt.state_dict()))

    assert swapped.state[b]["momentum_buffer"].tolist() == [5.0]
    assert swapped.state[a]["momentum_buffer"].tolist() == [1.0, 2.0]


def test_load_state_dict_before_creating_a_scheduler_loses_the_loaded_lr():
    """Load the optimiser after creating its LR scheduler: a scheduler created afterwards rescales the loaded `lr`.

    The page's warning. A `LinearLR` from 0.5 to 1 over 4 epochs, two epochs in, has
    `lr = 1 * (0.5 + 0.5 * 2 / 4) = 0.75`. Restored in the documented order (scheduler
    created and loaded, then the optimiser) the group gets 0.75 back. Loading the
    optimiser first and then creating the scheduler applies the start factor to the
    loaded value: `0.75 * 0.5 = 0.375`, and loading the scheduler's state does not undo it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.load_state_dict.html#torch.optim.Optimizer.load_state_dict
    """

    def make():
        opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
        return opt, lambda: torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=4)

    opt, new_scheduler = make()
    scheduler = new_scheduler()
    for _ in range(2):
        opt.step()
        scheduler.step()
    saved_opt, saved_sched = copy.deepcopy(opt.state_dict()), copy.deepcopy(scheduler.state_dict())
    right, new_right = make()
    wrong, new_wrong = make()

    new_right().load_state_dict(saved_sched)
    right.load_state_dict(saved_opt)
    wrong.load_state_dict(saved_opt)
    new_wrong().load_state_dict(saved_sched)

    assert opt.param_groups[0]["lr"] == pytest.approx(0.75)
    assert right.param_groups[0]["lr"] == pytest.approx(0.75)
    assert wrong.param_groups[0]["lr"] == pytest.approx(0.375)


@pytest.mark.torch_version(">=2.6")  # named parameters arrived with https://github.com/pytorch/pytorch/pull/134107
def test_load_state_dict_matches_by_position_not_by_name():
    """`load_state_dict` ignores `param_names` when matching state: it zips by position, then adopts the loaded names.

    The source optimiser names its parameters `weight`, `bias`; the target's are
    `0.weight`, `0.bias`. Loading still succeeds, the momentum buffers land on the
    parameters in the same positions, and the group's `param_names` become the loaded ones.
    Matching by name takes a `register_load_state_dict_pre_hook`, as the page shows.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.load_state_dict.html#torch.optim.Optimizer.load_state_dict
    """
    source_model = nn.Linear(1, 1)
    source = torch.optim.SGD(source_model.named_parameters(), lr=0.1, momentum=0.9)
    source_model.weight.grad, source_model.bias.grad = torch.full((1, 1), 2.0), torch.full((1,), 3.0)
    source.step()
    target_model = nn.Sequential(nn.Linear(1, 1))
    target = torch.optim.SGD(target_model.named_parameters(), lr=0.5, momentum=0.9)
    assert target.param_groups[0]["param_names"] == ["0.weight", "0.bias"]

    target.load_state_dict(source.state_dict())

    assert target.param_groups[0]["param_names"] == ["weight", "bias"]
    assert target.state[target_model[0].weight]["momentum_buffer"].tolist() == [[2.0]]
    assert target.state[target_model[0].bias]["momentum_buffer"].tolist() == [3.0]


@pytest.mark.torch_version(">=2.6")  # named parameters arrived with https://github.com/pytorch/pytorch/pull/134107
def test_load_state_dict_keeps_names_when_the_loaded_dict_has_none():
    """Loading a state dict saved without `param_names` leaves the optimiser's own names unchanged.

    The other half of the page's note: names from the file replace the optimiser's only
    when the file has them. A state dict from an optimiser built on plain parameters has
    no `param_names`, so the target keeps `weight` and `bias`, and the state still loads
    by position.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.load_state_dict.html#torch.optim.Optimizer.load_state_dict
    """
    source_model, target_model = nn.Linear(1, 1), nn.Linear(1, 1)
    source = torch.optim.SGD(source_model.parameters(), lr=0.1, momentum=0.9)
    source_model.weight.grad, source_model.bias.grad = torch.full((1, 1), 2.0), torch.full((1,), 3.0)
    source.step()
    target = torch.optim.SGD(target_model.named_parameters(), lr=0.1, momentum=0.9)
    assert "param_names" not in source.state_dict()["param_groups"][0]

    target.load_state_dict(source.state_dict())

    assert target.param_groups[0]["param_names"] == ["weight", "bias"]
    assert target.state[target_model.bias]["momentum_buffer"].tolist() == [3.0]


def test_optimizer_state_dict_shares_tensors_with_the_optimizer():
    """`state_dict()` returns references to the live state tensors, not copies.

    The momentum buffer in the dict *is* the optimiser's buffer, so it keeps changing as
    training goes on. Keeping a "best so far" state dict in memory needs `copy.deepcopy`;
    `torch.save` writes a snapshot anyway.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.state_dict.html#torch.optim.Optimizer.state_dict
    """
    w = nn.Parameter(torch.ones(1))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = torch.ones(1)
    opt.step()

    sd = opt.state_dict()
    opt.step()

    assert sd["state"][0]["momentum_buffer"] is opt.state[w]["momentum_buffer"]
    torch.testing.assert_close(sd["state"][0]["momentum_buffer"], torch.tensor([1.9]))


def test_step_with_closure_returns_the_loss():
    """`step(closure)` calls the closure once for SGD and returns its loss.

    The closure re-evaluates the model; SGD needs one evaluation per step, so it calls
    it once, before updating, and hands back what it returned.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.step.html#torch.optim.Optimizer.step
    """
    w = nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.SGD([w], lr=0.1)

    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)

    assert len(calls) == 1
    assert loss.item() == 4.0
    torch.testing.assert_close(w.detach(), torch.tensor([2.0 - 0.1 * 4.0]))


def test_step_hooks_run_before_and_after_the_update_until_removed():
    """`register_step_pre_hook` runs before `step()` changes the weights, `register_step_post_hook` after; each returns a removable handle.

    Each hook is called as `hook(optimizer, args, kwargs)`. Here the pre-hook sees the
    weight still at 0 and the post-hook sees it at `-lr * grad`; after `handle.remove()`
    a further step calls neither.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.register_step_pre_hook.html#torch.optim.Optimizer.register_step_pre_hook
    """
    w = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([w], lr=0.1)
    seen = []
    pre = opt.register_step_pre_hook(lambda optimizer, args, kwargs: seen.append(("pre", optimizer is opt, w.item())))
    post = opt.register_step_post_hook(lambda optimizer, args, kwargs: seen.append(("post", optimizer is opt, w.item())))
    w.grad = torch.ones(1)

    opt.step()
    pre.remove()
    post.remove()
    opt.step()

    assert seen == [("pre", True, 0.0), ("post", True, torch.tensor(-0.1).item())]


@pytest.mark.claim("S2-121", verdict="true")
# torch 2.8's LBFGS calls float() on the loss the closure returns, which warns there only.
@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True to a scalar:UserWarning")
def test_lbfgs_calls_the_closure_several_times():
    """LBFGS evaluates the loss many times within one `step`, so it needs a closure.

    The note is right: the closure must clear the gradients, compute the loss, call
    `backward()` and return the loss. One LBFGS `step` runs up to `max_iter` iterations,
    evaluating the closure at most `max_eval` times (default `max_iter * 5 // 4`, 25 here),
    and here solves the quadratic outright.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#optimizer-step-closure
    """
    w = nn.Parameter(torch.zeros(2))
    opt = torch.optim.LBFGS([w], lr=1.0, max_iter=20)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((w - torch.tensor([1.0, -2.0])) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)

    assert 1 < len(calls) <= 20 * 5 // 4
    torch.testing.assert_close(w.detach(), torch.tensor([1.0, -2.0]))


def test_lbfgs_step_without_closure_raises():
    """`LBFGS.step()` without a closure raises a TypeError: the argument is required.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.LBFGS.html#torch.optim.LBFGS
    """
    w = nn.Parameter(torch.zeros(2))
    opt = torch.optim.LBFGS([w])

    with raises_exactly(TypeError, match=r"step\(\) missing 1 required positional argument: 'closure'"):
        opt.step()

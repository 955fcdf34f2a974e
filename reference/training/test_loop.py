"""The training loop

One training step is `zero_grad -> forward -> loss -> backward -> step`. Each part has a
job: `backward` *adds* gradients into `.grad`, `step` reads them, `zero_grad` clears them.
This page checks the loop, then what goes wrong when a part is missing or moved, then
gradient accumulation, clipping, and the evaluation pass with its accuracy and average loss.
"""

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def data():
    torch.manual_seed(0)
    x = torch.randn(8, 3)
    y = x @ torch.tensor([1.0, -2.0, 0.5]) + 0.3
    return x, y.unsqueeze(1)


def test_training_loop_lowers_the_loss():
    """The five-step loop lowers the loss of a linear model on its own data.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#taking-an-optimization-step
    """
    x, y = data()
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    first = loss_fn(model(x), y).item()

    for _ in range(50):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    assert loss.item() < 0.01 * first


def test_backward_adds_to_the_existing_grad():
    """Without `zero_grad`, a second `backward()` adds its gradient to the first.

    Accumulation is deliberate (it makes gradient accumulation and shared weights work),
    so forgetting `zero_grad` silently steps along the sum of all past gradients.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    w = nn.Parameter(torch.tensor([1.0]))

    (3 * w).sum().backward()
    (3 * w).sum().backward()

    assert w.grad.tolist() == [6.0]


def test_missing_zero_grad_makes_steps_grow():
    """A loop without `zero_grad` takes steps of `lr * (g1 + g2 + ...)`, not `lr * g`.

    With a constant gradient of 1 and lr 0.1 the weight moves 0.1, then 0.2, then 0.3: it
    behaves like momentum that never decays.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.SGD([w], lr=0.1)

    for _ in range(3):
        w.sum().backward()  # gradient 1 each time, but it piles up
        opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([-(0.1 + 0.2 + 0.3)]))


def test_zero_grad_between_backward_and_step_loses_the_gradient():
    """`zero_grad()` placed after `backward()` wipes the gradient, and `step()` does nothing.

    With `set_to_none=True` (the default) the grad is `None`, so `step()` skips the
    parameter altogether: training silently stands still.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Optimizer.zero_grad.html
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([w], lr=0.1)

    (w**2).sum().backward()
    opt.zero_grad()
    opt.step()

    assert w.grad is None
    assert w.tolist() == [1.0]


def test_step_before_backward_uses_the_previous_gradient():
    """`step()` before `backward()` applies the gradient of the *previous* batch.

    Each update lags one batch behind; the first `step()` finds no gradient at all and does
    nothing.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#taking-an-optimization-step
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.SGD([w], lr=1.0)
    batches = [torch.tensor([1.0]), torch.tensor([10.0])]

    for xb in batches:
        opt.step()  # too early: before this batch's backward
        opt.zero_grad()
        (w * xb).sum().backward()

    # step 1 found no grad; step 2 used batch 1's gradient (1.0)
    assert w.tolist() == [-1.0]
    assert w.grad.tolist() == [10.0]  # batch 2's gradient is never used


def test_gradient_accumulation_equals_one_big_batch():
    """Summing `loss / k` over `k` equal micro-batches gives the gradient of one big batch.

    A mean loss over 8 samples is the average of the four 2-sample means, so each
    micro-batch's loss is divided by 4 before `backward()`, and `step()` comes once after
    all four.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x, y = data()
    torch.manual_seed(1)
    big = nn.Linear(3, 1)
    small = nn.Linear(3, 1)
    small.load_state_dict(big.state_dict())
    loss_fn = nn.MSELoss()

    loss_fn(big(x), y).backward()
    for xb, yb in zip(x.split(2), y.split(2)):
        (loss_fn(small(xb), yb) / 4).backward()

    torch.testing.assert_close(small.weight.grad, big.weight.grad)
    torch.testing.assert_close(small.bias.grad, big.bias.grad)


def test_gradient_accumulation_without_dividing_is_k_times_too_big():
    """Accumulating micro-batch losses without dividing by `k` multiplies the gradient by `k`.

    The same as raising the learning rate `k` times, which is rarely what was meant.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.backward.html
    """
    x, y = data()
    torch.manual_seed(1)
    big = nn.Linear(3, 1)
    small = nn.Linear(3, 1)
    small.load_state_dict(big.state_dict())
    loss_fn = nn.MSELoss()

    loss_fn(big(x), y).backward()
    for xb, yb in zip(x.split(2), y.split(2)):
        loss_fn(small(xb), yb).backward()

    torch.testing.assert_close(small.weight.grad, 4 * big.weight.grad)


def test_clip_grad_norm_returns_the_norm_before_clipping():
    """`clip_grad_norm_` returns the total norm of all gradients as it was before clipping.

    The total norm treats all gradients as one vector: `sqrt(3^2 + 4^2) = 5` here. Log this
    value to see how often clipping bites.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
    """
    a, b = nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(1))
    a.grad, b.grad = torch.tensor([3.0]), torch.tensor([4.0])

    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)

    torch.testing.assert_close(total, torch.tensor(5.0))


def test_clip_grad_norm_rescales_grads_to_max_norm():
    """When the total norm exceeds `max_norm`, every gradient is scaled by `max_norm / total`.

    The direction is kept; only the length shrinks, to 1 here (up to a `1e-6` guard).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
    """
    a, b = nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(1))
    a.grad, b.grad = torch.tensor([3.0]), torch.tensor([4.0])

    nn.utils.clip_grad_norm_([a, b], max_norm=1.0)

    torch.testing.assert_close(torch.cat([a.grad, b.grad]), torch.tensor([0.6, 0.8]), rtol=1e-5, atol=1e-6)


def test_clip_grad_norm_leaves_small_grads_alone():
    """Gradients whose total norm is below `max_norm` are not changed.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
    """
    a = nn.Parameter(torch.zeros(2))
    a.grad = torch.tensor([0.3, 0.4])

    nn.utils.clip_grad_norm_([a], max_norm=1.0)

    assert a.grad.tolist() == pytest.approx([0.3, 0.4])


def test_clip_grad_value_clamps_each_element():
    """`clip_grad_value_` clamps every gradient element into `[-clip, clip]`, changing its direction.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_value_.html
    """
    a = nn.Parameter(torch.zeros(3))
    a.grad = torch.tensor([-5.0, 0.5, 2.0])

    nn.utils.clip_grad_value_([a], clip_value=1.0)

    assert a.grad.tolist() == [-1.0, 0.5, 1.0]


def test_eval_mode_turns_dropout_off():
    """`model.eval()` makes dropout the identity; `model.train()` turns it back on.

    Evaluate in eval mode, or the scores are noisy and too low.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.eval
    """
    model = nn.Dropout(p=0.5)
    x = torch.ones(100)

    model.eval()
    out = model(x)
    model.train()
    torch.manual_seed(0)
    trained = model(x)

    assert torch.equal(out, x)
    assert (trained == 0).any() and set(trained.tolist()) == {0.0, 2.0}


def test_eval_mode_does_not_turn_off_autograd():
    """`model.eval()` does not stop gradient tracking; `torch.no_grad()` does.

    They answer different questions: `eval()` switches layer behaviour (dropout,
    batch-norm statistics), `no_grad()` skips building the graph and saves memory.
    Evaluation wants both.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.no_grad.html
    """
    model = nn.Linear(2, 1).eval()
    x = torch.ones(1, 2)

    with_grad = model(x)
    with torch.no_grad():
        without = model(x)

    assert with_grad.requires_grad
    assert not without.requires_grad


@pytest.mark.claim("S2-039", verdict="true")
def test_argmax_equality_counts_correct_predictions():
    """`(pred.argmax(1) == y).type(torch.float).sum().item()` is the number of correct predictions.

    The note is right: `argmax(1)` picks the class with the highest score per row, the
    comparison gives booleans, and the float sum counts the `True`s.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.argmax.html
    """
    pred = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    y = torch.tensor([1, 0, 0, 0])

    correct = (pred.argmax(1) == y).type(torch.float).sum().item()

    assert correct == 3.0


@pytest.mark.claim("S1-046", verdict="true")
def test_average_loss_weights_each_batch_by_its_size():
    """Summing `loss.item() * len(x)` over batches and dividing by `len(dataset)` gives the mean loss.

    The note is right. A mean-reduced loss is a per-batch average; multiplying by the batch
    size turns it back into a sum, so the last, shorter batch gets its proper weight.

    Docs: https://docs.pytorch.org/docs/stable/data.html#automatic-batching-default
    """
    x, y = data()
    model = nn.Linear(3, 1)
    loader = DataLoader(TensorDataset(x[:7], y[:7]), batch_size=3)  # batches of 3, 3, 1
    loss_fn = nn.MSELoss()

    total = 0.0
    with torch.no_grad():
        for xb, yb in loader:
            total += loss_fn(model(xb), yb).item() * len(xb)
        full = loss_fn(model(x[:7]), y[:7]).item()

    assert total / len(loader.dataset) == pytest.approx(full, rel=1e-5)


def test_mean_of_batch_losses_is_off_when_the_last_batch_is_short():
    """Averaging per-batch mean losses over-weights a short last batch.

    With batches of 3, 3 and 1 samples, the lone sample counts as much as each batch of
    three. The difference vanishes only when every batch has the same size.

    Docs: https://docs.pytorch.org/docs/stable/data.html#automatic-batching-default
    """
    losses = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 8.0])  # per-sample losses
    batches = losses.split(3)  # 3, 3, 1

    mean_of_means = sum(b.mean() for b in batches) / len(batches)

    assert losses.mean().item() == 2.0
    assert mean_of_means.item() == pytest.approx((1 + 1 + 8) / 3)

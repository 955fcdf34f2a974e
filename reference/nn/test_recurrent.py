"""Recurrent layers

`nn.RNN`, `nn.LSTM` and `nn.GRU` run a cell over a sequence and return two things that are
easy to mix up: `output`, the last layer's hidden state at *every* time step, and `h_n`, the
*last* time step of *every* layer and direction. The page checks the cell equations by hand,
then the shapes that `batch_first`, `num_layers`, `bidirectional` and `proj_size` produce,
then the parameters and the other constructor options, and ends with variable-length
batches: padding, packing, unpacking and the final states of a packed batch.
"""

import math

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pack_sequence, pad_packed_sequence, pad_sequence

from torchref import raises_exactly, warns_exactly


def rnn_by_hand(rnn, x):
    """The loop of the `nn.RNN` docs: layer by layer inside each time step, for (L, N, H_in) input."""
    params = dict(rnn.named_parameters())
    seq_len, batch, _ = x.shape
    h = torch.zeros(rnn.num_layers, batch, rnn.hidden_size, dtype=x.dtype)
    output = []
    for t in range(seq_len):
        h_prev = h.clone()
        for layer in range(rnn.num_layers):
            layer_input = x[t] if layer == 0 else h[layer - 1]
            h[layer] = torch.tanh(
                layer_input @ params[f"weight_ih_l{layer}"].T
                + params[f"bias_ih_l{layer}"]
                + h_prev[layer] @ params[f"weight_hh_l{layer}"].T
                + params[f"bias_hh_l{layer}"]
            )
        output.append(h[-1].clone())
    return torch.stack(output), h


def test_rnn_step_is_tanh_of_input_and_hidden_terms():
    """One step of `nn.RNN` computes `tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`.

    With a one-step sequence and a given initial state `h0`, the output is that single
    formula; the weights are the module's `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0` and
    `bias_hh_l0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html#torch.nn.RNN
    """
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, dtype=torch.float64)
    x = torch.randn(1, 2, 3, dtype=torch.float64)
    h0 = torch.randn(1, 2, 4, dtype=torch.float64)

    output, h_n = rnn(x, h0)

    expected = torch.tanh(x[0] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h0[0] @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
    torch.testing.assert_close(output[0], expected)
    torch.testing.assert_close(h_n[0], expected)


@pytest.mark.shows("rnn_by_hand")
def test_rnn_output_is_last_layer_at_every_step_and_h_n_is_last_step_of_every_layer():
    """`output[t]` is the top layer's state at step `t`; `h_n[k]` is layer `k`'s state at the last step.

    A two-layer RNN run by hand (the loop of the docs, shown beside) gives both: the stacked
    top-layer states are `output`, the states left after the last step are `h_n`. Without an
    `hx`, the initial state is zeros.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html#torch.nn.RNN
    """
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, num_layers=2, dtype=torch.float64)
    x = torch.randn(5, 2, 3, dtype=torch.float64)

    output, h_n = rnn(x)
    expected_output, expected_h_n = rnn_by_hand(rnn, x)

    assert output.shape == (5, 2, 4)
    assert h_n.shape == (2, 2, 4)
    torch.testing.assert_close(output, expected_output)
    torch.testing.assert_close(h_n, expected_h_n)
    torch.testing.assert_close(output[-1], h_n[-1])


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU], ids=["RNN", "GRU"])
def test_rnn_last_output_equals_h_n_for_one_layer(cls):
    """For a one-layer, one-direction net, `output[-1]` and `h_n[0]` are the same numbers.

    `h_n` is then no new information: it is the last row of `output`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html#torch.nn.RNN
    """
    torch.manual_seed(0)
    net = cls(3, 4)
    x = torch.randn(5, 2, 3)

    output, h_n = net(x)

    assert h_n.shape == (1, 2, 4)
    torch.testing.assert_close(output[-1], h_n[0])


def test_lstm_returns_output_and_a_pair_h_n_c_n():
    """`nn.LSTM` returns `(output, (h_n, c_n))`: a cell state `c_n` of the same shape comes with `h_n`.

    `h_n` is again the last row of `output`; `c_n` is the memory cell, which `output` never
    shows. The initial `(h_0, c_0)` defaults to zeros.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4)
    x = torch.randn(5, 2, 3)
    zeros = torch.zeros(1, 2, 4)

    output, (h_n, c_n) = lstm(x)

    assert output.shape == (5, 2, 4)
    assert h_n.shape == c_n.shape == (1, 2, 4)
    torch.testing.assert_close(output[-1], h_n[0])
    assert not torch.allclose(c_n, h_n)
    torch.testing.assert_close(lstm(x, (zeros, zeros))[0], output)


def test_lstm_step_follows_the_gate_equations_in_i_f_g_o_order():
    """One step of `nn.LSTM` computes the gates `i, f, g, o` from four row blocks of `weight_ih_l0` and `weight_hh_l0`.

    The pre-activation `x W_ih^T + b_ih + h W_hh^T + b_hh` splits into four chunks of
    `hidden_size` in the order input, forget, cell, output (`W_ii|W_if|W_ig|W_io`). Then
    `c_1 = f * c_0 + i * g` and `h_1 = o * tanh(c_1)`, with sigmoid for `i`, `f`, `o` and tanh
    for `g`; `output[0]` is `h_1`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, dtype=torch.float64)
    x = torch.randn(1, 2, 3, dtype=torch.float64)
    h0 = torch.randn(1, 2, 4, dtype=torch.float64)
    c0 = torch.randn(1, 2, 4, dtype=torch.float64)

    output, (h_n, c_n) = lstm(x, (h0, c0))

    pre = x[0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h0[0] @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
    i, f, g, o = pre.chunk(4, dim=1)
    c1 = torch.sigmoid(f) * c0[0] + torch.sigmoid(i) * torch.tanh(g)
    h1 = torch.sigmoid(o) * torch.tanh(c1)
    torch.testing.assert_close(c_n[0], c1)
    torch.testing.assert_close(h_n[0], h1)
    torch.testing.assert_close(output[0], h1)


def test_lstm_cell_gates_are_chunks_i_f_g_o_of_the_weights():
    """`nn.LSTMCell` stacks its four gates in `weight_ih` as input, forget, cell, output: `(W_ii|W_if|W_ig|W_io)`.

    Splitting the pre-activations into four chunks in that order and applying sigmoid,
    sigmoid, tanh, sigmoid gives `c' = f * c + i * g` and `h' = o * tanh(c')`, exactly what the
    cell returns. The weights have shape (4*hidden, input) and (4*hidden, hidden).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTMCell.html#torch.nn.LSTMCell
    """
    torch.manual_seed(0)
    cell = nn.LSTMCell(3, 4, dtype=torch.float64)
    x = torch.randn(2, 3, dtype=torch.float64)
    h = torch.randn(2, 4, dtype=torch.float64)
    c = torch.randn(2, 4, dtype=torch.float64)

    h1, c1 = cell(x, (h, c))

    pre = x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
    i, f, g, o = pre.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    assert cell.weight_ih.shape == (16, 3)
    assert cell.weight_hh.shape == (16, 4)
    torch.testing.assert_close(c1, f * c + i * g)
    torch.testing.assert_close(h1, o * torch.tanh(c1))


def test_gru_cell_gates_are_r_z_n_and_reset_scales_the_hidden_term_with_its_bias():
    """`nn.GRUCell` stacks its gates as reset, update, new, and the reset gate multiplies `W_hn h + b_hn`.

    The bias `b_hn` sits inside the product with `r`, which is why PyTorch keeps separate
    input and hidden biases. The new state is `(1 - z) * n + z * h`: `z` near 1 keeps the old
    state.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRUCell.html#torch.nn.GRUCell
    """
    torch.manual_seed(0)
    cell = nn.GRUCell(3, 4, dtype=torch.float64)
    x = torch.randn(2, 3, dtype=torch.float64)
    h = torch.randn(2, 4, dtype=torch.float64)

    h1 = cell(x, h)

    xr, xz, xn = (x @ cell.weight_ih.T + cell.bias_ih).chunk(3, dim=1)
    hr, hz, hn = (h @ cell.weight_hh.T + cell.bias_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    torch.testing.assert_close(h1, (1 - z) * n + z * h)


def test_gru_step_applies_the_reset_gate_after_w_hn_unlike_the_paper():
    """One step of `nn.GRU` computes `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`, not the paper's `W_hn (r * h)`.

    The gates come from three row blocks (`W_ir|W_iz|W_in`, `W_hr|W_hz|W_hn`) and the new
    state is `(1 - z) * n + z * h`. The docs point out that PyTorch applies the reset gate
    after the hidden matrix product, on purpose, for efficiency; the paper's variant gives
    other numbers for the same weights.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html#torch.nn.GRU
    """
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, dtype=torch.float64)
    x = torch.randn(1, 2, 3, dtype=torch.float64)
    h0 = torch.randn(1, 2, 4, dtype=torch.float64)

    output, h_n = gru(x, h0)

    xr, xz, xn = (x[0] @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=1)
    hr, hz, hn = (h0[0] @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=1)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    torch.testing.assert_close(h_n[0], (1 - z) * n + z * h0[0])
    torch.testing.assert_close(output[0], h_n[0])
    w_hn, b_hn = gru.weight_hh_l0[8:], gru.bias_hh_l0[8:]
    n_paper = torch.tanh(xn + (r * h0[0]) @ w_hn.T + b_hn)
    assert not torch.allclose(h_n[0], (1 - z) * n_paper + z * h0[0])


def test_rnn_batch_first_changes_output_but_not_h_n():
    """`batch_first=True` makes input and output (N, L, H); `h_n` and `c_n` stay (layers, N, H).

    The flag only describes `input` and `output`. Code that indexes `h_n[:, -1]` expecting
    the last time step gets the last *batch element* instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    x = torch.randn(2, 5, 3)

    output, (h_n, c_n) = lstm(x)

    assert output.shape == (2, 5, 4)
    assert h_n.shape == c_n.shape == (2, 2, 4)
    torch.testing.assert_close(output[:, -1], h_n[-1])


def test_rnn_batch_first_computes_the_same_as_the_transposed_input():
    """With the same weights, a `batch_first` net on `x` equals the default net on `x.transpose(0, 1)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html#torch.nn.GRU
    """
    torch.manual_seed(0)
    seq_first = nn.GRU(3, 4)
    batch_first = nn.GRU(3, 4, batch_first=True)
    batch_first.load_state_dict(seq_first.state_dict())
    x = torch.randn(2, 5, 3)

    out_bf, h_bf = batch_first(x)
    out_sf, h_sf = seq_first(x.transpose(0, 1))

    torch.testing.assert_close(out_bf, out_sf.transpose(0, 1))
    torch.testing.assert_close(h_bf, h_sf)


def test_bidirectional_output_concatenates_forward_and_backward_states():
    """With `bidirectional=True`, `output` is 2*hidden wide: the forward state, then the backward one.

    The forward direction ends at the last step and the backward one at the first, so
    `h_n[-2]` (forward) is `output[-1, :, :H]` and `h_n[-1]` (backward) is `output[0, :, H:]`.
    `output[-1]` is *not* the concatenation of the two final states: its backward half has
    seen one step only.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    torch.manual_seed(0)
    hidden = 4
    lstm = nn.LSTM(3, hidden, bidirectional=True)
    x = torch.randn(5, 2, 3)

    output, (h_n, _) = lstm(x)

    assert output.shape == (5, 2, 2 * hidden)
    assert h_n.shape == (2, 2, hidden)
    torch.testing.assert_close(output[-1, :, :hidden], h_n[-2])
    torch.testing.assert_close(output[0, :, hidden:], h_n[-1])
    assert not torch.allclose(output[-1, :, hidden:], h_n[-1])


def test_h_n_of_a_stacked_bidirectional_net_views_as_layers_by_directions():
    """`h_n` has `num_layers * num_directions` rows; `h_n.view(num_layers, num_directions, N, H)` separates them.

    The rows go layer by layer, forward before backward, so `[-1, 0]` is the top layer's
    forward state and `[-1, 1]` its backward state. The layer above the first reads
    2*hidden features, as `weight_ih_l1` shows.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html#torch.nn.GRU
    """
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    x = torch.randn(5, 2, 3)

    output, h_n = gru(x)
    by_layer = h_n.view(2, 2, 2, 4)

    assert h_n.shape == (4, 2, 4)
    assert gru.weight_ih_l1.shape == (3 * 4, 2 * 4)
    torch.testing.assert_close(by_layer[-1, 0], output[-1, :, :4])
    torch.testing.assert_close(by_layer[-1, 1], output[0, :, 4:])


def test_bidirectional_directions_0_and_1_run_the_sequence_forwards_and_reversed():
    """Direction 0 of a bidirectional net runs the sequence forwards, direction 1 runs it reversed with the `_reverse` weights.

    `output.view(seq_len, batch, num_directions, hidden_size)` separates the two. A
    one-direction GRU given the `*_reverse` parameters and the flipped sequence reproduces
    direction 1 (flipped back), and one given the other parameters reproduces direction 0;
    `h_n[0]` and `h_n[1]` are their final states.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html#torch.nn.GRU
    """
    torch.manual_seed(0)
    bi = nn.GRU(3, 4, bidirectional=True)
    forward, backward = nn.GRU(3, 4), nn.GRU(3, 4)
    state = bi.state_dict()
    forward.load_state_dict({name: p for name, p in state.items() if not name.endswith("_reverse")})
    backward.load_state_dict({name.removesuffix("_reverse"): p for name, p in state.items() if name.endswith("_reverse")})
    x = torch.randn(5, 2, 3)

    output, h_n = bi(x)
    by_direction = output.view(5, 2, 2, 4)
    fwd_out, fwd_h = forward(x)
    bwd_out, bwd_h = backward(x.flip(0))

    torch.testing.assert_close(by_direction[:, :, 0], fwd_out)
    torch.testing.assert_close(by_direction[:, :, 1], bwd_out.flip(0))
    torch.testing.assert_close(h_n[0], fwd_h[0])
    torch.testing.assert_close(h_n[1], bwd_h[0])


# CPU builds with oneDNN warn that they fall back to the default kernel for projections.
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN:UserWarning")
def test_lstm_proj_size_shrinks_h_but_not_c():
    """`proj_size=P` projects each hidden state to P features: `output` and `h_n` are P wide, `c_n` stays hidden.

    A `weight_hr_l0` of shape (P, hidden) does the projection, and `weight_hh_l0` then reads
    the P-wide state. `proj_size` must be smaller than `hidden_size`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 5, proj_size=2)

    output, (h_n, c_n) = lstm(torch.randn(4, 2, 3))

    assert output.shape == (4, 2, 2)
    assert h_n.shape == (1, 2, 2)
    assert c_n.shape == (1, 2, 5)
    assert lstm.weight_hr_l0.shape == (2, 5)
    assert lstm.weight_hh_l0.shape == (4 * 5, 2)
    with raises_exactly(ValueError, match=r"proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 5, proj_size=5)


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN:UserWarning")
def test_lstm_projection_multiplies_each_hidden_state_by_weight_hr():
    """With `proj_size`, one step returns `h_1 = (o * tanh(c_1)) W_hr^T`, and the P-wide `h_0` enters through `weight_hh`.

    The cell state is computed as without projection; only the hidden state is projected
    before it leaves the step. So `h_0` has P features and `c_0` has `hidden_size`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 5, proj_size=2, dtype=torch.float64)
    x = torch.randn(1, 2, 3, dtype=torch.float64)
    h0 = torch.randn(1, 2, 2, dtype=torch.float64)
    c0 = torch.randn(1, 2, 5, dtype=torch.float64)

    output, (h_n, c_n) = lstm(x, (h0, c0))

    pre = x[0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h0[0] @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
    i, f, g, o = pre.chunk(4, dim=1)
    c1 = torch.sigmoid(f) * c0[0] + torch.sigmoid(i) * torch.tanh(g)
    h1 = (torch.sigmoid(o) * torch.tanh(c1)) @ lstm.weight_hr_l0.T
    torch.testing.assert_close(c_n[0], c1)
    torch.testing.assert_close(h_n[0], h1)
    torch.testing.assert_close(output[0], h1)


def test_rnn_accepts_an_unbatched_sequence():
    """A 2-D input (L, H_in) is one unbatched sequence: `output` is (L, H) and `h_n` (layers, H).

    It equals running a batch of one and dropping the batch dimension. `batch_first` is
    ignored for such input.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    x = torch.randn(5, 3)

    output, (h_n, c_n) = lstm(x)
    batched, (h_b, _) = lstm(x.unsqueeze(0))

    assert output.shape == (5, 4)
    assert h_n.shape == c_n.shape == (2, 4)
    torch.testing.assert_close(output, batched[0])
    torch.testing.assert_close(h_n, h_b[:, 0])


def test_rnn_unbatched_input_takes_an_unbatched_initial_state():
    """For a 2-D input, `h_0` is (D * num_layers, H) too; a 3-D `h_0` with it raises RuntimeError.

    The result equals the batched run with `h_0.unsqueeze(1)`, the batch dimension dropped.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html#torch.nn.GRU
    """
    torch.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2)
    x, h0 = torch.randn(5, 3), torch.randn(2, 4)

    output, h_n = gru(x, h0)
    batched, h_b = gru(x.unsqueeze(1), h0.unsqueeze(1))

    assert output.shape == (5, 4)
    assert h_n.shape == (2, 4)
    torch.testing.assert_close(output, batched[:, 0])
    torch.testing.assert_close(h_n, h_b[:, 0])
    with raises_exactly(RuntimeError, match=r"For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"):
        gru(x, h0.unsqueeze(1))


def test_rnn_rejects_input_whose_last_dimension_is_not_input_size():
    """`input_size` is the number of features the input must have: any other last dimension raises RuntimeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html#torch.nn.RNN
    """
    rnn = nn.RNN(3, 4)

    with raises_exactly(RuntimeError, match=r"input\.size\(-1\) must be equal to input_size\. Expected 3, got 5"):
        rnn(torch.zeros(2, 1, 5))


def test_rnn_parameters_are_named_by_layer_and_direction():
    """Each layer `k` has `weight_ih_lk`, `weight_hh_lk`, `bias_ih_lk`, `bias_hh_lk`, plus `_reverse` copies when bidirectional.

    `weight_ih_l0` is (hidden, input_size); the layers above read both directions, so
    `weight_ih_l1` is (hidden, 2 * hidden). `weight_hh` is always (hidden, hidden) and each bias
    (hidden,).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html#torch.nn.RNN
    """
    rnn = nn.RNN(3, 4, num_layers=2, bidirectional=True)

    shapes = {name: tuple(p.shape) for name, p in rnn.named_parameters()}

    expected = {}
    for layer, in_features in ((0, 3), (1, 2 * 4)):
        for suffix in ("", "_reverse"):
            expected[f"weight_ih_l{layer}{suffix}"] = (4, in_features)
            expected[f"weight_hh_l{layer}{suffix}"] = (4, 4)
            expected[f"bias_ih_l{layer}{suffix}"] = (4,)
            expected[f"bias_hh_l{layer}{suffix}"] = (4,)
    assert shapes == expected


def test_lstm_parameters_stack_four_gates_and_follow_proj_size():
    """LSTM weights stack 4 gates, `weight_ih_l0` is (4*hidden, input), and with `proj_size=P` a bidirectional layer feeds 2*P features up.

    With projections, `weight_hh_lk` is (4*hidden, P) and each layer and direction gains a
    `weight_hr_lk` of shape (P, hidden), `weight_hr_lk_reverse` included.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)

    shapes = {name: tuple(p.shape) for name, p in lstm.named_parameters()}

    assert len(shapes) == 2 * 2 * 5
    assert shapes["weight_ih_l0"] == shapes["weight_ih_l0_reverse"] == (4 * 5, 3)
    assert shapes["weight_ih_l1"] == shapes["weight_ih_l1_reverse"] == (4 * 5, 2 * 2)
    assert shapes["weight_hh_l1"] == shapes["weight_hh_l0_reverse"] == (4 * 5, 2)
    assert shapes["bias_ih_l1_reverse"] == shapes["bias_hh_l0"] == (4 * 5,)
    assert shapes["weight_hr_l0"] == shapes["weight_hr_l1_reverse"] == (2, 5)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU], ids=["RNN", "LSTM", "GRU"])
def test_rnn_parameters_start_uniform_within_one_over_sqrt_hidden(cls):
    """Every weight and bias starts uniform in `(-1/sqrt(hidden), 1/sqrt(hidden))`.

    The bound depends on `hidden_size` only, not on `input_size`: with hidden 16 every
    parameter lies within 0.25, and the many draws come close to the bound.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html#torch.nn.RNN
    """
    torch.manual_seed(0)
    bound = 1 / math.sqrt(16)

    net = cls(100, 16)
    values = torch.cat([p.detach().flatten() for p in net.parameters()])

    assert values.abs().max() <= bound
    assert values.abs().max() > 0.99 * bound
    assert abs(values.mean().item()) < 0.02


def test_rnn_nonlinearity_relu_replaces_tanh():
    """`nonlinearity="relu"` computes `relu(x W_ih^T + b_ih + h W_hh^T + b_hh)`; the default is `"tanh"`.

    Only `nn.RNN` has this option; any value other than `"tanh"` or `"relu"` raises ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html#torch.nn.RNN
    """
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, nonlinearity="relu", dtype=torch.float64)
    x = torch.randn(1, 2, 3, dtype=torch.float64)

    output, _ = rnn(x)  # the initial state is zero, so the h W_hh^T term vanishes

    assert nn.RNN(3, 4).nonlinearity == "tanh"
    torch.testing.assert_close(output[0], torch.relu(x[0] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0))
    with raises_exactly(ValueError, match=r"Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")


def test_rnn_bias_false_drops_both_biases():
    """`bias=False` creates neither `bias_ih` nor `bias_hh`: a zero input then maps a zero state to zero.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    lstm = nn.LSTM(3, 4, bias=False)

    output, (h_n, c_n) = lstm(torch.zeros(2, 1, 3))

    assert [name for name, _ in lstm.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert output.abs().max() == 0.0
    assert c_n.abs().max() == 0.0


def test_rnn_dropout_applies_between_layers_in_training_only():
    """`dropout=p` drops the outputs of every layer but the last, and only in training mode.

    Two training-mode runs draw different masks and differ; in `eval()` the net is
    deterministic and equals the same weights with `dropout=0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html#torch.nn.GRU
    """
    torch.manual_seed(0)
    gru = nn.GRU(3, 8, num_layers=2, dropout=0.5)
    plain = nn.GRU(3, 8, num_layers=2)
    plain.load_state_dict(gru.state_dict())
    x = torch.randn(4, 2, 3)

    first, second = gru(x)[0], gru(x)[0]
    gru.eval()

    assert not torch.allclose(first, second)
    torch.testing.assert_close(gru(x)[0], plain(x)[0])


def test_rnn_dropout_with_one_layer_warns():
    """`dropout > 0` with `num_layers=1` warns with UserWarning: there is no layer to drop between.

    The dropout is *not* applied to the output of the last layer, so with one layer the
    option does nothing. Add an `nn.Dropout` after the recurrent layer instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html#torch.nn.RNN
    """
    with warns_exactly(UserWarning, match=r"non-zero dropout expects num_layers greater than 1"):
        lstm = nn.LSTM(3, 4, dropout=0.5)

    assert lstm.dropout == 0.5


def test_pad_sequence_stacks_time_first_and_pads_with_zeros():
    """`pad_sequence` stacks sequences of different lengths into one T x B x * tensor, padding the short ones with 0.

    T is the longest length and B the number of sequences; trailing dimensions (`*`) are kept.
    The default layout is time first, like the recurrent layers' default.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_sequence.html#torch.nn.utils.rnn.pad_sequence
    """
    a = torch.tensor([[1, 1], [2, 2], [3, 3]])
    b = torch.tensor([[4, 4]])

    padded = pad_sequence([a, b])

    assert padded.shape == (3, 2, 2)
    assert torch.equal(padded[:, 0], a)
    assert padded[:, 1].tolist() == [[4, 4], [0, 0], [0, 0]]


def test_pad_sequence_batch_first_and_padding_value():
    """`batch_first=True` gives B x T x *, and `padding_value` replaces the 0 used for padding.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_sequence.html#torch.nn.utils.rnn.pad_sequence
    """
    sequences = [torch.tensor([1, 2, 3]), torch.tensor([4, 5])]

    padded = pad_sequence(sequences, batch_first=True, padding_value=-1)

    assert padded.tolist() == [[1, 2, 3], [4, 5, -1]]


@pytest.mark.torch_version(">=2.5")
def test_pad_sequence_padding_side_left_pads_at_the_start():
    """`padding_side="left"` puts the padding before each short sequence; the default `"right"` puts it after.

    Left padding suits decoders that generate from the last position. The argument came
    with https://github.com/pytorch/pytorch/pull/131884.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_sequence.html#torch.nn.utils.rnn.pad_sequence
    """
    sequences = [torch.tensor([1, 2, 3]), torch.tensor([4, 5])]

    left = pad_sequence(sequences, batch_first=True, padding_side="left")
    right = pad_sequence(sequences, batch_first=True, padding_side="right")

    assert left.tolist() == [[1, 2, 3], [0, 4, 5]]
    assert torch.equal(right, pad_sequence(sequences, batch_first=True))
    assert right.tolist() == [[1, 2, 3], [4, 5, 0]]


def test_pack_padded_sequence_stores_time_steps_interleaved():
    """`pack_padded_sequence` keeps only the real steps, time step by time step, with `batch_sizes` per step.

    Sequences `[1, 2, 3]` and `[4, 5]` (padded with 0) pack to `[1, 4, 2, 5, 3]`: two
    sequences are alive at steps 0 and 1, one at step 2. The padding is gone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pack_padded_sequence.html#torch.nn.utils.rnn.pack_padded_sequence
    """
    padded = torch.tensor([[1, 2, 3], [4, 5, 0]])

    packed = pack_padded_sequence(padded, [3, 2], batch_first=True)

    assert packed.data.tolist() == [1, 4, 2, 5, 3]
    assert packed.batch_sizes.tolist() == [2, 2, 1]


def test_pack_padded_sequence_requires_decreasing_lengths_by_default():
    """With the default `enforce_sorted=True`, lengths that are not in decreasing order raise RuntimeError.

    The message names the way out: `enforce_sorted=False`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pack_padded_sequence.html#torch.nn.utils.rnn.pack_padded_sequence
    """
    padded = torch.tensor([[4, 5, 0], [1, 2, 3]])

    with raises_exactly(RuntimeError, match=r"`lengths` array must be sorted in decreasing order.*`enforce_sorted=False`"):
        pack_padded_sequence(padded, [2, 3], batch_first=True)


def test_pack_padded_sequence_unsorted_round_trips_in_the_original_order():
    """`enforce_sorted=False` sorts internally and `pad_packed_sequence` restores the original order and lengths.

    `sorted_indices` records the sort, `unsorted_indices` undoes it. Unpacking returns the
    padded tensor and the lengths as an int64 tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_packed_sequence.html#torch.nn.utils.rnn.pad_packed_sequence
    """
    padded = torch.tensor([[1, 2, 0], [3, 0, 0], [4, 5, 6]])

    packed = pack_padded_sequence(padded, [2, 1, 3], batch_first=True, enforce_sorted=False)
    unpacked, lengths = pad_packed_sequence(packed, batch_first=True)

    assert packed.data.tolist() == [4, 1, 3, 5, 2, 6]
    assert packed.sorted_indices.tolist() == [2, 0, 1]
    assert packed.unsorted_indices.tolist() == [1, 2, 0]
    assert torch.equal(unpacked, padded)
    assert lengths.tolist() == [2, 1, 3]
    assert lengths.dtype == torch.int64


def test_pack_padded_sequence_drops_steps_beyond_the_given_lengths():
    """Steps past a sequence's length are dropped, even when the padded tensor is longer than the longest length.

    The docs warn that the time dimension is truncated: a (2, 5) batch with lengths 3 and 2
    unpacks to (2, 3). `lengths` may be a list or a CPU tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pack_padded_sequence.html#torch.nn.utils.rnn.pack_padded_sequence
    """
    padded = torch.tensor([[1, 2, 3, 7, 7], [4, 5, 7, 7, 7]])

    packed = pack_padded_sequence(padded, torch.tensor([3, 2]), batch_first=True)
    unpacked, lengths = pad_packed_sequence(packed, batch_first=True)

    assert packed.data.tolist() == [1, 4, 2, 5, 3]
    assert unpacked.tolist() == [[1, 2, 3], [4, 5, 0]]
    assert lengths.tolist() == [3, 2]


def test_pack_sequence_is_pad_sequence_then_pack_padded_sequence():
    """`pack_sequence` packs a list of sequences directly: the same `PackedSequence` as padding, then packing.

    `[1, 2, 3]`, `[4, 5]` and `[6]` pack to `[1, 4, 6, 2, 5, 3]` with batch sizes 3, 2, 1.
    Already sorted, they need no index bookkeeping: `sorted_indices` is None.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pack_sequence.html#torch.nn.utils.rnn.pack_sequence
    """
    sequences = [torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])]

    packed = pack_sequence(sequences)
    two_steps = pack_padded_sequence(pad_sequence(sequences), [3, 2, 1])

    assert packed.data.tolist() == [1, 4, 6, 2, 5, 3]
    assert packed.batch_sizes.tolist() == [3, 2, 1]
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    assert torch.equal(packed.data, two_steps.data)
    assert torch.equal(packed.batch_sizes, two_steps.batch_sizes)


def test_pack_sequence_needs_enforce_sorted_false_for_unsorted_lengths():
    """`pack_sequence` also expects decreasing lengths by default; `enforce_sorted=False` accepts any order.

    Unpacking then gives the sequences back in the order they were passed.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pack_sequence.html#torch.nn.utils.rnn.pack_sequence
    """
    sequences = [torch.tensor([4, 5]), torch.tensor([1, 2, 3])]

    packed = pack_sequence(sequences, enforce_sorted=False)
    unpacked, lengths = pad_packed_sequence(packed, batch_first=True)

    assert unpacked.tolist() == [[4, 5, 0], [1, 2, 3]]
    assert lengths.tolist() == [2, 3]
    with raises_exactly(RuntimeError, match=r"must be sorted in decreasing order.*`enforce_sorted=False`"):
        pack_sequence(sequences)


def test_lstm_on_a_packed_batch_gives_each_sequence_its_own_final_state():
    """On a packed batch, `h_n` of each sequence is its state after its *true* last step.

    Each sequence run alone at its own length gives the same `h_n` and `c_n`. Run on the
    padded tensor instead, the short sequence would keep stepping through the padding and end
    in a different state.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html#torch.nn.LSTM
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, batch_first=True)
    long, short = torch.randn(5, 3), torch.randn(2, 3)
    padded = torch.zeros(2, 5, 3)
    padded[0], padded[1, :2] = long, short
    packed = pack_padded_sequence(padded, [5, 2], batch_first=True)

    _, (h_n, c_n) = lstm(packed)
    _, (h_long, c_long) = lstm(long)
    _, (h_short, c_short) = lstm(short)
    _, (h_padded, _) = lstm(padded)

    torch.testing.assert_close(h_n[:, 0], h_long)
    torch.testing.assert_close(h_n[:, 1], h_short)
    torch.testing.assert_close(c_n[:, 1], c_short)
    torch.testing.assert_close(c_n[:, 0], c_long)
    assert not torch.allclose(h_padded[:, 1], h_short)


def test_lstm_on_a_packed_batch_returns_a_packed_output():
    """A packed input gives a packed `output`; `pad_packed_sequence` pads it with zeros, or `padding_value`.

    Unpacked, the output of each sequence stops at its length: the rest is filled with
    `padding_value` (0 by default), never computed. `total_length` pads further.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_packed_sequence.html#torch.nn.utils.rnn.pad_packed_sequence
    """
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4)
    short = torch.randn(2, 3)
    padded = torch.randn(4, 2, 3)
    padded[:2, 1] = short
    packed = pack_padded_sequence(padded, [4, 2])

    packed_out, _ = lstm(packed)
    zeros_pad, lengths = pad_packed_sequence(packed_out)
    minus_pad, _ = pad_packed_sequence(packed_out, padding_value=-1.0, total_length=6)

    assert isinstance(packed_out, nn.utils.rnn.PackedSequence)
    assert zeros_pad.shape == (4, 2, 4)
    assert lengths.tolist() == [4, 2]
    torch.testing.assert_close(zeros_pad[:2, 1], lstm(short)[0])
    assert zeros_pad[2:, 1].abs().max() == 0.0
    assert minus_pad.shape == (6, 2, 4)
    assert (minus_pad[2:, 1] == -1.0).all()
    assert (minus_pad[4:, 0] == -1.0).all()


def test_pad_packed_sequence_total_length_shorter_than_the_longest_raises():
    """A `total_length` below the longest sequence's length raises ValueError: padding never truncates.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_packed_sequence.html#torch.nn.utils.rnn.pad_packed_sequence
    """
    packed = pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])])

    with raises_exactly(ValueError, match=r"Expected total_length to be at least the length of the longest sequence"):
        pad_packed_sequence(packed, total_length=2)

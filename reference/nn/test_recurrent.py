"""Recurrent layers

`nn.RNN`, `nn.LSTM` and `nn.GRU` run a cell over a sequence and return two things that are
easy to mix up: `output`, the last layer's hidden state at *every* time step, and `h_n`, the
*last* time step of *every* layer and direction. The page checks the cell equations by hand,
then the shapes that `batch_first`, `num_layers`, `bidirectional` and `proj_size` produce,
then the other constructor options, and ends with variable-length batches: packing,
unpacking and the final states of a packed batch.
"""

import math

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html
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


def test_lstm_cell_gates_are_chunks_i_f_g_o_of_the_weights():
    """`nn.LSTMCell` stacks its four gates in `weight_ih` as input, forget, cell, output: `(W_ii|W_if|W_ig|W_io)`.

    Splitting the pre-activations into four chunks in that order and applying sigmoid,
    sigmoid, tanh, sigmoid gives `c' = f * c + i * g` and `h' = o * tanh(c')`, exactly what the
    cell returns. The weights have shape (4*hidden, input) and (4*hidden, hidden).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTMCell.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRUCell.html
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


def test_rnn_batch_first_changes_output_but_not_h_n():
    """`batch_first=True` makes input and output (N, L, H); `h_n` and `c_n` stay (layers, N, H).

    The flag only describes `input` and `output`. Code that indexes `h_n[:, -1]` expecting
    the last time step gets the last *batch element* instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html
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


# CPU builds with oneDNN warn that they fall back to the default kernel for projections.
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN:UserWarning")
def test_lstm_proj_size_shrinks_h_but_not_c():
    """`proj_size=P` projects each hidden state to P features: `output` and `h_n` are P wide, `c_n` stays hidden.

    A `weight_hr_l0` of shape (P, hidden) does the projection, and `weight_hh_l0` then reads
    the P-wide state. `proj_size` must be smaller than `hidden_size`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html
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


def test_rnn_accepts_an_unbatched_sequence():
    """A 2-D input (L, H_in) is one unbatched sequence: `output` is (L, H) and `h_n` (layers, H).

    It equals running a batch of one and dropping the batch dimension. `batch_first` is
    ignored for such input.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html
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


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU], ids=["RNN", "LSTM", "GRU"])
def test_rnn_parameters_start_uniform_within_one_over_sqrt_hidden(cls):
    """Every weight and bias starts uniform in `(-1/sqrt(hidden), 1/sqrt(hidden))`.

    The bound depends on `hidden_size` only, not on `input_size`: with hidden 16 every
    parameter lies within 0.25, and the many draws come close to the bound.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GRU.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RNN.html
    """
    with warns_exactly(UserWarning, match=r"non-zero dropout expects num_layers greater than 1"):
        lstm = nn.LSTM(3, 4, dropout=0.5)

    assert lstm.dropout == 0.5


def test_pack_padded_sequence_stores_time_steps_interleaved():
    """`pack_padded_sequence` keeps only the real steps, time step by time step, with `batch_sizes` per step.

    Sequences `[1, 2, 3]` and `[4, 5]` (padded with 0) pack to `[1, 4, 2, 5, 3]`: two
    sequences are alive at steps 0 and 1, one at step 2. The padding is gone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pack_padded_sequence.html
    """
    padded = torch.tensor([[1, 2, 3], [4, 5, 0]])

    packed = pack_padded_sequence(padded, [3, 2], batch_first=True)

    assert packed.data.tolist() == [1, 4, 2, 5, 3]
    assert packed.batch_sizes.tolist() == [2, 2, 1]


def test_pack_padded_sequence_requires_decreasing_lengths_by_default():
    """With the default `enforce_sorted=True`, lengths that are not in decreasing order raise RuntimeError.

    The message names the way out: `enforce_sorted=False`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pack_padded_sequence.html
    """
    padded = torch.tensor([[4, 5, 0], [1, 2, 3]])

    with raises_exactly(RuntimeError, match=r"`lengths` array must be sorted in decreasing order.*`enforce_sorted=False`"):
        pack_padded_sequence(padded, [2, 3], batch_first=True)


def test_pack_padded_sequence_unsorted_round_trips_in_the_original_order():
    """`enforce_sorted=False` sorts internally and `pad_packed_sequence` restores the original order and lengths.

    `sorted_indices` records the sort, `unsorted_indices` undoes it. Unpacking returns the
    padded tensor and the lengths as an int64 tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_packed_sequence.html
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


def test_lstm_on_a_packed_batch_gives_each_sequence_its_own_final_state():
    """On a packed batch, `h_n` of each sequence is its state after its *true* last step.

    Each sequence run alone at its own length gives the same `h_n` and `c_n`. Run on the
    padded tensor instead, the short sequence would keep stepping through the padding and end
    in a different state.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LSTM.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.rnn.pad_packed_sequence.html
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

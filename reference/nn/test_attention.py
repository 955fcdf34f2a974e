"""Attention

`F.scaled_dot_product_attention` is the formula `softmax(q k^T / sqrt(d)) v` with optional
masking and dropout; `nn.MultiheadAttention` wraps it in learned projections and splits the
embedding into heads. The page checks the function against the formula computed by hand, then
each of its options, then the module: its shapes (sequence first by default), its weights and
its masks. The trap between the two is the meaning of a boolean mask: `True` means "attend"
for the function and "ignore" for the module.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchref import raises_exactly, warns_exactly


def attention_by_hand(q, k, v, bias=None, scale=None):
    """`softmax(q k^T * scale + bias) v`, with the default scale `1 / sqrt(d)` of the docs."""
    scale = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    if bias is not None:
        scores = scores + bias
    return torch.softmax(scores, dim=-1) @ v


def mha_by_hand(mha, query, key, value):
    """`nn.MultiheadAttention` on (L, N, E) input: project, split into heads, attend, join, project."""
    heads, head_dim = mha.num_heads, mha.embed_dim // mha.num_heads
    w_q, w_k, w_v = mha.in_proj_weight.chunk(3)
    b_q, b_k, b_v = mha.in_proj_bias.chunk(3)

    def split(x):  # (len, N, E) -> (N, heads, len, head_dim)
        return x.reshape(x.shape[0], x.shape[1], heads, head_dim).permute(1, 2, 0, 3)

    q, k, v = split(query @ w_q.T + b_q), split(key @ w_k.T + b_k), split(value @ w_v.T + b_v)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(head_dim), dim=-1)
    joined = (weights @ v).permute(2, 0, 1, 3).reshape(query.shape[0], query.shape[1], mha.embed_dim)
    return mha.out_proj(joined), weights


def _qkv(n=2, heads=3, length=4, source=5, e=8, ev=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(n, heads, length, e, generator=g, dtype=torch.float64)
    k = torch.randn(n, heads, source, e, generator=g, dtype=torch.float64)
    v = torch.randn(n, heads, source, ev, generator=g, dtype=torch.float64)
    return q, k, v


@pytest.mark.shows("attention_by_hand")
def test_sdpa_is_softmax_of_scaled_scores_times_values():
    """`F.scaled_dot_product_attention(q, k, v)` equals `softmax(q k^T / sqrt(E)) v`.

    Queries (N, ..., L, E) and keys (N, ..., S, E) give an (L, S) score matrix per head; each
    row is softmaxed over the S keys and mixes the S value vectors. The values may have their
    own width Ev: the result is (N, ..., L, Ev).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, v = _qkv()

    out = F.scaled_dot_product_attention(q, k, v)

    assert out.shape == (2, 3, 4, 6)
    torch.testing.assert_close(out, attention_by_hand(q, k, v))


@pytest.mark.torch_version(">=2.1")
def test_sdpa_scale_replaces_one_over_sqrt_e():
    """The keyword-only `scale=` multiplies the scores instead of `1 / sqrt(E)`; `None` keeps the default.

    The [2.0 docs](https://pytorch.org/docs/2.0/generated/torch.nn.functional.scaled_dot_product_attention.html)
    show no `scale`; from 2.1 it exists and can only be passed by keyword, so a seventh
    positional argument is a TypeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, v = _qkv()

    out = F.scaled_dot_product_attention(q, k, v, scale=0.3)

    torch.testing.assert_close(out, attention_by_hand(q, k, v, scale=0.3))
    torch.testing.assert_close(F.scaled_dot_product_attention(q, k, v, scale=None), attention_by_hand(q, k, v))
    with raises_exactly(TypeError, match=r"positional argument"):
        F.scaled_dot_product_attention(q, k, v, None, 0.0, False, 0.3)


def test_sdpa_is_causal_equals_a_lower_triangular_mask():
    """`is_causal=True` lets query `i` attend to keys `0..i` only, like the mask `ones(L, S).tril()`.

    The first query sees only the first key, so its output is the first value vector.
    When L != S the triangle starts at the top left corner: query `i` still sees keys
    `0..i`, whatever S is.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, v = _qkv(length=3, source=5)
    lower = torch.ones(3, 5, dtype=torch.bool).tril()

    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)

    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=lower))
    torch.testing.assert_close(out[..., 2, :], attention_by_hand(q[..., 2:3, :], k[..., :3, :], v[..., :3, :])[..., 0, :])
    torch.testing.assert_close(out[..., 0, :], v[..., 0, :])


def test_sdpa_boolean_mask_true_means_take_part():
    """In a boolean `attn_mask`, `True` marks the keys a query may attend to; `False` keys get no weight.

    Masking out the last two keys gives the same result as deleting them. The mask
    broadcasts to (N, ..., L, S), so one (1, S) row masks every query of every head alike.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, v = _qkv(source=5)
    keep = torch.tensor([[True, True, True, False, False]])

    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)

    torch.testing.assert_close(out, attention_by_hand(q, k[..., :3, :], v[..., :3, :]))


def test_sdpa_float_mask_is_added_to_the_scores():
    """A floating-point `attn_mask` is added to the scaled scores before the softmax.

    An additive `-inf` removes a key exactly as a boolean `False` does; finite values shift
    the scores, as in a relative-position bias.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, v = _qkv(length=4, source=5)
    bias = torch.randn(4, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    minus_inf = torch.tensor([[0.0, 0.0, 0.0, -math.inf, -math.inf]], dtype=torch.float64)
    keep = torch.tensor([[True, True, True, False, False]])

    out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)

    torch.testing.assert_close(out, attention_by_hand(q, k, v, bias=bias))
    torch.testing.assert_close(
        F.scaled_dot_product_attention(q, k, v, attn_mask=minus_inf),
        F.scaled_dot_product_attention(q, k, v, attn_mask=keep),
    )


def test_sdpa_applies_dropout_whenever_dropout_p_is_positive():
    """`dropout_p > 0` drops attention weights on every call: the function has no training mode.

    Even under `torch.no_grad()`, `dropout_p=0.5` changes the result, and `dropout_p=1.0`
    drops every weight, leaving zeros. A module calling it must pass
    `dropout_p=self.p if self.training else 0.0` itself.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, v = _qkv()
    torch.manual_seed(0)

    with torch.no_grad():
        plain = F.scaled_dot_product_attention(q, k, v)
        dropped = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
        all_dropped = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)

    assert not torch.allclose(dropped, plain)
    assert torch.equal(all_dropped, torch.zeros_like(plain))


def test_sdpa_dropout_zeroes_weights_and_scales_the_others_by_one_over_one_minus_p():
    """Dropout acts on the attention weights: each is either zeroed or divided by `1 - dropout_p`.

    The reference implementation applies `torch.dropout(attn_weight, dropout_p, train=True)`
    after the softmax. With the identity matrix as values, the output *is* the weight matrix,
    so every entry is 0 or twice the softmax weight when `dropout_p=0.5`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, _ = _qkv(n=1, heads=2, length=3, source=5, e=4)
    v = torch.eye(5, dtype=torch.float64).expand(1, 2, 5, 5)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(4), dim=-1)
    torch.manual_seed(0)

    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)

    kept = out != 0
    assert 0 < kept.sum() < out.numel()
    torch.testing.assert_close(out[kept], weights[kept] / (1 - 0.5))


@pytest.mark.torch_version(">=2.14")
def test_sdpa_rejects_attn_mask_together_with_is_causal():
    """Passing both `attn_mask` and `is_causal=True` raises RuntimeError.

    `is_causal` builds its own mask, so a second one is ambiguous; the reference
    implementation asserts `attn_mask is None` in that branch. Combine the two masks yourself
    and pass only `attn_mask`. On the 2.13.0 CPU build the call returned a result instead,
    which matched neither mask alone, so this is asserted from 2.14 only.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, v = _qkv(length=3, source=3)
    keep = torch.ones(3, 3, dtype=torch.bool)

    with raises_exactly(RuntimeError, match=r"Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=keep, is_causal=True)


@pytest.mark.torch_version(">=2.5")
def test_sdpa_enable_gqa_shares_each_key_value_head_among_query_heads():
    """`enable_gqa=True` lets 4 query heads share 2 key/value heads: each is repeated for 2 consecutive query heads.

    This is grouped-query attention; the result equals repeating the key and value heads with
    `repeat_interleave` and running ordinary attention.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, _, _ = _qkv(heads=4)
    _, k, v = _qkv(heads=2, seed=1)

    out = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)

    expected = attention_by_hand(q, k.repeat_interleave(2, dim=1), v.repeat_interleave(2, dim=1))
    assert out.shape == (2, 4, 4, 6)
    torch.testing.assert_close(out, expected)


@pytest.mark.torch_version(">=2.5")
def test_sdpa_enable_gqa_needs_query_heads_to_be_a_multiple_of_key_heads():
    """With `enable_gqa=True`, 3 query heads cannot share 2 key/value heads: RuntimeError.

    The docs' constraint is `Hq % H == 0`: every key/value head serves the same number of
    query heads.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, _, _ = _qkv(heads=3)
    _, k, v = _qkv(heads=2, seed=1)

    with raises_exactly(RuntimeError, match=r"Number of heads in key and value must divide the number of heads in"):
        F.scaled_dot_product_attention(q, k, v, enable_gqa=True)


@pytest.mark.torch_version(">=2.3")
def test_sdpa_kernel_enables_only_the_given_backends_inside_the_block():
    """`sdpa_kernel(backends)` enables only those implementations inside the `with` block and restores the flags after it.

    On CPU the C++ math implementation and a CPU flash kernel exist; allowing only
    `EFFICIENT_ATTENTION` (a CUDA kernel) leaves no implementation for CPU tensors, so the
    call raises RuntimeError. Allowing `MATH` gives the formula's result. The global flags
    read by `torch.backends.cuda.math_sdp_enabled()` are switched for the block only.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.attention.sdpa_kernel.html#torch.nn.attention.sdpa_kernel
    """
    from torch.nn.attention import SDPBackend, sdpa_kernel

    q, k, v = _qkv()
    math_before = torch.backends.cuda.math_sdp_enabled()

    with sdpa_kernel(SDPBackend.MATH):
        out = F.scaled_dot_product_attention(q, k, v)
        inside = (torch.backends.cuda.math_sdp_enabled(), torch.backends.cuda.flash_sdp_enabled())
    with sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION]):
        with raises_exactly(RuntimeError, match=r"No viable backend for scaled_dot_product_attention was found"):
            F.scaled_dot_product_attention(q, k, v)

    assert inside == (True, False)
    assert torch.backends.cuda.math_sdp_enabled() is math_before is True
    torch.testing.assert_close(out, attention_by_hand(q, k, v))


@pytest.mark.shows("mha_by_hand")
def test_multihead_attention_projects_splits_into_heads_and_attends():
    """`nn.MultiheadAttention` projects q, k, v with `in_proj_weight`, attends per head and applies `out_proj`.

    `in_proj_weight` is (3E, E): the query, key and value projections stacked. Each of the
    `num_heads` heads attends over `E // num_heads` features with scale
    `1 / sqrt(E // num_heads)`; the heads are joined and mixed by `out_proj`. The function
    shown beside reproduces output and per-head weights.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dtype=torch.float64)
    query = torch.randn(3, 2, 8, dtype=torch.float64)
    memory = torch.randn(5, 2, 8, dtype=torch.float64)

    out, weights = mha(query, memory, memory, average_attn_weights=False)
    expected_out, expected_weights = mha_by_hand(mha, query, memory, memory)

    assert mha.in_proj_weight.shape == (24, 8)
    torch.testing.assert_close(out, expected_out)
    torch.testing.assert_close(weights, expected_weights)


def test_multihead_attention_state_dict_names_the_packed_projection_in_proj_weight():
    """The q, k and v projections are one parameter `in_proj_weight` (3E, E); with `kdim`/`vdim` they are three.

    The state_dict keys are `in_proj_weight`, `in_proj_bias`, `out_proj.weight` and
    `out_proj.bias`. When keys or values have their own width the packed matrix cannot exist,
    and `q_proj_weight`, `k_proj_weight` and `v_proj_weight` replace it (the bias stays packed).
    Checkpoints of the two layouts do not load into each other.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention
    """
    packed = nn.MultiheadAttention(8, 2)
    separate = nn.MultiheadAttention(8, 2, kdim=3, vdim=5)

    assert list(packed.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert list(separate.state_dict()) == [
        "q_proj_weight",
        "k_proj_weight",
        "v_proj_weight",
        "in_proj_bias",
        "out_proj.weight",
        "out_proj.bias",
    ]
    assert packed.in_proj_bias.shape == separate.in_proj_bias.shape == (24,)


def test_multihead_attention_is_sequence_first_by_default():
    """By default (`batch_first=False`) inputs and output are (L, N, E); the weights are (N, L, S).

    The weights are batch first whatever `batch_first` says.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    mha = nn.MultiheadAttention(8, 2)
    query, memory = torch.randn(3, 2, 8), torch.randn(5, 2, 8)

    out, weights = mha(query, memory, memory)

    assert mha.batch_first is False
    assert out.shape == (3, 2, 8)
    assert weights.shape == (2, 3, 5)


def test_multihead_attention_batch_first_takes_n_l_e():
    """`batch_first=True` takes and returns (N, L, E), and computes the same as the transposed default.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention
    """
    torch.manual_seed(0)
    seq_first = nn.MultiheadAttention(8, 2)
    batch_first = nn.MultiheadAttention(8, 2, batch_first=True)
    batch_first.load_state_dict(seq_first.state_dict())
    query, memory = torch.randn(2, 3, 8), torch.randn(2, 5, 8)

    out, weights = batch_first(query, memory, memory)
    out_sf, weights_sf = seq_first(query.transpose(0, 1), memory.transpose(0, 1), memory.transpose(0, 1))

    assert out.shape == (2, 3, 8)
    torch.testing.assert_close(out, out_sf.transpose(0, 1))
    torch.testing.assert_close(weights, weights_sf)


def test_multihead_attention_averages_weights_over_heads_by_default():
    """The returned weights are the mean over heads (N, L, S); `average_attn_weights=False` gives (N, heads, L, S).

    Each row of weights sums to 1, per head and so also averaged.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    query, memory = torch.randn(3, 2, 8), torch.randn(5, 2, 8)

    _, averaged = mha(query, memory, memory)
    _, per_head = mha(query, memory, memory, average_attn_weights=False)

    assert per_head.shape == (2, 2, 3, 5)
    torch.testing.assert_close(averaged, per_head.mean(dim=1))
    torch.testing.assert_close(per_head.sum(-1), torch.ones(2, 2, 3))


def test_multihead_attention_need_weights_false_returns_none():
    """`need_weights=False` returns `(attn_output, None)`, with the same output.

    Skipping the weights lets the module use the fused `scaled_dot_product_attention`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    x = torch.randn(3, 2, 8)

    out, weights = mha(x, x, x, need_weights=False)

    assert weights is None
    torch.testing.assert_close(out, mha(x, x, x)[0])


def test_multihead_attention_key_padding_mask_true_means_ignore():
    """In `key_padding_mask` (N, S), `True` marks padding: those keys get weight zero.

    The second sequence's last two keys are padding; its weights there are exactly 0, and the
    first sequence is unaffected.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    query, memory = torch.randn(3, 2, 8), torch.randn(5, 2, 8)
    padding = torch.tensor([[False] * 5, [False, False, False, True, True]])

    out, weights = mha(query, memory, memory, key_padding_mask=padding)

    assert weights[1, :, 3:].abs().max() == 0.0
    torch.testing.assert_close(weights[1].sum(-1), torch.ones(3))
    torch.testing.assert_close(out[:, 1], mha(query[:, 1:], memory[:3, 1:], memory[:3, 1:])[0][:, 0])
    torch.testing.assert_close(out[:, 0], mha(query[:, :1], memory[:, :1], memory[:, :1])[0][:, 0])


def test_multihead_attention_float_key_padding_mask_is_added_to_the_scores():
    """A float `key_padding_mask` (N, S) is added to the scores of its keys; `-inf` acts like `True`.

    A value `c` at (n, j) shifts key `j` of sequence `n` for every query, which is the same
    as a float `attn_mask` whose column `j` holds `c` for that sequence.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    query, memory = torch.randn(3, 1, 8), torch.randn(5, 1, 8)
    shift = torch.tensor([[0.0, 1.5, 0.0, -2.0, 0.0]])
    minus_inf = torch.tensor([[0.0, 0.0, 0.0, -math.inf, -math.inf]])
    padding = torch.tensor([[False, False, False, True, True]])

    out, weights = mha(query, memory, memory, key_padding_mask=shift)
    out_attn, weights_attn = mha(query, memory, memory, attn_mask=shift.expand(3, 5))

    torch.testing.assert_close(out, out_attn)
    torch.testing.assert_close(weights, weights_attn)
    torch.testing.assert_close(
        mha(query, memory, memory, key_padding_mask=minus_inf)[1],
        mha(query, memory, memory, key_padding_mask=padding)[1],
    )


def test_boolean_masks_mean_opposite_things_in_sdpa_and_multihead_attention():
    """The same boolean tensor keeps keys in `scaled_dot_product_attention` and drops them in `MultiheadAttention`.

    SDPA reads `True` as "take part"; `key_padding_mask` and `attn_mask` of
    `nn.MultiheadAttention` read `True` as "masked out". Moving a mask from one API to the
    other needs `~mask`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html#torch.nn.functional.scaled_dot_product_attention
    """
    q, k, v = _qkv(n=1, heads=1, length=2, source=3, e=4, ev=4)
    mask = torch.tensor([[True, True, False]])
    mha = nn.MultiheadAttention(4, 1, dtype=torch.float64)
    x = torch.randn(2, 1, 4, dtype=torch.float64)
    memory = torch.randn(3, 1, 4, dtype=torch.float64)

    sdpa_out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    _, mha_weights = mha(x, memory, memory, key_padding_mask=mask)
    _, mha_weights_inverted = mha(x, memory, memory, key_padding_mask=~mask)

    torch.testing.assert_close(sdpa_out, attention_by_hand(q, k[..., :2, :], v[..., :2, :]))
    assert mha_weights[0, :, :2].abs().max() == 0.0
    assert mha_weights_inverted[0, :, 2].abs().max() == 0.0


def test_multihead_attention_attn_mask_true_forbids_and_float_adds():
    """`attn_mask` (L, S) of `nn.MultiheadAttention` forbids positions where it is `True`; a float mask is added.

    An upper-triangular `True` mask is the causal mask of a decoder, and the float mask with
    `-inf` in the same places gives the same output.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    x = torch.randn(4, 2, 8)
    future = torch.ones(4, 4, dtype=torch.bool).triu(diagonal=1)
    additive = torch.zeros(4, 4).masked_fill(future, -math.inf)

    out, weights = mha(x, x, x, attn_mask=future)
    out_float, _ = mha(x, x, x, attn_mask=additive)

    assert weights[:, future].abs().max() == 0.0
    torch.testing.assert_close(out, out_float)


def test_multihead_attention_3d_attn_mask_gives_each_batch_entry_and_head_its_own_mask():
    """A 3-D `attn_mask` has shape (N * num_heads, L, S): entry `n * num_heads + h` masks head `h` of sequence `n`.

    Forbidding key 0 in entry 2 (sequence 1, head 0) zeroes that column only in that head
    of that sequence. Any other first dimension raises RuntimeError naming the shape expected.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    x = torch.randn(3, 2, 8)
    mask = torch.zeros(2 * 2, 3, 3, dtype=torch.bool)
    mask[2, :, 0] = True

    _, weights = mha(x, x, x, attn_mask=mask, average_attn_weights=False)

    assert weights[1, 0, :, 0].abs().max() == 0.0
    assert weights[1, 1, :, 0].min() > 0
    assert weights[0, :, :, 0].min() > 0
    with raises_exactly(RuntimeError, match=r"The shape of the 3D attn_mask is torch.Size\(\[2, 3, 3\]\), but should be \(4, 3, 3\)"):
        mha(x, x, x, attn_mask=torch.zeros(2, 3, 3, dtype=torch.bool))
    with raises_exactly(RuntimeError, match=r"The shape of the 2D attn_mask is torch.Size\(\[3, 4\]\), but should be \(3, 3\)"):
        mha(x, x, x, attn_mask=torch.zeros(3, 4, dtype=torch.bool))


def test_multihead_attention_warns_when_the_two_masks_differ_in_type():
    """A boolean `key_padding_mask` with a float `attn_mask` works but warns: the docs say their types should match.

    The warning is a UserWarning announcing that mixing mask types is deprecated.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    x = torch.randn(3, 2, 8)

    with warns_exactly(UserWarning, match=r"Support for mismatched key_padding_mask and attn_mask is deprecated"):
        out, _ = mha(x, x, x, attn_mask=torch.zeros(3, 3), key_padding_mask=torch.zeros(2, 3, dtype=torch.bool))

    torch.testing.assert_close(out, mha(x, x, x)[0])


@pytest.mark.docs_erratum("merge_masks returns an attn_mask given alone as it is, with mask type 0")
@pytest.mark.torch_version(">=2.1")
def test_multihead_attention_merge_masks_expands_attn_mask_to_4d_with_type_2():
    """`merge_masks` returns a lone `key_padding_mask` as it is (type 1) but expands a lone `attn_mask` to (N, heads, L, S), type 2.

    The docstring says that when only one mask is given, "that mask and the corresponding
    mask type will be returned", with type 0 for `attn_mask`. The code always expands an
    `attn_mask` to four dimensions and reports type 2, the type it documents for two masks
    combined. Two boolean masks are combined with logical or, as documented. (torch 2.0
    returned float masks instead, and turned a boolean `key_padding_mask` into +1 rather
    than `-inf` when combining the two: seen on 2.0.1.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.merge_masks
    """
    mha = nn.MultiheadAttention(8, 2)
    query = torch.randn(2, 3, 8)  # (N, L, E): the method is used on the batch-first fast path
    future = torch.ones(3, 3, dtype=torch.bool).triu(diagonal=1)
    padding = torch.tensor([[False, False, True], [False, False, False]])

    attn_only, attn_type = mha.merge_masks(future, None, query)
    padding_only, padding_type = mha.merge_masks(None, padding, query)
    both, both_type = mha.merge_masks(future, padding, query)

    assert (attn_type, padding_type, both_type) == (2, 1, 2)
    assert padding_only is padding
    assert attn_only.shape == both.shape == (2, 2, 3, 3)
    assert torch.equal(attn_only, future.expand(2, 2, 3, 3))
    assert torch.equal(both, (future | padding[:, None, None, :]).expand(2, 2, 3, 3))
    assert mha.merge_masks(None, None, query) == (None, None)


def test_multihead_attention_is_causal_is_a_hint_that_needs_attn_mask():
    """`is_causal=True` in `MultiheadAttention.forward` only describes `attn_mask`: without a mask it raises RuntimeError.

    Unlike the `is_causal` of `scaled_dot_product_attention`, which builds the causal mask,
    the module's flag is a hint that the given `attn_mask` is causal; with it the result is the
    same as with the mask alone. Passing the flag alone is an error since 2.0.1
    ([pytorch#99282](https://github.com/pytorch/pytorch/issues/99282)).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    x = torch.randn(4, 2, 8)
    future = torch.ones(4, 4, dtype=torch.bool).triu(diagonal=1)

    hinted, _ = mha(x, x, x, attn_mask=future, is_causal=True)

    torch.testing.assert_close(hinted, mha(x, x, x, attn_mask=future)[0])
    with raises_exactly(RuntimeError, match=r"Need attn_mask if specifying the is_causal hint"):
        mha(x, x, x, is_causal=True)


def test_multihead_attention_embed_dim_must_divide_into_heads():
    """`embed_dim` not divisible by `num_heads` fails an assert in the constructor.

    Each head gets `embed_dim // num_heads` features, so 5 features cannot make 2 heads.
    It is a plain `assert`, so the class is AssertionError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention
    """
    with raises_exactly(AssertionError, match=r"embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(5, 2)


def test_multihead_attention_kdim_vdim_give_keys_and_values_their_own_width():
    """`kdim` and `vdim` let keys and values have other widths than the queries; separate projections are created.

    With them, `in_proj_weight` is `None` and `q_proj_weight` (E, E), `k_proj_weight`
    (E, kdim) and `v_proj_weight` (E, vdim) take its place. The output is still E wide.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention
    """
    mha = nn.MultiheadAttention(8, 2, kdim=3, vdim=5)

    out, weights = mha(torch.randn(4, 2, 8), torch.randn(6, 2, 3), torch.randn(6, 2, 5))

    assert mha.in_proj_weight is None
    assert mha.q_proj_weight.shape == (8, 8)
    assert mha.k_proj_weight.shape == (8, 3)
    assert mha.v_proj_weight.shape == (8, 5)
    assert out.shape == (4, 2, 8)
    assert weights.shape == (2, 4, 6)


def test_multihead_attention_bias_false_removes_projection_biases():
    """`bias=False` removes the biases of the input and output projections.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention
    """
    mha = nn.MultiheadAttention(8, 2, bias=False)

    assert mha.in_proj_bias is None
    assert mha.out_proj.bias is None
    assert nn.MultiheadAttention(8, 2).in_proj_bias.shape == (24,)


def test_multihead_attention_add_bias_kv_and_add_zero_attn_add_one_key_each():
    """`add_bias_kv` appends a learned key and value, `add_zero_attn` a zero one: each adds a column to the weights.

    With S = 5 keys, each option gives weights of width 6, both give 7. The learned
    `bias_k` and `bias_v` have shape (1, 1, E).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention
    """
    query, memory = torch.randn(3, 2, 8), torch.randn(5, 2, 8)
    with_bias = nn.MultiheadAttention(8, 2, add_bias_kv=True)
    with_zero = nn.MultiheadAttention(8, 2, add_zero_attn=True)
    with_both = nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True)

    assert with_bias.bias_k.shape == with_bias.bias_v.shape == (1, 1, 8)
    assert with_bias(query, memory, memory)[1].shape == (2, 3, 6)
    assert with_zero(query, memory, memory)[1].shape == (2, 3, 6)
    assert with_both(query, memory, memory)[1].shape == (2, 3, 7)
    assert nn.MultiheadAttention(8, 2).bias_k is None


def test_multihead_attention_dropout_acts_in_training_mode_only():
    """`dropout=p` drops attention weights in training mode; in `eval()` the module equals one without dropout.

    The default is `0.0`. Unlike the function, the module follows `train()` and `eval()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dropout=0.5)
    plain = nn.MultiheadAttention(8, 2)
    plain.load_state_dict(mha.state_dict())
    x = torch.randn(3, 2, 8)

    trained = mha(x, x, x)[0]
    mha.eval()
    evaluated = mha(x, x, x)[0]

    assert plain.dropout == 0.0
    assert not torch.allclose(trained, plain(x, x, x)[0])
    torch.testing.assert_close(evaluated, plain(x, x, x)[0])


def test_multihead_attention_accepts_unbatched_input():
    """An unbatched (L, E) query gives an (L, E) output and (L, S) weights, or (num_heads, L, S) per head.

    The `key_padding_mask` of an unbatched query has shape (S).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2)
    query, memory = torch.randn(3, 8), torch.randn(5, 8)

    out, weights = mha(query, memory, memory)
    _, per_head = mha(query, memory, memory, average_attn_weights=False)
    _, padded = mha(query, memory, memory, key_padding_mask=torch.tensor([False] * 4 + [True]))

    assert out.shape == (3, 8)
    assert weights.shape == (3, 5)
    assert per_head.shape == (2, 3, 5)
    assert padded[:, 4].abs().max() == 0.0
    torch.testing.assert_close(out, mha(query.unsqueeze(1), memory.unsqueeze(1), memory.unsqueeze(1))[0][:, 0])


def test_multihead_attention_ignores_batch_first_for_unbatched_input():
    """For an unbatched (L, E) query, `batch_first=True` changes nothing: the input has no batch dimension to move.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html#torch.nn.MultiheadAttention.forward
    """
    torch.manual_seed(0)
    seq_first = nn.MultiheadAttention(8, 2)
    batch_first = nn.MultiheadAttention(8, 2, batch_first=True)
    batch_first.load_state_dict(seq_first.state_dict())
    query, memory = torch.randn(3, 8), torch.randn(5, 8)

    out, weights = batch_first(query, memory, memory)

    assert out.shape == (3, 8)
    torch.testing.assert_close(out, seq_first(query, memory, memory)[0])
    torch.testing.assert_close(weights, seq_first(query, memory, memory)[1])

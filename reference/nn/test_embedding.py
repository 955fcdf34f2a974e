"""Embeddings

`nn.Embedding` is a table of learnable vectors indexed by integers: calling it with a tensor
of indices returns the rows of its `weight` at those indices, nothing more. Every other
option changes how that lookup trains: `padding_idx` freezes one row, `max_norm` rewrites
rows of `weight` during the forward pass, `scale_grad_by_freq` and `sparse` reshape the
gradient. `nn.EmbeddingBag` fuses the lookup with a sum, mean or max over each bag of
indices. The page ends with the traps: indices that are out of range, negative or
floating point, and pretrained tables that are shared rather than copied.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchref import by_version, raises_exactly


def test_embedding_output_is_rows_of_weight():
    """`nn.Embedding(num, dim)(idx)` is `weight[idx]`, of shape `idx.shape + (dim,)`.

    The module holds one (num_embeddings, embedding_dim) `weight` and looks rows up in it:
    any shape of index tensor works, and each index becomes one vector in the last dimension.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    torch.manual_seed(0)
    emb = nn.Embedding(10, 3)
    idx = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])

    out = emb(idx)

    assert emb.weight.shape == (10, 3)
    assert out.shape == (2, 4, 3)
    assert torch.equal(out, emb.weight[idx])
    assert torch.equal(out, F.embedding(idx, emb.weight))


def test_embedding_weight_is_drawn_from_standard_normal():
    """A new `nn.Embedding` fills `weight` with draws from N(0, 1).

    Nothing scales the draws by the size of the table: with the same seed, the weight is
    exactly what `torch.randn` would draw, so its entries have mean 0 and standard deviation 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    torch.manual_seed(0)
    emb = nn.Embedding(1000, 8)
    torch.manual_seed(0)
    expected = torch.randn(1000, 8)

    assert torch.equal(emb.weight.detach(), expected)
    assert abs(emb.weight.mean().item()) < 0.05
    assert abs(emb.weight.std().item() - 1.0) < 0.05


def test_embedding_takes_dtype_and_device():
    """`dtype=` and `device=` choose how the table is stored; the output has the same dtype.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(4, 2, dtype=torch.float64, device="cpu")

    out = emb(torch.tensor([0, 3]))

    assert emb.weight.dtype == torch.float64
    assert emb.weight.device == torch.device("cpu")
    assert out.dtype == torch.float64


def test_embedding_gradient_adds_up_over_repeated_indices():
    """Each looked-up row receives the sum of the gradients of its occurrences.

    With the default `scale_grad_by_freq=False`, an index that appears three times gets three
    times the gradient; rows never looked up get zero.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(4, 2)
    idx = torch.tensor([[0, 2], [0, 0]])

    emb(idx).sum().backward()

    assert emb.scale_grad_by_freq is False
    assert emb.weight.grad.tolist() == [[3.0, 3.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]


def test_embedding_scale_grad_by_freq_divides_by_the_count_in_the_batch():
    """`scale_grad_by_freq=True` divides each row's gradient by how often its index occurs in the batch.

    The same lookups as above now give every used row the gradient of a single occurrence:
    frequent words no longer dominate the update of the table.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(4, 2, scale_grad_by_freq=True)
    idx = torch.tensor([[0, 2], [0, 0]])

    emb(idx).sum().backward()

    assert emb.weight.grad.tolist() == [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]


def test_embedding_sparse_gives_a_sparse_coo_gradient():
    """`sparse=True` makes `weight.grad` a `torch.sparse_coo` tensor holding only the looked-up rows.

    The dense gradient of a large vocabulary is mostly zeros; the sparse one stores one
    entry per lookup, not yet coalesced (index 0 appears twice until `coalesce()` adds them
    up). The default is a dense (`torch.strided`) gradient with the same values.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    dense = nn.Embedding(4, 2)
    sparse = nn.Embedding(4, 2, sparse=True)
    idx = torch.tensor([0, 2, 0])

    dense(idx).sum().backward()
    sparse(idx).sum().backward()

    assert dense.weight.grad.layout == torch.strided
    assert sparse.weight.grad.layout == torch.sparse_coo
    assert sparse.weight.grad.is_coalesced() is False
    assert sparse.weight.grad.coalesce().indices().tolist() == [[0, 2]]
    assert sparse.weight.grad.coalesce().values().tolist() == [[2.0, 2.0], [1.0, 1.0]]
    assert torch.equal(sparse.weight.grad.to_dense(), dense.weight.grad)


def test_sparse_embedding_gradient_is_refused_by_adam():
    """`optim.Adam` raises RuntimeError on a sparse gradient; `optim.SGD` accepts it.

    Only a few optimizers handle sparse gradients: `SGD` applies this one to the looked-up
    row alone, and the Embedding docs name `SparseAdam` and `Adagrad` (on CPU) as the others.
    The message of `Adam` points to `SparseAdam`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(3, 2, sparse=True)
    emb(torch.tensor([0])).sum().backward()
    before = emb.weight.detach().clone()

    with raises_exactly(RuntimeError, match=r"Adam does not support sparse gradients, please consider SparseAdam"):
        torch.optim.Adam(emb.parameters()).step()
    torch.optim.SGD(emb.parameters(), lr=0.5).step()

    torch.testing.assert_close(emb.weight[0], before[0] - 0.5)
    assert torch.equal(emb.weight[1:], before[1:])


def test_sparse_embedding_gradient_is_taken_by_sparse_adam_which_refuses_dense_ones():
    """`optim.SparseAdam` steps on a sparse embedding gradient and raises RuntimeError on a dense one.

    `SparseAdam` is the sparse counterpart of `Adam` that the Embedding docs name: it updates
    only the rows present in the gradient, so a row never looked up keeps its value exactly.
    Given the gradient of an ordinary (`sparse=False`) embedding it refuses, pointing back to
    `Adam`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(3, 2, sparse=True)
    dense = nn.Embedding(3, 2)
    emb(torch.tensor([0])).sum().backward()
    dense(torch.tensor([0])).sum().backward()
    before = emb.weight.detach().clone()

    torch.optim.SparseAdam(emb.parameters(), lr=0.1).step()

    # Adam's first step moves each coordinate by lr * sign(grad) (up to eps): here -0.1.
    torch.testing.assert_close(emb.weight[0], before[0] - 0.1)
    assert torch.equal(emb.weight[1:], before[1:])
    with raises_exactly(RuntimeError, match=r"SparseAdam does not support dense gradients, please consider Adam instead"):
        torch.optim.SparseAdam(dense.parameters()).step()


def test_embedding_padding_idx_row_starts_at_zero():
    """With `padding_idx=p`, row `p` of a new table is all zeros, so padding looks up a zero vector.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    torch.manual_seed(0)
    emb = nn.Embedding(5, 3, padding_idx=0)

    out = emb(torch.tensor([0, 2, 0]))

    assert emb.weight[0].tolist() == [0.0, 0.0, 0.0]
    assert out[0].tolist() == [0.0, 0.0, 0.0]
    assert out[2].tolist() == [0.0, 0.0, 0.0]
    assert torch.equal(out[1], emb.weight[2])


def test_embedding_padding_idx_row_gets_no_gradient():
    """The `padding_idx` row's gradient stays zero however often it is looked up.

    That is what keeps the pad vector fixed during training: the optimizer sees a zero
    gradient for it, while every other row is trained as usual.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(4, 2, padding_idx=0)
    idx = torch.tensor([0, 0, 1, 0])

    emb(idx).sum().backward()

    assert emb.weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]


def test_embedding_padding_row_can_be_set_to_another_vector():
    """The padding row may be overwritten; it then looks up the new value and still gets no gradient.

    Only the initial zeros come from `padding_idx`; what it really guarantees is the zero
    gradient.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(3, 2, padding_idx=0)
    with torch.no_grad():
        emb.weight[0] = torch.ones(2)

    out = emb(torch.tensor([0, 1]))
    out.sum().backward()

    assert out[0].tolist() == [1.0, 1.0]
    assert emb.weight.grad[0].tolist() == [0.0, 0.0]


def test_embedding_negative_padding_idx_counts_from_the_end():
    """A negative `padding_idx` counts from the end: `-1` in a table of 5 rows is stored as 4.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(5, 2, padding_idx=-1)

    assert emb.padding_idx == 4
    assert emb.weight[4].tolist() == [0.0, 0.0]


def test_embedding_padding_idx_outside_the_table_fails_an_assert():
    """A `padding_idx` outside `[-num_embeddings, num_embeddings)` raises AssertionError.

    It is a plain `assert` in the constructor, so it is an AssertionError rather than a
    ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    with raises_exactly(AssertionError, match=r"Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    with raises_exactly(AssertionError, match=r"Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=-6)


def test_embedding_max_norm_renormalises_looked_up_rows_in_place():
    """With `max_norm`, the forward pass rescales each looked-up row longer than `max_norm` inside `weight`.

    Row `[3, 4]` has Euclidean norm 5; with `max_norm=1` it is returned *and stored* as
    `[3, 4] / 5`. A row shorter than `max_norm` is left alone, and a row that was not looked up
    is not touched even if it is too long: the forward pass modifies `weight` in place, only
    where it reads.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    table = torch.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    emb = nn.Embedding.from_pretrained(table.clone(), max_norm=1.0)

    out = emb(torch.tensor([0, 1]))

    assert emb.norm_type == 2.0
    torch.testing.assert_close(out, torch.tensor([[0.6, 0.8], [0.3, 0.4]]))
    torch.testing.assert_close(emb.weight[0], torch.tensor([0.6, 0.8]))
    assert emb.weight[1].tolist() == table[1].tolist()
    assert emb.weight[2].tolist() == [6.0, 8.0]


def test_embedding_norm_type_chooses_the_p_of_the_norm():
    """`norm_type=1` measures rows with the L1 norm: `[3, 4]` has norm 7 and becomes `[3/7, 4/7]`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding.from_pretrained(torch.tensor([[3.0, 4.0]]), max_norm=1.0, norm_type=1.0)

    out = emb(torch.tensor([0]))

    torch.testing.assert_close(out, torch.tensor([[3.0 / 7.0, 4.0 / 7.0]]))
    torch.testing.assert_close(emb.weight.detach(), out)


def test_embedding_max_norm_needs_weight_cloned_before_another_differentiable_use():
    """With `max_norm`, using `weight` in a differentiable op before the lookup breaks `backward` unless you clone it.

    The lookup renormalises rows of `weight` in place, which bumps its version counter; a
    product `weight @ W.T` computed earlier saved `weight` for its backward pass, and
    autograd refuses to use a tensor modified since. The Embedding docs' fix is to compute
    on `weight.clone()`, which the in-place update cannot reach.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    table = torch.tensor([[3.0, 4.0], [1.0, 0.0], [6.0, 8.0]])
    idx = torch.tensor([0, 2])
    W = torch.randn(2, 2, requires_grad=True)
    shared = nn.Embedding.from_pretrained(table.clone(), freeze=False, max_norm=1.0)
    cloned = nn.Embedding.from_pretrained(table.clone(), freeze=False, max_norm=1.0)

    a = shared.weight @ W.t()  # saves shared.weight for backward
    b = shared(idx) @ W.t()  # renormalises rows 0 and 2 of shared.weight in place
    a_cloned = cloned.weight.clone() @ W.t()
    b_cloned = cloned(idx) @ W.t()
    (a_cloned.unsqueeze(0) + b_cloned.unsqueeze(1)).sum().backward()

    assert W.grad is not None
    torch.testing.assert_close(cloned.weight[2], torch.tensor([0.6, 0.8]))
    with raises_exactly(RuntimeError, match=r"needed for gradient computation has been modified by an inplace operation"):
        (a.unsqueeze(0) + b.unsqueeze(1)).sum().backward()


def test_from_pretrained_freezes_the_table_by_default():
    """`Embedding.from_pretrained(t)` sets `weight.requires_grad=False`; `freeze=False` keeps it trainable.

    The table has as many rows and columns as `t`, and looks up `t`'s rows.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding.from_pretrained
    """
    table = torch.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])

    frozen = nn.Embedding.from_pretrained(table)
    trainable = nn.Embedding.from_pretrained(table, freeze=False)

    assert (frozen.num_embeddings, frozen.embedding_dim) == (2, 3)
    assert frozen.weight.requires_grad is False
    assert trainable.weight.requires_grad is True
    assert torch.equal(frozen(torch.tensor([1])), table[1:])


def test_from_pretrained_shares_memory_with_the_given_tensor():
    """`from_pretrained` does not copy: the embedding's `weight` uses the storage of the tensor passed in.

    Writing to the original tensor changes what the embedding looks up (and training the
    embedding with `freeze=False` would change the original). Pass `t.clone()` to keep them
    apart.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding.from_pretrained
    """
    table = torch.zeros(2, 3)
    emb = nn.Embedding.from_pretrained(table)

    table[1] = 7.0

    assert emb.weight.untyped_storage().data_ptr() == table.untyped_storage().data_ptr()
    assert emb(torch.tensor([1])).tolist() == [[7.0, 7.0, 7.0]]


def test_from_pretrained_keeps_the_padding_row_it_was_given():
    """`from_pretrained(t, padding_idx=p)` does not zero row `p`; it only stops its gradient.

    The zeros of a new `nn.Embedding` come from its initialisation, which `from_pretrained`
    skips; the pad row keeps its pretrained values.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding.from_pretrained
    """
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table.clone(), freeze=False, padding_idx=0)

    out = emb(torch.tensor([0, 1, 0]))
    out.sum().backward()

    assert out[0].tolist() == [1.0, 2.0]
    assert emb.weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_functional_embedding_keeps_the_padding_row_but_gives_it_no_gradient():
    """`F.embedding(idx, weight, padding_idx=p)` returns row `p` as it is, and its analytical gradient is zero.

    The function does not own the table, so unlike `nn.Embedding` it never zeros the pad
    row: it only stops that row's gradient. The docs warn that this analytical gradient
    differs from the numerical one: nudging `weight[p]` by `eps` does move the output (twice
    here, since `p` is looked up twice), yet the gradient says 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.embedding.html#torch.nn.functional.embedding
    """
    weight = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    idx = torch.tensor([0, 1, 0])

    out = F.embedding(idx, weight, padding_idx=0)
    out.sum().backward()

    assert out[0].tolist() == [1.0, 2.0]
    assert weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    eps = 1e-3
    nudged = weight.detach().clone()
    nudged[0, 0] += eps
    numerical = (F.embedding(idx, nudged, padding_idx=0).sum() - out.sum()) / eps
    torch.testing.assert_close(numerical.item(), 2.0)


def test_functional_embedding_max_norm_rewrites_the_given_weight():
    """`F.embedding(..., max_norm=m)` renormalises the looked-up rows of the `weight` you pass, in place.

    There is no module to hold a copy: the tensor given as `weight` is the one modified, and
    its version counter records the write.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.embedding.html#torch.nn.functional.embedding
    """
    weight = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    version = weight._version

    out = F.embedding(torch.tensor([0, 1]), weight, max_norm=1.0)

    torch.testing.assert_close(weight, torch.tensor([[0.6, 0.8], [0.3, 0.4]]))
    torch.testing.assert_close(out, weight)
    assert weight._version > version


@pytest.mark.parametrize(
    ("mode", "reduce"),
    [
        pytest.param("sum", lambda rows: rows.sum(0), id="sum"),
        pytest.param("mean", lambda rows: rows.mean(0), id="mean"),
        pytest.param("max", lambda rows: rows.max(0).values, id="max"),
    ],
)
def test_embedding_bag_reduces_each_bag_like_embedding_then_reduce(mode, reduce):
    """`nn.EmbeddingBag` with 1-D input and `offsets` reduces each bag of looked-up rows by `mode`.

    `offsets` holds where each bag starts in the flat `input`: `[0, 2]` over 5 indices makes
    the bags `input[0:2]` and `input[2:5]`. The result has one row per bag; it equals
    looking the rows up with `nn.Embedding` and reducing each bag yourself, without building
    the intermediate (bags, length, dim) tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(10, 3, mode=mode)
    idx = torch.tensor([1, 2, 4, 5, 4])
    offsets = torch.tensor([0, 2])
    rows = bag.weight[idx]

    out = bag(idx, offsets)

    assert out.shape == (2, 3)
    torch.testing.assert_close(out, torch.stack([reduce(rows[0:2]), reduce(rows[2:5])]))


def test_embedding_bag_weight_is_drawn_from_standard_normal():
    """A new `nn.EmbeddingBag` fills `weight` (num_embeddings, embedding_dim) with draws from N(0, 1), like `nn.Embedding`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(10, 3)
    torch.manual_seed(0)
    expected = torch.randn(10, 3)

    assert bag.weight.shape == (10, 3)
    assert torch.equal(bag.weight.detach(), expected)


def test_embedding_bag_mode_defaults_to_mean():
    """`nn.EmbeddingBag`'s default `mode` is `"mean"`, not `"sum"`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    bag = nn.EmbeddingBag.from_pretrained(torch.tensor([[1.0, 2.0], [3.0, 6.0]]))

    out = bag(torch.tensor([[0, 1]]))

    assert bag.mode == "mean"
    assert out.tolist() == [[2.0, 4.0]]


def test_embedding_bag_2d_input_is_bags_of_equal_length():
    """A 2-D input of shape (B, N) is B bags of N indices each, and needs no `offsets`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag.forward
    """
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(10, 3, mode="sum")
    idx = torch.tensor([[1, 2, 4], [4, 3, 9]])

    out = bag(idx)

    torch.testing.assert_close(out, bag.weight[idx].sum(1))


def test_embedding_bag_1d_input_needs_offsets():
    """A 1-D input without `offsets` raises ValueError: nothing says where the bags start.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag.forward
    """
    bag = nn.EmbeddingBag(10, 3)

    with raises_exactly(ValueError, match=r"offsets has to be a 1D Tensor but got None"):
        bag(torch.tensor([1, 2]))


def test_embedding_bag_2d_input_rejects_offsets():
    """Passing `offsets` with a 2-D input raises ValueError: the bags are already the rows.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag.forward
    """
    bag = nn.EmbeddingBag(10, 3)

    with raises_exactly(ValueError, match=r"if input is 2D, then offsets has to be None"):
        bag(torch.tensor([[1, 2]]), torch.tensor([0]))


def test_embedding_bag_empty_bag_gives_zeros():
    """A bag of length zero (two equal offsets) returns a row of zeros.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag.forward
    """
    bag = nn.EmbeddingBag.from_pretrained(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), mode="sum")

    out = bag(torch.tensor([0, 1, 2]), torch.tensor([0, 0, 2]))

    assert out.tolist() == [[0.0, 0.0], [4.0, 6.0], [5.0, 6.0]]


def test_embedding_bag_include_last_offset_reads_offsets_as_boundaries():
    """With `include_last_offset=True`, `offsets` has one entry more than there are bags: the end of the last one.

    This is the CSR layout: `[0, 1, 3]` over 3 indices means the bags `[0:1]` and `[1:3]`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    bag = nn.EmbeddingBag.from_pretrained(table, mode="sum", include_last_offset=True)

    out = bag(torch.tensor([0, 1, 2]), torch.tensor([0, 1, 3]))

    assert out.tolist() == [[1.0, 2.0], [8.0, 10.0]]


def test_embedding_bag_include_last_offset_is_ignored_for_2d_input():
    """`include_last_offset=True` changes nothing for a 2-D input: each row is still one bag (since 2.10).

    The docs say the option is "Ignored when input is 2D". Before 2.10 it was not: the
    offsets made for the rows (0 and 2 here) were read as bag boundaries, the last one
    closing the bag before it, so two rows gave one bag and the last row was lost.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    bag = nn.EmbeddingBag.from_pretrained(table, mode="sum", include_last_offset=True)

    out = bag(torch.tensor([[0, 1], [1, 1]]))

    assert out.tolist() == by_version({"<2.10": [[4.0, 6.0]], ">=2.10": [[4.0, 6.0], [6.0, 8.0]]})


def test_embedding_bag_per_sample_weights_give_a_weighted_sum():
    """`per_sample_weights` scales each looked-up row before `mode="sum"` adds them up.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag.forward
    """
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    bag = nn.EmbeddingBag.from_pretrained(table, mode="sum")
    idx = torch.tensor([0, 1, 2])
    weights = torch.tensor([2.0, 0.5, -1.0])

    out = bag(idx, torch.tensor([0]), per_sample_weights=weights)

    assert out.tolist() == [[2.0 * 1 + 0.5 * 3 - 5, 2.0 * 2 + 0.5 * 4 - 6]]


def test_embedding_bag_per_sample_weights_must_match_the_input_shape():
    """`per_sample_weights` of another shape than `input` raises ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag.forward
    """
    bag = nn.EmbeddingBag(3, 2, mode="sum")

    with raises_exactly(ValueError, match=r"per_sample_weights .* must have the same shape as the input"):
        bag(torch.tensor([0, 1]), torch.tensor([0]), per_sample_weights=torch.ones(3))


@pytest.mark.parametrize("mode", ["mean", "max"])
def test_embedding_bag_per_sample_weights_need_mode_sum(mode):
    """`per_sample_weights` with `mode="mean"` or `"max"` raises NotImplementedError.

    Catching RuntimeError would also catch it, since NotImplementedError is a subclass; the
    class raised is exactly NotImplementedError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag.forward
    """
    bag = nn.EmbeddingBag(3, 2, mode=mode)

    with raises_exactly(NotImplementedError, match=r"per_sample_weights is only supported for mode='sum'"):
        bag(torch.tensor([0, 1]), torch.tensor([0]), per_sample_weights=torch.ones(2))


def test_embedding_bag_padding_idx_is_left_out_of_the_reduction():
    """In `nn.EmbeddingBag`, indices equal to `padding_idx` are dropped from the bag, so `mean` divides by the others.

    The bag `[0, 1, 2]` with `padding_idx=0` averages rows 1 and 2 only: (3+5)/2 and (4+6)/2,
    whatever row 0 holds.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    bag = nn.EmbeddingBag.from_pretrained(table, mode="mean", padding_idx=0)

    out = bag(torch.tensor([[0, 1, 2]]))

    assert out.tolist() == [[4.0, 5.0]]


def test_embedding_bag_padding_idx_row_starts_at_zero_and_gets_no_gradient():
    """A new `nn.EmbeddingBag(padding_idx=p)` has a zero row `p`, and that row receives no gradient.

    As in `nn.Embedding`, the pad vector stays fixed during training; here it is also
    excluded from every bag, so a bag made only of padding returns zeros.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(3, 2, mode="sum", padding_idx=0)

    out = bag(torch.tensor([[0, 1], [0, 0]]))
    out.sum().backward()

    assert bag.weight[0].tolist() == [0.0, 0.0]
    assert torch.equal(out[0], bag.weight[1])
    assert out[1].tolist() == [0.0, 0.0]
    assert bag.weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]


def test_embedding_bag_max_norm_renormalises_rows_before_reducing():
    """`EmbeddingBag(max_norm=...)` renormalises the looked-up rows in `weight`, like `nn.Embedding`, then reduces.

    The bag `[0, 1]` sums `[3, 4] / 5` and `[0.3, 0.4]`; row 0 is rewritten in the table.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    table = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    bag = nn.EmbeddingBag.from_pretrained(table.clone(), mode="sum", max_norm=1.0)

    out = bag(torch.tensor([[0, 1]]))

    torch.testing.assert_close(out, torch.tensor([[0.9, 1.2]]))
    torch.testing.assert_close(bag.weight[0], torch.tensor([0.6, 0.8]))


def test_embedding_bag_max_mode_rejects_scale_grad_by_freq_and_sparse():
    """`mode="max"` supports neither `scale_grad_by_freq` nor `sparse`: the forward pass raises ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag
    """
    idx = torch.tensor([[0, 1]])

    with raises_exactly(ValueError, match=r"max mode does not support scaling the gradient by the frequency"):
        nn.EmbeddingBag(3, 2, mode="max", scale_grad_by_freq=True)(idx)
    with raises_exactly(ValueError, match=r"max mode does not support sparse weights"):
        nn.EmbeddingBag(3, 2, mode="max", sparse=True)(idx)


def test_embedding_bag_from_pretrained_freezes_and_averages_by_default():
    """`EmbeddingBag.from_pretrained` freezes the table and averages, like the constructor's default `mode`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.EmbeddingBag.html#torch.nn.EmbeddingBag.from_pretrained
    """
    table = torch.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])

    bag = nn.EmbeddingBag.from_pretrained(table)

    assert bag.weight.requires_grad is False
    torch.testing.assert_close(bag(torch.tensor([[1, 0]])), table.mean(0, keepdim=True))


def test_embedding_index_out_of_range_raises_index_error():
    """An index `>= num_embeddings` raises IndexError on CPU.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(3, 2)

    with raises_exactly(IndexError, match=r"index out of range in self"):
        emb(torch.tensor([3]))


def test_embedding_negative_index_is_not_counted_from_the_end():
    """Unlike `weight[-1]`, `emb(torch.tensor([-1]))` raises IndexError: lookups do not wrap around.

    `padding_idx=-1` counts from the end, but the indices passed to the forward pass must lie
    in `[0, num_embeddings)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(3, 2)

    with raises_exactly(IndexError, match=r"index out of range in self"):
        emb(torch.tensor([-1]))


def test_embedding_rejects_floating_point_indices():
    """Indices must be an integer tensor (int64 or int32); a float tensor raises RuntimeError.

    Token ids that went through a float computation (or `torch.Tensor([...])`, which makes
    float32) must be cast back with `.long()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Embedding.html#torch.nn.Embedding
    """
    emb = nn.Embedding(3, 2)

    assert emb(torch.tensor([2], dtype=torch.int32)).shape == (1, 2)
    with raises_exactly(RuntimeError, match=r"Expected tensor for argument #1 'indices' to have one of the following"):
        emb(torch.tensor([2.0]))

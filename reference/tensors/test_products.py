"""Products

PyTorch has one elementwise product (`*`, `mul`) and several matrix products that differ
in which shapes they accept: `dot` (two vectors), `mv` (matrix and vector), `mm` (two
matrices), `bmm` (two batches of equal size) and `matmul`/`@`, which does all of these
and broadcasts batch dimensions by the rules of the Broadcasting page. NumPy's `dot`,
`vdot` and `inner` use the same names for different things.
"""

import numpy as np
import pytest
import torch

from torchref import raises_exactly


@pytest.mark.claim("S1-010", verdict="true")
@pytest.mark.claim("S2-016", verdict="true")
def test_mul_and_star_multiply_element_by_element():
    """`a.mul(b)` and `a * b` multiply matching elements; the shape stays (2, 2).

    Both notes are right: this is the elementwise (Hadamard) product, not the matrix
    product.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.mul.html
    """
    a = torch.tensor([[1, 2], [3, 4]])

    assert a.mul(a).tolist() == [[1, 4], [9, 16]]
    assert torch.equal(a * a, torch.mul(a, a))


@pytest.mark.claim("S1-011", verdict="true")
def test_matmul_and_at_are_the_matrix_product():
    """`a.matmul(a.T)` and `a @ a.T` are the matrix product: rows of `a` dotted with rows of `a`.

    The note is right. Entry (i, j) of `a @ a.T` is the dot product of rows i and j, so
    a (2, 3) matrix gives a (2, 2) result.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.matmul.html
    """
    a = torch.tensor([[1, 2, 3], [4, 5, 6]])

    p = a @ a.T

    assert p.tolist() == [[1 + 4 + 9, 4 + 10 + 18], [4 + 10 + 18, 16 + 25 + 36]]
    assert torch.equal(a.matmul(a.T), p)


@pytest.mark.claim("S2-017", verdict="true")
def test_dot_multiplies_and_sums_two_vectors():
    """`torch.dot(a, b)` multiplies two vectors element by element and sums: a 0-d tensor.

    The note is right: `dot(a, b) == (a * b).sum()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.dot.html
    """
    a = torch.tensor([1, 2, 3])
    b = torch.tensor([4, 5, 6])

    d = torch.dot(a, b)

    assert d.shape == ()
    assert d.item() == 1 * 4 + 2 * 5 + 3 * 6
    assert torch.equal(d, (a * b).sum())


def test_dot_refuses_matrices():
    """`torch.dot` accepts only 1-D tensors; two matrices raise.

    Unlike `numpy.dot` (see below), `torch.dot` never falls back to a matrix product.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.dot.html
    """
    a = torch.ones(2, 2)

    with raises_exactly(RuntimeError, match="1D tensors expected, but got 2D and 2D tensors"):
        torch.dot(a, a)


def test_dot_needs_the_same_dtype():
    """`torch.dot` of a float32 and a float64 vector raises instead of promoting.

    Elementwise `*` would promote both to float64; `dot` does not, so convert one side.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.dot.html
    """
    a = torch.ones(2, dtype=torch.float32)
    b = torch.ones(2, dtype=torch.float64)

    assert (a * b).dtype == torch.float64
    with raises_exactly(RuntimeError, match="expected both vectors to have same dtype, but found Float and Double"):
        torch.dot(a, b)


@pytest.mark.claim("S2-018", verdict="true")
def test_mm_multiplies_two_matrices():
    """`torch.mm(a, b)` is the product of an (n, m) and an (m, p) matrix.

    The note is right. `mm` checks that the inner sizes agree and names both shapes when
    they do not.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.mm.html
    """
    a = torch.tensor([[1, 2], [3, 4]])
    b = torch.tensor([[5], [6]])

    assert torch.mm(a, b).tolist() == [[1 * 5 + 2 * 6], [3 * 5 + 4 * 6]]
    with raises_exactly(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x1 and 2x2\)"):
        torch.mm(b, a)


def test_mm_accepts_only_2d_tensors():
    """`torch.mm` neither broadcasts nor accepts batches: a 3-D input raises.

    Use `bmm` for batches of equal size, `matmul` to broadcast.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.mm.html
    """
    batch = torch.ones(4, 2, 3)

    with raises_exactly(RuntimeError, match="self must be a matrix"):
        torch.mm(batch, torch.ones(3, 2))


@pytest.mark.claim("S2-019", verdict="true")
def test_mv_multiplies_a_matrix_by_a_vector():
    """`torch.mv(A, x)` is the matrix-vector product `A x`, a 1-D result.

    The note writes it as "AXT"; the vector is simply 1-D, with no transpose to take.
    The result equals `A @ x`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.mv.html
    """
    A = torch.tensor([[1, 2, 3], [4, 5, 6]])
    x = torch.tensor([1, 0, -1])

    y = torch.mv(A, x)

    assert y.tolist() == [1 - 3, 4 - 6]
    assert torch.equal(y, A @ x)
    with raises_exactly(RuntimeError, match="size mismatch"):
        torch.mv(A, torch.ones(2, dtype=torch.long))


def test_matmul_of_two_vectors_is_their_dot_product():
    """`a @ b` of two 1-D tensors is the dot product, a 0-d tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.matmul.html
    """
    a = torch.tensor([1, 2, 3])
    b = torch.tensor([4, 5, 6])

    assert (a @ b).shape == ()
    assert torch.equal(a @ b, torch.dot(a, b))


@pytest.mark.claim("S2-020", verdict="true")
def test_matmul_vector_matrix_prepends_then_removes_a_dim():
    """`v @ M` treats the vector `v` of size n as a (1, n) matrix, then drops that 1.

    The note is right: a (2,) vector times a (2, 3) matrix is computed as (1, 2) @ (2, 3)
    = (1, 3), and the result is returned as (3,).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.matmul.html
    """
    v = torch.tensor([1, 2])
    M = torch.tensor([[1, 2, 3], [4, 5, 6]])

    r = v @ M

    assert r.shape == (3,)
    assert torch.equal(r, (v.unsqueeze(0) @ M).squeeze(0))


@pytest.mark.claim("S2-020", verdict="true")
def test_matmul_matrix_vector_appends_then_removes_a_dim():
    """`M @ v` treats the vector as an (n, 1) column and returns a 1-D result, like `mv`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.matmul.html
    """
    M = torch.tensor([[1, 2, 3], [4, 5, 6]])
    v = torch.tensor([1, 0, -1])

    r = M @ v

    assert r.shape == (2,)
    assert torch.equal(r, (M @ v.unsqueeze(1)).squeeze(1))


def test_matmul_broadcasts_batch_dims():
    """`matmul` multiplies the last two dimensions and broadcasts all the ones before.

    A batch (4, 2, 3) times one (3, 5) matrix multiplies every matrix of the batch by
    it. Batch dimensions follow the broadcasting rules: (2, 1) and (3,) give (2, 3).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.matmul.html
    """
    batch = torch.randn(4, 2, 3, generator=torch.Generator().manual_seed(0))
    w = torch.randn(3, 5, generator=torch.Generator().manual_seed(1))

    out = batch @ w

    assert out.shape == (4, 2, 5)
    assert torch.allclose(out[3], batch[3] @ w)
    assert (torch.ones(2, 1, 4, 3) @ torch.ones(3, 3, 6)).shape == (2, 3, 4, 6)


def test_bmm_multiplies_batches_of_the_same_size():
    """`torch.bmm` multiplies matrix `i` of one batch by matrix `i` of the other.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.bmm.html
    """
    a = torch.randn(4, 2, 3, generator=torch.Generator().manual_seed(0))
    b = torch.randn(4, 3, 5, generator=torch.Generator().manual_seed(1))

    out = torch.bmm(a, b)

    assert out.shape == (4, 2, 5)
    assert torch.allclose(out[1], a[1] @ b[1])


def test_bmm_does_not_broadcast():
    """`bmm` raises on a batch of size 1 where `matmul` would broadcast it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.bmm.html
    """
    a = torch.ones(2, 2, 3)
    b = torch.ones(1, 3, 2)

    assert (a @ b).shape == (2, 2, 2)
    with raises_exactly(RuntimeError, match="Expected size for first two dimensions of batch2 tensor"):
        torch.bmm(a, b)


def test_einsum_spells_out_the_product():
    """`torch.einsum("ij,jk->ik", a, b)` names the indices: repeated ones are summed.

    The same notation writes the trace (`"ii->"`), a batched product (`"bij,bjk->bik"`)
    or an outer product (`"i,j->ij"`) without remembering which function does which.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.einsum.html
    """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = torch.tensor([[0.0, 1.0], [1.0, 0.0]])

    batch = torch.stack([a, b])

    assert torch.equal(torch.einsum("ij,jk->ik", a, b), a @ b)
    assert torch.einsum("ii->", a).item() == torch.trace(a).item()
    assert torch.equal(torch.einsum("bij,bjk->bik", batch, batch), torch.bmm(batch, batch))
    assert torch.equal(torch.einsum("i,j->ij", a[0], b[0]), torch.outer(a[0], b[0]))


def test_outer_gives_every_pairwise_product():
    """`torch.outer(a, b)` is the (n, m) matrix of all products `a[i] * b[j]`.

    It is the same as broadcasting a column against a row: `a[:, None] * b`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.outer.html
    """
    a = torch.tensor([1, 2])
    b = torch.tensor([1, 10, 100])

    o = torch.outer(a, b)

    assert o.tolist() == [[1, 10, 100], [2, 20, 200]]
    assert torch.equal(o, a[:, None] * b)


def test_numpy_dot_of_matrices_is_the_matrix_product():
    """`numpy.dot` of two 2-D arrays is the matrix product, where `torch.dot` refuses.

    The same name, two contracts: NumPy's `dot` switches on the number of dimensions,
    PyTorch's accepts vectors only. Write `@` in both libraries when you mean a matrix
    product.

    Docs: https://numpy.org/doc/stable/reference/generated/numpy.dot.html
    """
    a = np.array([[1, 2], [3, 4]])

    assert np.dot(a, a).tolist() == (a @ a).tolist() == [[7, 10], [15, 22]]
    with raises_exactly(RuntimeError, match="1D tensors expected"):
        torch.dot(torch.from_numpy(a), torch.from_numpy(a))


def test_numpy_vdot_flattens_matrices():
    """`numpy.vdot` flattens its inputs to vectors and takes their dot product; `torch.vdot` refuses 2-D.

    For two matrices `numpy.vdot` gives the sum of all elementwise products, a single
    number. Both conjugate the first argument for complex input.

    Docs: https://numpy.org/doc/stable/reference/generated/numpy.vdot.html
    """
    a = np.array([[1, 2], [3, 4]])
    u = np.array([1 + 2j, 3 - 1j])
    v = np.array([2 - 1j, 1 + 1j])

    assert np.vdot(a, a) == 1 + 4 + 9 + 16
    with raises_exactly(RuntimeError, match="1D tensors expected"):
        torch.vdot(torch.from_numpy(a), torch.from_numpy(a))
    assert np.vdot(u, v) == (u.conj() * v).sum()
    assert torch.vdot(torch.from_numpy(u), torch.from_numpy(v)).item() == np.vdot(u, v)


def test_inner_contracts_the_last_dims_in_both_libraries():
    """`numpy.inner` and `torch.inner` agree: for matrices, `inner(a, b)` is `a @ b.T`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.inner.html
    """
    a = np.array([[1, 2], [3, 4]])
    b = np.array([[1, 0], [1, 1], [0, 2]])

    assert np.inner(a, b).tolist() == (a @ b.T).tolist()
    assert torch.inner(torch.from_numpy(a), torch.from_numpy(b)).tolist() == np.inner(a, b).tolist()

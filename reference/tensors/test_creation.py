"""Creating tensors

There are three ways to get a tensor: from data you already have (`torch.tensor`,
`torch.as_tensor`, `torch.from_numpy`), from a shape and a fill rule (`zeros`, `ones`,
`full`, `arange`, `linspace`), or from a random number generator (`rand`, `randn`,
`randint`). This page shows which of them copy, what dtype each one picks, where the
ranges end, how to make random numbers repeat, and what a tensor tells you about itself.
How tensors share memory with NumPy arrays has its own page.
"""

import numpy as np
import pytest
import torch

from torchref import by_version, raises_exactly, warns_exactly


@pytest.mark.claim("S1-001", verdict="true")
def test_tensor_builds_a_tensor_from_nested_lists():
    """`torch.tensor` builds a tensor from nested Python lists, one dimension per nesting level.

    The note's example holds only Python ints, so the tensor is `int64`, the integer
    default; the shape comes from the nesting.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.tensor.html
    """
    x = torch.tensor([[1, -1], [-1, 1]])

    assert x.shape == (2, 2)
    assert x.dtype == torch.int64
    assert x.tolist() == [[1, -1], [-1, 1]]


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        ([1, 2], torch.int64),
        ([1.0, 2.0], torch.float32),
        ([1, 2.5], torch.float32),
        ([True, False], torch.bool),
        ([1 + 2j], torch.complex64),
    ],
    ids=["ints", "floats", "mixed", "bools", "complex"],
)
def test_tensor_infers_dtype_from_the_python_values(data, dtype):
    """`torch.tensor` picks the dtype from the kind of Python values it is given.

    Ints give `int64`; any float among them gives the default float dtype (`float32`);
    bools give `bool`; complex numbers give `complex64`. Pass `dtype=` to choose yourself.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.tensor.html
    """
    x = torch.tensor(data)

    assert x.dtype == dtype


def test_tensor_of_a_scalar_has_zero_dimensions():
    """`torch.tensor(3)` is a zero-dimensional tensor with shape `()`, not a vector of length 1.

    A 0-d tensor holds one value and no axes; `item()` gives the value back as a Python number.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.tensor.html
    """
    x = torch.tensor(3)

    assert x.shape == ()
    assert x.ndim == 0
    assert x.item() == 3


def test_tensor_of_a_tensor_warns_and_copies():
    """`torch.tensor(t)` on an existing tensor copies it and warns you to use `detach().clone()`.

    The warning exists because the copy is also cut off from autograd, which
    `detach().clone()` says plainly. Older releases word the advice as
    `clone().detach()`; both start the same way.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.tensor.html
    """
    t = torch.ones(2, requires_grad=True)

    with warns_exactly(UserWarning, match="To copy construct from a tensor"):
        x = torch.tensor(t)

    assert x.data_ptr() != t.data_ptr()
    assert torch.equal(x, t)
    assert x.requires_grad is False and x.grad_fn is None


def test_requires_grad_underscore_and_detach_avoid_the_copy_tensor_makes():
    """To change only the `requires_grad` flag of a tensor, `requires_grad_()` and `detach()` keep its memory.

    `torch.tensor(t)` would copy `t`. `t.requires_grad_()` flips the flag on `t` itself
    and returns `t`; `t.detach()` returns a new tensor, with `requires_grad` False, that
    reads the same storage.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    t = torch.ones(2)

    flagged = t.requires_grad_()
    detached = t.detach()

    assert flagged is t
    assert t.requires_grad is True
    assert detached.requires_grad is False
    assert detached.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()


def test_clone_copies_the_data_and_keeps_the_gradient_path():
    """`clone()` copies into new memory but stays in the autograd graph: gradients flow back to the original.

    It is the other half of `detach()`, which shares the memory and leaves the graph.
    That is why a detached, independent copy is spelled `t.detach().clone()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.clone.html#torch.clone
    """
    t = torch.ones(2, requires_grad=True)

    copy = t.clone()
    (3 * copy).sum().backward()

    assert copy.untyped_storage().data_ptr() != t.untyped_storage().data_ptr()
    assert copy.requires_grad is True
    assert copy.is_leaf is False
    assert t.grad.tolist() == [3.0, 3.0]


def test_as_tensor_returns_the_same_tensor_when_nothing_changes():
    """`torch.as_tensor(t)` hands back `t` itself when dtype and device already match.

    `as_tensor` copies only when it must; with a dtype change it has to.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.as_tensor.html
    """
    t = torch.ones(2)

    same = torch.as_tensor(t)
    converted = torch.as_tensor(t, dtype=torch.float64)

    assert same is t
    assert converted.dtype == torch.float64
    assert converted.data_ptr() != t.data_ptr()


def test_tensor_class_with_ints_makes_an_uninitialised_shape():
    """`torch.Tensor(3)` makes a float32 tensor of shape `(3,)`, while `torch.tensor(3)` holds the value 3.

    The capital-T class constructor reads bare ints as sizes and never infers a dtype:
    it always makes the default float type. Prefer `torch.tensor` for data and
    `torch.empty`/`torch.zeros` for shapes, which say what they mean.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.__init__
    """
    by_class = torch.Tensor(3)
    by_function = torch.tensor(3)

    assert by_class.shape == (3,)
    assert by_class.dtype == torch.float32
    assert by_function.shape == ()
    assert by_function.dtype == torch.int64


def test_tensor_class_turns_int_data_into_float32():
    """`torch.Tensor([1, 2])` gives float32 values, where `torch.tensor([1, 2])` gives int64.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.__init__
    """
    x = torch.Tensor([1, 2])

    assert x.dtype == torch.float32
    assert x.tolist() == [1.0, 2.0]


def test_tensor_class_makes_the_default_float_dtype_whatever_it_is():
    """`torch.Tensor([1, 2])` makes the *default* float dtype: float64 after `set_default_dtype(torch.float64)`.

    The docs say the legacy constructor builds "a tensor of the default dtype
    (typically `torch.float32`)". The default is process-wide state, so the test puts
    it back.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.__init__
    """
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        x = torch.Tensor([1, 2])
    finally:
        torch.set_default_dtype(previous)

    assert x.dtype == torch.float64
    assert x.tolist() == [1.0, 2.0]


def test_tensor_class_of_a_size_makes_an_uninitialised_tensor_of_that_shape():
    """`torch.Tensor(torch.Size([2, 3]))` makes an uninitialised float32 tensor of shape (2, 3).

    A `torch.Size` is read as a shape, not as the data `[2, 3]`: the legacy
    constructor treats it like the bare ints above.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.__init__
    """
    x = torch.Tensor(torch.Size([2, 3]))

    assert x.shape == (2, 3)
    assert x.dtype == torch.float32


def test_tensor_class_of_a_tensor_is_an_alias_that_tracks_autograd():
    """`torch.Tensor(t)` returns an alias of `t` that shares its memory and passes gradients back to it.

    Where `torch.tensor(t)` copies and cuts the copy off from autograd, the legacy
    constructor given a tensor returns a new tensor object on the same storage,
    recorded in the graph: a gradient through the alias reaches `t`. It accepts no
    `device=` for a tensor argument.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.__init__
    """
    t = torch.ones(2, requires_grad=True)

    alias = torch.Tensor(t)
    (3 * alias).sum().backward()

    assert alias is not t
    assert alias.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()
    assert alias.requires_grad
    assert t.grad.tolist() == [3.0, 3.0]
    with raises_exactly(RuntimeError, match=r"Legacy tensor constructor of the form torch\.Tensor\(tensor, device=device\) is not supported"):
        torch.Tensor(t, device="cpu")


def test_tensor_class_accepts_no_dtype():
    """`torch.Tensor([1], dtype=torch.float64)` is a TypeError: the legacy constructor always makes the default dtype.

    The docs recommend `torch.tensor`, which takes `dtype=` and `device=`.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.__init__
    """
    with raises_exactly(TypeError, match=r"new\(\) received an invalid combination of arguments"):
        torch.Tensor([1], dtype=torch.float64)
    assert torch.tensor([1], dtype=torch.float64).dtype == torch.float64


@pytest.mark.claim("S1-005", verdict="true")
@pytest.mark.parametrize("factory", [torch.zeros, torch.ones, torch.rand, torch.empty], ids=lambda f: f.__name__)
def test_factory_accepts_a_shape_tuple(factory):
    """`zeros`, `ones`, `rand` and `empty` accept the shape as a tuple or as separate ints.

    The note's `shape = (2, 3,)` works: the trailing comma is just Python tuple syntax.
    Passing the same numbers unpacked, or as a `torch.Size`, gives the same shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.zeros.html
    """
    shape = (2, 3,)

    x = factory(shape)

    assert x.shape == (2, 3)
    assert factory(2, 3).shape == x.shape
    assert factory(torch.Size([2, 3])).shape == x.shape


def test_creation_op_takes_a_dtype_and_a_device():
    """A creation op such as `torch.zeros` builds a tensor of the `dtype` and on the `device` it is given.

    `torch.zeros([2, 4], dtype=torch.int32)` holds int32 zeros instead of the default
    float32; `device=` picks where the memory lives (the CPU here, so the check runs
    everywhere).

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    zeros = torch.zeros([2, 4], dtype=torch.int32)
    ones = torch.ones([2, 4], dtype=torch.float64, device=torch.device("cpu"))

    assert zeros.dtype == torch.int32
    assert zeros.tolist() == [[0] * 4] * 2
    assert ones.dtype == torch.float64
    assert ones.device == torch.device("cpu")
    assert ones.tolist() == [[1.0] * 4] * 2


def test_full_takes_its_dtype_from_the_fill_value():
    """`torch.full((2,), 7)` is an int64 tensor; `torch.full((2,), 7.0)` is float32.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.full.html
    """
    ints = torch.full((2,), 7)
    floats = torch.full((2,), 7.0)

    assert ints.dtype == torch.int64
    assert floats.dtype == torch.float32
    assert ints.tolist() == [7, 7]


@pytest.mark.claim("S1-003", verdict="true")
def test_ones_like_keeps_shape_dtype_and_device():
    """`ones_like(x)` copies `x`'s shape, dtype and device, but not its values.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.ones_like.html
    """
    x_data = torch.tensor([[1, 2], [3, 4]])

    x_ones = torch.ones_like(x_data)

    assert x_ones.shape == x_data.shape
    assert x_ones.dtype == torch.int64
    assert x_ones.device == x_data.device
    assert x_ones.tolist() == [[1, 1], [1, 1]]


@pytest.mark.claim("S1-004", verdict="true")
def test_rand_like_dtype_argument_overrides_the_dtype():
    """`rand_like(x, dtype=torch.float)` keeps `x`'s shape but makes float32 values.

    The note's override is needed, not optional: see the next section.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.rand_like.html
    """
    x_data = torch.tensor([[1, 2], [3, 4]])

    x_rand = torch.rand_like(x_data, dtype=torch.float)

    assert x_rand.shape == (2, 2)
    assert x_rand.dtype == torch.float32


def test_rand_like_of_an_int_tensor_raises():
    """`rand_like` of an int64 tensor raises, because it would draw uniform floats into int64.

    `*_like` keeps the input's dtype, and `rand` has no integer version: the uniform
    kernel is simply not implemented for `'Long'`. Since PyTorch 2.8 an op called on a
    dtype it has no kernel for raises `NotImplementedError`
    (https://github.com/pytorch/pytorch/pull/155470); earlier releases raise its base
    class, `RuntimeError`, with the same message. `except RuntimeError` catches both.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.rand_like.html
    """
    x_data = torch.tensor([[1, 2], [3, 4]])
    expected = by_version({"<2.8": RuntimeError, ">=2.8": NotImplementedError})

    with raises_exactly(expected, match=r"not implemented for 'Long'"):
        torch.rand_like(x_data)
    assert issubclass(NotImplementedError, RuntimeError)


def test_new_zeros_takes_dtype_and_device_from_self():
    """`x.new_zeros(shape)` makes a new shape with `x`'s dtype and device.

    Unlike `zeros_like`, the shape is yours to choose: handy inside a function that
    must create tensors matching an input it was given.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.new_zeros.html
    """
    x = torch.ones(5, dtype=torch.float64)

    z = x.new_zeros(2, 3)

    assert z.shape == (2, 3)
    assert z.dtype == torch.float64
    assert z.device == x.device
    assert z.tolist() == [[0.0] * 3] * 2


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda x: x.new_ones(2), [1, 1]),
        (lambda x: x.new_full((2,), 7), [7, 7]),
        (lambda x: x.new_tensor([3, 4]), [3, 4]),
    ],
    ids=["new_ones", "new_full", "new_tensor"],
)
def test_new_methods_keep_selfs_dtype(make, expected):
    """`new_ones`, `new_full` and `new_tensor` on an int32 tensor make int32 tensors.

    The `Tensor.new_*` methods default to the dtype and device of the tensor they are
    called on, whatever the Python values would infer: `torch.full((2,), 7)` alone would
    be int64, `x.new_full((2,), 7)` is int32 like `x`. Pass `dtype=` to override.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor
    """
    x = torch.zeros(3, dtype=torch.int32)

    y = make(x)

    assert y.dtype == torch.int32
    assert y.device == x.device
    assert y.tolist() == expected


def test_new_empty_keeps_selfs_dtype_and_allocates_the_shape():
    """`x.new_empty(shape)` allocates an uninitialised tensor of that shape with `x`'s dtype.

    Like `torch.empty`, the values are whatever the memory held: write before you read.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.new_empty.html
    """
    x = torch.zeros(1, dtype=torch.float64)

    y = x.new_empty(2, 3)

    assert y.shape == (2, 3)
    assert y.dtype == torch.float64


def test_new_tensor_copies_its_data():
    """`x.new_tensor(data)` copies `data`, like `torch.tensor`, even when `data` is a tensor.

    The result is a new leaf that shares no memory with `data`. Given a tensor it warns,
    as `torch.tensor` does, that `clone().detach()` says the same thing more plainly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.new_tensor.html
    """
    x = torch.zeros(1)
    data = torch.tensor([1.0, 2.0])

    with warns_exactly(UserWarning, match="To copy construct from a tensor"):
        y = x.new_tensor(data)
    y[0] = 9.0

    assert data.tolist() == [1.0, 2.0]
    assert y.untyped_storage().data_ptr() != data.untyped_storage().data_ptr()


@pytest.mark.torch_version(">=2.7")
def test_new_tensor_is_made_on_selfs_device_since_2_7():
    """`x.new_tensor(data)` puts the result on `x`'s device by default since PyTorch 2.7.

    The docs always said so. The 2.7 release notes describe the old behaviour as
    "always creating the new Tensor on the cpu device"; 2.7 restored the documented one
    (https://github.com/pytorch/pytorch/pull/144958). A `meta` tensor shows it without a
    GPU: the result is on `meta` too.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.new_tensor.html
    """
    x = torch.empty(2, device="meta")

    y = x.new_tensor([1.0, 2.0])

    assert y.device == torch.device("meta")
    assert torch.zeros(1).new_tensor([1.0]).device == torch.device("cpu")


def test_arange_excludes_the_end():
    """`arange(start, end)` stops before `end`, like Python's `range`.

    Integer arguments give int64; any float argument gives float32.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.arange.html
    """
    ints = torch.arange(0, 5)
    floats = torch.arange(0.0, 1.0, 0.25)

    assert ints.tolist() == [0, 1, 2, 3, 4]
    assert ints.dtype == torch.int64
    assert floats.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert floats.dtype == torch.float32


def test_arange_with_a_float_step_can_include_the_end():
    """`arange(1, 1.3, 0.1)` has four elements, the last one about 1.3, though the end is excluded.

    The length is `ceil((end - start) / step)`, computed in double precision.
    `(1.3 - 1) / 0.1` is `3.0000000000000004` there, which rounds up to 4. A float step
    cannot be trusted to stop where you expect: use `linspace` when you know the count.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.arange.html
    """
    x = torch.arange(1, 1.3, 0.1)

    assert (1.3 - 1) / 0.1 > 3
    assert len(x) == 4
    torch.testing.assert_close(x[-1], torch.tensor(1.3))


def test_linspace_includes_both_ends():
    """`linspace(0, 1, 5)` gives exactly 5 points, with both 0 and 1 among them.

    You state the count, not the step, so there is no rounding surprise. `steps` has no
    default: leaving it out is a TypeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.linspace.html
    """
    x = torch.linspace(0, 1, 5)

    assert x.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    with raises_exactly(TypeError, match="steps"):
        torch.linspace(0, 1)


def test_rand_draws_from_zero_inclusive_to_one_exclusive():
    """`torch.rand` draws uniformly from `[0, 1)`: 0 can occur, 1 never does.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.rand.html
    """
    torch.manual_seed(0)

    x = torch.rand(10_000)

    assert x.min() >= 0.0
    assert x.max() < 1.0
    assert x.dtype == torch.float32


def test_randn_draws_from_the_standard_normal():
    """`torch.randn` samples mean 0 and standard deviation 1, so values are unbounded.

    With 10,000 samples the sample mean is within a few hundredths of 0 and the sample
    standard deviation within a few hundredths of 1; some values fall outside `[-1, 1]`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.randn.html
    """
    torch.manual_seed(0)

    x = torch.randn(10_000)

    torch.testing.assert_close(x.mean(), torch.tensor(0.0), atol=0.05, rtol=0)
    torch.testing.assert_close(x.std(), torch.tensor(1.0), atol=0.05, rtol=0)
    assert x.abs().max() > 1.0


def test_randint_excludes_high():
    """`randint(low, high, size)` draws integers from `low` up to `high - 1`.

    The result is int64. `size` is required and must be a tuple: `randint(0, 3, 5)`
    is a TypeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.randint.html
    """
    torch.manual_seed(0)

    x = torch.randint(0, 3, (1000,))

    assert x.unique().tolist() == [0, 1, 2]
    assert x.dtype == torch.int64
    with raises_exactly(TypeError, match="randint"):
        torch.randint(0, 3, 5)


def test_manual_seed_repeats_the_same_sequence():
    """Seeding again with the same number replays the same random numbers.

    `manual_seed` resets the global generator's state, so whatever follows it is drawn
    again exactly as before.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.manual_seed.html
    """
    torch.manual_seed(1)
    first = torch.randn(2, 3)

    torch.manual_seed(1)
    second = torch.randn(2, 3)

    assert torch.equal(first, second)


@pytest.mark.claim("S2-106", verdict="true")
def test_manual_seed_1_gives_the_notes_randn_values():
    """On the CPU, `manual_seed(1)` then `randn(2, 3)` gives the note's six values on every release.

    The CPU generator (a Mersenne Twister) and the way `randn` turns its output into normal
    samples have not changed across 2.x, so the note's printout still holds to four
    decimals. CUDA uses a different generator and gives different numbers for the same seed.

    Docs: https://docs.pytorch.org/docs/stable/notes/randomness.html
    """
    torch.manual_seed(1)

    x = torch.randn(2, 3)

    expected = torch.tensor([[0.6614, 0.2669, 0.0617], [0.6213, -0.4519, -0.1661]])
    torch.testing.assert_close(x, expected, atol=1e-4, rtol=0)


@pytest.mark.claim("S2-002", verdict="false")
def test_manual_seed_returns_a_generator_not_a_tensor():
    """`torch.manual_seed` returns the global `torch.Generator`, not a tensor.

    The note lists `manual_seed` among the functions that create tensors. It creates
    nothing: it seeds the default generator and returns that generator object, so calls
    can be chained (`torch.manual_seed(0).initial_seed()`).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.manual_seed.html
    """
    result = torch.manual_seed(0)

    assert not isinstance(result, torch.Tensor)
    assert isinstance(result, torch.Generator)
    assert result is torch.default_generator
    assert result.initial_seed() == 0


def test_generator_gives_a_private_reproducible_stream():
    """A `torch.Generator` passed as `generator=` is untouched by draws from the global one.

    Two generators seeded alike give the same numbers, however many numbers other code
    draws from the global generator in between. Use one when a component needs its own
    reproducible randomness.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Generator.html
    """
    g1 = torch.Generator().manual_seed(42)
    g2 = torch.Generator().manual_seed(42)

    first = torch.rand(3, generator=g1)
    torch.rand(100)  # a draw from the global generator in between
    second = torch.rand(3, generator=g2)

    assert torch.equal(first, second)


def test_generator_state_can_be_saved_and_restored():
    """`get_state` and `set_state` rewind a generator to replay the numbers after a checkpoint.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Generator.html
    """
    g = torch.Generator().manual_seed(0)
    state = g.get_state()
    first = torch.randn(3, generator=g)

    g.set_state(state)
    again = torch.randn(3, generator=g)

    assert torch.equal(first, again)


@pytest.mark.claim("S2-001", verdict="true")
@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.tensor([1, 2]),
        lambda: torch.rand(2),
        lambda: torch.randint(0, 5, (2,)),
        lambda: torch.randn(2),
        lambda: torch.normal(0.0, 1.0, (2,)),
        lambda: torch.arange(2),
        lambda: torch.from_numpy(np.zeros(2)),
        lambda: torch.linspace(0, 1, 2),
        lambda: torch.ones_like(torch.zeros(2)),
    ],
    ids=["tensor", "rand", "randint", "randn", "normal", "arange", "from_numpy", "linspace", "ones_like"],
)
def test_creation_function_returns_a_tensor(make):
    """Each of the note's creation functions returns a `torch.Tensor`.

    Docs: https://docs.pytorch.org/docs/stable/torch.html#creation-ops
    """
    x = make()

    assert isinstance(x, torch.Tensor)
    assert x.shape == (2,)


@pytest.mark.claim("S1-006", verdict="true")
def test_tensor_attributes_shape_dtype_device():
    """`shape`, `dtype` and `device` say how big a tensor is, what it holds and where it lives.

    These three are what must match before two tensors can meet in most operations.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html
    """
    x = torch.rand(3, 4)

    assert x.shape == (3, 4)
    assert x.dtype == torch.float32
    assert x.device == torch.device("cpu")


@pytest.mark.claim("S2-003", verdict="true")
def test_tensor_attributes_of_a_fresh_cpu_tensor():
    """A fresh CPU tensor has `ndim` 2, `is_cuda` False, `requires_grad` False and `grad` None.

    `ndim` is `len(shape)`. `is_cuda` is a shortcut for `device.type == "cuda"`. `grad`
    stays `None` until a backward pass fills it, and only for tensors that require grad.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#tensor-class-reference
    """
    x = torch.zeros(3, 4)

    assert x.ndim == 2 == len(x.shape)
    assert x.is_cuda is False
    assert x.requires_grad is False
    assert x.grad is None


@pytest.mark.torch_version(">=2.1")
def test_itemsize_and_nbytes_count_the_bytes_of_the_elements():
    """`itemsize` is the bytes per element and `nbytes` is `numel() * itemsize`.

    Both are NumPy's names, added to `torch.Tensor` in PyTorch 2.1
    (https://github.com/pytorch/pytorch/pull/98322). `nbytes` counts the elements a
    tensor shows, not the storage under it: a one-row slice of a (2, 3) float64 tensor
    has 24 bytes while its storage has 48.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.nbytes.html#torch.Tensor.nbytes
    """
    x = torch.zeros(2, 3, dtype=torch.float64)
    row = x[0]

    assert x.itemsize == 8 == x.element_size()
    assert x.nbytes == 48
    assert torch.zeros(3, dtype=torch.int16).itemsize == 2
    assert row.nbytes == 24
    assert row.untyped_storage().nbytes() == 48


@pytest.mark.claim("S2-003", verdict="true")
def test_tensor_grad_is_filled_by_backward():
    """`grad` of a leaf that requires grad holds the gradient after `backward()`.

    For `y = (2 * x).sum()` each element's gradient is 2.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.grad.html
    """
    x = torch.zeros(3, requires_grad=True)

    (2 * x).sum().backward()

    assert x.requires_grad is True
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_tensor_made_with_requires_grad_gets_a_gradient():
    """A tensor made with `requires_grad=True` has its operations recorded, so `backward()` fills its `grad`.

    The torch.Tensor page's example: for `out = (x ** 2).sum()` the gradient is `2 * x`.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    x = torch.tensor([[1.0, -1.0], [1.0, 1.0]], requires_grad=True)

    out = x.pow(2).sum()
    out.backward()

    assert out.grad_fn is not None
    assert x.grad.tolist() == [[2.0, -2.0], [2.0, 2.0]]
    assert torch.equal(x.grad, 2 * x.detach())


@pytest.mark.cuda
def test_tensor_on_gpu_reports_is_cuda():
    """A tensor made with `device="cuda"` has `is_cuda` True and device `cuda:0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.is_cuda.html
    """
    x = torch.zeros(2, device="cuda")

    assert x.is_cuda
    assert x.device == torch.device("cuda", 0)


@pytest.mark.claim("S0-013", verdict="true")
def test_submodules_hold_data_layers_init_and_optimizers():
    """`torch.utils.data`, `torch.nn`, `torch.nn.init` and `torch.optim` hold what their names say.

    The top-level `torch` namespace holds tensors and the operations on them; data
    loading, layers, weight initialisers and optimisers live in these submodules.

    Docs: https://docs.pytorch.org/docs/stable/index.html
    """
    import torch.nn.init
    import torch.optim
    import torch.utils.data

    assert hasattr(torch.utils.data, "DataLoader") and hasattr(torch.utils.data, "Dataset")
    assert issubclass(torch.nn.Linear, torch.nn.Module)
    assert callable(torch.nn.init.xavier_uniform_)
    assert issubclass(torch.optim.SGD, torch.optim.Optimizer)


@pytest.mark.torch_version(">=2.13")
def test_factory_functions_have_no_names_argument_since_2_13():
    """Since PyTorch 2.13 `torch.zeros(2, names=("a",))` is a TypeError: named tensors are gone.

    Named tensors were a prototype that let dimensions carry names. 2.13 removed them:
    the `names=` argument of factory functions, `Tensor.names`, `rename`, `refine_names`,
    `align_to` and `align_as` (https://github.com/pytorch/pytorch/pull/173895). Keep
    track of what each dimension means in variable names or comments instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.zeros.html
    """
    with raises_exactly(TypeError, match=r"zeros\(\) got an unexpected keyword argument 'names'"):
        torch.zeros(2, names=("a",))
    assert not hasattr(torch.zeros(1), "names")
    assert not hasattr(torch.Tensor, "refine_names")

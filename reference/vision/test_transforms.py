"""Transforms: tensors, PIL images and normalisation

`torchvision.transforms` is where preprocessing and augmentation live. Some transforms
change the type (`ToTensor`, `PILToTensor`, `ToPILImage`), some only the values
(`Normalize`, `ConvertImageDtype`), some the geometry (`Resize`, crops, flips). Most
geometric ones take a PIL image or a tensor; `Normalize` takes only tensors. The
dividing by 255 happens in exactly one place, `ToTensor`, and only for uint8 input.
"""

import numpy as np
import pytest
import torch
from PIL import Image

from torchref import raises_exactly, warns_exactly

torchvision = pytest.importorskip("torchvision")
from torchvision import transforms  # noqa: E402


@pytest.mark.claim("S0-014", verdict="true")
@pytest.mark.claim("S1-029", verdict="true")
@pytest.mark.claim("S2-050", verdict="true")
def test_to_tensor_scales_uint8_hwc_to_float_chw():
    """`ToTensor` turns an (H, W, C) uint8 array in [0, 255] into a (C, H, W) float32 tensor in [0, 1].

    Two things happen: the channel axis moves to the front, and the values are divided
    by 255. So 255 becomes 1.0 and 51 becomes 0.2.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToTensor.html#torchvision.transforms.ToTensor
    """
    array = np.zeros((2, 4, 3), dtype=np.uint8)
    array[0, 0] = [255, 51, 0]

    tensor = transforms.ToTensor()(array)

    assert tensor.shape == (3, 2, 4)
    assert tensor.dtype == torch.float32
    torch.testing.assert_close(tensor[:, 0, 0], torch.tensor([1.0, 0.2, 0.0]))


def test_to_tensor_scales_a_pil_image_the_same_way():
    """A PIL RGB image goes through `ToTensor` exactly like its uint8 array.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToTensor.html#torchvision.transforms.ToTensor
    """
    image = Image.new("RGB", (4, 2), (255, 51, 0))

    tensor = transforms.ToTensor()(image)

    assert tensor.shape == (3, 2, 4)
    torch.testing.assert_close(tensor, transforms.ToTensor()(np.array(image)))


@pytest.mark.parametrize(
    ("mode", "pixel", "expected"),
    [("L", 51, [51]), ("RGB", (255, 51, 0), [255, 51, 0]), ("RGBA", (255, 51, 0, 102), [255, 51, 0, 102])],
    ids=["L", "RGB", "RGBA"],
)
def test_to_tensor_keeps_one_channel_per_pil_band(mode, pixel, expected):
    """`ToTensor` gives one channel per band of the PIL mode: "L" 1, "RGB" 3, "RGBA" 4, each divided by 255.

    A greyscale image stays single-channel and an RGBA image keeps its alpha as a fourth
    channel: a model built for 3 channels fails on either. `image.convert("RGB")` before
    the transform (what `ImageFolder`'s default loader does) makes every file 3-channel.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToTensor.html#torchvision.transforms.ToTensor
    """
    image = Image.new(mode, (2, 1), pixel)

    tensor = transforms.ToTensor()(image)

    assert tensor.shape == (len(expected), 1, 2)
    torch.testing.assert_close(tensor[:, 0, 0], torch.tensor(expected) / 255)
    assert transforms.ToTensor()(image.convert("RGB")).shape == (3, 1, 2)


@pytest.mark.claim("S0-016", verdict="true")
def test_to_tensor_does_not_scale_float_arrays():
    """`ToTensor` leaves a float array's values (and dtype) alone: no division by 255.

    Only uint8 input (and PIL modes such as "L", "RGB") is scaled. A float64 array
    already in [0, 255] comes out as float64 values in [0, 255], with no error or
    warning: the silent surprise the note warns about.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToTensor.html#torchvision.transforms.ToTensor
    """
    array = np.full((2, 2, 3), 255.0)

    tensor = transforms.ToTensor()(array)

    assert tensor.dtype == torch.float64
    assert tensor.max().item() == 255.0


def test_to_tensor_adds_a_channel_to_2d_arrays():
    """A 2-D (H, W) array becomes a (1, H, W) tensor.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToTensor.html#torchvision.transforms.ToTensor
    """
    array = np.zeros((2, 5), dtype=np.uint8)

    assert transforms.ToTensor()(array).shape == (1, 2, 5)


@pytest.mark.claim("S1-030", verdict="true")
def test_pil_to_tensor_keeps_uint8_until_convert_image_dtype():
    """`PILToTensor` keeps uint8 values; `ConvertImageDtype(torch.float)` then divides by 255.

    Together they do what `ToTensor` does, in two explicit steps. `CenterCrop(10)` first
    cuts the 10 x 10 middle of the 20 x 20 image.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.PILToTensor.html#torchvision.transforms.PILToTensor
    """
    image = Image.new("RGB", (20, 20), (255, 51, 0))
    pipeline = transforms.Compose(
        [
            transforms.CenterCrop(10),
            transforms.PILToTensor(),
            transforms.ConvertImageDtype(torch.float),
        ]
    )

    as_uint8 = transforms.PILToTensor()(image)
    as_float = pipeline(image)

    assert as_uint8.dtype == torch.uint8
    assert as_uint8[:, 0, 0].tolist() == [255, 51, 0]
    assert as_float.shape == (3, 10, 10)
    torch.testing.assert_close(as_float[:, 0, 0], torch.tensor([1.0, 0.2, 0.0]))


def test_convert_image_dtype_maps_float_range_to_integer_range():
    """`ConvertImageDtype(torch.uint8)` maps [0, 1] onto [0, 255]; integer to wider integer does not reach the new maximum.

    The dtype defines the expected range: floats live in [0, 1], integers in
    [0, MAX_DTYPE]. Float to uint8 multiplies by just under 256 and truncates, so 1.0
    gives 255 and 0.5 gives 127. A uint8 to int16 conversion shifts the bits left by 7
    (int16 has 15 value bits, uint8 8), so 255 becomes `255 * 2**7 = 32640`, not 32767.
    A float to int32 cast cannot keep every value exactly and raises.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ConvertImageDtype.html#torchvision.transforms.ConvertImageDtype
    """
    floats = torch.tensor([0.0, 0.5, 1.0])

    as_uint8 = transforms.ConvertImageDtype(torch.uint8)(floats)
    as_int16 = transforms.ConvertImageDtype(torch.int16)(torch.tensor([255], dtype=torch.uint8))

    assert as_uint8.dtype == torch.uint8
    assert as_uint8.tolist() == [0, 127, 255]
    assert as_int16.tolist() == [255 * 2**7]
    with raises_exactly(RuntimeError, match=r"The cast from torch\.float32 to torch\.int32 cannot be performed safely"):
        transforms.ConvertImageDtype(torch.int32)(floats)


@pytest.mark.claim("S2-029", verdict="true")
def test_to_pil_image_round_trip_restores_uint8_values():
    """`ToPILImage` after `ToTensor` gives back every original 0-255 value.

    `ToPILImage` multiplies a float tensor by 255 and casts to uint8. For each of the
    256 values, `v / 255 * 255` lands on `v` exactly in float32, so the round trip is
    lossless.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToPILImage.html#torchvision.transforms.ToPILImage
    """
    array = np.arange(256, dtype=np.uint8).reshape(16, 16)

    back = transforms.ToPILImage()(transforms.ToTensor()(array))

    assert back.mode == "L"
    assert (np.asarray(back) == array).all()


@pytest.mark.parametrize(("channels", "mode"), [(1, "L"), (3, "RGB"), (4, "RGBA")], ids=["1-L", "3-RGB", "4-RGBA"])
def test_to_pil_image_picks_the_mode_from_the_channel_count(channels, mode):
    """`ToPILImage` on a uint8 (C, H, W) tensor makes an "L", "RGB" or "RGBA" image for 1, 3 or 4 channels.

    It is the inverse of `ToTensor`'s one-channel-per-band rule; pass `mode=` to choose
    another interpretation.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToPILImage.html#torchvision.transforms.ToPILImage
    """
    tensor = torch.zeros(channels, 2, 3, dtype=torch.uint8)

    image = transforms.ToPILImage()(tensor)

    assert image.mode == mode
    assert image.size == (3, 2)


def test_to_pil_image_truncates_instead_of_rounding():
    """`ToPILImage` truncates `x * 255`, so 0.999 becomes 254, not 255.

    Values that did not come from `ToTensor` (after a model or an inverse normalise)
    lose up to one step (0.5 gives 127, not 128). Clamp to [0, 1] first as well, so that
    nothing outside that range reaches the uint8 cast.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToPILImage.html#torchvision.transforms.ToPILImage
    """
    tensor = torch.tensor([[[0.999, 0.5]]])

    image = transforms.ToPILImage()(tensor)

    assert np.asarray(image).tolist() == [[254, 127]]


@pytest.mark.claim("S2-051", verdict="true")
def test_normalize_subtracts_mean_and_divides_by_std_per_channel():
    """`Normalize(mean, std)` computes `(x - mean[c]) / std[c]` for each channel c.

    `mean` and `std` are the numbers you pass (usually dataset statistics), not the mean
    and std of the image being normalised.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Normalize.html#torchvision.transforms.Normalize
    """
    image = torch.tensor([[[0.5]], [[0.2]]])

    out = transforms.Normalize(mean=[0.5, 0.1], std=[0.25, 0.5])(image)

    torch.testing.assert_close(out.flatten(), torch.tensor([(0.5 - 0.5) / 0.25, (0.2 - 0.1) / 0.5]))


@pytest.mark.claim("S0-018", verdict="true")
def test_normalize_rejects_pil_images():
    """`Normalize` needs a tensor: a PIL image raises `TypeError`.

    Put `ToTensor()` before `Normalize` in a `Compose`.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Normalize.html#torchvision.transforms.Normalize
    """
    image = Image.new("RGB", (2, 2))

    with raises_exactly(TypeError, match="img should be Tensor Image"):
        transforms.Normalize([0.5] * 3, [0.5] * 3)(image)


def test_normalize_rejects_integer_tensors():
    """`Normalize` on a uint8 tensor raises `TypeError`: it expects a float image in [0, 1].

    Subtracting an ImageNet mean such as 0.485 from values in [0, 255] would be
    meaningless, so it refuses instead of guessing. Convert with `ConvertImageDtype`
    (or `ToTensor`) first.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Normalize.html#torchvision.transforms.Normalize
    """
    image = torch.full((1, 2, 2), 255, dtype=torch.uint8)

    with raises_exactly(TypeError, match=r"Input tensor should be a float tensor\. Got torch\.uint8"):
        transforms.Normalize([0.5], [0.5])(image)


@pytest.mark.claim("S2-047", verdict="true")
def test_normalize_half_half_maps_unit_range_to_minus_one_one():
    """`Normalize(0.5, 0.5)` maps [0, 1] to [-1, 1], and `x / 2 + 0.5` maps it back.

    `(x - 0.5) / 0.5 = 2x - 1`: 0 goes to -1 and 1 to 1. The inverse is `y / 2 + 0.5`,
    which is why the note un-normalises with `img / 2 + 0.5` before showing an image.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Normalize.html#torchvision.transforms.Normalize
    """
    image = torch.tensor([[[0.0, 0.25, 1.0]]])

    out = transforms.Normalize([0.5], [0.5])(image)

    torch.testing.assert_close(out, torch.tensor([[[-1.0, -0.5, 1.0]]]))
    torch.testing.assert_close(out / 2 + 0.5, image)


@pytest.mark.claim("S2-053", verdict="true")
def test_normalize_half_half_does_not_standardise():
    """After `Normalize(0.5, 0.5)` the mean and std are not 0 and 1 unless the input's were 0.5 and 0.5.

    The output mean is `2 * mean - 1` and the output std `2 * std`. An image whose values
    are 0.1 and 0.3 (mean 0.2, std 0.1) comes out with mean -0.6 and std 0.2.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Normalize.html#torchvision.transforms.Normalize
    """
    image = torch.tensor([[[0.1, 0.3]]])

    out = transforms.Normalize([0.5], [0.5])(image)

    torch.testing.assert_close(out.mean(), torch.tensor(2 * 0.2 - 1))
    torch.testing.assert_close(out.std(unbiased=False), torch.tensor(2 * 0.1))


@pytest.mark.claim("S0-019", verdict="true")
def test_normalize_with_minus_mean_over_std_inverts_normalize():
    """`Normalize(-mean / std, 1 / std)` undoes `Normalize(mean, std)`.

    `(y - (-m/s)) / (1/s) = y * s + m`, and `y = (x - m) / s`, so the result is `x`.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Normalize.html#torchvision.transforms.Normalize
    """
    mean, std = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])
    normalize = transforms.Normalize(mean, std)
    inv_normalize = transforms.Normalize(-mean / std, 1 / std)
    image = torch.rand(3, 4, 4, generator=torch.Generator().manual_seed(0))

    torch.testing.assert_close(inv_normalize(normalize(image)), image)


@pytest.mark.claim("S0-021", verdict="true")
def test_inverse_normalised_tensor_becomes_a_pil_image():
    """`ToPILImage()(inv_normalize(t).clamp(0, 1))` turns a normalised tensor back into a viewable image.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ToPILImage.html#torchvision.transforms.ToPILImage
    """
    mean, std = torch.tensor([0.5, 0.5, 0.5]), torch.tensor([0.5, 0.5, 0.5])
    inv_normalize = transforms.Normalize(-mean / std, 1 / std)
    normalised = torch.tensor([-1.0, 0.0, 1.0]).view(3, 1, 1).expand(3, 2, 2)

    image = transforms.ToPILImage()(inv_normalize(normalised).clamp(0, 1))

    assert image.mode == "RGB"
    assert image.size == (2, 2)
    assert image.getpixel((0, 0)) == (0, 127, 255)


@pytest.mark.claim("S0-020", verdict="true")
def test_compose_resize_to_tensor_normalize_then_unsqueeze_makes_a_batch():
    """`Compose([Resize, ToTensor, Normalize])(img).unsqueeze(0)` is a (1, 3, H, W) batch of one.

    Models expect a batch dimension even for a single image; `unsqueeze(0)` adds it.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Compose.html#torchvision.transforms.Compose
    """
    pipeline = transforms.Compose(
        [
            transforms.Resize((6, 8)),
            transforms.ToTensor(),
            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ]
    )

    batch = pipeline(Image.new("RGB", (32, 20))).unsqueeze(0)

    assert batch.shape == (1, 3, 6, 8)


def test_compose_applies_transforms_in_list_order():
    """`Compose` runs its transforms left to right, so `Normalize` before `ToTensor` fails on a PIL image.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Compose.html#torchvision.transforms.Compose
    """
    wrong_order = transforms.Compose([transforms.Normalize([0.5], [0.5]), transforms.ToTensor()])

    with raises_exactly(TypeError, match="img should be Tensor Image"):
        wrong_order(Image.new("L", (2, 2)))


@pytest.mark.claim("S2-027", verdict="true")
def test_resize_with_a_tuple_sets_height_and_width():
    """`Resize((300, 300))` then `ToTensor` gives a (3, 300, 300) tensor in [0, 1], whatever the input's aspect ratio.

    A tuple is `(height, width)`; the image is stretched to it.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Resize.html#torchvision.transforms.Resize
    """
    pipeline = transforms.Compose([transforms.Resize((300, 300)), transforms.ToTensor()])

    tensor = pipeline(Image.new("RGB", (40, 20), (255, 0, 0)))

    assert tensor.shape == (3, 300, 300)
    assert 0.0 <= tensor.min().item() and tensor.max().item() <= 1.0


def test_resize_with_an_int_matches_the_shorter_side():
    """`Resize(10)` scales the shorter side to 10 and keeps the aspect ratio.

    A PIL image's `size` is (width, height): the 40 x 20 image becomes 20 x 10.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Resize.html#torchvision.transforms.Resize
    """
    image = Image.new("RGB", (40, 20))

    assert transforms.Resize(10)(image).size == (20, 10)


def test_resize_interpolates_bilinearly_by_default():
    """`Resize` uses `InterpolationMode.BILINEAR` unless told otherwise.

    The default equals an explicit `interpolation=BILINEAR` and differs from
    `NEAREST`, which only copies pixels.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Resize.html#torchvision.transforms.Resize
    """
    from torchvision.transforms import InterpolationMode

    image = torch.arange(32.0).view(1, 4, 8)

    default = transforms.Resize((2, 4), antialias=True)(image)

    assert transforms.Resize((2, 4)).interpolation == InterpolationMode.BILINEAR
    torch.testing.assert_close(default, transforms.Resize((2, 4), interpolation=InterpolationMode.BILINEAR, antialias=True)(image))
    assert not torch.equal(default, transforms.Resize((2, 4), interpolation=InterpolationMode.NEAREST, antialias=False)(image))


@pytest.mark.claim("S0-017", verdict="outdated")
def test_resize_also_accepts_tensors():
    """`Resize` accepts a (..., H, W) tensor as well as a PIL image.

    The note says Resize takes PIL images. That was true before torchvision 0.8; since
    then most geometric transforms accept tensors (and batches of them) too. Only
    `ToTensor`/`PILToTensor` need PIL (or ndarray) input, and `Normalize` needs a tensor.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Resize.html#torchvision.transforms.Resize
    """
    batch = torch.zeros(2, 3, 20, 40, dtype=torch.uint8)

    out = transforms.Resize(10, antialias=True)(batch)

    assert out.shape == (2, 3, 10, 20)
    assert out.dtype == torch.uint8


@pytest.mark.torchvision_version(">=0.17")
def test_resize_antialiases_tensors_by_default():
    """`Resize` on a tensor antialiases by default, like on a PIL image (torchvision 0.17+).

    Torchvision 0.17 (with torch 2.2) changed the default `antialias` from None (off for
    tensors, on for PIL) to True, so tensors and PIL images now resize alike
    (https://github.com/pytorch/vision/releases/tag/v0.17.0). When
    shrinking, antialiasing averages over a wider window, so the result differs from
    plain bilinear interpolation (`antialias=False`).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Resize.html#torchvision.transforms.Resize
    """
    row = torch.tensor([0.0, 1.0] * 4).view(1, 1, 8).expand(1, 4, 8)

    default = transforms.Resize((2, 4))(row)

    torch.testing.assert_close(default, transforms.Resize((2, 4), antialias=True)(row))
    assert not torch.allclose(default, transforms.Resize((2, 4), antialias=False)(row))


@pytest.mark.torchvision_version("<0.17")
def test_resize_warns_about_the_antialias_default_on_tensors():
    """Before torchvision 0.17, `Resize` on a tensor without `antialias=` warns that the default will change.

    In torchvision 0.15 and 0.16 (torch 2.0, 2.1) the default was None: no antialiasing
    for tensors, with a `UserWarning`. Pass `antialias=True` to get the new behaviour and
    silence it.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Resize.html#torchvision.transforms.Resize
    """
    row = torch.tensor([0.0, 1.0] * 4).view(1, 1, 8).expand(1, 4, 8)

    with warns_exactly(UserWarning, match="The default value of the antialias parameter"):
        transforms.Resize((2, 4))(row)


@pytest.mark.claim("S1-028", verdict="false")
def test_resize_rejects_numpy_arrays():
    """`Resize` raises `TypeError` on a NumPy array such as the one `cv2.imread` returns.

    The note says transforms take images from `Image.open()` or `cv.imread()`. Only the
    first is right: the v1 transforms take PIL images or tensors, and a NumPy array is
    accepted only by `ToTensor` and `ToPILImage`. An OpenCV image is also BGR, so convert
    it (`cv2.cvtColor(img, cv2.COLOR_BGR2RGB)`) and wrap it with `Image.fromarray` or
    `ToTensor` first.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#supported-input-types-and-conventions
    """
    bgr = np.zeros((20, 40, 3), dtype=np.uint8)

    with raises_exactly(TypeError, match=r"Unexpected type <class 'numpy\.ndarray'>"):
        transforms.Resize(10)(bgr)


def test_center_crop_takes_the_middle():
    """`CenterCrop(2)` keeps the central 2 x 2 pixels.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.CenterCrop.html#torchvision.transforms.CenterCrop
    """
    image = torch.arange(16).view(1, 4, 4)

    assert transforms.CenterCrop(2)(image).tolist() == [[[5, 6], [9, 10]]]


def test_center_crop_larger_than_the_image_pads_with_zeros():
    """A `CenterCrop` bigger than the image pads it with zeros around the border.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.CenterCrop.html#torchvision.transforms.CenterCrop
    """
    image = torch.ones(1, 2, 2)

    out = transforms.CenterCrop(4)(image)

    assert out.shape == (1, 4, 4)
    assert out.sum().item() == 4.0
    assert out[0, 1:3, 1:3].tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.claim("S2-046", verdict="true")
def test_random_crop_pads_before_cropping():
    """`RandomCrop(112, padding=4)` pads every side by 4 and then crops 112 x 112 at a random place.

    The padded image is 120 x 120, so the crop can include up to 4 rows or columns of
    zero border: a cheap translation augmentation. Cropping the full padded size shows
    the padding.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.RandomCrop.html#torchvision.transforms.RandomCrop
    """
    image = torch.ones(3, 112, 112)

    cropped = transforms.RandomCrop(112, padding=4)(image)
    padded = transforms.RandomCrop(120, padding=4)(image)

    assert cropped.shape == (3, 112, 112)
    assert padded[:, :4].sum().item() == 0.0
    assert padded.sum().item() == 3 * 112 * 112


@pytest.mark.claim("S3-003", verdict="true")
def test_random_horizontal_flip_follows_p_and_the_global_seed():
    """`RandomHorizontalFlip(p)` flips with probability p, drawn from torch's global RNG.

    `p=1` always mirrors the columns and `p=0` never does. With `0 < p < 1` the result
    depends on `torch.rand`, so `torch.manual_seed` makes a run repeatable. This is what
    augmentation means: the same image seen differently each epoch.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.RandomHorizontalFlip.html#torchvision.transforms.RandomHorizontalFlip
    """
    image = torch.tensor([[[1, 2, 3]]])
    flip = transforms.RandomHorizontalFlip(p=0.5)
    rng_state = torch.get_rng_state()

    try:
        torch.manual_seed(0)
        first = [flip(image)[0, 0, 0].item() for _ in range(8)]
        torch.manual_seed(0)
        second = [flip(image)[0, 0, 0].item() for _ in range(8)]
    finally:
        torch.set_rng_state(rng_state)

    assert transforms.RandomHorizontalFlip(p=1.0)(image).tolist() == [[[3, 2, 1]]]
    assert transforms.RandomHorizontalFlip(p=0.0)(image).tolist() == [[[1, 2, 3]]]
    assert first == second
    assert set(first) <= {1, 3}


@pytest.mark.claim("S0-030", verdict="outdated")
def test_random_resized_crop_replaces_random_sized_crop():
    """`RandomResizedCrop(224)` is today's name for the old `RandomSizedCrop(224)`.

    `RandomSizedCrop` was deprecated in torchvision 0.2 and is gone from every release
    that works with torch 2.x. `RandomResizedCrop` picks a random area (8% to 100%) and
    aspect ratio, then resizes that patch to the given size.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.RandomResizedCrop.html#torchvision.transforms.RandomResizedCrop
    """
    out = transforms.RandomResizedCrop(8)(Image.new("RGB", (30, 20)))

    assert out.size == (8, 8)
    assert not hasattr(transforms, "RandomSizedCrop")


def test_random_resized_crop_samples_8_to_100_percent_with_aspect_3_4_to_4_3():
    """`RandomResizedCrop` defaults to `scale=(0.08, 1.0)`, `ratio=(3/4, 4/3)` and bilinear interpolation.

    `scale` bounds the crop's area as a fraction of the image, `ratio` its width over
    height. `get_params` draws the crop (top, left, height, width) the transform will
    use: on a 100 x 100 image every crop keeps between 8% and 100% of the area, with
    an aspect ratio in [3/4, 4/3] up to the rounding of whole pixels.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.RandomResizedCrop.html#torchvision.transforms.RandomResizedCrop
    """
    from torchvision.transforms import InterpolationMode

    crop = transforms.RandomResizedCrop(8)
    image = torch.zeros(1, 100, 100)
    rng_state = torch.get_rng_state()

    try:
        torch.manual_seed(0)
        boxes = [transforms.RandomResizedCrop.get_params(image, crop.scale, crop.ratio) for _ in range(20)]
    finally:
        torch.set_rng_state(rng_state)

    assert crop.scale == (0.08, 1.0)
    assert crop.ratio == (3 / 4, 4 / 3)
    assert crop.interpolation == InterpolationMode.BILINEAR
    for top, left, height, width in boxes:
        # A crop at least 24 pixels wide and high is off by under half a pixel per side: under 5%.
        assert 0.08 * 0.95 <= height * width / 100**2 <= 1.0
        assert 3 / 4 * 0.95 <= width / height <= 4 / 3 * 1.05
        assert top + height <= 100 and left + width <= 100


@pytest.mark.torchvision_version(">=0.17")
def test_random_resized_crop_antialiases_by_default():
    """`RandomResizedCrop`, like `Resize`, defaults to `antialias=True` (torchvision 0.17+), in v1 and v2.

    The 0.17 change of the antialias default from None to True applies to every
    resizing transform (https://github.com/pytorch/vision/releases/tag/v0.17.0).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.RandomResizedCrop.html#torchvision.transforms.RandomResizedCrop
    """
    from torchvision.transforms import v2

    assert transforms.RandomResizedCrop(8).antialias is True
    assert v2.RandomResizedCrop(8).antialias is True


def test_random_horizontal_flip_defaults_to_p_one_half():
    """`RandomHorizontalFlip()` without arguments has `p=0.5`, the probability that it flips.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.RandomHorizontalFlip.html#torchvision.transforms.RandomHorizontalFlip
    """
    assert transforms.RandomHorizontalFlip().p == 0.5


@pytest.mark.claim("S0-029", verdict="outdated")
def test_scale_is_now_resize():
    """`transforms.Scale` no longer exists; `Resize` took its place.

    `Scale` was deprecated in favour of `Resize` in torchvision 0.2 and later removed,
    so the note's `transforms.Scale` raises `AttributeError` on every release paired
    with torch 2.x.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Resize.html#torchvision.transforms.Resize
    """
    assert not hasattr(transforms, "Scale")
    assert hasattr(transforms, "Resize")


def test_functional_transforms_apply_one_random_crop_to_image_and_mask():
    """With the functional API, draw the random crop once and apply it to both image and mask.

    A v1 transform object such as `RandomCrop` draws a new position on every call, so
    calling it on the image and then on the mask crops them differently. The recipe for
    segmentation: `RandomCrop.get_params` once, then `F.crop` (and any deterministic
    functional such as `F.hflip`) on both. The mask is derived from the image
    (`image % 2`) and must stay so.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#transform-classes-functionals-and-kernels
    """
    from torchvision.transforms import functional as F

    image = torch.arange(36).view(1, 6, 6)
    mask = image % 2
    rng_state = torch.get_rng_state()

    try:
        torch.manual_seed(0)
        i, j, h, w = transforms.RandomCrop.get_params(image, output_size=(3, 3))
    finally:
        torch.set_rng_state(rng_state)
    out_image = F.hflip(F.crop(image, i, j, h, w))
    out_mask = F.hflip(F.crop(mask, i, j, h, w))

    assert (h, w) == (3, 3)
    assert torch.equal(out_image, image[:, i : i + 3, j : j + 3].flip(-1))
    assert torch.equal(out_mask, out_image % 2)


@pytest.mark.torchvision_version(">=0.18")
def test_grayscale_with_three_output_channels_returns_rgb():
    """`Grayscale(num_output_channels=3)` returns three equal channels (a PIL "RGB" image) since torchvision 0.18.

    Each channel is the luma `0.299 R + 0.587 G + 0.114 B`, so pure red (255, 0, 0)
    becomes (76, 76, 76). Three channels keep the image usable by a model built for RGB
    (https://github.com/pytorch/vision/pull/8229).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.Grayscale.html#torchvision.transforms.Grayscale
    """
    red = Image.new("RGB", (2, 2), (255, 0, 0))

    pil_out = transforms.Grayscale(num_output_channels=3)(red)
    tensor_out = transforms.Grayscale(num_output_channels=3)(transforms.PILToTensor()(red))

    luma = int(0.299 * 255)
    assert pil_out.mode == "RGB"
    assert pil_out.getpixel((0, 0)) == (luma, luma, luma)
    assert tensor_out.shape == (3, 2, 2)
    assert torch.equal(tensor_out[0], tensor_out[1]) and torch.equal(tensor_out[1], tensor_out[2])


@pytest.mark.torchvision_version(">=0.17")
def test_functional_tensor_module_is_gone_since_torchvision_0_17():
    """`torchvision.transforms.functional_tensor` no longer exists: importing it raises `ModuleNotFoundError`.

    It was a private module that old code imported directly; it was deprecated in 0.15
    and removed in 0.17. Use `torchvision.transforms.functional` (or `v2.functional`).

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#transform-classes-functionals-and-kernels
    """
    with raises_exactly(ModuleNotFoundError, match=r"No module named 'torchvision\.transforms\.functional_tensor'"):
        import torchvision.transforms.functional_tensor  # noqa: F401


# Recent releases warn that TorchScript is deprecated; this test is about what it scripts.
@pytest.mark.filterwarnings(r"ignore:`torch\.jit\.script` is deprecated")
def test_transforms_in_nn_sequential_can_be_scripted():
    """Transforms chained with `nn.Sequential` (not `Compose`) script with `torch.jit.script` and give the eager result.

    Most transform classes are `nn.Module`s, so `nn.Sequential` chains them into one
    scriptable module; `Compose` is a plain Python object, not a module, and is not
    scriptable.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#torchscript-support
    """
    pipeline = torch.nn.Sequential(transforms.CenterCrop(2), transforms.Normalize([0.5], [0.25]))
    image = torch.arange(16.0).view(1, 4, 4) / 16

    scripted = torch.jit.script(pipeline)

    assert isinstance(scripted, torch.jit.ScriptModule)
    assert not isinstance(transforms.Compose([transforms.CenterCrop(2)]), torch.nn.Module)
    torch.testing.assert_close(scripted(image), pipeline(image))
    torch.testing.assert_close(scripted(image), (image[:, 1:3, 1:3] - 0.5) / 0.25)

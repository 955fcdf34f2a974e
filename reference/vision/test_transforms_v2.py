"""Transforms v2: images, boxes and masks together

`torchvision.transforms.v2` accepts the same inputs as the v1 transforms, plus any
structure of them, and transforms the *annotations* with the image: bounding boxes and
segmentation masks wrapped as `tv_tensors` move when the image is flipped or resized.
The `tv_tensors` namespace arrived in torchvision 0.16 (torch 2.1); 0.15 had a beta under
another name, so these tests need torchvision 0.16 or later.
"""

import pytest
import torch
from PIL import Image

from torchref import raises_exactly, warns_exactly

torchvision = pytest.importorskip("torchvision")

pytestmark = pytest.mark.torchvision_version(">=0.16")


def test_v2_transforms_plain_tensors_like_v1():
    """A v2 transform on a plain tensor treats it as an image, like v1 does.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#supported-input-types-and-conventions
    """
    from torchvision.transforms import v2

    image = torch.tensor([[[1, 2, 3]]])

    assert v2.RandomHorizontalFlip(p=1.0)(image).tolist() == [[[3, 2, 1]]]


def test_v2_returns_the_structure_it_was_given():
    """A v2 transform called on a dict returns a dict with the same keys, each value transformed as its type asks.

    The image and the `BoundingBoxes` are flipped together (x1=1, x2=4 on a canvas 10
    wide becomes x1=6, x2=9), and the integer label passes through. Lists and tuples
    work the same way.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#v1-or-v2-which-one-should-i-use
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    sample = {
        "image": tv_tensors.Image(torch.arange(10).view(1, 1, 10)),
        "boxes": tv_tensors.BoundingBoxes([[1, 0, 4, 1]], format="XYXY", canvas_size=(1, 10)),
        "label": 3,
    }

    out = v2.RandomHorizontalFlip(p=1.0)(sample)

    assert type(out) is dict
    assert list(out) == ["image", "boxes", "label"]
    assert isinstance(out["image"], tv_tensors.Image)
    assert out["image"].tolist() == [[list(range(9, -1, -1))]]
    assert out["boxes"].tolist() == [[6, 0, 9, 1]]
    assert out["label"] == 3
    assert v2.RandomHorizontalFlip(p=1.0)([sample["image"], 3])[1] == 3
    assert type(v2.RandomHorizontalFlip(p=1.0)((sample["image"], 3))) is tuple


def test_v2_accepts_videos_and_any_number_of_leading_dimensions():
    """v2 transforms take `(..., C, H, W)`: a `Video` (T, C, H, W) or a plain 5-D batch is resized on its last two dims.

    Every leading dimension (frames, batch) is kept; the result of a `Video` is still
    a `Video`.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#supported-input-types-and-conventions
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    video = tv_tensors.Video(torch.zeros(2, 3, 4, 8))
    batch_of_videos = torch.zeros(2, 5, 3, 4, 8)

    # antialias=True spelled out: before torchvision 0.17 the default warned on tensors.
    out_video = v2.Resize((2, 4), antialias=True)(video)
    out_batch = v2.Resize((2, 4), antialias=True)(batch_of_videos)

    assert isinstance(out_video, tv_tensors.Video)
    assert out_video.shape == (2, 3, 2, 4)
    assert out_batch.shape == (2, 5, 3, 2, 4)


def test_v2_resize_of_a_uint8_tensor_is_close_to_pil():
    """`v2.Resize` gives nearly the same pixels for a uint8 tensor as for the same PIL image: at most one level apart.

    The tensor and PIL backends are separate implementations, so the docs promise
    "very close", not equal. Since torchvision 0.16 bilinear resizing of uint8 tensors
    runs natively and its results are closer to PIL's
    (https://github.com/pytorch/vision/releases/tag/v0.16.0).

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#supported-input-types-and-conventions
    """
    from torchvision.transforms import v2

    image = torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    resize = v2.Resize((6, 6), antialias=True)

    from_tensor = resize(image)
    from_pil = v2.PILToTensor()(resize(v2.ToPILImage()(image)))

    assert from_tensor.dtype == torch.uint8
    assert (from_tensor.int() - from_pil.int()).abs().max().item() <= 1


def test_v2_flip_moves_bounding_boxes_with_the_image():
    """Flipping an image with `v2.RandomHorizontalFlip` mirrors its `BoundingBoxes` too.

    On a canvas 10 wide, the box x1=1, x2=4 becomes x1=10-4=6, x2=10-1=9; y stays.
    Passing the image and boxes in one call guarantees one random decision for both.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.tv_tensors.BoundingBoxes.html#torchvision.tv_tensors.BoundingBoxes
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    image = tv_tensors.Image(torch.zeros(3, 5, 10, dtype=torch.uint8))
    boxes = tv_tensors.BoundingBoxes([[1, 0, 4, 2]], format="XYXY", canvas_size=(5, 10))

    out_image, out_boxes = v2.RandomHorizontalFlip(p=1.0)(image, boxes)

    assert out_boxes.tolist() == [[6, 0, 9, 2]]
    assert isinstance(out_boxes, tv_tensors.BoundingBoxes)
    assert out_image.shape == (3, 5, 10)


def test_v2_resize_scales_boxes_and_masks():
    """`v2.Resize` scales box coordinates and resizes a `Mask` with nearest-neighbour labels.

    Halving a 4 x 8 canvas halves every coordinate. Masks hold class ids, so they are
    never interpolated into in-between values.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.Resize.html#torchvision.transforms.v2.Resize
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    boxes = tv_tensors.BoundingBoxes([[2, 2, 6, 4]], format="XYXY", canvas_size=(4, 8))
    mask = tv_tensors.Mask(torch.tensor([[0, 0, 3, 3, 3, 3, 0, 0]] * 4))

    out_boxes, out_mask = v2.Resize((2, 4))(boxes, mask)

    assert out_boxes.tolist() == [[1, 1, 3, 2]]
    assert out_boxes.canvas_size == (2, 4)
    assert out_mask.tolist() == [[0, 3, 3, 0], [0, 3, 3, 0]]


def test_v2_to_dtype_with_scale_does_what_to_tensor_did():
    """`v2.ToImage()` then `v2.ToDtype(torch.float32, scale=True)` is the v2 spelling of `ToTensor`.

    `ToImage` makes a uint8 `tv_tensors.Image` (C, H, W); `scale=True` divides by 255.
    Without `scale=True`, `ToDtype` only casts, leaving 255.0.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.ToDtype.html#torchvision.transforms.v2.ToDtype
    """
    from torchvision import transforms, tv_tensors
    from torchvision.transforms import v2

    image = Image.new("RGB", (2, 1), (255, 51, 0))

    as_image = v2.ToImage()(image)
    scaled = v2.ToDtype(torch.float32, scale=True)(as_image)
    cast = v2.ToDtype(torch.float32)(as_image)

    assert isinstance(as_image, tv_tensors.Image)
    assert as_image.dtype == torch.uint8
    assert as_image.shape == (3, 1, 2)
    torch.testing.assert_close(scaled.as_subclass(torch.Tensor), transforms.ToTensor()(image))
    torch.testing.assert_close(scaled[:, 0, 0], torch.tensor([1.0, 0.2, 0.0]))
    assert cast[:, 0, 0].tolist() == [255.0, 51.0, 0.0]


def test_v2_to_dtype_scale_maps_between_value_ranges():
    """With `scale=True`, `v2.ToDtype` maps the value range of one dtype onto the other's: 1.0 becomes 255, uint8 255 becomes 32640 in int16.

    The dtype says what range an image has: [0, 1] for floats, [0, MAX_DTYPE] for
    integers. Float to uint8 multiplies by just under 256 and truncates (0.5 gives 127).
    Integer to wider integer shifts the bits (int16 has 7 more value bits than uint8),
    so 255 becomes `255 * 2**7 = 32640`, not int16's maximum 32767. Int16 32767 to float
    gives 1.0.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#dtype-and-expected-value-range
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    floats = tv_tensors.Image(torch.tensor([[[0.0, 0.5, 1.0]]]))
    uint8 = tv_tensors.Image(torch.tensor([[[0, 255]]], dtype=torch.uint8))
    int16_max = tv_tensors.Image(torch.tensor([[[32767]]], dtype=torch.int16))

    assert v2.ToDtype(torch.uint8, scale=True)(floats).tolist() == [[[0, 127, 255]]]
    assert v2.ToDtype(torch.int16, scale=True)(uint8).tolist() == [[[0, 255 * 2**7]]]
    assert v2.ToDtype(torch.float32, scale=True)(int16_max).tolist() == [[[1.0]]]


def test_v2_normalize_needs_a_float_image():
    """`v2.Normalize` raises `TypeError` on a uint8 image: convert with `ToDtype(torch.float32, scale=True)` first.

    That is why the recommended pipeline puts `ToDtype(torch.float32, scale=True)`
    right before `Normalize`, and why it then gives the same values as normalising
    `image / 255`.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#performance-considerations
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    image = tv_tensors.Image(torch.tensor([[[0, 51, 255]]], dtype=torch.uint8))
    normalize = v2.Normalize(mean=[0.5], std=[0.25])

    out = v2.Compose([v2.ToDtype(torch.float32, scale=True), normalize])(image)

    torch.testing.assert_close(out.as_subclass(torch.Tensor), (image.as_subclass(torch.Tensor) / 255 - 0.5) / 0.25)
    with raises_exactly(TypeError, match=r"Input tensor should be a float tensor\. Got torch\.uint8"):
        normalize(image)


def test_v2_to_image_and_pil_to_tensor_do_not_scale():
    """`v2.ToImage` and `v2.PILToTensor` keep uint8 values in [0, 255]; `v2.ToPureTensor` drops the TVTensor class.

    Only some conversion transforms rescale. `ToImage` turns a PIL image or an (H, W, C)
    NumPy array into a (C, H, W) `tv_tensors.Image` with the same values; `PILToTensor`
    gives a plain tensor; `ToPureTensor` unwraps a TVTensor without copying.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#conversion
    """
    import numpy as np
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    pil = Image.new("RGB", (2, 1), (255, 51, 0))

    from_pil = v2.ToImage()(pil)
    from_array = v2.ToImage()(np.array(pil))
    plain = v2.PILToTensor()(pil)
    unwrapped = v2.ToPureTensor()(from_pil)

    assert isinstance(from_pil, tv_tensors.Image) and isinstance(from_array, tv_tensors.Image)
    assert from_pil.dtype == torch.uint8 and from_pil.shape == (3, 1, 2)
    assert from_pil[:, 0, 0].tolist() == [255, 51, 0]
    assert torch.equal(from_array.as_subclass(torch.Tensor), from_pil.as_subclass(torch.Tensor))
    assert type(plain) is torch.Tensor and plain[:, 0, 0].tolist() == [255, 51, 0]
    assert type(unwrapped) is torch.Tensor
    assert unwrapped.data_ptr() == from_pil.data_ptr()


def test_v2_to_tensor_is_deprecated():
    """`v2.ToTensor()` warns that it is deprecated and points to `ToImage` plus `ToDtype(scale=True)`.

    The old transform still works and gives the same float values in [0, 1].

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.ToTensor.html#torchvision.transforms.v2.ToTensor
    """
    from torchvision.transforms import v2

    image = Image.new("RGB", (2, 1), (255, 51, 0))

    with warns_exactly(UserWarning, match=r"The transform `ToTensor\(\)` is deprecated"):
        to_tensor = v2.ToTensor()

    replacement = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])(image)
    torch.testing.assert_close(to_tensor(image), replacement.as_subclass(torch.Tensor))


def test_v2_passes_other_values_through_untouched():
    """Values a v2 transform does not know (ints, strings) come back as they were.

    A whole sample such as `(image, {"label": 3})` can go through one transform call.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#v1-or-v2-which-one-should-i-use
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    image = tv_tensors.Image(torch.zeros(1, 4, 4))

    out_image, target = v2.CenterCrop(2)(image, {"label": 3, "name": "ant"})

    assert out_image.shape == (1, 2, 2)
    assert target == {"label": 3, "name": "ant"}


def test_v2_flip_mirrors_an_image_and_its_mask_together():
    """One random `v2.RandomHorizontalFlip` call on `(image, mask)` flips both or neither.

    The transform draws its coin once per call and applies the result to every input it
    recognises, so an image and its `Mask` can never disagree. The mask here is derived
    from the image (`image % 2`), and stays so after every one of 8 random calls.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#v1-or-v2-which-one-should-i-use
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    image = tv_tensors.Image(torch.arange(6).view(1, 2, 3))
    mask = tv_tensors.Mask(image[0] % 2)
    flip = v2.RandomHorizontalFlip(p=0.5)
    rng_state = torch.get_rng_state()

    try:
        torch.manual_seed(0)
        pairs = [flip(image, mask) for _ in range(8)]
    finally:
        torch.set_rng_state(rng_state)

    for out_image, out_mask in pairs:
        assert torch.equal(out_mask, out_image[0] % 2)
        assert isinstance(out_mask, tv_tensors.Mask)
    assert {out_image[0, 0, 0].item() for out_image, _ in pairs} == {0, 2}  # both outcomes happened


def test_v2_to_dtype_with_one_dtype_converts_only_images():
    """`v2.ToDtype(torch.float32, scale=True)` converts and scales an `Image` but leaves a `Mask` as it was.

    With a single dtype only images and videos are converted (the behaviour of the old
    `ConvertImageDtype`), because class ids must stay integers. A dict such as
    `{tv_tensors.Image: torch.float32, tv_tensors.Mask: torch.int64}` picks a dtype per type.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.ToDtype.html#torchvision.transforms.v2.ToDtype
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    image = tv_tensors.Image(torch.full((3, 2, 2), 255, dtype=torch.uint8))
    mask = tv_tensors.Mask(torch.ones(2, 2, dtype=torch.uint8))

    out_image, out_mask = v2.ToDtype(torch.float32, scale=True)(image, mask)
    _, mask_int64 = v2.ToDtype({tv_tensors.Image: torch.float32, tv_tensors.Mask: torch.int64}, scale=True)(image, mask)

    assert out_image.dtype == torch.float32
    assert out_image.max().item() == 255 / 255
    assert out_mask.dtype == torch.uint8
    assert out_mask.tolist() == [[1, 1], [1, 1]]
    assert mask_int64.dtype == torch.int64
    assert mask_int64.tolist() == [[1, 1], [1, 1]]


def test_v2_functional_resize_accepts_boxes():
    """The v2 functionals take tv_tensors too: `F.resize(boxes, size)` rescales `BoundingBoxes`.

    This is what the transform classes call. `F.resize` of a box on a (4, 8) canvas to
    (2, 4) halves every coordinate and records the new canvas size.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#transform-classes-functionals-and-kernels
    """
    from torchvision import tv_tensors
    from torchvision.transforms.v2 import functional as F

    boxes = tv_tensors.BoundingBoxes([[2, 2, 6, 4]], format="XYXY", canvas_size=(4, 8))

    out = F.resize(boxes, [2, 4])

    assert out.tolist() == [[1, 1, 3, 2]]
    assert out.canvas_size == (2, 4)


def test_v2_functionals_take_pil_images_tensors_and_tv_tensors():
    """`v2.functional.resize` returns the type it was given: a PIL image, a plain tensor or a `Mask`.

    The functional dispatches on the input's type, like the classes. A mask is resized
    with nearest-neighbour so its class ids stay whole.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#transform-classes-functionals-and-kernels
    """
    from torchvision import tv_tensors
    from torchvision.transforms.v2 import functional as F

    pil = Image.new("RGB", (8, 4))
    mask = tv_tensors.Mask(torch.tensor([[0, 0, 3, 3]]))

    # antialias=True spelled out: before torchvision 0.17 the default warned on tensors.
    out_pil = F.resize(pil, [2, 4], antialias=True)
    out_tensor = F.resize(torch.zeros(1, 4, 8), [2, 4], antialias=True)
    out_mask = F.resize(mask, [1, 2])

    assert isinstance(out_pil, Image.Image) and out_pil.size == (4, 2)
    assert type(out_tensor) is torch.Tensor and out_tensor.shape == (1, 2, 4)
    assert isinstance(out_mask, tv_tensors.Mask) and out_mask.tolist() == [[0, 3]]


# From torch 2.10 on, torch.jit.script warns that TorchScript is deprecated; the test is about what it scripts.
@pytest.mark.filterwarnings(r"ignore:`torch\.jit\.script` is deprecated")
def test_v2_class_transform_scripts_as_its_v1_equivalent():
    """`torch.jit.script` on a v2 class transform returns the scripted v1 class of the same name.

    v2 dispatching is not scriptable, so the v2 class hands over its v1 twin; the
    scripted module runs the v1 code on plain tensors.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#torchscript-support
    """
    from torchvision import transforms
    from torchvision.transforms import v2

    image = torch.arange(16.0).view(1, 4, 4)

    scripted = torch.jit.script(v2.CenterCrop(2))

    assert scripted._c._type().qualified_name() == "__torch__.torchvision.transforms.transforms.CenterCrop"
    assert torch.equal(scripted(image), transforms.CenterCrop(2)(image))


@pytest.mark.torchvision_version(">=0.28")
def test_v2_resize_accepts_interpolation_as_a_string():
    """Since torchvision 0.28 `v2.Resize(..., interpolation="bilinear")` is the same as `InterpolationMode.BILINEAR`.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.Resize.html#torchvision.transforms.v2.Resize
    """
    from torchvision.transforms import InterpolationMode, v2

    image = torch.arange(32.0).view(1, 4, 8)

    by_name = v2.Resize((2, 4), interpolation="bilinear")(image)

    torch.testing.assert_close(by_name, v2.Resize((2, 4), interpolation=InterpolationMode.BILINEAR)(image))
    assert not torch.equal(by_name, v2.Resize((2, 4), interpolation=InterpolationMode.NEAREST)(image))


@pytest.mark.torchvision_version(">=0.27")
def test_v2_resize_does_lanczos_on_tensors_like_pil():
    """Since torchvision 0.27 `v2.Resize(interpolation=LANCZOS)` works on uint8 tensors and matches Pillow's Lanczos.

    Before, Lanczos was a PIL-only mode; the tensor kernel added in 0.27
    (https://github.com/pytorch/vision/pull/9459) reproduces what Pillow computes, up to
    one intensity level of rounding, and differs clearly from bicubic.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.Resize.html#torchvision.transforms.v2.Resize
    """
    from torchvision.transforms import InterpolationMode, v2

    image = torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    lanczos = v2.Resize((6, 6), interpolation=InterpolationMode.LANCZOS)

    from_tensor = lanczos(image)
    from_pil = v2.PILToTensor()(lanczos(v2.ToPILImage()(image)))
    bicubic = v2.Resize((6, 6), interpolation=InterpolationMode.BICUBIC)(image)

    assert from_tensor.dtype == torch.uint8
    assert (from_tensor.int() - from_pil.int()).abs().max().item() <= 1
    assert (from_tensor.int() - bicubic.int()).abs().max().item() > 1


def test_v2_mixup_blends_a_batch_with_itself_rolled_by_one():
    """`v2.MixUp(num_classes=3)` on a batch mixes image i with image i-1 and returns matching soft labels.

    MixUp draws one weight `lam`, then returns `lam * x + (1 - lam) * x.roll(1, 0)` and
    the same mix of the one-hot labels, so every label row sums to 1. It needs a batch:
    labels must have shape (N,), so it runs after the `DataLoader` or in `collate_fn`.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#cutmix-mixup
    """
    from torch.nn.functional import one_hot
    from torchvision.transforms import v2

    images = torch.rand(4, 3, 2, 2, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1, 2, 0])
    mixup = v2.MixUp(num_classes=3)
    rng_state = torch.get_rng_state()

    try:
        torch.manual_seed(0)
        out_images, out_labels = mixup(images, labels)
    finally:
        torch.set_rng_state(rng_state)

    lam = out_labels[1, 1]  # label 1 mixed with label 0: the weight of label 1 is lam
    onehot = one_hot(labels, 3).float()
    torch.testing.assert_close(out_labels, lam * onehot + (1 - lam) * onehot.roll(1, 0))
    torch.testing.assert_close(out_images, lam * images + (1 - lam) * images.roll(1, 0))
    torch.testing.assert_close(out_labels.sum(1), torch.ones(4))
    # The wording changed when one-hot labels became accepted (https://github.com/pytorch/vision/pull/8427).
    with raises_exactly(ValueError, match=r"labels (tensor )?should be (of|index based with) shape \(batch_size,\)"):
        mixup(images[0], labels[0])


@pytest.mark.torchvision_version(">=0.19")
def test_v2_gaussian_noise_adds_mean_and_clips_to_unit_range():
    """`v2.GaussianNoise(mean, sigma, clip=True)` adds noise and clamps to [0, 1]; `clip=False` keeps the overflow (torchvision 0.19+).

    With `sigma=0` the noise is exactly `mean`, which makes the effect visible: 0.8 +
    0.5 is clipped to 1.0 by default and left at 1.3 with `clip=False`. The transform
    is meant for float images in [0, 1]; it arrived in 0.19
    (https://github.com/pytorch/vision/pull/8381).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.GaussianNoise.html#torchvision.transforms.v2.GaussianNoise
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    image = tv_tensors.Image(torch.tensor([[[0.8, 0.2]]]))

    clipped = v2.GaussianNoise(mean=0.5, sigma=0.0)(image)
    unclipped = v2.GaussianNoise(mean=0.5, sigma=0.0, clip=False)(image)

    torch.testing.assert_close(clipped.as_subclass(torch.Tensor), torch.tensor([[[1.0, 0.7]]]))
    torch.testing.assert_close(unclipped.as_subclass(torch.Tensor), torch.tensor([[[1.3, 0.7]]]))


@pytest.mark.torchvision_version(">=0.23")
def test_v2_resize_moves_keypoints_with_the_canvas():
    """`v2.Resize` rescales `tv_tensors.KeyPoints` and their canvas (torchvision 0.23+).

    Doubling a (5, 10) canvas to (10, 20) doubles each point's (x, y): (1, 2) becomes
    (2, 4). `KeyPoints` arrived in 0.23 as a beta feature.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.tv_tensors.KeyPoints.html#torchvision.tv_tensors.KeyPoints
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    points = tv_tensors.KeyPoints([[1, 2]], canvas_size=(5, 10))

    out = v2.Resize((10, 20))(points)

    assert isinstance(out, tv_tensors.KeyPoints)
    assert out.tolist() == [[2, 4]]
    assert out.canvas_size == (10, 20)

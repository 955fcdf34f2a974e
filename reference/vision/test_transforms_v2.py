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

torchvision = pytest.importorskip("torchvision")

pytestmark = pytest.mark.torchvision_version(">=0.16")


def test_v2_transforms_plain_tensors_like_v1():
    """A v2 transform on a plain tensor treats it as an image, like v1 does.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html#supported-input-types-and-conventions
    """
    from torchvision.transforms import v2

    image = torch.tensor([[[1, 2, 3]]])

    assert v2.RandomHorizontalFlip(p=1.0)(image).tolist() == [[[3, 2, 1]]]


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

"""Transforms v2: images, boxes and masks together

`torchvision.transforms.v2` accepts the same inputs as the v1 transforms, plus any
structure of them, and transforms the *annotations* with the image: bounding boxes and
segmentation masks wrapped as `tv_tensors` move when the image is flipped or resized.
The `tv_tensors` namespace arrived in torchvision 0.16 (torch 2.1); 0.15 had a beta under
another name, so these tests need torch 2.1 or later.
"""

import pytest
import torch
from PIL import Image

torchvision = pytest.importorskip("torchvision")

pytestmark = pytest.mark.torch_version(">=2.1")


def test_v2_transforms_plain_tensors_like_v1():
    """A v2 transform on a plain tensor treats it as an image, like v1 does.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html
    """
    from torchvision.transforms import v2

    image = torch.tensor([[[1, 2, 3]]])

    assert v2.RandomHorizontalFlip(p=1.0)(image).tolist() == [[[3, 2, 1]]]


def test_v2_flip_moves_bounding_boxes_with_the_image():
    """Flipping an image with `v2.RandomHorizontalFlip` mirrors its `BoundingBoxes` too.

    On a canvas 10 wide, the box x1=1, x2=4 becomes x1=10-4=6, x2=10-1=9; y stays.
    Passing the image and boxes in one call guarantees one random decision for both.

    Docs: https://docs.pytorch.org/vision/stable/tv_tensors.html
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

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.Resize.html
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

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.v2.ToDtype.html
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    image = Image.new("RGB", (2, 1), (255, 51, 0))

    as_image = v2.ToImage()(image)
    scaled = v2.ToDtype(torch.float32, scale=True)(as_image)
    cast = v2.ToDtype(torch.float32)(as_image)

    assert isinstance(as_image, tv_tensors.Image)
    assert as_image.dtype == torch.uint8
    torch.testing.assert_close(scaled[:, 0, 0], torch.tensor([1.0, 0.2, 0.0]))
    assert cast[:, 0, 0].tolist() == [255.0, 51.0, 0.0]


def test_v2_passes_other_values_through_untouched():
    """Values a v2 transform does not know (ints, strings) come back as they were.

    A whole sample such as `(image, {"label": 3})` can go through one transform call.

    Docs: https://docs.pytorch.org/vision/stable/transforms.html
    """
    from torchvision import tv_tensors
    from torchvision.transforms import v2

    image = tv_tensors.Image(torch.zeros(1, 4, 4))

    out_image, target = v2.CenterCrop(2)(image, {"label": 3, "name": "ant"})

    assert out_image.shape == (1, 2, 2)
    assert target == {"label": 3, "name": "ant"}

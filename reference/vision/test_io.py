"""Reading images and shaping them for display

`torchvision.io` decodes image files straight into uint8 tensors, skipping Pillow.
Every torchvision image tensor is channels-first, (C, H, W); Matplotlib's `imshow`
wants (H, W, C) or, for greyscale, (H, W). The last tests are the two reshapes that
bridge the gap.
"""

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from torchref import raises_exactly, warns_exactly

torchvision = pytest.importorskip("torchvision")
from torchvision import transforms  # noqa: E402
from torchvision.io import ImageReadMode, decode_image, read_file, read_image  # noqa: E402

# torchvision 0.29 deprecates its image decoders on every call; the first test asserts
# that warning, the others show what the functions return.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The image decoding and encoding capabilities of TorchVision are deprecated:DeprecationWarning"
)


@pytest.fixture
def png(tmp_path):
    """A 2 x 3 (H x W) RGB PNG whose top-left pixel is (255, 51, 0), the rest black."""
    image = Image.new("RGB", (3, 2))
    image.putpixel((0, 0), (255, 51, 0))
    path = tmp_path / "pixel.png"
    image.save(path)
    return str(path)


@pytest.mark.torchvision_version(">=0.29")
def test_image_decoding_is_deprecated_since_torchvision_0_29(png):
    """`read_image` and `decode_image` warn with a `DeprecationWarning` on every call since torchvision 0.29.

    Torchvision 0.29 (paired with torch 2.14) hands image decoding and encoding over to
    TorchCodec: the warning says the capabilities "are deprecated since torchvision 0.29
    and will be removed in a future release". The functions still work, as the tests
    below show (this page silences the warning for them).

    Docs: https://docs.pytorch.org/vision/stable/io.html#image-decoding
    """
    message = r"The image decoding and encoding capabilities of TorchVision are deprecated since torchvision 0\.29"

    with warns_exactly(DeprecationWarning, match=message):
        read_image(png)
    with warns_exactly(DeprecationWarning, match=message):
        decode_image(read_file(png))


@pytest.mark.torchvision_version("<0.29")
def test_image_decoding_is_silent_before_torchvision_0_29(png):
    """Before torchvision 0.29, `read_image` and `decode_image` decode without any deprecation warning.

    Docs: https://docs.pytorch.org/vision/stable/io.html#image-decoding
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_image(png)
        decode_image(read_file(png))

    assert [w for w in caught if "image decoding" in str(w.message)] == []


@pytest.mark.claim("S2-028", verdict="false")
def test_read_image_returns_uint8_chw(png):
    """`read_image(path)` returns a uint8 (C, H, W) tensor of the raw 0-255 values, not the float input a model takes.

    The note says that since `read_image` gives a (C, H, W) tensor, no transform is
    needed. The shape part is right, the conclusion is not: the values are uint8 in
    [0, 255], while a model's float32 weights (and any `Normalize` with ImageNet
    statistics) expect float values in [0, 1]. Convert first with
    `v2.ToDtype(torch.float32, scale=True)` (or `ConvertImageDtype(torch.float)`), as the
    next test shows.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.io.read_image.html#torchvision.io.read_image
    """
    image = read_image(png)

    assert image.shape == (3, 2, 3)
    assert image.dtype == torch.uint8
    assert not image.is_floating_point()
    assert image[:, 0, 0].tolist() == [255, 51, 0]


def test_read_image_needs_a_float_conversion_to_match_to_tensor(png):
    """`ConvertImageDtype(torch.float)` on `read_image`'s output equals `ToTensor` on the PIL image.

    Both divide by 255 (the largest uint8), so 255 becomes 1.0 and 51 becomes 0.2.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ConvertImageDtype.html#torchvision.transforms.ConvertImageDtype
    """
    from_io = transforms.ConvertImageDtype(torch.float)(read_image(png))

    from_pil = transforms.ToTensor()(Image.open(png))

    torch.testing.assert_close(from_io, from_pil)
    torch.testing.assert_close(from_io[:, 0, 0], torch.tensor([255, 51, 0]) / 255)


def test_read_image_mode_gray_gives_one_channel(png):
    """`mode=ImageReadMode.GRAY` decodes to a single channel, (1, H, W).

    The grey value is the luma of the colour, `0.299 R + 0.587 G + 0.114 B`: the
    (255, 51, 0) pixel becomes 106, black stays 0.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.io.read_image.html#torchvision.io.read_image
    """
    image = read_image(png, mode=ImageReadMode.GRAY)

    assert image.shape == (1, 2, 3)
    assert abs(image[0, 0, 0].item() - (0.299 * 255 + 0.587 * 51 + 0.114 * 0)) <= 1  # integer rounding
    assert image[0, 1, 2].item() == 0


def test_decode_image_decodes_bytes_already_in_memory(png):
    """`decode_image` turns the file's bytes (a uint8 tensor from `read_file`) into the same image.

    `read_image(path)` is `decode_image(read_file(path))`; use `decode_image` when the
    bytes come from somewhere else (a zip, a database, the network).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.io.decode_image.html#torchvision.io.decode_image
    """
    data = read_file(png)

    image = decode_image(data)

    assert data.dtype == torch.uint8 and data.dim() == 1
    assert torch.equal(image, read_image(png))


@pytest.mark.torchvision_version(">=0.20")
def test_decode_image_also_takes_a_path_and_a_mode_string(png):
    """Since torchvision 0.20 `decode_image` takes a path as well as bytes, and `mode` as a string such as `"GRAY"`.

    That makes `decode_image(path)` the one entry point, and `read_image` obsolete
    (https://github.com/pytorch/vision/pull/8624, https://github.com/pytorch/vision/pull/8627).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.io.decode_image.html#torchvision.io.decode_image
    """
    from_path = decode_image(png)
    gray = decode_image(png, mode="GRAY")

    assert torch.equal(from_path, decode_image(read_file(png)))
    assert torch.equal(gray, decode_image(png, mode=ImageReadMode.GRAY))
    assert gray.shape == (1, 2, 3)


@pytest.mark.torchvision_version(">=0.28")
def test_video_reading_is_gone_from_torchvision_io_since_0_28():
    """Since torchvision 0.28 `torchvision.io` has no `read_video`: importing it raises `ImportError`.

    The video decoders were deprecated in 0.22 and removed in 0.28
    (https://github.com/pytorch/vision/pull/9451) in favour of TorchCodec.

    Docs: https://docs.pytorch.org/vision/stable/io.html
    """
    with raises_exactly(ImportError, match=r"cannot import name 'read_video' from 'torchvision\.io'"):
        from torchvision.io import read_video  # noqa: F401


@pytest.mark.claim("S2-024", verdict="true")
def test_squeeze_turns_a_grey_chw_image_into_hw():
    """`img.squeeze()` drops the channel axis of a (1, H, W) image, giving the (H, W) that `imshow(cmap="gray")` takes.

    `squeeze()` removes every size-1 axis; for a single image that is only the channel.
    On a batch of one, (1, 1, H, W), it removes both.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.squeeze.html#torch.squeeze
    """
    image = torch.zeros(1, 28, 28)

    assert image.squeeze().shape == (28, 28)
    assert image.squeeze(0).shape == (28, 28)
    assert image.unsqueeze(0).squeeze().shape == (28, 28)


@pytest.mark.claim("S2-025", verdict="true")
def test_permute_turns_chw_into_hwc():
    """`img.permute(1, 2, 0)` and `img.numpy().transpose(1, 2, 0)` both give the (H, W, C) layout as views of the same memory.

    Neither copies: they only reorder the strides so the channel axis comes last. So the
    pixel at row 0, column 0 keeps its three channel values (0, 8 and 16, one plane of
    2 x 4 = 8 values apart), both results sit on the image's own memory, and a write
    through one shows in the image and in the other. (Matplotlib copies what it draws,
    so this only matters if you modify the array.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.permute.html#torch.permute
    """
    image = torch.arange(3 * 2 * 4).view(3, 2, 4)

    hwc = image.permute(1, 2, 0)
    hwc_numpy = image.numpy().transpose(1, 2, 0)
    hwc[0, 0, 1] = 100

    assert hwc.shape == (2, 4, 3)
    assert hwc[0, 0].tolist() == [0, 100, 16]
    assert hwc.untyped_storage().data_ptr() == image.untyped_storage().data_ptr()
    assert np.shares_memory(hwc_numpy, image.numpy())
    assert image[1, 0, 0].item() == 100
    assert hwc_numpy[0, 0].tolist() == [0, 100, 16]
    assert hwc_numpy.tolist() == hwc.tolist()

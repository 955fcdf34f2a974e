"""Reading images and shaping them for display

`torchvision.io` decodes image files straight into uint8 tensors, skipping Pillow.
Every torchvision image tensor is channels-first, (C, H, W); Matplotlib's `imshow`
wants (H, W, C) or, for greyscale, (H, W). The last tests are the two reshapes that
bridge the gap.
"""

import warnings

import pytest
import torch
from PIL import Image

from torchref import by_version, warns_exactly

torchvision = pytest.importorskip("torchvision")
from torchvision import transforms  # noqa: E402
from torchvision.io import ImageReadMode, decode_image, read_file, read_image  # noqa: E402

# torchvision 0.29 (torch 2.14+) deprecates its image decoders on every call; the first
# test asserts that warning, the others show what the functions return.
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


def test_image_decoding_is_deprecated_since_torchvision_0_29(png):
    """`read_image` and `decode_image` warn with a `DeprecationWarning` since torchvision 0.29.

    Torchvision 0.29 (paired with torch 2.14) hands image decoding over to TorchCodec and
    warns on every call; earlier releases are silent. The functions still work, as the
    tests below show.

    Docs: https://docs.pytorch.org/vision/stable/io.html
    """
    warns = by_version({"<2.14": False, ">=2.14": True})

    if warns:
        with warns_exactly(DeprecationWarning, match="image decoding and encoding capabilities of TorchVision are deprecated"):
            read_image(png)
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            read_image(png)
        assert not [w for w in caught if issubclass(w.category, DeprecationWarning)]


@pytest.mark.claim("S2-028", verdict="true")
def test_read_image_returns_uint8_chw(png):
    """`read_image(path)` returns a uint8 tensor of shape (C, H, W) with the raw 0-255 values.

    No `ToTensor` is needed to get a tensor. But it is uint8, not float in [0, 1]: before
    a model, convert it with `ConvertImageDtype(torch.float)` (or
    `v2.ToDtype(torch.float32, scale=True)`), as the next test shows.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.io.read_image.html
    """
    image = read_image(png)

    assert image.shape == (3, 2, 3)
    assert image.dtype == torch.uint8
    assert image[:, 0, 0].tolist() == [255, 51, 0]


def test_read_image_needs_a_float_conversion_to_match_to_tensor(png):
    """`ConvertImageDtype(torch.float)` on `read_image`'s output equals `ToTensor` on the PIL image.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.transforms.ConvertImageDtype.html
    """
    from_io = transforms.ConvertImageDtype(torch.float)(read_image(png))

    from_pil = transforms.ToTensor()(Image.open(png))

    torch.testing.assert_close(from_io, from_pil)


def test_read_image_mode_gray_gives_one_channel(png):
    """`mode=ImageReadMode.GRAY` decodes to a single channel, (1, H, W).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.io.read_image.html
    """
    image = read_image(png, mode=ImageReadMode.GRAY)

    assert image.shape == (1, 2, 3)


def test_decode_image_decodes_bytes_already_in_memory(png):
    """`decode_image` turns the file's bytes (a uint8 tensor from `read_file`) into the same image.

    `read_image(path)` is `decode_image(read_file(path))`; use `decode_image` when the
    bytes come from somewhere else (a zip, a database, the network).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.io.decode_image.html
    """
    data = read_file(png)

    image = decode_image(data)

    assert data.dtype == torch.uint8 and data.dim() == 1
    assert torch.equal(image, read_image(png))


@pytest.mark.claim("S2-024", verdict="true")
def test_squeeze_turns_a_grey_chw_image_into_hw():
    """`img.squeeze()` drops the channel axis of a (1, H, W) image, giving the (H, W) that `imshow(cmap="gray")` takes.

    `squeeze()` removes every size-1 axis; for a single image that is only the channel.
    On a batch of one, (1, 1, H, W), it removes both.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.squeeze.html
    """
    image = torch.zeros(1, 28, 28)

    assert image.squeeze().shape == (28, 28)
    assert image.squeeze(0).shape == (28, 28)


@pytest.mark.claim("S2-025", verdict="true")
def test_permute_turns_chw_into_hwc():
    """`img.permute(1, 2, 0)` and `img.numpy().transpose(1, 2, 0)` both give the (H, W, C) layout.

    Both are views that move the channel axis last; the pixel at row 0, column 0 keeps
    its three channel values.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.permute.html
    """
    image = torch.arange(3 * 2 * 4).view(3, 2, 4)

    hwc = image.permute(1, 2, 0)
    hwc_numpy = image.numpy().transpose(1, 2, 0)

    assert hwc.shape == (2, 4, 3)
    assert hwc[0, 0].tolist() == [0, 8, 16]
    assert hwc_numpy.tolist() == hwc.tolist()

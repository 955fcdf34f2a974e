"""Spatial transformers: affine_grid and grid_sample

A spatial transformer network learns to warp its input. It has three parts: a
*localisation net* that predicts an affine matrix `theta` (2x3 per image), a *grid
generator* (`F.affine_grid`) that turns `theta` into sampling coordinates, and a *sampler*
(`F.grid_sample`) that reads the input at those coordinates. Coordinates are normalised to
[-1, 1], and `align_corners` decides whether -1 and 1 are the centres or the outer edges of
the corner pixels: state it explicitly, and the same, in both calls.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchref import warns_exactly

IDENTITY = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def test_affine_grid_has_one_xy_pair_per_output_pixel():
    """`F.affine_grid(theta, (N, C, H, W))` returns a grid of shape (N, H, W, 2).

    The last dimension holds (x, y) in that order: x runs along the width, y along the
    height. With `align_corners=True` the identity grid goes from -1 to 1 exactly, in
    even steps.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.affine_grid.html
    """
    theta = torch.tensor([IDENTITY])

    grid = F.affine_grid(theta, (1, 1, 2, 3), align_corners=True)

    assert grid.shape == (1, 2, 3, 2)
    assert grid[0, 0].tolist() == [[-1.0, -1.0], [0.0, -1.0], [1.0, -1.0]]
    assert grid[0, 1, :, 1].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.claim("S0-032", verdict="true")
@pytest.mark.parametrize("align_corners", [False, True], ids=["align_corners=False", "align_corners=True"])
def test_grid_sample_with_identity_theta_reproduces_the_input(align_corners):
    """Sampling with the grid of the identity `theta` returns the input unchanged.

    The note is right that the identity transform is a no-op, provided both calls use the
    same `align_corners`: the grid then lands exactly on pixel centres, and bilinear
    sampling at a centre reads that pixel.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.grid_sample.html
    """
    x = torch.arange(12.0).view(1, 1, 3, 4)
    theta = torch.tensor([IDENTITY])

    grid = F.affine_grid(theta, x.shape, align_corners=align_corners)
    y = F.grid_sample(x, grid, align_corners=align_corners)

    torch.testing.assert_close(y, x)


def test_grid_sample_with_a_translation_shifts_the_image():
    """A translation `theta` samples the input at shifted positions, and the uncovered part is zero.

    With `align_corners=True` and width 4, one pixel is `2 / (4 - 1)` in normalised units.
    `tx` of one pixel makes output column `j` read input column `j + 1`: the image moves
    left, and the last column, sampled outside the input, gets the default
    `padding_mode="zeros"`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.affine_grid.html
    """
    x = torch.tensor([[[[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0]]]])
    theta = torch.tensor([[[1.0, 0.0, 2.0 / 3.0], [0.0, 1.0, 0.0]]])

    grid = F.affine_grid(theta, x.shape, align_corners=True)
    y = F.grid_sample(x, grid, align_corners=True)

    torch.testing.assert_close(y, torch.tensor([[[[1.0, 2.0, 3.0, 0.0], [1.0, 2.0, 3.0, 0.0]]]]))


def test_grid_sample_border_padding_repeats_the_edge():
    """`padding_mode="border"` fills positions outside the input with the nearest edge value.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.grid_sample.html
    """
    x = torch.tensor([[[[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 3.0]]]])
    theta = torch.tensor([[[1.0, 0.0, 2.0 / 3.0], [0.0, 1.0, 0.0]]])
    grid = F.affine_grid(theta, x.shape, align_corners=True)

    y = F.grid_sample(x, grid, padding_mode="border", align_corners=True)

    torch.testing.assert_close(y, torch.tensor([[[[1.0, 2.0, 3.0, 3.0], [1.0, 2.0, 3.0, 3.0]]]]))


def test_affine_grid_without_align_corners_warns():
    """Calling `F.affine_grid` without `align_corners` warns that the default is `False`.

    The default changed from `True` to `False` in PyTorch 1.3, and every release since
    warns when you rely on it. Passing the argument silences the warning and documents the
    choice.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.affine_grid.html
    """
    theta = torch.tensor([IDENTITY])

    with warns_exactly(UserWarning, match="Default grid_sample and affine_grid behavior has changed to align_corners=False"):
        F.affine_grid(theta, (1, 1, 2, 2))


class SpatialTransformer(nn.Module):
    """Localisation net -> affine_grid -> grid_sample, started at the identity transform."""

    def __init__(self, height, width):
        super().__init__()
        self.loc = nn.Sequential(nn.Flatten(), nn.Linear(height * width, 6))
        nn.init.zeros_(self.loc[1].weight)
        with torch.no_grad():
            self.loc[1].bias.copy_(torch.tensor(IDENTITY).flatten())

    def forward(self, x):
        theta = self.loc(x).view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)


@pytest.mark.claim("S0-032", verdict="true")
def test_spatial_transformer_initialised_to_identity_passes_input_through():
    """A spatial transformer whose localisation net outputs the identity `theta` returns its input.

    This is the initialisation used by the PyTorch spatial transformer tutorial: zero weights and an identity
    bias in the last layer of the localisation net, so training starts from "no warp". The
    whole module is differentiable, so gradients reach `theta`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.affine_grid.html
    """
    torch.manual_seed(0)
    stn = SpatialTransformer(4, 4)
    x = torch.randn(2, 1, 4, 4)

    y = stn(x)
    y.sum().backward()

    torch.testing.assert_close(y, x)
    assert stn.loc[1].bias.grad is not None

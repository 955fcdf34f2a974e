"""Mixed precision entry points

`torch.amp` is the one home of automatic mixed precision: `torch.amp.autocast(device_type)`
picks a lower-precision dtype for the operations that benefit, and `torch.amp.GradScaler(device)`
scales the loss so small float16 gradients do not underflow. The older per-device spellings
(`torch.cuda.amp.autocast`, `torch.cpu.amp.autocast`, `torch.cuda.amp.GradScaler`,
`torch.cuda.amp.custom_fwd`) still work but warn since 2.4. The CPU side is what runs
everywhere, so it is what this page asserts.
"""

import warnings

import pytest
import torch
from torch import nn

from torchref import raises_exactly, warns_exactly


def test_autocast_on_cpu_runs_matmul_in_bfloat16():
    """Inside `torch.amp.autocast("cpu")` a float32 matmul returns bfloat16; outside it stays float32.

    On CPU autocast's lower-precision dtype is `bfloat16` (its `fast_dtype`). Ops on the
    autocast list, such as `matmul` and `linear`, cast their float32 inputs down; the
    inputs themselves are not changed, and leaving the block restores float32 results.

    Docs: https://docs.pytorch.org/docs/stable/amp.html#torch.autocast
    """
    a = torch.ones(2, 2)

    with torch.amp.autocast("cpu"):
        inside = a @ a
    outside = a @ a

    assert torch.amp.autocast("cpu").fast_dtype == torch.bfloat16
    assert inside.dtype == torch.bfloat16
    assert outside.dtype == torch.float32
    assert a.dtype == torch.float32
    assert inside.float().tolist() == [[2.0, 2.0], [2.0, 2.0]]


@pytest.mark.torch_version(">=2.2")
def test_autocast_dtype_argument_chooses_the_lower_precision_dtype():
    """`dtype=` picks the dtype autocast casts to; `enabled=False` turns the block into a no-op.

    CPU autocast accepts float16 since 2.2; before, it warned and then refused it (the
    next test).

    Docs: https://docs.pytorch.org/docs/stable/amp.html#torch.autocast
    """
    layer = nn.Linear(2, 2)
    x = torch.ones(1, 2)

    with torch.amp.autocast("cpu", dtype=torch.float16):
        half = layer(x)
    with torch.amp.autocast("cpu", enabled=False):
        full = layer(x)

    assert half.dtype == torch.float16
    assert full.dtype == torch.float32


@pytest.mark.torch_version("<2.2")
def test_cpu_autocast_refused_float16_before_2_2():
    """Before 2.2, CPU autocast with `dtype=torch.float16` warned that it disables itself, then raised on entering.

    The constructor's UserWarning says autocast is switched off; entering the block
    still tried to set the CPU autocast dtype and raised `RuntimeError`: only bfloat16
    was supported on CPU.

    Docs: https://docs.pytorch.org/docs/stable/amp.html#cpu-ops-that-can-autocast-to-bfloat16
    """
    with warns_exactly(UserWarning, match=r"In CPU autocast, but the target dtype is not supported\. Disabling autocast"):
        context = torch.amp.autocast("cpu", dtype=torch.float16)

    with raises_exactly(RuntimeError, match=r"Currently, AutocastCPU only support Bfloat16 as the autocast_cpu_dtype"):
        with context:
            pass


@pytest.mark.torch_version(">=2.4")
def test_cpu_amp_autocast_is_deprecated_for_torch_amp_autocast():
    """`torch.cpu.amp.autocast()` warns a FutureWarning that names `torch.amp.autocast('cpu', ...)`.

    The device-specific classes became thin, deprecated wrappers of `torch.amp.autocast`
    in 2.4 (https://github.com/pytorch/pytorch/pull/126062). They still work.

    Docs: https://docs.pytorch.org/docs/stable/amp.html#cpu-ops-that-can-autocast-to-bfloat16
    """
    a = torch.ones(2, 2)

    with warns_exactly(FutureWarning, match=r"`torch\.cpu\.amp\.autocast\(args\.\.\.\)` is deprecated\. Please use `torch\.amp\.autocast\('cpu', args\.\.\.\)` instead"):
        context = torch.cpu.amp.autocast()
    with context:
        result = a @ a

    assert result.dtype == torch.bfloat16


@pytest.mark.torch_version("<2.4")
def test_cpu_amp_autocast_was_silent_before_2_4():
    """Before 2.4, `torch.cpu.amp.autocast()` gave no warning.

    Docs: https://docs.pytorch.org/docs/stable/amp.html#torch.autocast
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cpu.amp.autocast()

    assert [w.category for w in caught] == []


@pytest.mark.torch_version(">=2.4")
def test_cpu_amp_grad_scaler_is_deprecated_for_torch_amp_grad_scaler():
    """`torch.cpu.amp.GradScaler()` warns a FutureWarning; `torch.amp.GradScaler("cpu")` is the same class underneath.

    The old spelling is a subclass of `torch.amp.GradScaler` fixed to one device. Both
    start with the documented initial scale of 2**16.

    Docs: https://docs.pytorch.org/docs/stable/amp.html#gradient-scaling
    """
    with warns_exactly(FutureWarning, match=r"`torch\.cpu\.amp\.GradScaler\(args\.\.\.\)` is deprecated\. Please use `torch\.amp\.GradScaler\('cpu', args\.\.\.\)` instead"):
        old = torch.cpu.amp.GradScaler()
    new = torch.amp.GradScaler("cpu")

    assert isinstance(old, torch.amp.GradScaler)
    assert old.get_scale() == new.get_scale() == 2.0**16


@pytest.mark.torch_version(">=2.4")
def test_cuda_amp_custom_fwd_is_deprecated_for_torch_amp_custom_fwd():
    """Decorating with `torch.cuda.amp.custom_fwd` warns a FutureWarning naming `torch.amp.custom_fwd(..., device_type='cuda')`.

    The decorator itself needs no GPU: it only wraps `forward`. Its device-agnostic
    replacement takes the device as `device_type`
    (https://github.com/pytorch/pytorch/pull/126531).

    Docs: https://docs.pytorch.org/docs/stable/amp.html#torch.amp.custom_fwd
    """
    def forward(ctx, x):
        return x

    with warns_exactly(FutureWarning, match=r"`torch\.cuda\.amp\.custom_fwd\(args\.\.\.\)` is deprecated\. Please use `torch\.amp\.custom_fwd\(args\.\.\., device_type='cuda'\)` instead"):
        wrapped = torch.cuda.amp.custom_fwd(forward)
    replacement = torch.amp.custom_fwd(forward, device_type="cpu")

    assert callable(wrapped)
    assert callable(replacement)


@pytest.mark.torch_version(">=2.4")
def test_old_weight_norm_is_deprecated_for_the_parametrization():
    """`nn.utils.weight_norm` warns a FutureWarning; `nn.utils.parametrizations.weight_norm` is the replacement.

    The old function splits `weight` into `weight_g` and `weight_v` attributes; the
    parametrization keeps `weight` and stores the two parts under
    `parametrizations.weight.original0` and `original1` (magnitude and direction).
    Deprecated since 2.1 (https://github.com/pytorch/pytorch/pull/103001).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.utils.weight_norm.html
    """
    with warns_exactly(FutureWarning, match=r"`torch\.nn\.utils\.weight_norm` is deprecated in favor of `torch\.nn\.utils\.parametrizations\.weight_norm`"):
        old = nn.utils.weight_norm(nn.Linear(3, 2))
    new = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))

    assert {"weight_g", "weight_v"} <= {name for name, _ in old.named_parameters()}
    assert [name for name, _ in new.named_parameters() if "original" in name] == [
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    torch.testing.assert_close(new.weight, new.parametrizations.weight.original1 * (new.parametrizations.weight.original0 / new.parametrizations.weight.original1.norm(dim=1, keepdim=True)))

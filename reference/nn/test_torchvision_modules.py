"""torchvision models are nn.Modules

The models in `torchvision.models` are ordinary `nn.Module` subclasses, built from the
same layers and containers as your own code. Everything on the other nn pages (`children`,
`state_dict`, `train`/`eval`, hooks) applies to them unchanged.
"""

import pytest
from torch import nn

torchvision = pytest.importorskip("torchvision")


@pytest.mark.claim("S3-007", verdict="true")
@pytest.mark.parametrize("name", ["ResNet", "VGG", "AlexNet", "SqueezeNet", "MobileNetV2"])
def test_torchvision_model_classes_subclass_module(name):
    """Every model class in `torchvision.models` subclasses `nn.Module`.

    The note is right: torchvision's model implementations inherit from the same base class
    as a hand-written model, and override `__init__` and `forward` the same way.

    Docs: https://docs.pytorch.org/vision/stable/models.html
    """
    cls = getattr(torchvision.models, name)

    assert issubclass(cls, nn.Module)


@pytest.mark.claim("S3-007", verdict="true")
def test_torchvision_model_is_built_from_nn_layers():
    """A torchvision model built with `weights=None` is an `nn.Module` made of `torch.nn` layers.

    `weights=None` gives random initial weights and downloads nothing. Its top-level
    children are plain `nn.Sequential` containers holding `Conv2d`, `ReLU` and pooling
    layers, and its parameters are found by `parameters()` like any other module's.

    Docs: https://docs.pytorch.org/vision/stable/models/generated/torchvision.models.squeezenet1_1.html
    """
    model = torchvision.models.squeezenet1_1(weights=None, num_classes=3)

    children = [type(m).__name__ for m in model.children()]

    assert isinstance(model, nn.Module)
    assert children == ["Sequential", "Sequential"]
    assert isinstance(model.features[0], nn.Conv2d)
    assert model.classifier[1].out_channels == 3

"""torchvision.models: architectures, weights and fine-tuning

`torchvision.models` builds well-known architectures; the `weights=` argument chooses
between random initialisation (`None`) and a pretrained checkpoint (a `Weights` enum
member, downloaded on first use). The enums also carry the metadata and preprocessing
of each checkpoint, which can be inspected without downloading anything.

VGG16 has 138 million parameters, and initialising them takes seconds. The VGG tests
therefore build it under `torch.device("meta")`: modules get shapes but no memory, so
the structure and the output shape are real while the construction is instant.
"""

import inspect

import pytest
import torch
from torch import nn

from torchref import raises_exactly, warns_exactly

torchvision = pytest.importorskip("torchvision")
from torchvision import models  # noqa: E402
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor  # noqa: E402
from torchvision.models.detection.transform import GeneralizedRCNNTransform  # noqa: E402


@pytest.mark.claim("S0-025", verdict="true")
def test_torchvision_has_datasets_models_transforms_and_utils():
    """torchvision's main parts are `datasets`, `models`, `transforms` and `utils`, next to `io` and `ops`.

    Docs: https://docs.pytorch.org/vision/stable/index.html
    """
    for name in ["datasets", "models", "transforms", "utils", "io", "ops"]:
        assert inspect.ismodule(getattr(torchvision, name)), name


@pytest.mark.claim("S0-022", verdict="true")
def test_models_cover_classification_segmentation_detection_and_video():
    """`torchvision.models` has classification models and subpackages for segmentation, detection and video.

    Detection holds the object detectors, instance segmentation (Mask R-CNN) and keypoint
    detection (Keypoint R-CNN); `segmentation` the semantic segmentation models.

    Docs: https://docs.pytorch.org/vision/stable/models.html#models-and-pre-trained-weights
    """
    assert callable(models.resnet18)
    assert callable(models.segmentation.deeplabv3_resnet50)
    assert callable(models.detection.fasterrcnn_resnet50_fpn)
    assert callable(models.detection.maskrcnn_resnet50_fpn)
    assert callable(models.detection.keypointrcnn_resnet50_fpn)
    assert callable(models.video.r3d_18)


@pytest.mark.claim("S0-026", verdict="true")
def test_list_models_includes_alexnet_vgg_and_resnet():
    """`models.list_models()` names every builder, AlexNet, VGG and ResNet among them.

    Docs: https://docs.pytorch.org/vision/stable/models.html#listing-and-retrieving-available-models
    """
    names = models.list_models()

    assert {"alexnet", "vgg16", "resnet18", "resnet50"} <= set(names)
    assert models.get_model_weights("resnet50") is models.ResNet50_Weights


@pytest.mark.claim("S3-006", verdict="true")
def test_model_builders_default_to_random_weights():
    """Every builder takes `weights=`, and its default `None` means random initialisation.

    Pass a `Weights` member (e.g. `ResNet18_Weights.DEFAULT`) to start from a pretrained
    checkpoint instead.

    Docs: https://docs.pytorch.org/vision/stable/models.html#initializing-pre-trained-models
    """
    for builder in [models.alexnet, models.vgg16, models.resnet18]:
        assert inspect.signature(builder).parameters["weights"].default is None


@pytest.mark.claim("S1-032", verdict="true")
def test_resnet50_default_weights_carry_metadata_offline():
    """`ResNet50_Weights.DEFAULT` is the best checkpoint (`IMAGENET1K_V2`), with categories and metrics in `.meta`.

    Reading the enum downloads nothing; only `resnet50(weights=...)` fetches the file.
    `DEFAULT` is an alias that may move to a newer checkpoint in a future release.

    Docs: https://docs.pytorch.org/vision/stable/models/generated/torchvision.models.resnet50.html#torchvision.models.resnet50
    """
    weights = models.ResNet50_Weights.DEFAULT

    assert weights is models.ResNet50_Weights.IMAGENET1K_V2
    assert len(weights.meta["categories"]) == 1000
    assert weights.meta["categories"][0] == "tench"
    assert weights.meta["num_params"] == 25557032


def test_weights_transforms_is_the_matching_preprocessing():
    """`weights.transforms()` resizes, centre-crops to 224, scales to [0, 1] and normalises.

    The preset accepts a uint8 image tensor, e.g. from `read_image`, and returns the
    float (3, 224, 224) the checkpoint was trained on. For `IMAGENET1K_V2` it resizes
    the short side to 232 first. `antialias=True` is the default from torchvision 0.17
    (torch 2.2); torchvision 0.15 and 0.16 warn on tensors unless it is passed.

    Docs: https://docs.pytorch.org/vision/stable/models.html#using-the-pre-trained-models
    """
    preprocess = models.ResNet50_Weights.DEFAULT.transforms(antialias=True)
    image = torch.full((3, 240, 320), 255, dtype=torch.uint8)

    out = preprocess(image)

    assert preprocess.resize_size == [232]
    assert out.shape == (3, 224, 224)
    torch.testing.assert_close(out[:, 0, 0], torch.tensor([(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225]))


@pytest.mark.claim("S2-052", verdict="true")
def test_imagenet_mean_and_std_are_the_preset_constants():
    """mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) are the ImageNet statistics torchvision's presets use.

    Docs: https://docs.pytorch.org/vision/stable/models.html#using-the-pre-trained-models
    """
    preprocess = models.ResNet18_Weights.IMAGENET1K_V1.transforms()

    assert list(preprocess.mean) == [0.485, 0.456, 0.406]
    assert list(preprocess.std) == [0.229, 0.224, 0.225]


@pytest.mark.claim("S2-045", verdict="true")
def test_resnet18_num_classes_sets_the_output_width():
    """`resnet18(weights=None, num_classes=2)` maps a (64, 3, 28, 28) batch to (64, 2) logits.

    `num_classes` sizes the final `fc` layer. The adaptive average pool before it makes
    the network accept small inputs such as 28 x 28 (the feature map is 1 x 1 there).
    Built on the meta device, the forward pass computes only shapes, so the note's full
    batch of 64 costs nothing here; on a real device the result has the same shape.

    Docs: https://docs.pytorch.org/vision/stable/models/generated/torchvision.models.resnet18.html#torchvision.models.resnet18
    """
    with torch.device("meta"):
        net = models.resnet18(weights=None, num_classes=2)

        out = net(torch.empty(64, 3, 28, 28))

    assert out.shape == (64, 2)
    assert net.fc.out_features == 2


@pytest.mark.claim("S1-033", verdict="outdated")
@pytest.mark.claim("S2-078", verdict="outdated")
def test_pretrained_argument_is_deprecated():
    """`vgg16(pretrained=False)` still works but warns that `pretrained` is deprecated since torchvision 0.13.

    The note's `pretrained=True/False` predates the weights API: since 0.13 it warns
    and maps `False` to `weights=None` and `True` to `weights=VGG16_Weights.IMAGENET1K_V1`.
    It has not been removed in any release up to 0.29. Write `weights=None` or
    `weights=models.VGG16_Weights.DEFAULT`.

    Docs: https://docs.pytorch.org/vision/stable/models.html#initializing-pre-trained-models
    """
    with torch.device("meta"):
        with warns_exactly(UserWarning, match="deprecated since 0.13"):
            vgg = models.vgg16(pretrained=False)

    assert vgg.classifier[6].out_features == 1000


@pytest.mark.claim("S2-079", verdict="true")
def test_vgg16_classifier_index_replaces_the_last_layer():
    """`vgg16.classifier[6] = nn.Linear(4096, 10)` replaces the last layer, so the model outputs 10 logits.

    `classifier` is an `nn.Sequential`; assigning to an index swaps that module.

    Docs: https://docs.pytorch.org/vision/stable/models/generated/torchvision.models.vgg16.html#torchvision.models.vgg16
    """
    with torch.device("meta"):
        vgg = models.vgg16(weights=None)
        vgg.classifier[6] = nn.Linear(4096, 10)

        out = vgg(torch.empty(1, 3, 32, 32))

    assert len(vgg.classifier) == 7
    assert out.shape == (1, 10)


@pytest.mark.claim("S1-034", verdict="true")
def test_vgg16_add_module_appends_a_layer():
    """`classifier.add_module("add_linear", nn.Linear(1000, 10))` appends a layer after the 1000-way one.

    Each edit alone gives a 10-class model: this one keeps the 1000 ImageNet logits and
    maps them to 10 (useful only when starting from pretrained weights).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.add_module
    """
    with torch.device("meta"):
        vgg = models.vgg16(weights=None)
        vgg.classifier.add_module("add_linear", nn.Linear(1000, 10))

        out = vgg(torch.empty(1, 3, 32, 32))

    assert len(vgg.classifier) == 8
    assert out.shape == (1, 10)


@pytest.mark.claim("S1-035", verdict="false")
def test_vgg16_both_edits_together_break_the_forward_pass():
    """Applying both edits to one VGG16 fails: the new 4096-to-10 layer feeds a layer that expects 1000 inputs.

    The note's snippet applies `add_module("add_linear", Linear(1000, 10))` and
    `classifier[6] = Linear(4096, 10)` in turn. The classifier then ends with
    Linear(4096, 10) followed by Linear(1000, 10), and the forward pass raises a shape
    error. Make one edit, or size the appended layer to `Linear(10, 10)`.

    Docs: https://docs.pytorch.org/vision/stable/models/generated/torchvision.models.vgg16.html#torchvision.models.vgg16
    """
    with torch.device("meta"):
        vgg = models.vgg16(weights=None)
    vgg.classifier.add_module("add_linear", nn.Linear(1000, 10))
    vgg.classifier[6] = nn.Linear(4096, 10)

    with raises_exactly(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(1x10 and 1000x10\)"):
        vgg.classifier[6:](torch.zeros(1, 4096))


def test_requires_grad_false_freezes_the_backbone():
    """`model.requires_grad_(False)` then a new `fc` leaves only the new layer trainable.

    Layers created after the freeze have `requires_grad=True` as usual, so only the 512
    x 2 weights and 2 biases of the new head get gradients. Pass just those to the
    optimiser.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.requires_grad_
    """
    with torch.device("meta"):
        net = models.resnet18(weights=None)
        net.requires_grad_(False)
        net.fc = nn.Linear(net.fc.in_features, 2)

    trainable = [name for name, p in net.named_parameters() if p.requires_grad]

    assert trainable == ["fc.weight", "fc.bias"]
    assert sum(p.numel() for p in net.parameters() if p.requires_grad) == 512 * 2 + 2


def test_eval_switches_every_submodule_to_inference_mode():
    """`model.eval()` sets `training=False` on every submodule, so dropout stops and outputs repeat.

    It does not turn off gradients; wrap inference in `torch.no_grad()` for that.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.eval
    """
    net = models.squeezenet1_1(weights=None, num_classes=3)
    x = torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))

    net.eval()
    with torch.no_grad():
        first, second = net(x), net(x)

    assert not any(m.training for m in net.modules())
    assert torch.equal(first, second)
    assert net(x).requires_grad  # outside no_grad, autograd still records


@pytest.mark.claim("S0-033", verdict="true")
def test_detection_box_predictor_can_be_replaced():
    """A Faster R-CNN's `roi_heads.box_predictor` can be swapped for a `FastRCNNPredictor` with your class count.

    This is the fine-tuning recipe: keep the backbone and region proposal network, and
    replace the last layer with one for, say, 2 classes plus background.
    `weights=None, weights_backbone=None` builds it without any download; in practice
    you start from `weights="DEFAULT"`.

    Docs: https://docs.pytorch.org/vision/stable/models/faster_rcnn.html
    """
    model = models.detection.fasterrcnn_mobilenet_v3_large_fpn(weights=None, weights_backbone=None)
    in_features = model.roi_heads.box_predictor.cls_score.in_features

    model.roi_heads.box_predictor = FastRCNNPredictor(in_features, 3)

    assert model.roi_heads.box_predictor.cls_score.out_features == 3
    assert model.roi_heads.box_predictor.bbox_pred.out_features == 3 * 4


@pytest.mark.claim("S0-034", verdict="true")
def test_detection_batches_images_padded_to_a_multiple_of_32():
    """Detection models pad a list of differently sized images into one batch whose H and W are multiples of 32.

    The note cites `maskrcnn_benchmark`'s `to_image_list(images, size_divisible=32)`, a
    package not used here; torchvision's detection models do the same in
    `GeneralizedRCNNTransform.batch_images`. The largest height (50) and width (45) are
    rounded up to 64, each image sits in the top-left corner, and the rest is zeros.

    Docs: https://docs.pytorch.org/vision/stable/models.html#object-detection-instance-segmentation-and-person-keypoint-detection
    """
    transform = GeneralizedRCNNTransform(min_size=800, max_size=1333, image_mean=[0.0] * 3, image_std=[1.0] * 3)
    images = [torch.ones(3, 30, 45), torch.ones(3, 50, 20)]

    batch = transform.batch_images(images, size_divisible=32)

    assert batch.shape == (2, 3, 64, 64)
    assert batch[0].sum().item() == 3 * 30 * 45
    assert batch[1, :, :50, :20].min().item() == 1.0


@pytest.mark.torchvision_version(">=0.18")
# MaxVit's relative position index calls torch.meshgrid without `indexing`, which warns on
# the torch releases paired with torchvision 0.18; the warning is not what this test is about.
@pytest.mark.filterwarnings("ignore:torch.meshgrid. in an upcoming release:UserWarning")
def test_maxvit_batch_norm_momentum_is_0_01_since_torchvision_0_18():
    """MaxViT's batch-norm layers use `momentum=0.01` since torchvision 0.18 (they had 0.99 before).

    PyTorch's `momentum` is the weight of the *new* batch statistics,
    `running = (1 - momentum) * running + momentum * batch`; 0.99 was the TensorFlow-style
    value (weight of the old statistics) copied in by mistake, which made the running
    statistics follow each batch almost entirely
    (https://github.com/pytorch/vision/pull/8312). A tiny `MaxVit` built from the
    class shows the default that `maxvit_t` uses.

    Docs: https://docs.pytorch.org/vision/stable/models/generated/torchvision.models.maxvit_t.html#torchvision.models.maxvit_t
    """
    from torchvision.models.maxvit import MaxVit

    net = MaxVit(
        input_size=(32, 32),
        stem_channels=8,
        partition_size=2,
        block_channels=[8],
        block_layers=[1],
        head_dim=4,
        stochastic_depth_prob=0.0,
    )

    momenta = {m.momentum for m in net.modules() if isinstance(m, nn.BatchNorm2d)}

    assert momenta == {0.01}

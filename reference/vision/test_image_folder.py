"""ImageFolder and other image datasets

`ImageFolder` reads a classification dataset laid out as one folder per class:
`root/<class>/<image>`. It is an ordinary map-style `Dataset`, so everything on the data
pages applies. The images here are tiny PNGs written with Pillow into a temporary
folder; the downloadable datasets (FashionMNIST and friends) are checked through their
signatures and through `FakeData`, which has the same shape of API.
"""

import inspect
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from torchref import raises_exactly

torchvision = pytest.importorskip("torchvision")
from torchvision import datasets, transforms  # noqa: E402


@pytest.fixture
def root(tmp_path):
    """tmp_path/ants holds 2 red 10x10 PNGs, tmp_path/bees 3 blue ones, plus a stray text file."""
    for name, count, colour in [("bees", 3, (0, 0, 255)), ("ants", 2, (255, 0, 0))]:
        (tmp_path / name).mkdir()
        for i in range(count):
            Image.new("RGB", (10, 10), colour).save(tmp_path / name / f"{i}.png")
    (tmp_path / "bees" / "notes.txt").write_text("not an image")
    return tmp_path


@pytest.mark.claim("S0-028", verdict="true")
@pytest.mark.claim("S2-044", verdict="true")
@pytest.mark.claim("S3-001", verdict="true")
def test_image_folder_classes_are_the_sorted_folder_names(root):
    """`ImageFolder` takes its classes from the sub-folder names, sorted, and numbers them from 0.

    The folder name *is* the label: `class_to_idx` maps each name to its index in the
    sorted `classes`. Creation order does not matter (`bees` was made first here).
    The class is `torchvision.datasets.ImageFolder`, not `torchvision.ImageFolder`.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html#torchvision.datasets.ImageFolder
    """
    ds = datasets.ImageFolder(root)

    assert ds.classes == ["ants", "bees"]
    assert ds.class_to_idx == {"ants": 0, "bees": 1}
    assert len(ds) == 5


def test_image_folder_lists_samples_and_targets(root):
    """`samples` holds (path, class index) pairs in sorted order and `targets` the indices alone.

    The stray `notes.txt` is not there: only files with an image extension (`.png`,
    `.jpg`, ... see `IMG_EXTENSIONS`) are collected.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html#torchvision.datasets.ImageFolder
    """
    ds = datasets.ImageFolder(root)

    assert ds.samples[0] == (str(root / "ants" / "0.png"), 0)
    assert [p.split("/")[-2:] for p, _ in ds.samples][-1] == ["bees", "2.png"]
    assert ds.targets == [0, 0, 1, 1, 1]


def test_dataset_folder_extensions_pick_the_files(root):
    """`DatasetFolder(extensions=(".txt",))` collects only the text files, with the same labels.

    `ImageFolder` is `DatasetFolder` with the image extensions and a Pillow loader fixed
    (its constructor takes `is_valid_file`, not `extensions`). For other file types use
    `DatasetFolder` with your own `loader` and `extensions`.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.DatasetFolder.html#torchvision.datasets.DatasetFolder
    """
    (root / "ants" / "readme.txt").write_text("x")

    ds = datasets.DatasetFolder(root, loader=lambda path: Path(path).read_text(), extensions=(".txt",))

    assert [(p.split("/")[-1], t) for p, t in ds.samples] == [("readme.txt", 0), ("notes.txt", 1)]
    assert ds[1] == ("not an image", 1)
    assert "extensions" not in inspect.signature(datasets.ImageFolder).parameters
    assert "is_valid_file" in inspect.signature(datasets.ImageFolder).parameters


def test_image_folder_with_no_images_raises(tmp_path):
    """A class folder without a single valid file raises `FileNotFoundError`.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html#torchvision.datasets.ImageFolder
    """
    (tmp_path / "empty_class").mkdir()

    with raises_exactly(FileNotFoundError, match="Found no valid file for the classes empty_class"):
        datasets.ImageFolder(tmp_path)


@pytest.mark.claim("S0-015", verdict="true")
def test_image_folder_without_transform_returns_pil_images(root):
    """Without a `transform` an item is `(PIL.Image, int)`: nothing converts it to a tensor.

    The default loader opens the file with Pillow and converts it to RGB, so a greyscale
    file (mode "L") comes back with three channels too. A `DataLoader` cannot collate PIL
    images, so a classification pipeline always ends its transform with `ToTensor()` (or
    `PILToTensor()`).

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html#torchvision.datasets.ImageFolder
    """
    Image.new("L", (4, 4), 128).save(root / "ants" / "grey.png")
    ds = datasets.ImageFolder(root)

    image, label = ds[0]
    grey, _ = ds[ds.samples.index((str(root / "ants" / "grey.png"), 0))]

    assert isinstance(image, Image.Image)
    assert image.mode == "RGB"
    assert image.size == (10, 10)
    assert label == 0
    assert grey.mode == "RGB"
    assert grey.getpixel((0, 0)) == (128, 128, 128)


def test_image_folder_applies_transform_and_target_transform(root):
    """`transform` acts on the image and `target_transform` on the class index.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html#torchvision.datasets.ImageFolder
    """
    ds = datasets.ImageFolder(root, transform=transforms.ToTensor(), target_transform=lambda t: t * 10)

    image, label = ds[2]

    assert image.shape == (3, 10, 10)
    assert image[:, 0, 0].tolist() == [0.0, 0.0, 1.0]
    assert label == 10


def test_image_folder_uses_a_custom_loader(root):
    """`loader=` replaces how a path becomes an image, e.g. opening it as greyscale.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html#torchvision.datasets.ImageFolder
    """
    ds = datasets.ImageFolder(root, loader=lambda path: Image.open(path).convert("L"))

    image, _ = ds[0]

    assert image.mode == "L"


@pytest.mark.claim("S3-002", verdict="true")
def test_image_folder_is_a_torch_dataset():
    """`ImageFolder` is a subclass of `torch.utils.data.Dataset`, through `DatasetFolder` and `VisionDataset`.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.DatasetFolder.html#torchvision.datasets.DatasetFolder
    """
    assert issubclass(datasets.ImageFolder, datasets.DatasetFolder)
    assert issubclass(datasets.ImageFolder, datasets.VisionDataset)
    assert issubclass(datasets.ImageFolder, Dataset)


class FolderDataset(Dataset):
    """The hand-written equivalent of ImageFolder: label = index of the sorted folder name."""

    def __init__(self, root):
        self.classes = sorted(p.name for p in root.iterdir() if p.is_dir())
        self.samples = [(str(path), label) for label, name in enumerate(self.classes) for path in sorted((root / name).glob("*.png"))]

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        path, label = self.samples[i]
        return Image.open(path).convert("RGB"), label


@pytest.mark.claim("S2-031", verdict="true")
def test_custom_folder_dataset_matches_image_folder(root):
    """A `Dataset` that labels each image by its sorted folder name gives what `ImageFolder` gives.

    The equivalence holds only if the hand-written version sorts the class names (labels
    from an unsorted `os.listdir` depend on the file system) and filters files the same
    way; `ImageFolder` does both for you.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html#torchvision.datasets.ImageFolder
    """
    mine = FolderDataset(root)

    theirs = datasets.ImageFolder(root)

    assert mine.classes == theirs.classes
    assert mine.samples == theirs.samples
    assert mine[4][0].tobytes() == theirs[4][0].tobytes()


@pytest.mark.claim("S2-043", verdict="true")
def test_image_folder_without_shuffle_batches_one_class_at_a_time(root):
    """Without shuffling, a loader over an `ImageFolder` yields all of class 0, then all of class 1.

    Samples are stored class by class, and `shuffle=False` reads them in that order, so
    early batches contain a single class: bad for training with SGD. `shuffle=True`
    mixes them (every epoch a new permutation).

    Docs: https://docs.pytorch.org/docs/stable/data.html#torch.utils.data.DataLoader
    """
    ds = datasets.ImageFolder(root, transform=transforms.ToTensor())

    labels = [batch.tolist() for _, batch in DataLoader(ds, batch_size=2)]

    assert labels == [[0, 0], [1, 1], [1]]


@pytest.mark.claim("S0-031", verdict="true")
@pytest.mark.claim("S3-004", verdict="true")
def test_image_folder_loader_yields_normalised_crops(root):
    """A shuffled `DataLoader` over `ImageFolder` with a crop/flip/normalise transform yields (4, 3, S, S) batches.

    This is the note's pipeline with an 8-pixel crop instead of 224 and
    `num_workers=0` (workers only parallelise the loading; they change neither shapes nor
    order). The red ants images have R = 1, G = B = 0, which the ImageNet `Normalize`
    maps to (1 - 0.485) / 0.229 and (0 - mean) / std.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html#torchvision.datasets.ImageFolder
    """
    transform = transforms.Compose(
        [
            transforms.RandomResizedCrop(8),
            transforms.RandomHorizontalFlip(),
            transforms.ToTensor(),
            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ]
    )
    ds = datasets.ImageFolder(root, transform=transform)

    images, labels = next(iter(DataLoader(ds, batch_size=4, shuffle=True)))

    assert images.shape == (4, 3, 8, 8)
    assert labels.shape == (4,)
    torch.testing.assert_close(ds[0][0][:, 0, 0], torch.tensor([(1 - 0.485) / 0.229, -0.456 / 0.224, -0.406 / 0.225]))


@pytest.mark.claim("S2-022", verdict="true")
@pytest.mark.claim("S2-023", verdict="true")
def test_fake_data_batches_like_fashion_mnist():
    """A dataset of (1, 28, 28) greyscale images with `ToTensor` batches to `[64, 1, 28, 28]`.

    FashionMNIST needs a download, so `FakeData` stands in: same item type (a PIL image
    and an int label), same image size. `dataset[0]` is an `(image, label)` tuple and the
    image is (1, 28, 28) after `ToTensor`; the loader adds the batch dimension.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.FakeData.html#torchvision.datasets.FakeData
    """
    ds = datasets.FakeData(size=64, image_size=(1, 28, 28), num_classes=10, transform=transforms.ToTensor())

    image, label = ds[0]
    features, labels = next(iter(DataLoader(ds, batch_size=64)))

    assert image.shape == (1, 28, 28)
    assert isinstance(label, int)
    assert features.shape == (64, 1, 28, 28)
    assert labels.shape == (64,)


@pytest.mark.claim("S1-021", verdict="true")
@pytest.mark.claim("S2-023", verdict="true")
def test_fashion_mnist_takes_root_train_download_and_transforms():
    """`FashionMNIST(root, train, transform, target_transform, download)` is the constructor's signature.

    Checked from the signature, without downloading. `.classes` is a class attribute (ten
    names), so it is there before any data is; `.class_to_idx` is a property that maps
    those names to 0..9 on an instance.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.FashionMNIST.html#torchvision.datasets.FashionMNIST
    """
    params = inspect.signature(datasets.FashionMNIST).parameters

    assert list(params)[:1] == ["root"]
    assert {"train", "transform", "target_transform", "download"} <= set(params)
    assert params["download"].default is False
    assert len(datasets.FashionMNIST.classes) == 10
    assert datasets.FashionMNIST.classes[0] == "T-shirt/top"
    assert isinstance(datasets.FashionMNIST.class_to_idx, property)


def test_fashion_mnist_without_files_or_download_raises(tmp_path):
    """`FashionMNIST(root, download=False)` on an empty folder raises `RuntimeError`.

    Nothing is fetched unless you ask with `download=True`.

    Docs: https://docs.pytorch.org/vision/stable/generated/torchvision.datasets.FashionMNIST.html#torchvision.datasets.FashionMNIST
    """
    with raises_exactly(RuntimeError, match=r"Dataset not found\. You can use download=True to download it"):
        datasets.FashionMNIST(tmp_path, download=False)

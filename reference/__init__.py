"""torchref's reference: PyTorch behaviours as named, documented pytest tests."""

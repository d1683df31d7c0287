"""Files the zoo writes get the user's usual permissions (the umask), weights included."""
from __future__ import annotations

import os
import stat

import torch

from nlpzoo.atomic import save_tensors, write_json


def test_weight_and_json_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        save_tensors(tmp_path / "model.safetensors", {"w": torch.zeros(2)})
        write_json(tmp_path / "zoo_run.json", {"a": 1})
    finally:
        os.umask(old)
    for name in ("model.safetensors", "zoo_run.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name  # not safetensors' 0600

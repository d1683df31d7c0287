"""Files the zoo writes get the user's usual permissions (the umask), weights included."""
from __future__ import annotations

import os
import stat

import torch

from nlpzoo.foundations.atomic import save_tensors, write_json
from tests.helpers import device_node


def test_weight_and_json_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        save_tensors(tmp_path / "model.safetensors", {"w": torch.zeros(2)})
        write_json(tmp_path / "zoo_run.json", {"a": 1})
    finally:
        os.umask(old)
    for name in ("model.safetensors", "zoo_run.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name  # not safetensors' 0600


def test_writing_to_a_device_file_writes_into_it_and_never_replaces_it(tmp_path):
    null = device_node(tmp_path / "null", 3)
    write_json(null, {"a": 1})
    save_tensors(null, {"w": torch.zeros(2)})
    assert stat.S_ISCHR(os.stat(null).st_mode), "the device node was replaced by a regular file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temporary file left beside it


def test_a_full_device_is_one_clear_error_naming_the_path_and_stays_a_device(tmp_path):
    import pytest

    from nlpzoo.foundations.errors import ZooError

    full = device_node(tmp_path / "full", 7)
    with pytest.raises(ZooError, match=f"{full}.*(space|full)"):
        write_json(full, {"a": 1})
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_a_fifo_gets_the_text_written_into_it(tmp_path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, encoding="utf-8").read()), daemon=True)
    reader.start()
    write_json(fifo, {"نص": 1})
    reader.join(10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and received == ['{\n  "نص": 1\n}\n']


def test_a_folder_as_the_target_is_one_clear_error(tmp_path):
    import pytest

    from nlpzoo.foundations.errors import ZooError

    (tmp_path / "out.json").mkdir()
    with pytest.raises(ZooError, match="is a folder"):
        write_json(tmp_path / "out.json", {"a": 1})

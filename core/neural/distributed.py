"""Running the zoo's training under torchrun: PyTorch's own distributed engine, nothing home-made.

``torchrun --nproc-per-node N -m nlpzoo run ...`` (or ``zoo run ... --nproc N``, which launches
exactly that) starts N processes with RANK/WORLD_SIZE/LOCAL_RANK set; :func:`setup` joins them
into a process group (gloo on CPU, nccl on CUDA). The training loops then wrap their module in
DistributedDataParallel, give each rank a disjoint shard of every epoch's batches, reduce losses
and token counts across ranks, and leave the run directory, logs and progress bars to rank 0.
Multi-node runs use torchrun's usual rendezvous flags (--nnodes, --node-rank, --rdzv-endpoint).
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class World:
    rank: int
    size: int
    local_rank: int
    backend: str

    @property
    def main(self) -> bool:
        return self.rank == 0


_WORLD: World | None = None


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1 and "RANK" in os.environ


def setup(device: str = "auto") -> World | None:
    """Join the process group torchrun prepared (once); None when running as a single process."""
    global _WORLD
    if _WORLD is not None or not launched_by_torchrun():
        return _WORLD
    import torch
    import torch.distributed as dist

    use_cuda = device != "cpu" and torch.cuda.is_available()
    backend = "nccl" if use_cuda else "gloo"
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if use_cuda:
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend=backend)
    _WORLD = World(dist.get_rank(), dist.get_world_size(), local_rank, backend)
    return _WORLD


def world() -> World | None:
    return _WORLD


def is_main() -> bool:
    return _WORLD is None or _WORLD.main


def device_for(device: str) -> str:
    """Under torchrun on CUDA each process takes the GPU of its local rank."""
    if _WORLD is not None and _WORLD.backend == "nccl":
        return f"cuda:{_WORLD.local_rank}"
    return device


def shard(items: list) -> list:
    """This rank's share of ``items``: every size-th one, the tail cut so all ranks get as many
    (DistributedDataParallel needs the same number of steps on every rank)."""
    if _WORLD is None:
        return items
    usable = len(items) - len(items) % _WORLD.size
    return items[_WORLD.rank:usable:_WORLD.size]


def all_sum(*values: float) -> list[float]:
    if _WORLD is None:
        return list(values)
    import torch
    import torch.distributed as dist

    tensor = torch.tensor(values, dtype=torch.float64)
    if _WORLD.backend == "nccl":
        tensor = tensor.cuda()
    dist.all_reduce(tensor)
    return tensor.cpu().tolist()


def gather(value) -> list:
    """Every rank's ``value`` (any picklable object), on every rank."""
    if _WORLD is None:
        return [value]
    import torch.distributed as dist

    out = [None] * _WORLD.size
    dist.all_gather_object(out, value)
    return out


def wrap(module):
    if _WORLD is None:
        return module
    from torch.nn.parallel import DistributedDataParallel

    device_ids = [_WORLD.local_rank] if _WORLD.backend == "nccl" else None
    # gradients live in the all-reduce buckets (no extra copy): it matters on CPU, where the copy
    # and gloo's communication share the cores with the computation
    return DistributedDataParallel(module, device_ids=device_ids, gradient_as_bucket_view=True)


def teardown() -> None:
    global _WORLD
    if _WORLD is not None:
        import torch.distributed as dist

        dist.destroy_process_group()
        _WORLD = None

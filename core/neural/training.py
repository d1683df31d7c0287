"""The one training loop every neural classifier uses.

Length-bucketed batches (texts of similar length share a batch, so little padding), class-weighted
cross-entropy, AdamW, gradient clipping, early stopping on validation macro-F1 with the best
weights restored, a progress bar with loss and real tokens/s, and a checkpoint after every epoch
that ``--resume`` continues from. Each epoch reseeds torch and the batch order from (seed, epoch),
so a resumed run repeats exactly what the uninterrupted run would have done.
Ctrl-C ends training after the current batch; the best weights so far are kept. A loss that
becomes NaN or infinite stops training with :class:`nlpzoo.foundations.errors.TrainingDivergedError`.

The loop is three pieces a plugin may also use on their own: :func:`train_one_epoch`,
:func:`validate` and :func:`train_module`, which runs them with checkpoints, early stopping and
``settings.on_epoch`` (called with each epoch's record; pruning and logging hook in there).
"""
from __future__ import annotations

import abc
import contextlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..data.metrics import macro_f1
from ..foundations.atomic import save_tensors, write_json
from ..foundations.errors import RunDirError, TrainingDivergedError
from ..foundations.threads import follow_load
from ..kinds import FitSettings
from ..kinds.generator import perplexity
from . import distributed


PAD_ID = 0


@dataclass
class LoopConfig:
    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    clip_norm: float
    patience: int
    max_steps: int
    # what fine-tuning a pre-trained model adds (the defaults keep the recurrent models' loop as it was)
    warmup_ratio: float = 0.0      # share of the optimizer steps spent warming the learning rate up
    schedule: str = "constant"     # "constant", or "linear": warm up, then decay linearly to 0
    grad_accum: int = 1            # batches whose gradients are summed before an optimizer step
    precision: str = "fp32"        # autocast: "fp32", "auto" (bf16/fp16 on CUDA), "bf16", "fp16"

    @classmethod
    def from_params(cls, params: dict) -> "LoopConfig":
        return cls(**{k: params[k] for k in cls.__dataclass_fields__ if k in params})

    def lr_factor(self, step: int, total: int) -> float:
        """The learning rate's multiplier before optimizer step ``step`` (0-based) of ``total``."""
        if self.schedule == "constant" or total <= 0:
            return 1.0
        warmup = int(self.warmup_ratio * total)
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))


def autocast(device: str, precision: str):
    """bf16 (or fp16 where the GPU lacks bf16) autocast on CUDA for "auto"; fp32 elsewhere unless asked."""
    if precision == "fp32" or (precision == "auto" and not device.startswith("cuda")):
        return contextlib.nullcontext()
    if device.startswith("cuda"):
        bf16 = precision == "bf16" or (precision == "auto" and torch.cuda.is_bf16_supported())
        return torch.autocast("cuda", dtype=torch.bfloat16 if bf16 else torch.float16)
    return torch.autocast("cpu", dtype=torch.bfloat16 if precision == "bf16" else torch.float16)


def uses_fp16(device: str, precision: str) -> bool:
    """Whether training runs in fp16 on CUDA, where gradients need loss scaling."""
    return device.startswith("cuda") and (precision == "fp16" or (
        precision == "auto" and not torch.cuda.is_bf16_supported()))


def bucketed_batches(lengths: list[int], batch_size: int, rng: np.random.Generator, pool: int = 50,
                     group: int = 1) -> list[list[int]]:
    """Shuffle, cut into pools of ``pool`` batches, sort each pool by length, cut into batches,
    shuffle the batches: random order, little padding. With ``group`` > 1 (data-parallel ranks),
    runs of ``group`` neighbouring batches, which have similar lengths, stay together, so the ranks
    that take one each in a step finish it at about the same time."""
    order = rng.permutation(len(lengths)).tolist()
    groups, leftovers = [], []
    size = batch_size * pool
    for start in range(0, len(order), size):
        chunk = sorted(order[start:start + size], key=lambda i: lengths[i])
        batches = [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
        full = len(batches) - len(batches) % group
        groups += [batches[i:i + group] for i in range(0, full, group)]
        leftovers += batches[full:]  # regrouped below, so every group is complete and ranks stay aligned
    groups += [leftovers[i:i + group] for i in range(0, len(leftovers) - len(leftovers) % group, group)]
    rng.shuffle(groups)
    tail = leftovers[len(leftovers) - len(leftovers) % group:]  # at most group-1 batches, last
    return [batch for run in groups for batch in run] + tail


def collate(encoded: list[list[int]], indices: list[int], device: str, pad_id: int = PAD_ID):
    """(ids, lengths) of the texts ``indices``: right-padded with ``pad_id``; modules mask by length."""
    lengths = [len(encoded[i]) for i in indices]
    ids = torch.full((len(indices), max(lengths)), pad_id, dtype=torch.long)
    for row, i in enumerate(indices):
        ids[row, :lengths[row]] = torch.tensor(encoded[i], dtype=torch.long)
    return ids.to(device), torch.tensor(lengths, dtype=torch.long, device=device)


@torch.no_grad()
def predict_logits(module: nn.Module, encoded: list[list[int]], device: str, batch_size: int = 256,
                   pad_id: int = PAD_ID, precision: str = "fp32") -> np.ndarray:
    """Logits for every text, in input order (batched by length for speed)."""
    module.eval()
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out = None
    for start in range(0, len(order), batch_size):
        indices = order[start:start + batch_size]
        with autocast(device, precision):
            logits = module(*collate(encoded, indices, device, pad_id)).float().cpu().numpy()
        if out is None:
            out = np.zeros((len(encoded), logits.shape[1]), dtype=np.float32)
        out[indices] = logits
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


class Objective(abc.ABC):
    """What the loop minimises and how it picks the best epoch (higher ``score`` is better).

    The loop asks an objective for two things: :meth:`batch_loss`, how one batch becomes a loss, and
    :meth:`validate`, the validation score and loss after an epoch. By default a batch is padded
    token ids and lengths, the module gives one output row per text, and :meth:`loss` and
    :meth:`score` compare outputs with targets; an objective whose model computes its own loss (a
    causal language model) overrides the two methods instead (:class:`LanguageModelObjective`)."""

    name = "val_score"             # the key of the validation score in each epoch's record
    label = "validation score"
    target_dtype = torch.float32

    @abc.abstractmethod
    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The training loss of a batch's outputs."""

    @abc.abstractmethod
    def score(self, outputs: np.ndarray, targets: list) -> float:
        """The validation score of every validation output (higher is better)."""

    def batch_loss(self, trained: nn.Module, encoded: list[list[int]], indices: list[int], targets: torch.Tensor,
                   device: str, precision: str, pad_id: int = PAD_ID) -> tuple[torch.Tensor, int]:
        """(the loss of the texts ``indices``, their tokens without padding) for one training step."""
        ids, lengths = collate(encoded, indices, device, pad_id)
        with autocast(device, precision):
            outputs = trained(ids, lengths)
        return self.loss(outputs.float(), targets[indices].to(device)), int(lengths.sum())

    def validate(self, module: nn.Module, encoded: list[list[int]], targets: list, device: str,
                 pad_id: int = PAD_ID, precision: str = "fp32") -> tuple[float, float]:
        """(validation score, validation loss) of ``module`` on texts that exist."""
        outputs = predict_logits(module, encoded, device, pad_id=pad_id, precision=precision)
        with torch.no_grad():
            loss = self.loss(torch.from_numpy(outputs), torch.tensor(targets, dtype=self.target_dtype))
        return self.score(outputs, targets), float(loss)

    def epoch_fields(self, score: float, val_loss: float | None) -> dict:
        """What an epoch's record says of validation (the tuner's pruner reads these keys)."""
        return {"val_loss": val_loss, self.name: score}

    def summary(self, score: float, val_loss: float | None) -> str:
        """The validation part of an epoch's log line."""
        return f"{self.label} {score:.4f}"


class ClassificationObjective(Objective):
    """Class-weighted cross-entropy; the best epoch has the highest validation macro-F1."""

    name, label, target_dtype = "val_macro_f1", "validation macro-F1", torch.long

    def __init__(self, labels: list[int], n_classes: int, class_weights: bool, device: str):
        weights = None
        if class_weights:
            counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
            weights = torch.tensor(counts.sum() / (n_classes * np.maximum(counts, 1)), dtype=torch.float32,
                                   device=device)
        self.n_classes = n_classes
        self.loss_fn = nn.CrossEntropyLoss(weight=weights)

    def loss(self, outputs, targets):
        return self.loss_fn(outputs, targets)

    def score(self, outputs, targets):
        return macro_f1(targets, outputs.argmax(1), self.n_classes)


class RegressionObjective(Objective):
    """MSE or Huber loss on standardised targets; the best epoch has the highest validation Spearman
    correlation (``select_by="spearman"``) or the lowest RMSE (``"rmse"``)."""

    target_dtype = torch.float32

    def __init__(self, loss: str = "huber", select_by: str = "spearman"):
        self.loss_fn = nn.HuberLoss() if loss == "huber" else nn.MSELoss()
        self.select_by = select_by
        self.name = f"val_{select_by}"
        self.label = "validation Spearman" if select_by == "spearman" else "validation -RMSE"

    def loss(self, outputs, targets):
        return self.loss_fn(outputs.squeeze(-1), targets)

    def score(self, outputs, targets):
        predicted = outputs.reshape(-1)
        if self.select_by == "rmse":
            return -float(np.sqrt(np.mean((predicted - np.asarray(targets)) ** 2)))
        from scipy.stats import spearmanr

        value = spearmanr(predicted, targets).statistic if len(set(predicted.tolist())) > 1 else float("nan")
        return float(value) if np.isfinite(value) else -1.0


class LanguageModelObjective(Objective):
    """Next-token cross-entropy of a causal language model over blocks of token ids, all of one length
    (packed texts, so no padding); the model computes the loss itself (``labels=input_ids``, as
    transformers' causal-LM heads do). The best epoch has the lowest validation loss; each epoch's
    record carries ``val_loss`` and ``val_perplexity``."""

    name, label, target_dtype = "val_perplexity", "validation loss", torch.float32

    def loss(self, outputs, targets):
        """The loss the causal-LM head computed (``outputs`` is its ModelOutput; the targets are the ids)."""
        return outputs.loss.float()

    def score(self, outputs, targets):
        """Higher is better: the negated mean validation loss."""
        return -float(outputs)

    def batch_loss(self, trained, encoded, indices, targets, device, precision, pad_id=PAD_ID):
        batch = torch.tensor([encoded[i] for i in indices], dtype=torch.long, device=device)
        with autocast(device, precision):
            outputs = trained(input_ids=batch, labels=batch, use_cache=False)   # no KV cache in training
        return self.loss(outputs, batch), batch.numel()

    @torch.no_grad()
    def validate(self, module, encoded, targets, device, pad_id=PAD_ID, precision="fp32", batch_size: int = 8):
        module.eval()
        losses, weights = [], []
        for start in range(0, len(encoded), batch_size):
            batch = torch.tensor(encoded[start:start + batch_size], dtype=torch.long, device=device)
            with autocast(device, precision):
                losses.append(float(self.loss(module(input_ids=batch, labels=batch), batch)))
            weights.append(len(batch))
        loss = float(np.average(losses, weights=weights))
        return self.score(loss, None), loss

    def epoch_fields(self, score, val_loss):
        return {"val_loss": val_loss, "val_perplexity": perplexity(-val_loss, 1) if val_loss is not None else None}

    def summary(self, score, val_loss):
        return f"validation loss {val_loss:.4f}, perplexity {perplexity(-val_loss, 1):.1f}"


def trained_state(module: nn.Module) -> dict[str, torch.Tensor]:
    """What training can change: the weights that require gradients and the buffers. Frozen weights
    (a LoRA model's base, frozen word vectors) are left out: they are the same before and after."""
    return {name: value.detach() for name, value in module.state_dict(keep_vars=True).items()
            if not isinstance(value, nn.Parameter) or value.requires_grad}


def restore_state(module: nn.Module, state: dict[str, torch.Tensor], where: str = "the saved state") -> None:
    """Load a :func:`trained_state` back: every key must be one of the module's."""
    result = module.load_state_dict(state, strict=False)
    frozen = {name for name, value in module.named_parameters(remove_duplicate=False) if not value.requires_grad}
    missing = [key for key in result.missing_keys if key not in frozen]
    if result.unexpected_keys or missing:
        raise RunDirError(f"{where} does not fit this model (unexpected {result.unexpected_keys[:3]}, missing"
                          f" {missing[:3]}); start a new run instead.")


class Checkpoint:
    """``last.safetensors`` (model + optimizer), ``best.safetensors`` and ``trainer_state.json``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @property
    def exists(self) -> bool:
        return (self.directory / "trainer_state.json").is_file()

    def save(self, module: nn.Module, optimizer, best_state: dict | None, state: dict) -> None:
        tensors = {f"model.{k}": v for k, v in trained_state(module).items()}
        saved = optimizer.state_dict()
        for param_id, values in saved["state"].items():
            for key, value in values.items():
                tensors[f"optim.{param_id}.{key}"] = value if torch.is_tensor(value) else torch.tensor(value)
        save_tensors(self.directory / "last.safetensors", tensors)
        if best_state is not None:
            save_tensors(self.directory / "best.safetensors", best_state)
        write_json(self.directory / "trainer_state.json", {**state, "param_groups": saved["param_groups"]})

    def load(self, module: nn.Module, optimizer) -> tuple[dict, dict | None]:
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            state = json.loads((self.directory / "trainer_state.json").read_text("utf-8"))
            tensors = load_file(str(self.directory / "last.safetensors"))
            if (self.directory / "best.safetensors").is_file():
                load_file(str(self.directory / "best.safetensors"))
        except (OSError, ValueError, SafetensorError) as error:
            raise RunDirError(f"Cannot resume from {self.directory}: the checkpoint is damaged ({type(error).__name__}:"
                              f" {(str(error).splitlines() or [''])[0][:160]}). Start a new run instead.") from None
        restore_state(module, {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}, str(self.directory))
        optim_state: dict = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, param_id, name = key.split(".", 2)
                optim_state.setdefault(int(param_id), {})[name] = value
        optimizer.load_state_dict({"state": optim_state, "param_groups": state.pop("param_groups")})
        best = None
        if (self.directory / "best.safetensors").is_file():
            best = load_file(str(self.directory / "best.safetensors"))
        return state, best


def _progress(enabled: bool):
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                    TimeElapsedColumn(), TextColumn("<"), TimeRemainingColumn(), TextColumn("{task.fields[loss]}"),
                    TextColumn("{task.fields[speed]}"), disable=not enabled, transient=True)


def train_one_epoch(trained: nn.Module, module: nn.Module, optimizer, objective: Objective, batches: list[list[int]],
                    encoded: list[list[int]], targets: torch.Tensor, config: LoopConfig, state: dict, device: str,
                    on_batch=None, pad_id: int = PAD_ID, total_steps: int = 0, scaler=None) -> tuple[float, int, int]:
    """One pass over ``batches``; returns (summed loss, texts seen, tokens seen) of this rank.
    Gradients of ``config.grad_accum`` batches are summed before each optimizer step, whose
    learning rate follows ``config.lr_factor`` over ``total_steps``. Raises TrainingDivergedError
    on a NaN/inf loss and lets KeyboardInterrupt through."""
    trained.train()
    total_loss, seen, tokens = 0.0, 0, 0
    optimizer.zero_grad(set_to_none=True)
    for index, indices in enumerate(batches, start=1):
        loss, batch_tokens = objective.batch_loss(trained, encoded, indices, targets, device, config.precision, pad_id)
        value = loss.item()
        if not np.isfinite(value):
            raise TrainingDivergedError(
                f"The training loss became {value} at step {state['global_step'] + 1}: training diverged."
                f" Lower the learning rate (--param lr={config.lr / 10:g}) or check the data, then run again.")
        loss = loss / config.grad_accum if config.grad_accum > 1 else loss
        (scaler.scale(loss) if scaler else loss).backward()
        total_loss += value * len(indices)
        seen += len(indices)
        tokens += batch_tokens
        state.setdefault("step_losses", []).append(value)
        if index % config.grad_accum == 0 or index == len(batches):
            factor = config.lr_factor(state["global_step"], total_steps)
            for group in optimizer.param_groups:
                group["lr"] = group.setdefault("base_lr", group["lr"]) * factor
            if scaler:
                scaler.unscale_(optimizer)
            if config.clip_norm > 0:
                nn.utils.clip_grad_norm_(module.parameters(), config.clip_norm)
            if scaler:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            state["global_step"] += 1
        if on_batch:
            on_batch(total_loss / seen, tokens)
        follow_load()   # fewer threads when another process starts on our cores, more when it ends
        if config.max_steps and state["global_step"] >= config.max_steps:
            break
    return total_loss, seen, tokens


def validate(module: nn.Module, encoded: list[list[int]], targets: list, objective: Objective, device: str,
             pad_id: int = PAD_ID, precision: str = "fp32") -> tuple[float, float | None]:
    """(the objective's validation score, the validation loss); (0.0, None) without validation texts."""
    if not len(encoded):
        return 0.0, None
    return objective.validate(module, encoded, targets, device, pad_id, precision)


def train_module(module: nn.Module, train_encoded: list[list[int]], train_targets: list,
                 val_encoded: list[list[int]], val_targets: list, objective: Objective,
                 config: LoopConfig, settings: FitSettings, device: str, pad_id: int = PAD_ID,
                 param_groups: list[dict] | None = None) -> dict:
    """Train ``module`` in place and return the history; the best weights are loaded at the end.
    ``param_groups`` (AdamW's, each with its own ``lr``) gives parts of the module their own
    learning rates (layer-wise decay); by default every trainable weight gets ``config.lr``.
    Under torchrun each rank trains on its own shard of every epoch's batches (DDP); see
    :mod:`nlpzoo.neural.distributed`."""
    module.to(device)
    world = distributed.world()
    trained = distributed.wrap(module)  # DistributedDataParallel under torchrun, else the module itself
    groups = param_groups or [{"params": [p for p in module.parameters() if p.requires_grad]}]
    try:  # the fused kernel (one pass over all weights, CPU and CUDA; Trainer's default) where available
        optimizer = torch.optim.AdamW(groups, lr=config.lr, weight_decay=config.weight_decay, fused=True)
    except (RuntimeError, ValueError, TypeError):
        optimizer = torch.optim.AdamW(groups, lr=config.lr, weight_decay=config.weight_decay)
    batches_per_epoch = -(-len(train_encoded) // config.batch_size) // (world.size if world else 1)
    total_steps = -(-batches_per_epoch // config.grad_accum) * config.epochs
    if config.max_steps:
        total_steps = min(total_steps, config.max_steps)
    scaler = torch.amp.GradScaler("cuda") if uses_fp16(device, config.precision) else None
    targets_tensor = torch.tensor(train_targets, dtype=objective.target_dtype)
    lengths = [len(x) for x in train_encoded]

    checkpoint = Checkpoint(settings.checkpoint_dir) if settings.checkpoint_dir and distributed.is_main() else None
    resume_from = Checkpoint(settings.checkpoint_dir) if settings.checkpoint_dir else None
    state = {"epoch": 0, "global_step": 0, "best_score": None, "best_epoch": 0, "bad_epochs": 0, "epochs": [],
             "train_tokens": 0, "train_seconds": 0.0}
    best_state = None
    if settings.resume:
        if resume_from is None or not resume_from.exists:
            raise RunDirError(f"Nothing to resume in {settings.checkpoint_dir}: no checkpoint was saved there.")
        state, best_state = resume_from.load(module, optimizer)
        settings.log(f"Resuming after epoch {state['epoch']} (step {state['global_step']}).")

    interrupted = False
    stopped_early = False
    with _progress(settings.progress and distributed.is_main()) as progress:
        try:
            for epoch in range(state["epoch"] + 1, config.epochs + 1):
                if config.max_steps and state["global_step"] >= config.max_steps:
                    break
                torch.manual_seed(settings.seed * 1000 + epoch + (world.rank * 7919 if world else 0))  # dropout per rank
                batches = bucketed_batches(lengths, config.batch_size, np.random.default_rng([settings.seed, epoch]),
                                           group=world.size if world else 1)
                batches = distributed.shard(batches)  # the same order on every rank, every size-th batch each
                if world and epoch == state["epoch"] + 1:
                    state["rank_rows"] = {str(r): rows for r, rows in
                                          enumerate(distributed.gather(sorted(i for b in batches for i in b)))}
                task = progress.add_task(f"epoch {epoch}/{config.epochs}", total=len(batches), loss="", speed="")
                started = time.perf_counter()

                def on_batch(loss, tokens, task=task, started=started):
                    speed = tokens / max(time.perf_counter() - started, 1e-9)
                    progress.update(task, advance=1, loss=f"loss {loss:.4f}", speed=f"{speed:,.0f} tok/s")

                try:
                    total_loss, seen, tokens = train_one_epoch(trained, module, optimizer, objective, batches, train_encoded,
                                                               targets_tensor, config, state, device, on_batch, pad_id,
                                                               total_steps, scaler)
                except KeyboardInterrupt:
                    interrupted = True
                    state["train_seconds"] += time.perf_counter() - started
                    progress.remove_task(task)
                    progress.stop()  # the message gets a line of its own, not one drawn over the bar
                    settings.log("Interrupted: keeping the best weights so far (the last finished epoch is checkpointed).")
                    break
                except BaseException:
                    progress.remove_task(task)
                    raise
                total_loss, seen, tokens = distributed.all_sum(total_loss, seen, tokens)  # over every rank
                state["train_tokens"] += int(tokens)
                state["train_seconds"] += time.perf_counter() - started
                progress.update(task, description=f"epoch {epoch}/{config.epochs} validating")
                score, val_loss = validate(module, val_encoded, val_targets, objective, device, pad_id, config.precision)
                progress.remove_task(task)
                state["epochs"].append({"epoch": epoch, "train_loss": total_loss / max(seen, 1),
                                        **objective.epoch_fields(score, val_loss), "steps": state["global_step"],
                                        "tokens_per_second": tokens / max(time.perf_counter() - started, 1e-9)})
                settings.log(f"epoch {epoch}: train loss {total_loss / max(seen, 1):.4f}"
                             + (f", {objective.summary(score, val_loss)}" if val_loss is not None else ""))
                # without validation texts there is nothing to choose by: the latest epoch is the best
                if state["best_score"] is None or score > state["best_score"] or val_loss is None:
                    state.update(best_score=score, best_epoch=epoch, bad_epochs=0)
                    best_state = {k: v.clone().cpu() for k, v in trained_state(module).items()}
                else:
                    state["bad_epochs"] += 1
                state["epoch"] = epoch
                if checkpoint:  # before on_epoch: whatever it raises, this epoch can be resumed from
                    checkpoint.save(module, optimizer, best_state, state)
                if settings.on_epoch:
                    settings.on_epoch(dict(state["epochs"][-1]))
                if state["bad_epochs"] >= config.patience:
                    stopped_early = True
                    settings.log(f"Early stopping: no better {objective.label} for {config.patience} epochs.")
                    break
        except KeyboardInterrupt:  # Ctrl-C while validating, checkpointing or setting up the next epoch
            interrupted = True
            progress.stop()
            settings.log("Interrupted: keeping the best weights so far (the last finished epoch is checkpointed).")

    if best_state is not None:
        restore_state(module, best_state, "the best epoch's weights")
    if world:  # every rank must end with the same weights: DistributedDataParallel averaged their gradients
        total = float(sum(p.detach().double().sum() for p in module.parameters()))
        state["rank_weight_sums"] = {str(r): value for r, value in enumerate(distributed.gather(total))}
    return {**state, "interrupted": interrupted, "stopped_early": stopped_early}

"""GPT-2 training and generation for the `gpt2` generator plugin (Hugging Face transformers).

Training follows transformers' run_clm: texts joined with the end-of-text token and cut into
fixed blocks (no padding), AdamW with warmup and linear decay, evaluation loss and perplexity
each epoch. The run directory is a plain Hugging Face model folder (``save_pretrained`` for model
and tokenizer) plus the zoo's own ``zoo_run.json``, so ``AutoModelForCausalLM.from_pretrained``
loads it directly.
"""
from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import torch

from nlpzoo import distributed
from nlpzoo.devices import resolve_device
from nlpzoo.errors import RunDirError, TrainingDivergedError, ZooError
from nlpzoo.kinds.generator import check_sampling

EOS = "<|endoftext|>"
REPLACEMENT = "\ufffd"

from transformers.utils import logging as _hf_logging  # noqa: E402

_hf_logging.set_verbosity_error()      # the zoo shows its own progress; no "Loading weights" bars
_hf_logging.disable_progress_bar()


# -- tokenizer and model ----------------------------------------------------------------------------
def train_tokenizer(texts: list[str], vocab_size: int):
    """A byte-level BPE trained on the texts, wrapped the way that keeps its vocabulary
    (PreTrainedTokenizerFast(tokenizer_object=...); see PITFALLS: vocab_file/merges_file built a
    one-token vocabulary with transformers 5)."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=vocab_size, min_frequency=2, special_tokens=[EOS], show_progress=False)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, bos_token=EOS, eos_token=EOS,
                                        unk_token=EOS, pad_token=EOS)
    if len(tokenizer) < min(vocab_size, 257):
        raise ZooError(f"The trained tokenizer has only {len(tokenizer)} tokens; the training texts are too few.")
    return tokenizer


PICKLE_ONLY = ("{where} holds no safetensors weights, only a pickle file; the zoo never unpickles. Convert it once"
               " where you trust it: AutoModelForCausalLM.from_pretrained(PATH).save_pretrained(NEW_PATH)"
               " (safetensors is the default).")


def load_base(base: str, block_size: int, params: dict, texts: list[str]):
    """(model, tokenizer) from a hub id or local folder through from_pretrained, or built from scratch."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

    if base == "scratch":
        tokenizer = train_tokenizer(texts, params["vocab_size"])
        # positions beyond the training block, so generation can run longer than one block
        config = GPT2Config(vocab_size=len(tokenizer), n_positions=max(2 * block_size, 256), n_embd=params["n_embd"],
                            n_layer=params["n_layer"], n_head=params["n_head"],
                            bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
        return GPT2LMHeadModel(config), tokenizer
    local = Path(os.path.expanduser(base))
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(local) if local.exists() else base)
        model = AutoModelForCausalLM.from_pretrained(str(local) if local.exists() else base, use_safetensors=True)
    except OSError as error:
        if local.is_dir() and any(local.glob("*.bin")) and not any(local.glob("*.safetensors")):
            raise ZooError(PICKLE_ONLY.format(where=local)) from None
        where = "the folder" if local.exists() else "the Hugging Face hub id"
        raise ZooError(f"Cannot load {where} '{base}' ({str(error).splitlines()[0][:160]}). Without network access"
                       " a hub model cannot be fetched: use --model scratch to train a small GPT-2 from scratch, or"
                       " --model PATH to a folder written by save_pretrained.") from None
    if tokenizer.eos_token is None:
        tokenizer.eos_token = EOS
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def pack_blocks(tokenizer, texts: list[str], block_size: int) -> torch.Tensor:
    """run_clm's group_texts: every text followed by EOS, concatenated, cut into full blocks."""
    ids: list[int] = []
    eos = tokenizer.eos_token_id
    for encoded in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        ids.extend(encoded)
        ids.append(eos)
    usable = (len(ids) // block_size) * block_size
    if usable == 0:
        raise ZooError(f"The texts give {len(ids)} tokens, fewer than one block of {block_size}; "
                       "lower --param block_size or add text.")
    return torch.tensor(ids[:usable], dtype=torch.long).view(-1, block_size)


@torch.no_grad()
def evaluation_loss(model, blocks: torch.Tensor, device: str, batch_size: int) -> float:
    model.eval()
    losses, weights = [], []
    for start in range(0, len(blocks), batch_size):
        batch = blocks[start:start + batch_size].to(device)
        with _autocast(device):
            losses.append(float(model(input_ids=batch, labels=batch).loss))
        weights.append(len(batch))
    return float(np.average(losses, weights=weights)) if losses else float("nan")


def _autocast(device: str):
    if device.startswith("cuda"):
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype)
    import contextlib

    return contextlib.nullcontext()


def perplexity(loss: float) -> float:
    return float(math.exp(min(loss, 50)))


# -- the generator ------------------------------------------------------------------------------------
class GPT2Generator:
    def __init__(self, **params):
        self.params = params
        self.model = None
        self.tokenizer = None
        self.device = "cpu"

    def train(self, train_texts: list[str], validation_texts: list[str], settings) -> dict:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        from transformers import get_scheduler

        p = self.params
        self.device = distributed.device_for(resolve_device(settings.device))
        if settings.threads:
            torch.set_num_threads(settings.threads)
        torch.manual_seed(settings.seed)
        self.model, self.tokenizer = load_base(p["model"], p["block_size"], p, train_texts)
        if p["block_size"] > self.context_length():
            raise ZooError(f"--param block_size={p['block_size']} is longer than the model's {self.context_length()} positions.")
        self.model.to(self.device)
        trained = distributed.wrap(self.model)  # DistributedDataParallel under torchrun
        train_blocks = pack_blocks(self.tokenizer, train_texts, p["block_size"])
        val_blocks = pack_blocks(self.tokenizer, validation_texts, p["block_size"]) if validation_texts else None
        world_size = distributed.world().size if distributed.world() else 1
        steps_per_epoch = math.ceil(len(train_blocks) / (p["batch_size"] * p["grad_accum"] * world_size))
        total = steps_per_epoch * p["epochs"]
        if p["max_steps"]:
            total = min(total, p["max_steps"])
        decay = [q for n, q in self.model.named_parameters() if q.ndim >= 2]
        no_decay = [q for n, q in self.model.named_parameters() if q.ndim < 2]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": p["weight_decay"]},
                                       {"params": no_decay, "weight_decay": 0.0}], lr=p["lr"])
        scheduler = get_scheduler("linear", optimizer, num_warmup_steps=int(p["warmup_ratio"] * total),
                                  num_training_steps=max(total, 1))
        history = {"epochs": [], "interrupted": False, "train_tokens": 0, "train_seconds": 0.0, "steps": 0,
                   "step_losses": []}
        progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("loss {task.fields[loss]:.3f}"), TextColumn("{task.fields[speed]:,.0f} tok/s"),
                            TimeRemainingColumn(), disable=not (settings.progress and distributed.is_main()),
                            transient=True)
        started = time.perf_counter()
        with progress:
            try:
                for epoch in range(1, p["epochs"] + 1):
                    if history["steps"] >= total:
                        break
                    self.model.train()
                    generator = torch.Generator().manual_seed(settings.seed * 1000 + epoch)
                    order = torch.randperm(len(train_blocks), generator=generator)
                    micro = [order[i:i + p["batch_size"]] for i in range(0, len(order), p["batch_size"])]
                    micro = distributed.shard(micro)  # a disjoint share of the blocks for each rank
                    if distributed.world() and epoch == 1:
                        history["rank_blocks"] = {str(r): b for r, b in enumerate(
                            distributed.gather(sorted(int(i) for m in micro for i in m)))}
                    task = progress.add_task(f"epoch {epoch}/{p['epochs']}", total=len(micro), loss=0.0, speed=0.0)
                    epoch_loss, epoch_batches = 0.0, 0
                    for index, batch_ids in enumerate(micro, start=1):
                        batch = train_blocks[batch_ids].to(self.device)
                        with _autocast(self.device):
                            loss = trained(input_ids=batch, labels=batch, use_cache=False).loss  # no KV cache in training
                        if not math.isfinite(loss.item()):
                            raise TrainingDivergedError(
                                f"The training loss became {loss.item()} at step {history['steps'] + 1}: training"
                                f" diverged. Lower the learning rate (--param lr={p['lr'] / 10:g}) and run again.")
                        (loss / p["grad_accum"]).backward()
                        history["train_tokens"] += batch.numel()
                        epoch_loss += loss.item()
                        epoch_batches += 1
                        history["step_losses"].append(loss.item())
                        if index % p["grad_accum"] == 0 or index == len(micro):
                            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                            optimizer.step()
                            scheduler.step()
                            optimizer.zero_grad(set_to_none=True)
                            history["steps"] += 1
                        elapsed = time.perf_counter() - started
                        progress.update(task, advance=1, loss=epoch_loss / epoch_batches,
                                        speed=history["train_tokens"] / max(elapsed, 1e-9))
                        if history["steps"] >= total:
                            break
                    progress.remove_task(task)
                    epoch_loss, epoch_batches = distributed.all_sum(epoch_loss, epoch_batches)
                    val_loss = evaluation_loss(self.model, val_blocks, self.device, p["batch_size"]) \
                        if val_blocks is not None else float("nan")
                    history["epochs"].append({"epoch": epoch, "train_loss": epoch_loss / max(epoch_batches, 1),
                                              "val_loss": val_loss, "val_perplexity": perplexity(val_loss)})
                    settings.log(f"epoch {epoch}: train loss {epoch_loss / max(epoch_batches, 1):.4f}, validation"
                                 f" loss {val_loss:.4f}, perplexity {perplexity(val_loss):.1f}")
                    if settings.on_epoch:
                        settings.on_epoch(dict(history["epochs"][-1]))
            except KeyboardInterrupt:
                history["interrupted"] = True
                settings.log("Interrupted: saving the model as it is now.")
        history["train_seconds"] = time.perf_counter() - started
        history["train_tokens"] = int(distributed.all_sum(history["train_tokens"])[0]) if not history["interrupted"] \
            else history["train_tokens"]
        history["parameters"] = sum(q.numel() for q in self.model.parameters())
        return history

    # -- saving and loading --------------------------------------------------------------------------
    def save(self, run_dir: Path) -> None:
        run_dir = Path(run_dir)
        staging = run_dir / ".saving"
        from nlpzoo.atomic import usual_permissions

        self.tokenizer.model_max_length = self.context_length()  # so truncation=True truncates to what fits
        self.model.save_pretrained(staging)  # safetensors by default
        self.tokenizer.save_pretrained(staging)
        for item in staging.iterdir():  # each file moved in one rename: never half-written in run_dir
            usual_permissions(item)  # safetensors writes 0600; the user's umask decides, as for any file
            os.replace(item, run_dir / item.name)
        staging.rmdir()

    def load(self, run_dir: Path, device: str = "cpu") -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        run_dir = Path(run_dir)
        if any(run_dir.glob("*.bin")) and not any(run_dir.glob("*.safetensors")):
            raise RunDirError(PICKLE_ONLY.format(where=run_dir))
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(run_dir))
            self.model = AutoModelForCausalLM.from_pretrained(str(run_dir), use_safetensors=True)
        except Exception as error:  # noqa: BLE001 - any failure to read these files means they are damaged
            raise RunDirError(f"{run_dir}: the saved model cannot be loaded ({type(error).__name__}:"
                              f" {(str(error).splitlines() or [''])[0][:160]}). Train it again with 'zoo run'.") from None
        self.device = resolve_device(device)
        self.model.to(self.device).eval()

    # -- what the core scores ---------------------------------------------------------------------
    @torch.no_grad()
    def log_likelihood(self, texts: list[str]) -> tuple[float, int]:
        """Each text as a document of its own (after an end-of-text token, ending with one): the
        summed log-probability of every token the model predicts, and how many tokens that is."""
        self.model.eval()
        eos = self.tokenizer.eos_token_id
        limit = min(self.context_length(), self.params["block_size"])
        total, count = 0.0, 0
        for ids in self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
            sequence = [eos, *ids, eos]
            for start in range(0, len(sequence) - 1, limit - 1):  # long texts in windows of the context
                window = torch.tensor([sequence[start:start + limit]], device=self.device)
                if window.shape[1] < 2:
                    break
                with _autocast(self.device):
                    logits = self.model(input_ids=window).logits.float()
                log_probs = torch.log_softmax(logits[0, :-1], dim=-1)
                total += float(log_probs.gather(1, window[0, 1:].unsqueeze(1)).sum())
                count += window.shape[1] - 1
        return total, count

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def context_length(self) -> int:
        return self.model.config.n_positions

    # -- generation ------------------------------------------------------------------------------------
    def generate(self, prompt: str, max_new_tokens: int = 50, temperature: float = 1.0, top_k: int = 50,
                 top_p: float = 1.0, repetition_penalty: float = 1.0, num_return_sequences: int = 1,
                 seed: int | None = None, do_sample: bool = True, on_text=None, min_new_tokens: int = 0) -> list[str]:
        """Continuations of ``prompt``. ``on_text`` (one sequence only) receives the text as it grows,
        in pieces that always end on a whole character. ``min_new_tokens`` keeps the end-of-text token
        away until that many tokens are out (transformers' own option)."""
        check_sampling(max_new_tokens, temperature, top_k, top_p, repetition_penalty, num_return_sequences)
        if seed is not None:
            torch.manual_seed(seed)
        self.model.eval()  # no dropout while generating, also right after train()
        encoded = self.tokenizer(prompt or self.tokenizer.eos_token, return_tensors="pt", add_special_tokens=False)
        limit = self.context_length()
        input_ids = encoded["input_ids"][:, -(limit - 1):].to(self.device)  # keep the prompt's end if too long
        max_new_tokens = min(max_new_tokens, limit - input_ids.shape[1])
        streamer = WholeCharacterStreamer(self.tokenizer, input_ids.shape[1], on_text) \
            if on_text and num_return_sequences == 1 else None
        sampling = {"temperature": temperature, "top_k": top_k, "top_p": top_p} if do_sample else {}
        with torch.inference_mode():
            output = self.model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                                         max_new_tokens=max_new_tokens, do_sample=do_sample,
                                         repetition_penalty=repetition_penalty, num_return_sequences=num_return_sequences,
                                         pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
                                         use_cache=True, streamer=streamer,
                                         min_new_tokens=min(min_new_tokens, max_new_tokens) or None, **sampling)
        return [self.tokenizer.decode(row[input_ids.shape[1]:], skip_special_tokens=True).replace(REPLACEMENT, "")
                for row in output]


class WholeCharacterStreamer:
    """A generate() streamer that decodes the whole continuation each time and hands on only the new
    text up to the last complete character: a byte-level token can end inside a multi-byte Arabic
    letter, which decodes to U+FFFD until the next token completes it. Byte sequences that never
    complete (an under-trained model can emit them) are dropped, here and in the returned text alike."""

    def __init__(self, tokenizer, prompt_length: int, on_text):
        self.tokenizer, self.prompt_length, self.on_text = tokenizer, prompt_length, on_text
        self.ids: list[int] = []
        self.sent = 0
        self.skipped_prompt = False

    def put(self, value):
        if not self.skipped_prompt:  # generate() first pushes the prompt
            self.skipped_prompt = True
            return
        self.ids.extend(value.reshape(-1).tolist())
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        complete = text.rstrip(REPLACEMENT).replace(REPLACEMENT, "")
        if len(complete) > self.sent:
            self.on_text(complete[self.sent:])
            self.sent = len(complete)

    def end(self):
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True).replace(REPLACEMENT, "")
        if len(text) > self.sent:
            self.on_text(text[self.sent:])
            self.sent = len(text)

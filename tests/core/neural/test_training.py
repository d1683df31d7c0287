"""The shared training loop: bucketing, resume, Ctrl-C, early stopping and best-weight restore."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.foundations.errors import RunDirError
from nlpzoo.kinds import DataOptions, FitSettings
from nlpzoo.kinds.classifier import prepare_classification_data as prepare_data
from nlpzoo.neural.training import bucketed_batches
from tests.helpers import TINY


@pytest.fixture(scope="module")
def demo():
    return prepare_data(DataOptions(preprocess="normalize,tokenize"), get_zoo(), log=lambda m: None)


def settings(tmp_path, **extra):
    return FitSettings(seed=13, device="cpu", progress=False, checkpoint_dir=tmp_path, log=lambda m: None, **extra)


def build(**params):
    return get_zoo().create("classifier", "bigru", **{**TINY, **params})


def test_bucketing_covers_every_row_once_with_little_padding():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 200, size=1000).tolist()
    batches = bucketed_batches(lengths, 32, np.random.default_rng(1))
    assert sorted(i for b in batches for i in b) == list(range(1000))
    padding = sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in batches)
    random_batches = [list(range(s, min(s + 32, 1000))) for s in range(0, 1000, 32)]
    random_padding = sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in random_batches)
    assert padding < 0.2 * random_padding
    assert bucketed_batches(lengths, 32, np.random.default_rng(1)) == batches  # seeded


def test_training_is_reproducible(demo, tmp_path):
    a, b = build(), build()
    a.fit(demo.part("train"), demo.part("validation"), settings(tmp_path / "a"))
    b.fit(demo.part("train"), demo.part("validation"), settings(tmp_path / "b"))
    texts = demo.part("test").texts
    assert np.array_equal(a.predict_proba(texts), b.predict_proba(texts))


def test_resume_continues_from_the_saved_step(demo, tmp_path):
    train, validation = demo.part("train"), demo.part("validation")
    straight = build(epochs=4).fit(train, validation, settings(tmp_path / "straight"))
    first = build(epochs=2).fit(train, validation, settings(tmp_path / "resumed"))
    assert first["epoch"] == 2
    saved_step = json.loads((tmp_path / "resumed" / "trainer_state.json").read_text())["global_step"]
    assert saved_step == first["global_step"] > 0
    resumed_model = build(epochs=4)
    resumed = resumed_model.fit(train, validation, settings(tmp_path / "resumed", resume=True))
    assert [e["epoch"] for e in resumed["epochs"]] == [1, 2, 3, 4]
    assert resumed["epochs"][2]["steps"] == saved_step + (straight["epochs"][2]["steps"] - straight["epochs"][1]["steps"])
    for ours, reference in zip(resumed["epochs"], straight["epochs"]):  # the same run, done in two goes
        assert ours["train_loss"] == pytest.approx(reference["train_loss"], rel=1e-4)


def test_resume_without_a_checkpoint_is_a_clear_error(demo, tmp_path):
    with pytest.raises(RunDirError, match="Nothing to resume"):
        build().fit(demo.part("train"), demo.part("validation"), settings(tmp_path / "none", resume=True))


def test_ctrl_c_keeps_the_best_weights_and_the_checkpoint(demo, tmp_path, monkeypatch):
    model = build(epochs=5)
    calls = {"n": 0}
    original = torch.nn.Module.__call__

    def interrupt_in_epoch_three(self, *args, **kwargs):
        if type(self).__name__ == "RecurrentClassifier" and self.training:
            calls["n"] += 1
            if calls["n"] == 2 * len(range(0, len(demo.split.train), TINY["batch_size"])) + 3:
                raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "__call__", interrupt_in_epoch_three)
    history = model.fit(demo.part("train"), demo.part("validation"), settings(tmp_path))
    monkeypatch.undo()
    assert history["interrupted"] and [e["epoch"] for e in history["epochs"]] == [1, 2]
    state = json.loads((tmp_path / "trainer_state.json").read_text())
    assert state["epoch"] == 2 and (tmp_path / "best.safetensors").is_file()
    assert model.predict_proba(demo.part("test").texts).shape[0] == len(demo.split.test)


def test_early_stopping_restores_the_best_epoch(demo, tmp_path):
    history = build(epochs=30, patience=2, lr=0.02).fit(demo.part("train"), demo.part("validation"), settings(tmp_path))
    scores = [e["val_macro_f1"] for e in history["epochs"]]
    assert history["stopped_early"] and not history["interrupted"] and len(scores) < 30
    assert history["best_score"] == max(scores) and scores[history["best_epoch"] - 1] == max(scores)


def test_subword_units_train_a_bpe_tokenizer_on_the_training_split(demo, tmp_path):
    model = build(units="subword", vocab_size=300, min_freq=2)
    model.fit(demo.part("train"), demo.part("validation"), settings(tmp_path))
    assert model.vocabulary.tokenizer.get_vocab_size() <= 300
    assert model.vocabulary.tokenizer.token_to_id("<pad>") == 0
    model.save(tmp_path / "saved")
    again = build(units="subword", vocab_size=300, min_freq=2)
    again.load(tmp_path / "saved")
    texts = demo.part("test").texts
    assert np.array_equal(again.predict_proba(texts), model.predict_proba(texts))


def test_vocabulary_comes_from_the_training_split_only(demo, tmp_path):
    model = build()
    model.fit(demo.part("train"), demo.part("validation"), settings(tmp_path))
    train_words = {w for t in demo.part("train").texts for w in t.split()}
    assert set(model.vocabulary.words[2:]) <= train_words


def weights(model) -> dict:
    return {k: v.detach().clone() for k, v in model.module.state_dict().items()}


def saved(path, prefix="") -> dict:
    from safetensors.torch import load_file

    return {k[len(prefix):]: v for k, v in load_file(str(path)).items() if k.startswith(prefix)}


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope="module")
def overshooting(demo, tmp_path_factory):
    """A run whose best validation epoch is not its last (a high learning rate overshoots)."""
    folder = tmp_path_factory.mktemp("overshoot")
    model = build(epochs=6, patience=6, lr=0.05)
    history = model.fit(demo.part("train"), demo.part("validation"), settings(folder))
    assert history["best_epoch"] < len(history["epochs"]), "the setup must overshoot to test the restore"
    return model, history, folder


def test_fit_ends_with_the_best_epochs_weights_not_the_last(overshooting):
    model, history, folder = overshooting
    assert same(weights(model), saved(folder / "best.safetensors"))
    assert not same(weights(model), saved(folder / "last.safetensors", "model."))  # the last epoch's differ


def test_ctrl_c_keeps_the_best_weights_seen_so_far(demo, tmp_path, monkeypatch):
    model = build(epochs=6, patience=6, lr=0.05)
    seen = {"epochs": 0}
    original = torch.nn.Module.__call__
    batches = len(range(0, len(demo.split.train), TINY["batch_size"]))

    def interrupt_in_epoch_five(self, *args, **kwargs):
        if type(self).__name__ == "RecurrentClassifier" and self.training:
            seen["epochs"] += 1
            if seen["epochs"] == 4 * batches + 2:
                raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "__call__", interrupt_in_epoch_five)
    history = model.fit(demo.part("train"), demo.part("validation"), settings(tmp_path))
    monkeypatch.undo()
    assert history["interrupted"] and len(history["epochs"]) == 4
    assert same(weights(model), saved(tmp_path / "best.safetensors"))


def test_ctrl_c_while_validating_also_keeps_the_best_weights(demo, tmp_path, monkeypatch):
    """Ctrl-C outside a batch (validation, checkpointing, the next epoch's set-up) ends training the
    same way: no traceback, the best weights so far, the interruption recorded."""
    import nlpzoo.neural.training as training

    model = build(epochs=6, patience=6, lr=0.05)
    calls = {"n": 0}
    original = training.validate

    def interrupt_the_third_validation(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(training, "validate", interrupt_the_third_validation)
    history = model.fit(demo.part("train"), demo.part("validation"), settings(tmp_path))
    assert history["interrupted"] and len(history["epochs"]) == 2
    assert same(weights(model), saved(tmp_path / "best.safetensors"))


def test_resume_restores_the_best_weights_and_score(demo, overshooting, tmp_path):
    straight_model, straight, _ = overshooting
    stopped_after = straight["best_epoch"] + 1   # the best epoch lies before the interruption, and no later one beats it:
    build(epochs=stopped_after, patience=6, lr=0.05).fit(demo.part("train"), demo.part("validation"),
                                                         settings(tmp_path))   # only best.safetensors holds its weights
    resumed_model = build(epochs=6, patience=6, lr=0.05)
    resumed = resumed_model.fit(demo.part("train"), demo.part("validation"), settings(tmp_path, resume=True))
    assert (resumed["best_epoch"], resumed["best_score"]) == (straight["best_epoch"], straight["best_score"])
    assert same(weights(resumed_model), weights(straight_model))  # the same best weights, restored


def test_class_weights_are_inverse_class_frequencies():
    from nlpzoo.neural.training import ClassificationObjective

    objective = ClassificationObjective([0, 0, 0, 1], 3, class_weights=True, device="cpu")
    # n / (classes * count): 4/(3*3), 4/(3*1), and an empty class counted as one
    assert objective.loss_fn.weight.tolist() == pytest.approx([4 / 9, 4 / 3, 4 / 3])
    assert ClassificationObjective([0, 1], 2, class_weights=False, device="cpu").loss_fn.weight is None


def test_the_regression_objective_follows_loss_and_select_by():
    from nlpzoo.neural.training import RegressionObjective

    outputs, targets = torch.tensor([[0.0], [3.0]]), torch.tensor([0.0, 1.0])   # errors 0 and 2, row by row
    assert float(RegressionObjective("mse").loss(outputs, targets)) == pytest.approx(2.0)  # (0 + 4) / 2
    assert float(RegressionObjective("huber").loss(outputs, targets)) == pytest.approx(0.75)  # (0 + 1.5) / 2
    predicted, truth = np.array([[1.0], [2.0], [4.0]]), [1.0, 3.0, 2.0]
    by_rank = RegressionObjective(select_by="spearman")
    by_error = RegressionObjective(select_by="rmse")
    assert (by_rank.name, by_error.name) == ("val_spearman", "val_rmse")
    assert (by_rank.label, by_error.label) == ("validation Spearman", "validation -RMSE")
    assert by_rank.score(predicted, truth) == pytest.approx(0.5)
    assert by_error.score(predicted, truth) == pytest.approx(-np.sqrt(5 / 3))  # higher is better: minus RMSE
    assert by_rank.score(np.array([[1.0], [1.0], [2.0]]), [1.0, 2.0, 3.0]) == pytest.approx(np.sqrt(3) / 2)
    assert by_rank.score(np.array([[2.0], [2.0], [2.0]]), [1.0, 2.0, 3.0]) == -1.0   # constant: the worst score


def test_the_linear_schedule_warms_up_then_decays_to_zero():
    from nlpzoo.neural.training import LoopConfig

    config = LoopConfig(epochs=1, batch_size=1, lr=1.0, weight_decay=0.0, clip_norm=0.0, patience=1, max_steps=0,
                        warmup_ratio=0.2, schedule="linear")
    factors = [config.lr_factor(step, 10) for step in range(10)]
    assert factors[:2] == [0.5, 1.0]  # two warm-up steps
    assert factors[2:] == pytest.approx([8 / 8, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8])
    constant = LoopConfig(epochs=1, batch_size=1, lr=1.0, weight_decay=0.0, clip_norm=0.0, patience=1, max_steps=0)
    assert {constant.lr_factor(step, 10) for step in range(10)} == {1.0}


def test_gradient_accumulation_takes_one_optimizer_step_per_group_of_batches():
    from nlpzoo.testing import tiny_classification_data
    from nlpzoo.neural.training import ClassificationObjective, LoopConfig, train_module

    data = tiny_classification_data()
    encoded = [[min(len(w), 30) for w in text.split()] or [1] for text in data.train.texts]
    steps = {}
    for accumulate in (None, 1, 3):   # None: LoopConfig's default, one step per batch
        torch.manual_seed(0)
        module = BagOfIds(32, data.train.n_classes)
        config = LoopConfig(epochs=1, batch_size=16, lr=0.01, weight_decay=0.0, clip_norm=1.0, patience=5,
                            max_steps=0, schedule="linear", warmup_ratio=0.1,
                            **({} if accumulate is None else {"grad_accum": accumulate}))
        history = train_module(module, encoded, data.train.labels, encoded[:10], data.train.labels[:10],
                               ClassificationObjective(data.train.labels, data.train.n_classes, True, "cpu"), config,
                               FitSettings(progress=False, log=lambda m: None), "cpu")
        steps[accumulate] = history["global_step"]
    batches = -(-len(encoded) // 16)
    assert steps == {None: batches, 1: batches, 3: -(-batches // 3)}


class BagOfIds(torch.nn.Module):
    """The smallest module the loop accepts: mean of id embeddings, masked by length."""

    def __init__(self, ids: int, classes: int):
        super().__init__()
        self.embedding = torch.nn.Embedding(ids, 8)
        self.out = torch.nn.Linear(8, classes)

    def forward(self, ids, lengths):
        mask = (torch.arange(ids.shape[1])[None, :] < lengths[:, None]).float().unsqueeze(2)
        return self.out((self.embedding(ids) * mask).sum(1) / lengths[:, None].float())


def loop_config(**extra):
    from nlpzoo.neural.training import LoopConfig

    return LoopConfig(**{"epochs": 1, "batch_size": 1, "lr": 1.0, "weight_decay": 0.0, "clip_norm": 0.0, "patience": 1,
                         "max_steps": 0, **extra})


def test_the_schedule_at_its_edges_and_after_warm_up_is_transformers_linear_schedule():
    from transformers import get_linear_schedule_with_warmup

    assert loop_config(schedule="linear").lr_factor(0, 0) == 1.0          # no step planned: the full rate
    assert loop_config(schedule="linear").lr_factor(0, 10) == 1.0         # no warm-up unless asked
    # warm-up over all but the last step: the last step still runs at the full rate
    assert [loop_config(schedule="linear", warmup_ratio=0.8).lr_factor(s, 5) for s in range(5)] == \
        pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0])
    for total, ratio in [(1, 0.0), (2, 0.0), (5, 0.8), (7, 0.3), (10, 0.5), (37, 0.1)]:
        warmup = int(ratio * total)
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        reference = get_linear_schedule_with_warmup(optimizer, warmup, total).lr_lambdas[0]
        config = loop_config(schedule="linear", warmup_ratio=ratio)
        assert [config.lr_factor(step, total) for step in range(warmup, total)] == \
            pytest.approx([reference(step) for step in range(warmup, total)])


@pytest.mark.parametrize("bf16_supported", [True, False])
def test_precision_is_fp32_unless_asked_and_fp16_only_on_cuda(monkeypatch, bf16_supported):
    import warnings

    from nlpzoo.neural.training import autocast, uses_fp16

    layer, x = torch.nn.Linear(4, 4), torch.randn(2, 4)
    for precision in (loop_config().precision, "fp32", "auto"):   # the default, and "auto" on a CPU
        with autocast("cpu", precision):
            assert layer(x).dtype == torch.float32
    with autocast("cpu", "bf16"):
        assert layer(x).dtype == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: bf16_supported)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # "CUDA is not available": only the dtype chosen is checked
        auto = torch.bfloat16 if bf16_supported else torch.float16
        assert {p: autocast("cuda", p).fast_dtype for p in ("bf16", "fp16", "auto")} == \
            {"bf16": torch.bfloat16, "fp16": torch.float16, "auto": auto}
    assert not any(uses_fp16("cpu", p) for p in ("fp32", "auto", "bf16", "fp16"))
    assert {p: uses_fp16("cuda", p) for p in ("fp32", "auto", "bf16", "fp16")} == \
        {"fp32": False, "auto": not bf16_supported, "bf16": False, "fp16": True}


@pytest.mark.parametrize("group", [2, 3])
def test_bucketing_for_data_parallel_ranks_keeps_complete_groups_of_neighbouring_batches(group):
    lengths = np.random.default_rng(0).permutation(1000).tolist()   # distinct lengths
    batch_size, pool = 8, 5   # 25 pools of 5 batches: each leaves 5 % group batches over
    batches = [tuple(b) for b in bucketed_batches(lengths, batch_size, np.random.default_rng(1), pool, group)]
    assert sorted(i for b in batches for i in b) == list(range(1000))
    # The groups the docstring promises: neighbours in a pool sorted by length, then the pools'
    # leftovers regrouped, then fewer than `group` batches last; only the order of groups is random.
    order, size = np.random.default_rng(1).permutation(1000).tolist(), batch_size * pool
    expected, leftovers = set(), []
    for start in range(0, 1000, size):
        chunk = sorted(order[start:start + size], key=lengths.__getitem__)
        in_pool = [tuple(chunk[i:i + batch_size]) for i in range(0, len(chunk), batch_size)]
        full = len(in_pool) - len(in_pool) % group
        expected |= {tuple(in_pool[i:i + group]) for i in range(0, full, group)}
        leftovers += in_pool[full:]
    last = len(leftovers) % group
    expected |= {tuple(leftovers[i:i + group]) for i in range(0, len(leftovers) - last, group)}
    head = batches[:len(batches) - last]
    assert [tuple(head[i:i + group]) for i in range(0, len(head), group)] != sorted(expected)  # shuffled
    assert {tuple(head[i:i + group]) for i in range(0, len(head), group)} == expected
    assert batches[len(batches) - last:] == leftovers[len(leftovers) - last:]


def test_predict_logits_gives_each_text_its_own_logits_in_input_order():
    from nlpzoo.neural.training import collate, predict_logits

    torch.manual_seed(0)
    module = BagOfIds(32, 3)
    encoded = [[(7 * i + j) % 31 + 1 for j in range(1 + (i * 5) % 11)] for i in range(20)]
    batched = predict_logits(module, encoded, "cpu", batch_size=3)
    with torch.no_grad():
        one_by_one = np.concatenate([module(*collate(encoded, [i], "cpu")).numpy() for i in range(20)])
    assert batched.shape == (20, 3) and np.allclose(batched, one_by_one, atol=1e-6)
    assert predict_logits(module, [], "cpu").shape[0] == 0


def test_an_objective_must_say_how_it_scores():
    from nlpzoo.neural.training import Objective

    with pytest.raises(TypeError, match="abstract"):
        Objective()


@pytest.mark.parametrize("grad_accum, clip_norm", [(1, 0.0), (2, 0.0), (3, 0.05)])
def test_an_epoch_is_the_plain_torch_loop_it_stands_for(grad_accum, clip_norm):
    """train_one_epoch against the loop written out in plain torch: gradients of ``grad_accum``
    batches averaged, the scheduled rate applied, norms clipped only when asked; and the loss,
    text and token counts it reports (per batch and in total) are the batches' own."""
    import copy

    from nlpzoo.neural.training import ClassificationObjective, collate, train_one_epoch

    rng = np.random.default_rng(0)
    encoded = [list(rng.integers(1, 32, size=rng.integers(1, 9))) for _ in range(23)]
    labels = [int(x) for x in rng.integers(0, 3, size=23)]
    targets = torch.tensor(labels)
    batches = [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9, 10, 11], [12, 13], [14, 15, 16, 17], [18, 19, 20, 21, 22]]
    objective = ClassificationObjective(labels, 3, True, "cpu")
    config = loop_config(lr=0.5, clip_norm=clip_norm, grad_accum=grad_accum, schedule="linear", warmup_ratio=0.3)
    total_steps = -(-len(batches) // grad_accum)
    torch.manual_seed(0)
    ours = BagOfIds(32, 3)
    reference = copy.deepcopy(ours)

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.5)
    expected_loss, expected_tokens, running, step = 0.0, 0, [], 0
    for start in range(0, len(batches), grad_accum):
        optimizer.zero_grad()
        for indices in batches[start:start + grad_accum]:
            ids, lengths = collate(encoded, indices, "cpu")
            loss = objective.loss(reference(ids, lengths), targets[indices])
            (loss / grad_accum).backward()
            expected_loss += loss.item() * len(indices)
            expected_tokens += int(lengths.sum())
            running.append((expected_loss / sum(len(b) for b in batches[:batches.index(indices) + 1]),
                            expected_tokens))
        optimizer.param_groups[0]["lr"] = 0.5 * config.lr_factor(step, total_steps)
        if clip_norm:
            torch.nn.utils.clip_grad_norm_(reference.parameters(), clip_norm)
        optimizer.step()
        step += 1

    seen_per_batch, state = [], {"global_step": 0}
    total, seen, tokens = train_one_epoch(ours, ours, torch.optim.SGD(ours.parameters(), lr=0.5), objective, batches,
                                          encoded, targets, config, state, "cpu",
                                          on_batch=lambda *args: seen_per_batch.append(args), total_steps=total_steps)
    assert state["global_step"] == total_steps
    assert (total, seen, tokens) == (pytest.approx(expected_loss), 23, expected_tokens)
    assert seen_per_batch == [(pytest.approx(loss), count) for loss, count in running]
    for name, parameter in ours.state_dict().items():
        torch.testing.assert_close(parameter, reference.state_dict()[name], msg=name)


@pytest.mark.parametrize("select_by", ["rmse", "spearman"])
def test_the_best_epoch_is_chosen_whatever_the_scores_range(select_by):
    """-RMSE on scores of 0-100 stays far below -1 and Spearman can be -1: an epoch must still be
    the best one, its weights restored, and improving epochs must not count towards early stopping."""
    from nlpzoo.neural.training import RegressionObjective, train_module

    rng = np.random.default_rng(0)
    encoded = [list(rng.integers(1, 32, size=rng.integers(1, 9))) for _ in range(40)]
    scores = [float(50 + 40 * np.sin(sum(text))) for text in encoded]   # far from the start: RMSE stays above 1
    torch.manual_seed(0)
    module = BagOfIds(32, 1)
    history = train_module(module, encoded[:30], scores[:30], encoded[30:], scores[30:], RegressionObjective(
        select_by=select_by), loop_config(epochs=4, batch_size=8, lr=0.05, patience=2), FitSettings(
        progress=False, log=lambda m: None), "cpu")
    values = [epoch[f"val_{select_by}"] for epoch in history["epochs"]]
    if select_by == "rmse":
        assert max(values) < -1.0   # the case that went wrong: every score below the old starting point
    assert history["best_epoch"] == int(np.argmax(values)) + 1 and history["best_score"] == max(values)


@pytest.mark.parametrize("max_steps, expected_total", [(0, 6), (4, 4), (3, 3)])   # 3: in the middle of epoch 2
def test_the_schedule_spans_the_runs_optimizer_steps_and_max_steps_ends_the_run(monkeypatch, max_steps, expected_total):
    """6 batches of 4 texts, 4 batches per optimizer step: 2 steps an epoch, 6 in 3 epochs (or max_steps)."""
    from nlpzoo.neural.training import ClassificationObjective, LoopConfig, train_module

    calls = []
    factor = LoopConfig.lr_factor
    monkeypatch.setattr(LoopConfig, "lr_factor", lambda self, step, total: calls.append((step, total)) or
                        factor(self, step, total))
    rng = np.random.default_rng(0)
    encoded = [list(rng.integers(1, 32, size=rng.integers(1, 9))) for _ in range(23)]
    labels = [int(x) for x in rng.integers(0, 3, size=23)]
    history = train_module(BagOfIds(32, 3), encoded, labels, encoded[:5], labels[:5],
                           ClassificationObjective(labels, 3, True, "cpu"),
                           loop_config(epochs=3, batch_size=4, grad_accum=4, schedule="linear", max_steps=max_steps,
                                       patience=10), FitSettings(progress=False, log=lambda m: None), "cpu")
    assert calls == [(step, expected_total) for step in range(expected_total)]
    assert not history["interrupted"] and not history["stopped_early"]
    if not max_steps:   # every text of every epoch counted once
        assert history["train_tokens"] == 3 * sum(len(text) for text in encoded) and history["train_seconds"] > 0
    assert history["global_step"] == expected_total and len(history["epochs"]) == -(-expected_total // 2)


def test_validation_gives_the_objectives_score_and_loss_of_the_modules_predictions():
    from nlpzoo.neural.training import ClassificationObjective, predict_logits, validate

    rng = np.random.default_rng(1)
    encoded = [list(rng.integers(1, 32, size=rng.integers(1, 9))) for _ in range(12)]
    labels = [int(x) for x in rng.integers(0, 3, size=12)]
    torch.manual_seed(0)
    module, objective = BagOfIds(32, 3), ClassificationObjective(labels, 3, True, "cpu")
    logits = predict_logits(module, encoded, "cpu")
    score, loss = validate(module, encoded, labels, objective, "cpu")
    assert score == objective.score(logits, labels)
    assert loss == pytest.approx(float(objective.loss(torch.from_numpy(logits), torch.tensor(labels))))
    assert validate(module, [], [], objective, "cpu") == (0.0, None)   # no validation texts


def test_each_epoch_reports_its_mean_training_loss_and_time_adds_up_over_epochs(monkeypatch):
    """With the learning rate at 0 the weights never move, so every epoch's training loss is the
    untrained module's mean loss over all texts; on a clock that ticks once per reading, two equal
    epochs take twice the time of one (the bench's tokens/s divides by this)."""
    import itertools

    import nlpzoo.neural.training as training
    from nlpzoo.neural.training import ClassificationObjective, predict_logits, train_module

    rng = np.random.default_rng(2)
    encoded = [list(rng.integers(1, 32, size=rng.integers(1, 9))) for _ in range(20)]
    labels = [int(x) for x in rng.integers(0, 3, size=20)]
    objective = ClassificationObjective(labels, 3, False, "cpu")   # unweighted: batch means add up to the mean
    torch.manual_seed(0)
    module = BagOfIds(32, 3)
    expected = float(objective.loss(torch.from_numpy(predict_logits(module, encoded, "cpu")), torch.tensor(labels)))
    seconds, speeds = {}, []
    for epochs in (1, 2):
        clock = itertools.count()
        monkeypatch.setattr(training.time, "perf_counter", lambda: float(next(clock)))
        history = train_module(module, encoded, labels, encoded[:4], labels[:4], objective,
                               loop_config(epochs=epochs, batch_size=6, lr=0.0, patience=5),
                               FitSettings(progress=False, log=lambda m: None), "cpu")
        monkeypatch.undo()
        assert [e["train_loss"] for e in history["epochs"]] == pytest.approx([expected] * epochs, rel=1e-5)
        seconds[epochs] = history["train_seconds"]
        speeds += [e["tokens_per_second"] for e in history["epochs"]]
    assert seconds[1] > 0 and seconds[2] == 2 * seconds[1]
    assert len(set(speeds)) == 1   # the same tokens over the same ticks in every epoch
    ticks = sum(len(text) for text in encoded) / speeds[0]   # tokens per second = an epoch's tokens / its ticks
    assert ticks >= 1 and ticks == pytest.approx(round(ticks))


@pytest.mark.parametrize("patience", [1, 2, 3])
def test_early_stopping_waits_exactly_patience_epochs_without_improvement(patience):
    """At learning rate 0 no epoch after the first improves: the run stops after 1 + patience epochs,
    and every finished epoch reached the callback with its own record."""
    from nlpzoo.neural.training import ClassificationObjective, train_module

    rng = np.random.default_rng(3)
    encoded = [list(rng.integers(1, 32, size=rng.integers(1, 9))) for _ in range(20)]
    labels = [int(x) for x in rng.integers(0, 3, size=20)]
    seen = []
    history = train_module(BagOfIds(32, 3), encoded, labels, encoded[:8], labels[:8],
                           ClassificationObjective(labels, 3, True, "cpu"),
                           loop_config(epochs=10, batch_size=6, lr=0.0, patience=patience),
                           FitSettings(progress=False, log=lambda m: None, on_epoch=seen.append), "cpu")
    assert [e["epoch"] for e in history["epochs"]] == list(range(1, patience + 2))
    assert history["stopped_early"] and history["best_epoch"] == 1 and history["bad_epochs"] == patience
    assert seen == history["epochs"]


def tiny_gpt2(tie: bool = True):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    return GPT2LMHeadModel(GPT2Config(vocab_size=40, n_positions=16, n_embd=16, n_layer=1, n_head=2,
                                      tie_word_embeddings=tie))


def test_the_language_model_objective_is_the_models_own_next_token_loss():
    """A batch's loss is what the causal-LM head computes with labels = input ids, counted in
    tokens; validation is the block-weighted mean of those losses, its score the negated loss,
    and the epoch record carries the loss and its perplexity."""
    from nlpzoo.neural.training import LanguageModelObjective

    model, objective = tiny_gpt2(), LanguageModelObjective()
    rng = np.random.default_rng(3)
    blocks = [[int(i) for i in rng.integers(0, 40, size=8)] for _ in range(5)]
    model.eval()
    loss, tokens = objective.batch_loss(model, blocks, [0, 3], None, "cpu", "fp32")
    expected = model(input_ids=torch.tensor([blocks[0], blocks[3]]), labels=torch.tensor([blocks[0], blocks[3]])).loss
    assert float(loss.detach()) == pytest.approx(float(expected.detach())) and tokens == 16
    score, val_loss = objective.validate(model, blocks, None, "cpu", batch_size=2)
    with torch.no_grad():
        each = [float(model(input_ids=torch.tensor(blocks[i:i + 2]), labels=torch.tensor(blocks[i:i + 2])).loss)
                for i in (0, 2, 4)]
    assert val_loss == pytest.approx((each[0] * 2 + each[1] * 2 + each[2]) / 5) and score == -val_loss
    fields = objective.epoch_fields(score, val_loss)
    assert fields == {"val_loss": val_loss, "val_perplexity": pytest.approx(float(np.exp(val_loss)))}


def test_the_loop_trains_a_causal_lm_with_tied_weights_checkpoints_and_resumes(tmp_path):
    """GPT-2's head shares its embedding's memory: the checkpoint still saves (safetensors refuses
    shared memory), and a run resumed after its first epoch ends with the weights of a straight run."""
    from nlpzoo.neural.training import LanguageModelObjective, train_module

    rng = np.random.default_rng(4)
    blocks = [[int(i) for i in rng.integers(0, 40, size=8)] for _ in range(24)]
    config = loop_config(epochs=2, batch_size=4, lr=1e-2, patience=5)
    zeros = [0.0] * 24

    def run(directory, epochs, resume=False):
        model = tiny_gpt2()
        history = train_module(model, blocks[:20], zeros[:20], blocks[20:], zeros[20:], LanguageModelObjective(),
                               loop_config(**{**config.__dict__, "epochs": epochs}),
                               FitSettings(seed=5, progress=False, checkpoint_dir=directory, resume=resume,
                                           log=lambda m: None), "cpu")
        return model, history

    straight, history = run(tmp_path / "straight", 2)
    assert (tmp_path / "straight" / "last.safetensors").is_file() and len(history["step_losses"]) == 10
    assert [set(e) >= {"val_loss", "val_perplexity"} for e in history["epochs"]] == [True, True]
    run(tmp_path / "resumed", 1)
    resumed, _ = run(tmp_path / "resumed", 2, resume=True)
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-6), name


def test_only_what_training_changes_is_kept_and_restored():
    """Frozen weights (a LoRA base, frozen vectors) stay out of the best-epoch copy and the checkpoint;
    restoring puts the trained ones back and refuses a state with names the module does not have."""
    from nlpzoo.neural.training import restore_state, trained_state

    module = BagOfIds(10, 2)
    module.embedding.weight.requires_grad_(False)
    state = {k: v.clone() for k, v in trained_state(module).items()}
    assert set(state) == {"out.weight", "out.bias"}
    frozen = module.embedding.weight.clone()
    with torch.no_grad():
        module.out.weight.add_(1.0)
    restore_state(module, state)
    assert torch.equal(module.out.weight, state["out.weight"]) and torch.equal(module.embedding.weight, frozen)
    with pytest.raises(RunDirError, match="does not fit this model"):
        restore_state(module, {**state, "extra.weight": torch.zeros(1)})
    with pytest.raises(RunDirError, match="does not fit this model"):
        restore_state(module, {"out.bias": state["out.bias"]})   # a trained weight missing


def test_without_validation_texts_the_latest_epoch_is_kept():
    """Nothing to choose by: the loop ends with the last epoch's weights, not the first's."""
    from nlpzoo.neural.training import ClassificationObjective, train_module

    rng = np.random.default_rng(5)
    encoded = [list(rng.integers(1, 16, size=4)) for _ in range(16)]
    labels = [int(x) for x in rng.integers(0, 2, size=16)]
    module = BagOfIds(16, 2)
    seen = []
    history = train_module(module, encoded, labels, [], [], ClassificationObjective(labels, 2, False, "cpu"),
                           loop_config(epochs=3, batch_size=4, lr=0.1, patience=1),
                           FitSettings(progress=False, log=lambda m: None,
                                       on_epoch=lambda r: seen.append(module.out.weight.detach().clone())), "cpu")
    assert history["best_epoch"] == 3 and not history["stopped_early"]
    assert torch.equal(module.out.weight, seen[-1]) and not torch.equal(seen[0], seen[-1])

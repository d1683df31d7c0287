"""Every recurrent variant (and tfidf-logreg) on the Qaym restaurant reviews, next to a naive
course-style BiGRU trained in the same run.

Data: ../shared/data/restaurant_reviews_qaym.csv, polarity as-is, stratified split with 20% test
(seed 13); 10% of the rows are the zoo's validation split for early stopping (the naive
reference trains on train+validation, as a course script would, and stops after a fixed number of epochs).
Printed per model: macro-F1 and accuracy on the test split, train seconds, and real (non-pad)
tokens per second during training. Targets: bigru >= 4x the naive reference's real tokens/s;
best recurrent macro-F1 >= 0.85.

Usage: python benchmarks/classifiers.py [--models bigru,lstm] [--threads 2] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch import nn

from nlpzoo.machinery.discovery import get_zoo
from nlpzoo.kinds import DataOptions, FitSettings
from nlpzoo.kinds.classifier import prepare_classification_data as prepare_data
from nlpzoo.data.metrics import classification_metrics

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "restaurant_reviews_qaym.csv"
MODELS = ["rnn", "birnn", "gru", "bigru", "lstm", "bilstm", "tfidf-logreg"]


class NaiveBiGRU(nn.Module):
    """The course tutorial's model: embedding, bidirectional GRU, last hidden states, linear."""

    def __init__(self, vocab_size: int, n_classes: int, embedding_dim: int = 128, hidden_size: int = 128):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.gru = nn.GRU(embedding_dim, hidden_size, batch_first=True, bidirectional=True)
        self.output = nn.Linear(2 * hidden_size, n_classes)

    def forward(self, ids):
        _, hidden = self.gru(self.embedding(ids))
        return self.output(torch.cat([hidden[0], hidden[1]], dim=-1))


def naive_reference(raw_train, train_labels, raw_test, test_labels, n_classes, epochs, seed, max_len=200, batch_size=32):
    torch.manual_seed(seed)
    words = {}
    for text in raw_train:
        for w in text.split():
            words.setdefault(w, len(words) + 2)

    def encode(texts):
        ids = torch.zeros(len(texts), max_len, dtype=torch.long)  # every batch padded to the cap
        for row, text in enumerate(texts):
            tokens = [words.get(w, 1) for w in text.split()][:max_len] or [1]
            ids[row, :len(tokens)] = torch.tensor(tokens)
        return ids

    x_train, y_train = encode(raw_train), torch.tensor(train_labels)
    real_tokens = int((x_train != 0).sum())
    model = NaiveBiGRU(len(words) + 2, n_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    started = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(raw_train))
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            optimizer.zero_grad()
            loss_fn(model(x_train[index]), y_train[index]).backward()
            optimizer.step()
    seconds = time.perf_counter() - started
    model.eval()
    with torch.no_grad():
        x_test = encode(raw_test)
        predictions = torch.cat([model(x_test[s:s + 256]).argmax(1) for s in range(0, len(raw_test), 256)]).numpy()
    return predictions, seconds, real_tokens * epochs / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--preprocess", default="normalize,tokenize")
    parser.add_argument("--naive-epochs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--param", action="append", default=[], help="KEY=VALUE for every recurrent model")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    zoo = get_zoo()
    prepared = prepare_data(DataOptions(data=args.data, score_col="polarity", discretize="as-is",
                                        preprocess=args.preprocess, seed=13), zoo, log=print)
    test = prepared.part("test")
    print(f"{args.data}: {len(prepared.split.train)} train / {len(prepared.split.validation)} validation /"
          f" {len(test)} test; torch {torch.__version__}, {torch.get_num_threads()} threads")
    rows = []
    overrides = dict(p.split("=", 1) for p in args.param)
    for name in args.models.split(","):
        component = zoo.get("classifier", name)
        params = {k: v for k, v in overrides.items() if component.param(k)}
        model = component.build(**params)
        history = model.fit(prepared.part("train"), prepared.part("validation"),
                            FitSettings(seed=13, device="cpu", progress=False, log=lambda m: None))
        metrics = classification_metrics(test.labels, model.predict_proba(test.texts).argmax(1), prepared.class_names)
        speed = history["train_tokens"] / history["train_seconds"] if history.get("epochs") else None
        rows.append({"model": name, "macro_f1": metrics["macro_f1"], "accuracy": metrics["accuracy"],
                     "train_seconds": history["train_seconds"], "real_tokens_per_second": speed,
                     "epochs": len(history.get("epochs", [])), "best_epoch": history.get("best_epoch")})
        print(json.dumps(rows[-1]))

    raw = prepared.dataset.texts
    train_idx = prepared.split.train + prepared.split.validation
    predictions, seconds, speed = naive_reference(
        [raw[i] for i in train_idx], [prepared.labels[i] for i in train_idx], [raw[i] for i in prepared.split.test],
        test.labels, len(prepared.class_names), args.naive_epochs, 13)
    metrics = classification_metrics(test.labels, predictions, prepared.class_names)
    rows.append({"model": "naive BiGRU (reference)", "macro_f1": metrics["macro_f1"], "accuracy": metrics["accuracy"],
                 "train_seconds": seconds, "real_tokens_per_second": speed, "epochs": args.naive_epochs})
    print(json.dumps(rows[-1]))

    print("\n| model | macro-F1 | accuracy | train s | real tokens/s | epochs |\n|---|---|---|---|---|---|")
    for r in rows:
        tps = f"{r['real_tokens_per_second']:,.0f}" if r["real_tokens_per_second"] else "-"
        print(f"| {r['model']} | {r['macro_f1']:.3f} | {r['accuracy']:.3f} | {r['train_seconds']:.1f} | {tps} | {r['epochs']} |")
    by_name = {r["model"]: r for r in rows}
    if "bigru" in by_name:
        ratio = by_name["bigru"]["real_tokens_per_second"] / speed
        print(f"\nbigru real tokens/s vs naive reference: {ratio:.1f}x (target >= 4x)")
    recurrent = [r for r in rows if r["model"] in MODELS[:6]]
    if recurrent:
        best = max(recurrent, key=lambda r: r["macro_f1"])
        print(f"best recurrent macro-F1: {best['macro_f1']:.3f} ({best['model']}; target >= 0.85)")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

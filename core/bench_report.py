"""Writing a bench's results: table.md, results.csv, results.json and a self-contained report.html."""
from __future__ import annotations

import base64
import csv
import html
import io
import json
from pathlib import Path

from .atomic import atomic_path, write_json, write_text
from .bench import GENERATOR_METRICS, METRICS

COLUMNS = [("classifier", "model"), ("macro_f1", "macro-F1"), ("accuracy", "accuracy"),
           ("macro_precision", "macro P"), ("macro_recall", "macro R"), ("train_seconds", "train s"),
           ("train_tokens_per_second", "train tok/s"), ("inference_texts_per_second", "infer texts/s"),
           ("parameters", "params"), ("model_size_bytes", "size MB")]


GENERATOR_COLUMNS = [("generator", "generator"), ("test_perplexity", "perplexity"), ("bleu", "BLEU"), ("chrf", "chrF"),
                     ("train_tokens_per_second", "train tok/s"), ("generation_tokens_per_second", "gen tok/s"),
                     ("train_seconds", "train s"), ("parameters", "params")]


def cell(line: dict, key: str) -> str:
    value, std = line.get(key), line.get(f"{key}_std")
    if key in ("classifier", "generator"):
        return line[key]
    if value is None:
        return "-"
    if key == "model_size_bytes":
        value, std = value / 1e6, (std or 0) / 1e6
    if key == "parameters":
        return f"{value:,.0f}"
    digits = 3 if key in ("macro_f1", "accuracy", "macro_precision", "macro_recall") else \
        1 if key in ("train_seconds", "model_size_bytes", "test_perplexity") else 2 if key in ("bleu", "chrf") else 0
    text = f"{value:,.{digits}f}"
    if std and len(line.get("seeds", [])) > 1:
        text += f" ± {std:,.{digits}f}"
    return text


def sort_summary(summary: list[dict], key: str) -> list[dict]:
    reverse = key not in ("train_seconds", "parameters", "model_size_bytes")
    ok = sorted((s for s in summary if s.get(key) is not None), key=lambda s: s[key], reverse=reverse)
    return ok + [s for s in summary if s.get(key) is None]


def markdown_table(summary: list[dict], columns=COLUMNS) -> str:
    lines = ["| " + " | ".join(title for _, title in columns) + " | error |",
             "|" + "---|" * (len(columns) + 1)]
    for line in summary:
        lines.append("| " + " | ".join(cell(line, key) for key, _ in columns) + f" | {line.get('error') or ''} |")
    return "\n".join(lines) + "\n"


def compare(summary: list[dict], old_path: Path) -> list[dict]:
    old = {s["classifier"]: s for s in json.loads(Path(old_path).read_text("utf-8"))["summary"]}
    changes = []
    for line in summary:
        before = old.get(line["classifier"])
        if before is None or line.get("macro_f1") is None or before.get("macro_f1") is None:
            continue
        changes.append({"classifier": line["classifier"],
                        **{f"{m}_change": line[m] - before[m] for m in ("macro_f1", "accuracy", "train_seconds")
                           if line.get(m) is not None and before.get(m) is not None}})
    return changes


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _charts(summary: list[dict], rows: list[dict]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    images = []
    ok = [s for s in summary if s.get("macro_f1") is not None]
    for key, title in (("macro_f1", "macro-F1 (test)"), ("train_tokens_per_second", "train tokens/s"),
                       ("inference_texts_per_second", "inference texts/s")):
        have = [s for s in ok if s.get(key) is not None]
        if not have:
            continue
        figure, axes = plt.subplots(figsize=(7, 0.45 * len(have) + 1.2))
        axes.barh([s["classifier"] for s in have], [s[key] for s in have],
                  xerr=[s.get(f"{key}_std") or 0 for s in have], color="tab:blue")
        axes.invert_yaxis()
        axes.set_title(title)
        images.append((title, _png(figure)))
        plt.close(figure)
    for row in rows:
        if row.get("error") or not row.get("confusion_matrix"):  # generators have none
            continue
        matrix, names = np.array(row["confusion_matrix"]), row["class_names"]
        figure, axes = plt.subplots(figsize=(1.1 * len(names) + 2, 1.0 * len(names) + 1.6))
        axes.imshow(matrix, cmap="Blues")
        axes.set_xticks(range(len(names)), names, rotation=30, ha="right")
        axes.set_yticks(range(len(names)), names)
        for (i, j), v in np.ndenumerate(matrix):
            axes.text(j, i, str(v), ha="center", va="center", color="white" if v > matrix.max() / 2 else "black")
        axes.set_title(f"{row['classifier']} (seed {row['seed']})")
        images.append((f"confusion matrix: {row['classifier']} seed {row['seed']}", _png(figure)))
        plt.close(figure)
    return images


def write_reports(out: Path, summary: list[dict], rows: list[dict], env: dict, changes: list | None = None,
                  generator_summary: list[dict] | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    table = markdown_table(summary) if summary else ""
    if generator_summary:
        table += ("\n" if table else "") + markdown_table(generator_summary, GENERATOR_COLUMNS)
    write_text(out / "table.md", table)
    fields = ["classifier", "generator", "seed", *dict.fromkeys(METRICS + GENERATOR_METRICS), "distribution", "version",
              "wall_seconds", "error", "run_dir"]
    with atomic_path(out / "results.csv") as temporary:
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    write_json(out / "results.json", {"environment": env, "summary": summary, "generator_summary": generator_summary or [],
                                      "changes": changes or [],
                                      "runs": [{k: v for k, v in r.items() if k != "traceback"} for r in rows]})
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in COLUMNS) + "<th>error</th>"
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell(s, k))}</td>" for k, _ in COLUMNS)
                   + f"<td>{html.escape(s.get('error') or '')}</td></tr>" for s in summary)
    if generator_summary:
        head2 = "".join(f"<th>{html.escape(t)}</th>" for _, t in GENERATOR_COLUMNS) + "<th>error</th>"
        body2 = "".join("<tr>" + "".join(f"<td>{html.escape(cell(s, k))}</td>" for k, _ in GENERATOR_COLUMNS)
                        + f"<td>{html.escape(s.get('error') or '')}</td></tr>" for s in generator_summary)
        body += f"</table><h2>Generators</h2><table><tr>{head2}</tr>{body2}"
    images = "".join(f"<figure><img alt='{html.escape(t)}' src='data:image/png;base64,{b}'><figcaption>"
                     f"{html.escape(t)}</figcaption></figure>" for t, b in _charts(summary, rows))
    env_rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in env.items())
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nlp-zoo bench</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;
padding:4px 8px;text-align:right}}td:first-child{{text-align:left}}figure{{display:inline-block;margin:1em}}</style>
</head><body><h1>nlp-zoo bench</h1><table><tr>{head}</tr>{body}</table>
<h2>Charts</h2>{images}<h2>Environment</h2><table>{env_rows}</table></body></html>
"""
    write_text(out / "report.html", page)

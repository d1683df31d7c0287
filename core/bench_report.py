"""Writing a bench's results: table.md, results.csv, results.json and a self-contained report.html."""
from __future__ import annotations

import base64
import csv
import html
import io
import json
from pathlib import Path

from .atomic import atomic_path, write_json, write_text
from .kinds import get_kind, kind_names


def columns_of(kind: str) -> list[tuple[str, str]]:
    """(key, title) of a kind's bench table, the component's name first."""
    return [(kind, "model")] + [(c.key, c.title) for c in get_kind(kind).columns]


def cell(line: dict, key: str, kind: str | None = None) -> str:
    kind = kind or line.get("kind") or next(k for k in kind_names() if k in line)
    if key == kind:
        return line[key]
    value, std = line.get(key), line.get(f"{key}_std")
    if value is None:
        return "-"
    column = next((c for c in get_kind(kind).columns if c.key == key), None)
    digits = column.digits if column else 3
    if key == "model_size_bytes":
        value, std = value / 1e6, (std or 0) / 1e6
    text = f"{value:,.{digits}f}"
    if std and len(line.get("seeds", [])) > 1:
        text += f" ± {std:,.{digits}f}"
    return text


def sort_summary(summary: list[dict], key: str, kind: str = "classifier") -> list[dict]:
    column = next((c for c in get_kind(kind).columns if c.key == key), None)
    reverse = column.higher_is_better if column else True
    ok = sorted((s for s in summary if s.get(key) is not None), key=lambda s: s[key], reverse=reverse)
    return ok + [s for s in summary if s.get(key) is None]


def markdown_table(summary: list[dict], kind: str = "classifier") -> str:
    columns = columns_of(kind)
    with_errors = any(line.get("error") for line in summary)
    titles = [title for _, title in columns] + (["error"] if with_errors else [])
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    for line in summary:
        cells = [cell(line, key, kind) for key, _ in columns] + ([line.get("error") or ""] if with_errors else [])
        lines.append("| " + " | ".join(cells) + " |")
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
    from matplotlib.figure import Figure  # not pyplot: a notebook's own backend and figures stay untouched
    import numpy as np

    images = []
    ok = [s for s in summary if s.get("macro_f1") is not None]
    for key, title in (("macro_f1", "macro-F1 (test)"), ("train_tokens_per_second", "train tokens/s"),
                       ("inference_texts_per_second", "inference texts/s")):
        have = [s for s in ok if s.get(key) is not None]
        if not have:
            continue
        figure = Figure(figsize=(7, 0.45 * len(have) + 1.2))
        axes = figure.subplots()
        axes.barh([s["classifier"] for s in have], [s[key] for s in have],
                  xerr=[s.get(f"{key}_std") or 0 for s in have], color="tab:blue")
        axes.invert_yaxis()
        axes.set_title(title)
        images.append((title, _png(figure)))
    for row in rows:
        if row.get("error") or not row.get("confusion_matrix"):  # generators have none
            continue
        matrix, names = np.array(row["confusion_matrix"]), row["class_names"]
        figure = Figure(figsize=(1.1 * len(names) + 2, 1.0 * len(names) + 1.6))
        axes = figure.subplots()
        axes.imshow(matrix, cmap="Blues")
        axes.set_xticks(range(len(names)), names, rotation=30, ha="right")
        axes.set_yticks(range(len(names)), names)
        for (i, j), v in np.ndenumerate(matrix):
            axes.text(j, i, str(v), ha="center", va="center", color="white" if v > matrix.max() / 2 else "black")
        name = row[row.get("kind", "classifier")]
        axes.set_title(f"{name} (seed {row['seed']})")
        images.append((f"confusion matrix: {name} seed {row['seed']}", _png(figure)))
    return images


def write_reports(out: Path, summaries: dict[str, list[dict]], rows: list[dict], env: dict,
                  changes: list | None = None) -> None:
    """table.md, results.csv, results.json and report.html; ``summaries`` maps each kind to its lines."""
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "table.md", "\n".join(markdown_table(lines, kind) for kind, lines in summaries.items() if lines))
    metric_keys = [c.key for kind in summaries for c in get_kind(kind).columns]
    fields = ["kind", *summaries, "seed", *dict.fromkeys(metric_keys), "distribution", "version",
              "wall_seconds", "error", "run_dir"]
    with atomic_path(out / "results.csv") as temporary:
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    write_json(out / "results.json", {"environment": env, "summary": summaries.get("classifier", []),
                                      "summaries": summaries, "changes": changes or [],
                                      "runs": [{k: v for k, v in r.items() if k != "traceback"} for r in rows]})
    tables = []
    for kind, lines in summaries.items():
        if not lines:
            continue
        columns = columns_of(kind)
        head = "".join(f"<th>{html.escape(title)}</th>" for _, title in columns) + "<th>error</th>"
        body = "".join("<tr>" + "".join(f"<td>{html.escape(cell(s, k, kind))}</td>" for k, _ in columns)
                       + f"<td>{html.escape(s.get('error') or '')}</td></tr>" for s in lines)
        tables.append(f"<h2>{html.escape(get_kind(kind).plural.capitalize())}</h2><table><tr>{head}</tr>{body}</table>")
    images = "".join(f"<figure><img alt='{html.escape(t)}' src='data:image/png;base64,{b}'><figcaption>"
                     f"{html.escape(t)}</figcaption></figure>" for t, b in _charts(summaries.get("classifier", []), rows))
    env_rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>" for k, v in env.items())
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nlp-zoo bench</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;
padding:4px 8px;text-align:right}}td:first-child{{text-align:left}}figure{{display:inline-block;margin:1em}}</style>
</head><body><h1>nlp-zoo bench</h1>{"".join(tables)}
<h2>Charts</h2>{images}<h2>Environment</h2><table>{env_rows}</table></body></html>
"""
    write_text(out / "report.html", page)

"""Writing a bench's results: table.md, results.csv, results.json and a self-contained report.html."""
from __future__ import annotations

import base64
import csv
import html
import io
import json
from pathlib import Path

from ..foundations.atomic import atomic_path, write_json, write_text
from ..kinds import get_kind, kind_names


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
    digits, scale = (column.digits, column.scale) if column else (3, 1.0)
    value, std = value * scale, (std or 0) * scale
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


def compare(summaries: dict[str, list[dict]], old_path: Path) -> list[dict]:
    """The change of each kind's ``compared`` metrics for every model in both this bench and the
    earlier ``results.json`` (a row: ``{"kind", KIND: name, "METRIC_change", ...}``)."""
    earlier = json.loads(Path(old_path).read_text("utf-8"))
    old_summaries = earlier.get("summaries") or {"classifier": earlier.get("summary", [])}  # 0.1's file: classifiers
    changes = []
    for kind_name, lines in summaries.items():
        kind = get_kind(kind_name)
        old = {s[kind_name]: s for s in old_summaries.get(kind_name, [])}
        for line in lines:
            before = old.get(line[kind_name])
            primary = kind.compared[0] if kind.compared else None
            if before is None or primary is None or line.get(primary) is None or before.get(primary) is None:
                continue
            changes.append({"kind": kind_name, kind_name: line[kind_name],
                            **{f"{m}_change": line[m] - before[m] for m in kind.compared
                               if line.get(m) is not None and before.get(m) is not None}})
    return changes


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def model_colours(summaries: dict[str, list[dict]]) -> dict[str, str]:
    """One colour per model, the same in every chart of the report."""
    from matplotlib import colormaps

    names = list(dict.fromkeys(line[kind] for kind, lines in summaries.items() for line in lines))
    palette = colormaps["tab20" if len(names) > 10 else "tab10"]
    return {name: palette(i % palette.N) for i, name in enumerate(names)}


def _bar_chart(lines: list[dict], kind: str, key: str, title: str, colours: dict) -> str | None:
    from matplotlib.figure import Figure  # not pyplot: a notebook's own backend and figures stay untouched

    have = [s for s in lines if s.get(key) is not None]
    if not have:
        return None
    several = any(len(s.get("seeds", [])) > 1 for s in have)
    figure = Figure(figsize=(6.2, 0.42 * len(have) + 1.3))
    axes = figure.subplots()
    names = [s[kind] for s in have]
    values = [s[key] for s in have]
    errors = [s.get(f"{key}_std") or 0 for s in have] if several else None
    bars = axes.barh(names, values, xerr=errors, capsize=3, color=[colours[n] for n in names])
    digits = next((c.digits for c in get_kind(kind).columns if c.key == key), 3)
    axes.bar_label(bars, labels=[f"{v:,.{digits}f}" for v in values], padding=3, fontsize=8)
    axes.invert_yaxis()
    axes.margins(x=0.2)
    axes.set_title(title + (" (mean ± std over seeds)" if several else ""))
    return _png(figure)


def _confusion(row: dict, colours: dict) -> str:
    import numpy as np
    from matplotlib.figure import Figure  # not pyplot: a notebook's own backend and figures stay untouched

    matrix, names = np.array(row["confusion_matrix"]), row["class_names"]
    shares = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    figure = Figure(figsize=(2.4 * len(names) + 3, 1.0 * len(names) + 1.8))
    for axes, values, label in zip(figure.subplots(1, 2), (matrix, shares), ("counts", "share of each true class")):
        axes.imshow(values, cmap="Blues", vmin=0)
        axes.set_xticks(range(len(names)), names, rotation=30, ha="right")
        axes.set_yticks(range(len(names)), names)
        axes.set_xlabel("predicted")
        axes.set_ylabel("true")
        axes.set_title(label, fontsize=9)
        for (i, j), v in np.ndenumerate(values):
            axes.text(j, i, f"{v:.2f}" if values.dtype.kind == "f" else str(v), ha="center", va="center",
                      color="white" if v > values.max() / 2 else "black", fontsize=8)
    name = row[row.get("kind", "classifier")]
    figure.suptitle(f"{name} (seed {row['seed']})", color=colours.get(name, "black"))
    return _png(figure)


def _charts(summaries: dict[str, list[dict]], rows: list[dict]) -> list[tuple[str, str, str]]:
    """(section, caption, png) for every chart: bars per kind, then every confusion matrix."""
    colours = model_colours(summaries)
    images = []
    for kind, lines in summaries.items():
        several = any(len(line.get("seeds", [])) > 1 for line in lines)
        for key, title in get_kind(kind).charts:
            png = _bar_chart(lines, kind, key, title, colours)
            if png:
                images.append((kind, title + (" (mean ± std over seeds)" if several else ""), png))
    for row in rows:
        if not row.get("error") and row.get("confusion_matrix"):
            name = row[row.get("kind", "classifier")]
            images.append(("confusion", f"confusion matrix: {name} seed {row['seed']}", _confusion(row, colours)))
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
    write_text(out / "report.html", report_page(summaries, rows, env))


def report_page(summaries: dict[str, list[dict]], rows: list[dict], env: dict) -> str:
    """One self-contained HTML page: the conditions, a table per kind, charts, every confusion matrix."""
    esc = html.escape
    header = [("data", env.get("data") or "the built-in demo set"), ("split", env.get("split", "")),
              ("seeds", env.get("seeds", "")), ("epochs (budget)", env.get("epochs", "")),
              ("preprocessing", env.get("preprocess", "")), ("date", env.get("date", "")),
              ("command", env.get("command", "")),
              ("machine", f"{env.get('platform', '')}; {env.get('cpu_count', '?')} CPU cores; device {env.get('device', '')};"
                          f" {env.get('jobs', 1)} job(s) x {env.get('threads_per_job', '?')} thread(s)"),
              ("versions", f"nlp-zoo {env.get('nlp_zoo', '')}, torch {env.get('torch', '')}, Python {env.get('python', '')}")]
    conditions = "".join(f"<dt>{esc(k)}</dt><dd dir='auto'>{esc(str(v))}</dd>" for k, v in header)
    charts = _charts(summaries, rows)
    sections = []
    for kind, lines in summaries.items():
        if not lines:
            continue
        columns = columns_of(kind)
        with_errors = any(s.get("error") for s in lines)
        head = "".join(f"<th>{esc(title)}</th>" for _, title in columns) + ("<th>error</th>" if with_errors else "")
        body = "".join("<tr>" + "".join(f"<td dir='auto'>{esc(cell(s, k, kind))}</td>" for k, _ in columns)
                       + (f"<td dir='auto'>{esc(s.get('error') or '')}</td>" if with_errors else "") + "</tr>"
                       for s in lines)
        figures = "".join(f"<figure><img alt='{esc(t)}' src='data:image/png;base64,{b}'><figcaption>{esc(t)}"
                          "</figcaption></figure>" for section, t, b in charts if section == kind)
        plural = get_kind(kind).plural
        sections.append(f"<section id='{plural}'><h2>{esc(plural.capitalize())}</h2><table><tr>{head}</tr>{body}</table>"
                        f"<div class='grid'>{figures}</div></section>")
    confusions = "".join(f"<figure><img alt='{esc(t)}' src='data:image/png;base64,{b}'><figcaption>{esc(t)}"
                         "</figcaption></figure>" for section, t, b in charts if section == "confusion")
    if confusions:
        sections.append(f"<section id='confusion'><h2>Confusion matrices (test split)</h2><div class='grid'>{confusions}"
                        "</div></section>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>nlp-zoo bench</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child,th:first-child{{text-align:left}}
dl{{display:grid;grid-template-columns:max-content auto;gap:2px 1em}}dt{{font-weight:bold}}dd{{margin:0}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:1em}}
figure{{margin:0}}figure img{{max-width:100%}}figcaption{{font-size:90%;color:#555}}</style>
</head><body><h1>nlp-zoo bench</h1><dl id="conditions">{conditions}</dl>{"".join(sections)}</body></html>
"""

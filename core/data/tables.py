"""Loading labelled text datasets (CSV, TSV, JSON Lines) with validation that names the problem.

``load_dataset`` returns the rows it kept and says how many it dropped (empty text or missing
score) and why; it never drops a row silently. Scores stay raw here: turning them into classes is
:mod:`nlpzoo.data.discretize`'s job.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..foundations.errors import DataError


TEXT_COLUMNS = ("text", "review", "content", "body", "sentence")
SCORE_COLUMNS = ("score", "label", "polarity", "rating", "stars", "sentiment")
FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

# Limits on what one data file may hold (documented in README's Safety): past them the file is refused
# with its row and the limit, before memory grows with it.
MAX_FIELD_CHARS = 10_000_000     # one text or score field (long reviews exceed csv's 128 KiB default)
MAX_COLUMNS = 10_000             # columns in a header
MAX_LINE_CHARS = 16 * 2**20      # one JSON Lines record
csv.field_size_limit(MAX_FIELD_CHARS)


@dataclass
class Dataset:
    """Kept rows: ``texts[i]`` with raw ``scores[i]`` from file row ``rows[i]`` (1-based, header = 1)."""

    source: str
    text_col: str
    score_col: str
    texts: list[str]
    scores: list
    rows: list[int]
    dropped: dict = field(default_factory=dict)  # reason -> count
    irregular: dict = field(default_factory=dict)  # kept rows that did not match the header: kind -> count

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def rows_in(self) -> int:
        return len(self.texts) + sum(self.dropped.values())

    def drop_summary(self) -> str | None:
        """One line about rows dropped or not matching the header, or None when every row was fine."""
        notes = []
        if self.dropped:
            parts = ", ".join(f"{count} with {reason}" for reason, count in sorted(self.dropped.items()))
            notes.append(f"dropped {sum(self.dropped.values())} of {self.rows_in} rows ({parts})")
        more, fewer = self.irregular.get("more", 0), self.irregular.get("fewer", 0)
        if more or fewer:
            notes.append(f"{more} row{'s' if more != 1 else ''} with more fields than the header and {fewer} with"
                         " fewer (extra fields ignored, missing ones empty): check the file's quoting")
        return f"{self.source}: " + "; ".join(notes) + "." if notes else None


def detect_format(path: Path, declared: str | None = None) -> str:
    if declared:
        if declared not in ("csv", "tsv", "jsonl"):
            raise DataError(f"{path}: unknown format '{declared}'. Use csv, tsv or jsonl.")
        return declared
    found = FORMATS.get(path.suffix.lower())
    if not found:
        raise DataError(f"{path}: cannot tell the format from the suffix '{path.suffix}'."
                        " Use a .csv, .tsv or .jsonl file, or pass --format csv|tsv|jsonl.")
    return found


def require_regular_file(path: Path, what: str = "") -> None:
    """A path that exists must be a regular file: a device or a pipe has no size and may never end."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise DataError(f"{what or path} is not a regular file (a device, pipe or socket), so its size is unknown"
                        " and it may never end; save the data to a file and give that.")


def read_lines(path: Path, what: str) -> list[str]:
    """The non-empty lines of a UTF-8 text file (one text a line)."""
    path = Path(path)
    require_regular_file(path, f"{what} {path}")
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return [line.strip() for line in handle if line.strip()]
    except FileNotFoundError:
        raise DataError(f"{what} {path} does not exist.") from None
    except IsADirectoryError:
        raise DataError(f"{what} {path} is a folder; give a text file, one text a line.") from None
    except OSError as error:
        raise DataError(f"{what} {path} cannot be read ({error.strerror or error}).") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{what} {path}: not UTF-8 text (byte {error.start}); re-save it as UTF-8.") from None


def read_records(path: Path, fmt: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """(column names, [(file row number, record)]) from a CSV/TSV/JSONL file, UTF-8 with or without BOM."""
    require_regular_file(path)
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise DataError(f"Data file {path} does not exist. Check the path, or run 'zoo data list'"
                        " for named datasets.") from None
    except IsADirectoryError:
        raise DataError(f"{path} is a folder; give a .csv, .tsv or .jsonl file.") from None
    with handle:
        try:
            if fmt == "jsonl":
                return _read_jsonl(path, handle)
            reader = csv.DictReader(handle, delimiter="\t" if fmt == "tsv" else ",")
            columns = list(reader.fieldnames or [])
            if len(columns) > MAX_COLUMNS:
                raise DataError(f"{path}: the header has {len(columns):,} columns, more than the {MAX_COLUMNS:,} a"
                                " data file may have; is it a table of texts with a header row?")
            repeated = sorted({c for c in columns if columns.count(c) > 1})
            if repeated:
                raise DataError(f"{path}: column '{repeated[0]}' appears twice in the header"
                                + (f" (and {', '.join(repeated[1:])})" if len(repeated) > 1 else "")
                                + "; rename one so each column has its own name.")
            records = []
            for record in reader:
                records.append((reader.line_num, record))
            return columns, records
        except UnicodeDecodeError as error:
            raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}). "
                            "Re-save the file as UTF-8.") from None
        except csv.Error as error:
            row = getattr(locals().get("reader"), "line_num", "?")
            reason = f"a field longer than {MAX_FIELD_CHARS:,} characters" if "field larger" in str(error) else \
                str(error)
            raise DataError(f"{path}: line {row}: {reason}; check the file's quoting (an unclosed quote makes"
                            " one field of the rest of the file).") from None


def _read_jsonl(path: Path, handle) -> tuple[list[str], list[tuple[int, dict]]]:
    columns: dict[str, None] = {}
    records = []
    for number, line in enumerate(iter(lambda: handle.readline(MAX_LINE_CHARS + 1), ""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise DataError(f"{path}: line {number} is longer than {MAX_LINE_CHARS:,} characters, the most one JSON"
                            " Lines record may have.")
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}: line {number} is not valid JSON ({error.msg}).") from None
        if not isinstance(record, dict):
            raise DataError(f"{path}: line {number} is not a JSON object.")
        columns.update(dict.fromkeys(record))
        if len(columns) > MAX_COLUMNS:
            raise DataError(f"{path}: line {number} brings the records to more than {MAX_COLUMNS:,} distinct keys.")
        records.append((number, record))
    return list(columns), records


def _found(columns: list[str]) -> str:
    """The columns, for an error message; a file that did not split into columns is not echoed."""
    if len(columns) < 2:
        return "The file has one column only: it does not look like a CSV/TSV table with a header."
    return f"Columns found: {', '.join(columns)}."


def _pick_column(path: Path, columns: list[str], wanted: str | None, candidates: tuple, role: str, option: str) -> str:
    if wanted:
        if wanted not in columns:
            raise DataError(f"{path}: no column '{wanted}' ({role}). {_found(columns)}"
                            f" Pass {option} with one of them.")
        return wanted
    lowered = {c.lower().strip(): c for c in columns}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    raise DataError(f"{path}: cannot find the {role} column (looked for {', '.join(candidates)})."
                    f" {_found(columns)} Pass {option} NAME.")


def _open_table(path: Path, fmt: str | None, text_col: str | None):
    """(columns, records, text column) of a non-empty file."""
    columns, records = read_records(path, detect_format(path, fmt))
    if not records:
        raise DataError(f"{path}: the dataset is empty (no rows after the header).")
    return columns, records, _pick_column(path, columns, text_col, TEXT_COLUMNS, "text", "--text-col")


def _irregular(records: list[tuple[int, dict]]) -> dict:
    """CSV rows with more fields than the header (csv puts the extra ones under None) or fewer
    (their missing fields are None)."""
    more = sum(1 for _, r in records if None in r)
    fewer = sum(1 for _, r in records if None not in r and any(v is None for v in r.values()))
    return {k: v for k, v in (("more", more), ("fewer", fewer)) if v}


def load_dataset(path: str | Path, text_col: str | None = None, score_col: str | None = None,
                 fmt: str | None = None) -> Dataset:
    path = Path(path)
    columns, records, text_col = _open_table(path, fmt, text_col)
    score_col = _pick_column(path, columns, score_col, SCORE_COLUMNS, "score", "--score-col")
    dataset = Dataset(str(path), text_col, score_col, [], [], [], irregular=_irregular(records))
    for row, record in records:
        text = record.get(text_col)
        score = record.get(score_col)
        text = text.strip() if isinstance(text, str) else ("" if text is None else str(text).strip())
        if isinstance(score, str):
            score = score.strip()
        if not text:
            dataset.dropped["empty text"] = dataset.dropped.get("empty text", 0) + 1
        elif score is None or score == "":
            dataset.dropped["missing score"] = dataset.dropped.get("missing score", 0) + 1
        else:
            dataset.texts.append(text)
            dataset.scores.append(score)
            dataset.rows.append(row)
    if not dataset.texts:
        raise DataError(f"{path}: no usable rows: all {len(records)} rows have an empty '{text_col}'"
                        f" or a missing '{score_col}'.")
    return dataset


def load_texts(path: str | Path, text_col: str | None = None, fmt: str | None = None) -> Dataset:
    """Texts alone (for generators): empty texts are dropped and counted, scores are ignored."""
    path = Path(path)
    _, records, text_col = _open_table(path, fmt, text_col)
    dataset = Dataset(str(path), text_col, "", [], [], [], irregular=_irregular(records))
    for row, record in records:
        text = str(record.get(text_col) or "").strip()
        if text:
            dataset.texts.append(text)
            dataset.scores.append(None)
            dataset.rows.append(row)
        else:
            dataset.dropped["empty text"] = dataset.dropped.get("empty text", 0) + 1
    if not dataset.texts:
        raise DataError(f"{path}: no usable rows: every '{text_col}' is empty.")
    return dataset


def read_inputs(path: str | Path, text_col: str | None = None) -> list[str]:
    """The texts to predict in a file, one per row, empty ones kept (a prediction per input row): a
    CSV, TSV or JSON Lines file's text column (``text_col`` or the usual names), else one text a line."""
    path = Path(path)
    if path.suffix.lower() in FORMATS:
        columns, records = read_records(path, FORMATS[path.suffix.lower()])
        column = _pick_column(path, columns, text_col, TEXT_COLUMNS, "text", "--text-col")
        return [str(record.get(column) or "") for _, record in records]
    return read_lines(path, "--input")


def numeric_scores(dataset: Dataset, score_range: tuple[float, float] | None = None) -> list[float]:
    """The scores as floats; a non-numeric or out-of-range score is an error naming its row."""
    return to_numbers(dataset.scores, dataset.rows, dataset.source, dataset.score_col, score_range)


def to_numbers(scores: list, rows: list[int], source: str, column: str = "score",
               score_range: tuple[float, float] | None = None) -> list[float]:
    values = []
    for score, row in zip(scores, rows):
        try:
            value = float(score)
            if value != value:  # NaN
                raise ValueError
        except (TypeError, ValueError):
            raise DataError(f"{source}: row {row}: score {score!r} in column '{column}'"
                            " is not a number. Fix the row, or use --discretize as-is for text labels.") from None
        if score_range and not (score_range[0] <= value <= score_range[1]):
            raise DataError(f"{source}: row {row}: score {score!r} is outside the declared range"
                            f" {score_range[0]:g}..{score_range[1]:g}. Fix the row or widen --score-range.")
        values.append(value)
    return values

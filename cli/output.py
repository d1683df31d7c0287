"""Terminal output: rich tables for people (scripts use ``--json``).

Names and numbers never wrap. A table too wide for the terminal leaves out columns from the right
(the least important come last) and says which under the table; only prose columns (descriptions,
help, errors, texts) may wrap, at word boundaries. Titles are printed on a line of their own.
"""
from __future__ import annotations

import textwrap


PROSE = {"description", "help", "error", "components / error", "check", "text", "allowed"}


def print_table(columns: list[str], rows: list[list], title: str | None = None, keep: int = 2,
                drop_first: tuple[str, ...] = ()) -> None:
    """Print ``rows`` under ``columns``. When the terminal is too narrow, the columns named in
    ``drop_first`` are left out first, then the rightmost; ``keep`` leading columns always stay."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table

    console = Console()
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    shown = list(range(len(columns)))

    def width(i: int) -> int:
        """The narrowest a column may be: a name or a number keeps its whole width; prose can wrap."""
        longest = max((cell_len(r[i]) for r in cells), default=0)
        if columns[i].lower() in PROSE:
            return min(12, max(longest, 1))
        return max(longest, max((cell_len(word) for word in columns[i].split()), default=1))

    def needed(indices) -> int:  # cells, one space of padding each side, and the borders between
        return sum(width(i) + 2 for i in indices) + len(indices) + 1

    order = [columns.index(c) for c in drop_first if c in columns] + list(range(len(columns) - 1, keep - 1, -1))
    for i in order:
        if needed(shown) <= console.width:
            break
        if i in shown and i >= keep:
            shown.remove(i)
    table = Table(show_lines=False)
    for i in shown:
        prose = columns[i].lower() in PROSE
        header = columns[i] if prose else "\n".join(textwrap.wrap(columns[i], width(i)))  # words on lines
        table.add_column(header, no_wrap=not prose, overflow="fold", min_width=width(i))
    for row in cells:
        table.add_row(*[row[i] for i in shown])
    if title:
        console.print(title, style="bold", no_wrap=True, overflow="ellipsis", highlight=False)
    console.print(table)
    hidden = [columns[i] for i in range(len(columns)) if i not in shown]
    if hidden:
        console.print(f"({len(hidden)} columns left out to fit {console.width} columns: {', '.join(hidden)};"
                      " a wider terminal, --json or the written files have them)", highlight=False)

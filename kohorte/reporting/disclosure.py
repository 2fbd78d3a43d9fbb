"""Small-cell suppression, as statistics offices do it, for the counts shown to people who
may not see the applications themselves (the funder above all).

A count from 1 up to one less than the threshold (``Programme.min_cell``, at least 3) can
point to a person: one applicant from a Kreis. It is withheld (primary suppression). A
group whose total is shown gives a single withheld cell away (the total minus the other
cells), so the group's smallest other cell is withheld too (secondary suppression): a
non-zero one if there is one, since a withheld 0 beside a withheld 1 still says "one of
these two". Totals stay.

Every withheld cell carries the same marker, small or withheld to protect a small one:
two markers would tell them apart and give values away again (a "fewer than 3" beside a
withheld 3 and a total of 4 leaves only 1 + 3).

What is protected: no withheld count can be worked out from the shown cells and totals by
arithmetic. Not covered: a reader who retraces which complement these rules would have
picked. The functions here only choose cells; ``figures.protect_applications`` applies
them.
"""

from collections.abc import Sequence
from typing import NamedTuple

import networkx as nx


class Group(NamedTuple):
    cells: frozenset[int]
    # False: the group has too few cells to hide a withheld one from its total.
    safe: bool


def is_small(value: int, min_cell: int) -> bool:
    return 0 < value < min_cell


def _hidden(values: Sequence[int], cells: set[int], floor: int) -> bool:
    """Whether each withheld cell could still be at least two numbers: two or more of
    them, and their sum leaves room above what each must be at least."""
    return len(cells) >= 2 and sum(values[i] for i in cells) > floor * len(cells)


def protect_group(values: Sequence[int], *, min_cell: int, floor: int = 0,
                  withheld: Sequence[int] = ()) -> Group:
    """The cells of one group whose total is shown that must be withheld.

    ``floor`` is the least every cell is known to be: 0 where every cell is listed, 1 for
    a list that leaves out empty rows (a listed Kreis had an application). ``withheld``
    are cells already withheld for another reason (the other direction of a table)."""
    cells = set(withheld) | {i for i, value in enumerate(values) if is_small(value, min_cell)}
    while cells and not _hidden(values, cells, floor):
        rest = [i for i in range(len(values)) if i not in cells]
        if not rest:
            return Group(frozenset(cells), safe=False)
        cells.add(min(rest, key=lambda i: (values[i] == 0, values[i], i)))
    return Group(frozenset(cells), safe=True)


def protect_table(rows: Sequence[Sequence[int]], *, min_cell: int) -> frozenset[tuple[int, int]]:
    """The (row, column) cells to withhold in a table whose row and column totals are
    shown: every row and every column with a withheld cell gets at least two, and no
    withheld cell is left as the only link between two sets of withheld cells (it would
    follow from the totals around them)."""
    cells = {(r, c) for r, row in enumerate(rows) for c, value in enumerate(row)
             if is_small(value, min_cell)}
    width = len(rows[0]) if rows else 0
    lines = ([[(r, c) for c in range(width)] for r in range(len(rows))]
             + [[(r, c) for r in range(len(rows))] for c in range(width)])
    while True:
        before = len(cells)
        for line in lines:
            group = protect_group([rows[r][c] for r, c in line], min_cell=min_cell,
                                  withheld=[i for i, cell in enumerate(line) if cell in cells])
            cells |= {line[i] for i in group.cells}
        if len(cells) > before:
            continue
        closing = _closing_cell(rows, cells)
        if closing is None:
            return frozenset(cells)
        cells.add(closing)


def _closing_cell(rows, cells) -> tuple[int, int] | None:
    """A cell that puts a withheld bridge on a cycle, or None if there is no bridge.

    The withheld cells are the edges between row and column nodes; the totals leave an
    edge undetermined exactly when it lies on a cycle. A row or column with a single
    cell is skipped: its cell is its total, which is shown anyway."""
    graph = nx.Graph([(("row", r), ("col", c)) for r, c in cells])
    for a, b in nx.bridges(graph):
        if graph.degree(a) < 2 or graph.degree(b) < 2:
            continue
        row, col = (a, b) if a[0] == "row" else (b, a)
        graph.remove_edge(row, col)
        beyond = nx.node_connected_component(graph, col)
        graph.add_edge(row, col)
        # A cell from the bridge's row to another column beyond it closes a cycle.
        candidates = [(row[1], c) for kind, c in beyond if kind == "col" and c != col[1]]
        if candidates:
            return min(candidates, key=lambda cell: (rows[cell[0]][cell[1]] == 0,
                                                     rows[cell[0]][cell[1]], cell))
    return None

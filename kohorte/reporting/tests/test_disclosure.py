"""Small-cell suppression: which counts are withheld, and that none can be worked out
again from what is shown (checked by an independent reader: exhaustively in one
dimension, by linear algebra in a table)."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ..disclosure import is_small, protect_group, protect_table


def possible_values(values, cells, *, min_cell, floor):
    """What a reader can tell about each withheld cell of a group: every value it could
    have, knowing the shown cells and the total (so the withheld cells' sum), that each
    is at least ``floor``, and that at least one of them is small (else none would be
    withheld). Every way the other withheld cells could add up is tried."""
    hidden = sum(values[i] for i in cells)
    result = {}
    for i in cells:
        # (sum, whether one is small) over every value the other withheld cells can take
        states = {(0, False)}
        for _other in range(len(cells) - 1):
            states = {(total + x, small or is_small(x, min_cell))
                      for total, small in states for x in range(floor, hidden - total + 1)}
        result[i] = {x for x in range(floor, hidden + 1)
                     if (hidden - x, True) in states
                     or (hidden - x, False) in states and is_small(x, min_cell)}
    return result


@st.composite
def groups(draw):
    min_cell = draw(st.integers(3, 5))
    floor = draw(st.sampled_from([0, 1]))
    values = draw(st.lists(st.integers(floor, 9), min_size=1, max_size=7))
    return values, min_cell, floor


@settings(deadline=None)
@given(groups())
def test_no_withheld_count_can_be_worked_out_from_the_shown_cells_and_the_total(group):
    values, min_cell, floor = group
    withheld = protect_group(values, min_cell=min_cell, floor=floor)
    if not withheld.safe:
        # Only when every cell of the group had to go: the total says it all.
        assert withheld.cells == set(range(len(values)))
        return
    for cell, possible in possible_values(values, withheld.cells, min_cell=min_cell,
                                          floor=floor).items():
        assert values[cell] in possible
        assert len(possible) >= 2, (values, sorted(withheld.cells), cell)


@settings(deadline=None)
@given(groups())
def test_every_small_count_is_withheld_and_nothing_without_one(group):
    values, min_cell, floor = group
    withheld = protect_group(values, min_cell=min_cell, floor=floor).cells
    assert {i for i, v in enumerate(values) if is_small(v, min_cell)} <= withheld
    if not any(is_small(v, min_cell) for v in values):
        assert not withheld


def test_a_small_count_takes_the_smallest_other_non_zero_count_with_it():
    assert protect_group([1, 0, 7, 4], min_cell=3).cells == {0, 3}


def test_a_zero_is_withheld_only_when_no_other_count_is_left():
    assert protect_group([2, 0, 0], min_cell=3).cells == {0, 1}


def test_two_ones_in_a_list_without_empty_rows_need_a_third():
    # Both listed, so both at least 1: withheld 1 + 1 beside a total of 2 would be plain.
    assert protect_group([1, 1, 7], min_cell=3, floor=1).cells == {0, 1, 2}


def test_a_lone_small_count_cannot_be_hidden_from_its_total():
    assert protect_group([2], min_cell=3, floor=1) == (frozenset({0}), False)


def test_a_table_withholds_at_least_two_cells_in_every_row_and_column_it_touches():
    rows = [[5, 1, 4], [6, 7, 8], [0, 0, 9]]
    assert protect_table(rows, min_cell=3) == {(0, 1), (0, 2), (1, 1), (1, 2)}


def test_a_table_with_one_row_withholds_along_the_row():
    # Each column's total is its only cell, shown anyway: nothing to protect there.
    assert protect_table([[5, 1, 4]], min_cell=3) == {(0, 1), (0, 2)}


def _determined(rows, cells):
    """The withheld cells a reader can compute from the row and column totals: those
    whose unit vector lies in the row space of the totals' equations."""
    cells = sorted(cells)
    if not cells:
        return set()
    lines = [[1 if r == row else 0 for r, _c in cells] for row in range(len(rows))]
    lines += [[1 if c == column else 0 for _r, c in cells] for column in range(len(rows[0]))]
    equations = np.array(lines)
    rank = np.linalg.matrix_rank(equations)
    return {cell for i, cell in enumerate(cells)
            if np.linalg.matrix_rank(np.vstack([equations, np.eye(len(cells))[i]])) == rank}


@st.composite
def tables(draw):
    height, width = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    return draw(st.lists(st.lists(st.integers(0, 8), min_size=width, max_size=width),
                         min_size=height, max_size=height)), draw(st.integers(3, 4))


@settings(deadline=None)
@given(tables())
def test_no_withheld_cell_of_a_table_follows_from_its_row_and_column_totals(table):
    rows, min_cell = table
    withheld = protect_table(rows, min_cell=min_cell)
    assume(withheld)
    shown = [rows[r][c] for r in range(len(rows)) for c in range(len(rows[0]))
             if (r, c) not in withheld]
    assert not any(is_small(v, min_cell) for v in shown)
    assert not _determined(rows, withheld), (rows, sorted(withheld))


def test_a_withheld_cell_linking_two_blocks_gets_a_cycle_of_its_own():
    # Two blocks of small counts, and a small count between them: every row and column
    # has two or more, yet the one between follows from the totals.
    rows = [[1, 1, 1, 9],
            [1, 1, 9, 9],
            [9, 9, 1, 1],
            [9, 9, 1, 1]]
    small = {(r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v == 1}
    assert _determined(rows, small) == {(0, 2)}
    withheld = protect_table(rows, min_cell=3)
    assert withheld == small | {(0, 3)}
    assert not _determined(rows, withheld)

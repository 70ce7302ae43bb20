"""The balancing helpers behind the demo data: exact margins, zero cells respected."""

import random

import pytest

from zugong.demo.planning import allocate, apportion, assign


def test_apportion_is_exact_and_proportional():
    assert apportion(518, [29.8, 32.5, 455.4]) == [30, 32, 456]  # largest remainder over the sum
    assert sum(apportion(9918, [1241.2, 1119.6, 1086.4, 945.9, 907.1, 940.5, 890.7, 2787.2])) == 9918
    assert apportion(5, [0, 1, 0]) == [0, 5, 0]
    assert apportion(0, [1, 2]) == [0, 0]
    with pytest.raises(ValueError):
        apportion(3, [0, 0])


def test_allocate_meets_both_margins_and_keeps_zeros():
    rows = [40, 35, 25]
    cols = [50, 30, 20]
    prior = [[1, 1, 0], [0, 2, 1], [1, 0, 3]]
    table = allocate(rows, cols, prior)
    assert [sum(r) for r in table] == rows
    assert [sum(table[r][c] for r in range(3)) for c in range(3)] == cols
    assert table[0][2] == table[1][0] == table[2][1] == 0


def test_allocate_needs_chains_of_moves():
    # value 2 is only admissible in row 2; the rounding must push units along admissible cells
    table = allocate([3, 3, 3], [4, 2, 3], [[1, 1, 0], [1, 1, 0], [0.1, 1, 10]])
    assert [sum(table[r][c] for r in range(3)) for c in range(3)] == [4, 2, 3]
    assert table[0][2] == table[1][2] == 0


def test_allocate_rejects_impossible_margins():
    with pytest.raises(ValueError):
        allocate([2, 2], [1, 3], [[1, 0], [1, 0]])  # value 1 admissible nowhere
    with pytest.raises(ValueError):
        allocate([2, 2], [3, 2], [[1, 1], [1, 1]])  # totals differ


def test_assign_gives_each_value_its_count_within_strata():
    rng = random.Random(1)
    members = list(range(100))
    out = [None] * 100
    assign(rng, members, lambda i: (i % 2,), [30, 70], lambda k: (1, 1) if k[0] else (0, 1), out)
    assert out.count(0) == 30 and out.count(1) == 70
    assert all(out[i] == 1 for i in members if i % 2 == 0)  # stratum 0 never gets value 0

"""What a process keeps of a table: loaded again after a change, and not before its interval."""

import pytest
from django.db.models import Max

from santuni.lib.reloading import Reloading, forget_all
from santuni.search.models import SynonymFamily


class Clock:
    """Seconds that move only when a test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Table:
    """A table's rows, its version, and how often each was read."""

    def __init__(self):
        self.rows = ["a"]
        self.version = 1
        self.loads = self.version_reads = 0

    def load(self) -> list[str]:
        self.loads += 1
        return list(self.rows)

    def read_version(self) -> int:
        self.version_reads += 1
        return self.version

    def change(self, row: str) -> None:
        self.rows.append(row)
        self.version += 1


@pytest.fixture
def table():
    return Table()


@pytest.fixture
def clock():
    return Clock()


def test_a_change_is_loaded_after_the_interval_and_not_before(table, clock):
    kept = Reloading(table.load, version=table.read_version, seconds=5, clock=clock)
    assert kept.get() == ["a"]
    table.change("b")
    clock.now += 4.9
    assert kept.get() == ["a"]  # within the interval: the version is not even asked
    assert table.version_reads == 1
    clock.now += 0.1
    assert kept.get() == ["a", "b"]
    assert table.loads == 2


def test_an_unchanged_table_is_asked_its_version_but_not_loaded_again(table, clock):
    kept = Reloading(table.load, version=table.read_version, seconds=5, clock=clock)
    kept.get()
    for _ in range(3):
        clock.now += 5
        assert kept.get() == ["a"]
    assert (table.loads, table.version_reads) == (1, 4)


def test_the_interval_runs_from_the_last_check(table, clock):
    kept = Reloading(table.load, version=table.read_version, seconds=5, clock=clock)
    kept.get()
    clock.now += 5
    kept.get()  # checked: unchanged
    table.change("b")
    clock.now += 3
    assert kept.get() == ["a"]
    clock.now += 2
    assert kept.get() == ["a", "b"]


def test_check_now_asks_the_version_at_once(table, clock):
    kept = Reloading(table.load, version=table.read_version, seconds=5, clock=clock)
    kept.get()
    table.change("b")
    assert kept.get(check_now=True) == ["a", "b"]
    assert kept.get(check_now=True) == ["a", "b"]
    assert table.loads == 2


def test_without_a_version_the_value_is_loaded_again_every_interval(table, clock):
    kept = Reloading(table.load, seconds=10, clock=clock)
    kept.get()
    table.change("b")
    clock.now += 9
    assert kept.get() == ["a"]
    clock.now += 1
    assert kept.get() == ["a", "b"]
    assert table.loads == 2


def test_forget_all_makes_every_one_load_again(table, clock):
    first = Reloading(table.load, version=table.read_version, seconds=60, clock=clock)
    second = Reloading(table.load, seconds=60, clock=clock)
    first.get(), second.get()
    table.change("b")
    assert first.get() == second.get() == ["a"]
    forget_all()
    assert first.get() == second.get() == ["a", "b"]


@pytest.mark.django_db
def test_a_row_added_to_a_table_is_seen_after_the_interval(clock):
    """As search keeps its synonym families: the version is the table's count and latest
    change."""
    kept = Reloading(
        lambda: sorted(SynonymFamily.objects.values_list("members", flat=True)),
        version=lambda: (
            SynonymFamily.objects.count(),
            SynonymFamily.objects.aggregate(latest=Max("updated_at"))["latest"],
        ),
        seconds=5,
        clock=clock,
    )
    assert kept.get() == []
    SynonymFamily.objects.create(members="warga emas, orang tua")
    clock.now += 1
    assert kept.get() == []
    clock.now += 4
    assert kept.get() == ["warga emas, orang tua"]

"""import_hsds fed broken files: random bytes, cut-off JSON, other encodings, bad
records among good ones, damaged data packages. Each ends in a list of what is wrong and an
untouched directory, or a true summary of what was imported; never a traceback."""

import io
import json
import re
import uuid
import zipfile

import pytest
from django.core.management import CommandError, call_command
from hypothesis import example, given
from hypothesis import strategies as st

from santuni.directory import models
from santuni.tests.fuzz import any_text, rolled_back

from .test_import import directory_snapshot, sample_service

pytestmark = pytest.mark.django_db
NAMESPACE = uuid.UUID("6d1f0c5e-2b7a-4f43-9d1e-7c9a1b2c3d4e")


def record(number: int) -> dict:
    """The sample service with ids of its own, the same in every run."""
    service = sample_service()
    count = 0

    def renumber(node):
        nonlocal count
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "id":
                    count += 1
                    node[key] = str(uuid.uuid5(NAMESPACE, f"{number}-{count}"))
                else:
                    renumber(value)
        elif isinstance(node, list):
            for item in node:
                renumber(item)

    renumber(service)
    return service


def places(node, path=()):
    """Every (path) to a value inside a record."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((*path, key))
        if isinstance(value, dict | list):
            found += places(value, (*path, key))
    return found


BAD_VALUES = st.one_of(
    any_text(),
    st.sampled_from([None, True, 0, -1, 10**30, 1.5, [], {}, [None], {"id": "x"}]),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
)


@st.composite
def broken(draw, number: int) -> dict:
    """A record with one value replaced by a wrong one, or one taken out."""
    service = record(number)
    path = draw(st.sampled_from(places(service)))
    parent = service
    for key in path[:-1]:
        parent = parent[key]
    if draw(st.booleans()):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(BAD_VALUES)
    return service


def run(*args) -> tuple[bool, str]:
    """(imported, what the administrator reads)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_hsds", *[str(a) for a in args], stdout=out, stderr=err)
    except CommandError as error:
        return False, f"{err.getvalue()}{error}"
    return True, err.getvalue() + out.getvalue()


def assert_refused_cleanly(said: str, before: dict) -> None:
    assert said.strip(), "refused without a word"
    assert "Traceback" not in said
    assert directory_snapshot() == before, "a refused import left something behind"


def ndjson(records) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def encodings(data: bytes):
    """The same text as other programs save it: a byte-order mark, UTF-16, Latin-1, cut off."""
    text = data.decode()
    return st.one_of(
        st.just(data),
        st.just(b"\xef\xbb\xbf" + data),
        st.just(text.encode("utf-16")),
        st.just(text.encode("latin-1", "replace")),
        st.integers(0, len(data)).map(lambda n: data[:n]),
        st.binary(max_size=300),
    )


GOOD = [record(1), record(2)]
FILES = {
    ".ndjson": ndjson(GOOD),
    ".json": json.dumps(GOOD, ensure_ascii=False).encode(),
    ".json ": json.dumps({"contents": GOOD}).encode(),
}


@pytest.mark.parametrize("kind", list(FILES))
def test_any_bytes_in_a_json_file_are_imported_or_refused_with_reasons(tmp_path, kind):
    path = tmp_path / f"in{kind.strip()}"

    @given(encodings(FILES[kind]))
    @example(b"[" * 5000 + b"]" * 5000)  # nested deeper than Python reads
    @example(b'{"id": "' + b"\xff" * 10 + b'"}')
    def load(data):
        with rolled_back():
            before = directory_snapshot()
            path.write_bytes(data)
            done, said = run(path)
            if not done:
                assert_refused_cleanly(said, before)

    load()


@given(
    st.lists(
        st.one_of(st.integers(1, 40).map(record), st.integers(41, 80).flatmap(broken)),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
)
@example(
    [
        {
            "id": str(uuid.uuid5(NAMESPACE, "nul")),
            **{k: v for k, v in record(3).items() if k != "id"},
            "name": "a\x00b",
        }
    ],
    False,
)
def test_bad_records_among_good_ones(tmp_path, records, skip_invalid):
    path = tmp_path / "mixed.ndjson"
    with rolled_back():
        before = directory_snapshot()
        services_before = models.Service.objects.count()
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False, allow_nan=True) + "\n" for r in records)
        )
        done, said = run(*(["--skip-invalid"] if skip_invalid else []), path)
        if not done:
            assert not skip_invalid, said
            assert "invalid: mixed.ndjson line " in said
            assert_refused_cleanly(said, before)
            return
        created = int(re.search(r"(\d+) created", said).group(1))
        updated = int(re.search(r"(\d+) updated", said).group(1))
        # The summary tells the truth: as many services more as it says were created.
        assert models.Service.objects.count() - services_before == created
        assert created + updated <= len(records)
        if not skip_invalid:
            assert "invalid:" not in said


@pytest.fixture
def package(tmp_path) -> dict[str, str]:
    """The CSV files of a data package exported from a small directory."""
    source = tmp_path / "seed.ndjson"
    source.write_bytes(ndjson([record(1)]))
    run(source)
    call_command("export_hsds", "--format", "csv", str(tmp_path / "pkg"), stderr=io.StringIO())
    files = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "pkg").iterdir()}
    models.Service.objects.all().delete()
    models.Organization.objects.all().delete()
    return files


def damaged(text: str):
    """A CSV as a spreadsheet or a bad disk might leave it."""
    return st.one_of(
        st.just(text.encode()),
        st.integers(0, len(text)).map(lambda n: text[:n].encode()),
        st.just(text.encode("utf-16")),
        st.just(b"\xff\xfe" + text.encode("latin-1", "replace")),
        st.tuples(st.integers(0, len(text)), any_text(40)).map(
            lambda cut: (text[: cut[0]] + cut[1] + text[cut[0] :]).encode()
        ),
        st.just(text.replace("\n", "\n" + "x" * 140_000 + ",", 1).encode()),
        st.binary(max_size=300),
    )


def test_a_damaged_data_package_is_refused_with_reasons(tmp_path, package):
    names = sorted(n for n in package if n.endswith(".csv"))

    @given(
        st.sampled_from(names).flatmap(
            lambda name: st.tuples(st.just(name), damaged(package[name]))
        )
    )
    def load(change):
        name, data = change
        path = tmp_path / "in.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for other, text in package.items():
                archive.writestr(other, data if other == name else text)
        with rolled_back():
            before = directory_snapshot()
            done, said = run(path)
            if not done:
                assert_refused_cleanly(said, before)

    load()


@given(st.binary(max_size=400), st.integers(0, 2000))
# Bytes found to break the archive in each way zipfile knows: a member's data that does not
# decompress, a seek before the start, an unknown compression method, an "encrypted" flag.
@example(b"4\xa2\x0f", 468)
@example(b"\xc9WV", 1440)
@example(b"\xf5", 1313)
@example(b"\x13", 1310)
def test_a_damaged_zip_archive_is_refused(tmp_path, noise, where):
    """Bytes of the archive itself changed: a bad disk, a download cut short."""
    path = tmp_path / "in.zip"
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", "{}")
        archive.writestr(
            "services.csv",
            "id,name\n" + "\n".join(f"{uuid.uuid5(NAMESPACE, str(i))},Nama {i}" for i in range(50)),
        )
    data = good.getvalue()
    where = min(where, len(data))
    path.write_bytes(data[:where] + noise + data[where + len(noise) :])
    with rolled_back():
        before = directory_snapshot()
        done, said = run(path)
        if not done:
            assert_refused_cleanly(said, before)

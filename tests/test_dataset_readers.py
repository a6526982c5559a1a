"""The export loads as it is in every common reader (pandas, polars, duckdb, pyarrow, `datasets`
over Parquet and over JSON lines), with tz-aware UTC times that are the articles' instants, and a
re-export is published atomically: a crash between any two steps leaves the old or the new dataset."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.export import publish as publishing
from scraper.export.writer import ExportError
from tests.test_export import PORTALS, article, read_parquet, run_export, write_jsonl

N = 12


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("readers")
    records = [article(seed, PORTALS[seed % 3], 1 + seed % 2) for seed in range(N)]
    records[0]["published_at"] = "2026-11-19T23:47:00+07:00"  # the example: 16:47 UTC
    write_jsonl(root / "in.jsonl", records)
    run_export([root / "in.jsonl"], root / "dataset")
    return root / "dataset", records


def expected_times(records: list[dict[str, Any]]) -> dict[str, datetime]:
    return {r["url"]: instant(r["published_at"]) for r in records}


def check(rows: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """Every article once, with its portal, and published_at the same tz-aware instant."""
    assert sorted(row["url"] for row in rows) == sorted(r["url"] for r in records)
    times = expected_times(records)
    for row in rows:
        when = row["published_at"]
        assert when.tzinfo is not None and when.utcoffset().total_seconds() == 0, row["url"]
        assert when == times[row["url"]]
        assert row["portal"] in PORTALS and row["url"].startswith(f"https://{row['portal']}.example/")


def test_pandas_reads_the_parquet_folder(exported: tuple[Path, list[dict[str, Any]]]) -> None:
    pd = pytest.importorskip("pandas")
    dataset, records = exported
    frame = pd.read_parquet(dataset / "parquet")
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    check(frame.to_dict("records"), records)
    first = frame[frame.url == records[0]["url"]].iloc[0]
    local = first.published_at + pd.to_timedelta(first.published_offset, unit="min")  # the card's recipe
    assert local.strftime("%Y-%m-%d %H:%M") == "2026-11-19 23:47"


def test_pyarrow_reads_the_folder(exported: tuple[Path, list[dict[str, Any]]]) -> None:
    import pyarrow.dataset as pads
    import pyarrow.parquet as pq

    dataset, records = exported
    check(pq.read_table(dataset / "parquet").to_pylist(), records)  # hive discovery on: no clash
    check(pads.dataset(dataset / "parquet", partitioning="hive").to_table().to_pylist(), records)


def test_polars_reads_the_folder(exported: tuple[Path, list[dict[str, Any]]]) -> None:
    pl = pytest.importorskip("polars")
    dataset, records = exported
    frame = pl.read_parquet(dataset / "parquet")
    assert str(frame.schema["published_at"]) == "Datetime(time_unit='us', time_zone='UTC')"
    check(frame.to_dicts(), records)
    check(pl.read_parquet(f"{dataset}/parquet/*/*.parquet").to_dicts(), records)


def test_duckdb_reads_the_files(exported: tuple[Path, list[dict[str, Any]]]) -> None:
    duckdb = pytest.importorskip("duckdb")
    dataset, records = exported
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    relation = connection.read_parquet(f"{dataset}/parquet/*/*.parquet")
    rows = [dict(zip(relation.columns, values, strict=True)) for values in relation.fetchall()]
    check(rows, records)
    per_portal = dict(
        connection.execute(
            f"SELECT portal, count(*) FROM read_parquet('{dataset}/parquet/**/*.parquet') GROUP BY portal"
        ).fetchall()
    )
    assert per_portal == {portal: N // 3 for portal in PORTALS}


def test_datasets_loads_parquet_jsonl_and_the_card(exported: tuple[Path, list[dict[str, Any]]]) -> None:
    datasets = pytest.importorskip("datasets")
    dataset, records = exported
    cache = dataset.parent / "hf-cache"
    by_card = datasets.load_dataset(str(dataset), split="train", cache_dir=str(cache))
    assert str(by_card.features["published_at"].dtype) == "timestamp[us, tz=UTC]"
    check(list(by_card), records)
    viva_less = datasets.load_dataset(str(dataset), "kompas", split="train", cache_dir=str(cache))
    assert {row["portal"] for row in viva_less} == {"kompas"} and len(viva_less) == N // 3
    parquet = datasets.load_dataset(
        "parquet", data_files=f"{dataset}/parquet/*/*.parquet", split="train", cache_dir=str(cache)
    )
    check(list(parquet), records)
    # JSON lines: the card's features make `datasets` read the offsets instead of dropping them.
    features = datasets.load_dataset_builder(str(dataset), cache_dir=str(cache)).info.features
    jsonl = datasets.load_dataset(
        "json", data_files=f"{dataset}/jsonl/*/train.jsonl", features=features, split="train",
        cache_dir=str(cache),
    )  # fmt: skip
    check(list(jsonl), records)
    assert list(jsonl.features) == list(by_card.features)


# -- atomic publishing -----------------------------------------------------------------------------


class Killed(BaseException):
    """Stands for a SIGKILL at that point: nothing after it runs, no cleanup but `finally`s."""


def whole(outdir: Path) -> str:
    """Which export readers see: 'a' or 'b', checked to be consistent (files and card agree)."""
    portals = {row["portal"] for row in read_parquet(outdir)}
    card = (outdir / "README.md").read_text(encoding="utf-8")
    assert len(portals) == 1, portals
    (portal,) = portals
    assert f"| {portal} | " in card and f"parquet/{portal}/*.parquet" in card
    jsonl = sorted(p.parent.name for p in (outdir / "jsonl").glob("*/train.jsonl"))
    assert jsonl == [portal]
    return {"kompas": "a", "detik": "b"}[portal]


@pytest.mark.parametrize("step", ["link", "swap", "retire", None])
def test_a_kill_between_publishing_steps_leaves_a_whole_dataset(tmp_path: Path, step: str | None) -> None:
    outdir = tmp_path / "ds"
    write_jsonl(tmp_path / "a.jsonl", [article(1, "kompas", 1)])
    write_jsonl(tmp_path / "b.jsonl", [article(2, "detik", 2)])
    run_export([tmp_path / "a.jsonl"], outdir)

    def kill_at(name: str) -> None:
        if name == step:
            raise Killed

    from scraper.export.card import render_card
    from scraper.export.writer import ExportOptions, export

    with contextlib.suppress(Killed):
        export([tmp_path / "b.jsonl"], outdir, ExportOptions(overwrite=True), card=render_card, step=kill_at)
    seen = whole(outdir)
    assert seen == ("a" if step in ("link", "swap") else "b")
    # The next export (a restart) cleans up whatever the killed one left, and publishes whole.
    run_export([tmp_path / "b.jsonl"], outdir, overwrite=True)
    assert whole(outdir) == "b"
    assert len(list((outdir / publishing.VERSIONS).iterdir())) <= 2


def test_a_version_1_dataset_is_replaced_in_place(tmp_path: Path) -> None:
    """A dataset written before the versioned layout (real folders) is taken over by --overwrite."""
    outdir = tmp_path / "ds"
    for name in ("parquet/portal=kompas/date=2026-03-01", "jsonl/kompas"):
        (outdir / name).mkdir(parents=True)
    (outdir / "README.md").write_text("old card")
    write_jsonl(tmp_path / "b.jsonl", [article(2, "detik", 2)])
    with pytest.raises(ExportError, match="already holds a dataset"):
        run_export([tmp_path / "b.jsonl"], outdir)
    run_export([tmp_path / "b.jsonl"], outdir, overwrite=True)
    assert whole(outdir) == "b" and (outdir / "parquet").is_symlink()
    assert not (outdir / ".versions" / f"legacy-{__import__('os').getpid()}").exists()


def test_a_jsonl_only_export_loads_tz_aware_through_its_card(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    records = [article(seed, PORTALS[seed % 3], 1) for seed in range(6)]
    write_jsonl(tmp_path / "in.jsonl", records)
    run_export([tmp_path / "in.jsonl"], tmp_path / "dataset", formats=("jsonl",))
    loaded = datasets.load_dataset(
        str(tmp_path / "dataset"), split="train", cache_dir=str(tmp_path / "cache")
    )
    assert str(loaded.features["published_at"].dtype) == "timestamp[us, tz=UTC]"
    check(list(loaded), records)

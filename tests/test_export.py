"""`scraper export`: Parquet and JSONL layouts, deduplication, malformed lines, the card, the CLI."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

import scraper.export.writer as export_module
from cleaners.types import Article
from scraper.cli.app import app
from scraper.export.card import render_card
from scraper.export.writer import ExportError, ExportOptions, ExportResult, export
from tests.test_dedup import render, story, variants

PORTALS = ("kompas", "detik", "tempo")
# Columns the export adds; every other one must round-trip (times through their offsets).
ADDED = ("published_offset", "modified_offset", "date", "near_dup_cluster")


def article(seed: int, portal: str, day: int, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "url": f"https://{portal}.example/read/{seed}",
        "portal": portal,
        "title": f"Berita nomor {seed}",
        "text": render(story(seed)),
        "canonical_url": f"https://{portal}.example/read/{seed}",
        "authors": [f"Penulis {seed % 3}", "Redaksi"][: 1 + seed % 2],
        "published_at": f"2026-03-{day:02d}T{8 + seed % 10:02d}:15:00+07:00",
        "modified_at": None if seed % 2 else f"2026-03-{day:02d}T20:00:00+07:00",
        "section": ["nasional", None, "ekonomi"][seed % 3],
        "tags": [f"tag{seed % 4}", "indonesia"][: seed % 3],
        "language": "id",
        "image": f"https://img.{portal}.example/{seed}.jpg",
        "description": f"Ringkasan berita {seed}",
        "pages": 1 + seed % 2,
        "fetched_at": f"2026-03-{day:02d}T12:00:{seed % 60:02d}+00:00",
        "source": None,
    }
    values.update(fields)
    text = values.pop("text")
    authors, tags = tuple(values.pop("authors")), tuple(values.pop("tags"))
    return Article(text=text, authors=authors, tags=tags, **values).to_dict()


def write_jsonl(path: Path, records: list[dict[str, Any]], extra_lines: tuple[str, ...] = ()) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """Crawl-style output: output/<portal>/<date>.jsonl, plus files the export must skip."""
    root = tmp_path / "output"
    records = []
    for seed in range(24):
        portal, day = PORTALS[seed % 3], 1 + seed % 4
        records.append(article(seed, portal, day))
    # Local date 2026-03-06 is still 2026-03-05 in UTC: partitions follow the portal's date.
    records.append(article(90, "kompas", 6, published_at="2026-03-06T01:30:00+07:00"))
    # No publication date: the fetch date partitions it.
    records.append(article(91, "detik", 7, published_at=None, fetched_at="2026-03-07T03:00:00+00:00"))
    by_file: dict[Path, list[dict[str, Any]]] = {}
    for record in records:
        by_file.setdefault(root / record["portal"] / f"{_date(record)}.jsonl", []).append(record)
    for path, group in by_file.items():
        write_jsonl(path, group)
    write_jsonl(root / "kompas" / "rejects.jsonl", [{"url": "x", "reason": "too_short"}])
    (root / "kompas" / "run-2026-03-01.json").write_text("{}")
    return root, records


def _date(record: dict[str, Any]) -> str:
    return (record["published_at"] or record["fetched_at"])[:10]


def run_export(inputs: list[Path], outdir: Path, **options: Any) -> ExportResult:
    return export(inputs, outdir, ExportOptions(**options), card=render_card)


def read_parquet(outdir: Path) -> list[dict[str, Any]]:
    return pads.dataset(outdir / "parquet", format="parquet").to_table().to_pylist()


def local_iso(when: datetime | str | None, offset: int | None) -> str | None:
    """A stored UTC instant back in the wall-clock time of its offset, as the article had it."""
    if when is None or isinstance(when, str):
        return when
    assert when.utcoffset() == timedelta(0)  # tz-aware, UTC
    return when.astimezone(timezone(timedelta(minutes=offset or 0))).isoformat()


def strip_added(row: dict[str, Any]) -> dict[str, Any]:
    """The article record again: added columns dropped, times in their original offset."""
    record = {key: value for key, value in row.items() if key not in ADDED}
    record["published_at"] = local_iso(row["published_at"], row["published_offset"])
    record["modified_at"] = local_iso(row["modified_at"], row["modified_offset"])
    record["fetched_at"] = local_iso(row["fetched_at"], 0)
    return record


def test_parquet_round_trips_every_field(corpus: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    root, records = corpus
    result = run_export([root], tmp_path / "ds")
    rows = read_parquet(tmp_path / "ds")
    assert result.articles == len(rows) == len(records)
    by_url = {row["url"]: row for row in rows}
    for record in records:
        assert strip_added(by_url[record["url"]]) == record  # same fields, same values, same offsets
    schema = pq.read_schema(next((tmp_path / "ds" / "parquet").rglob("*.parquet")))
    assert str(schema.field("authors").type) == "list<element: string>"
    assert {str(schema.field(n).type) for n in ("word_count", "pages", "schema_version")} == {"int32"}
    times = {str(schema.field(n).type) for n in ("published_at", "modified_at", "fetched_at")}
    assert times == {"timestamp[us, tz=UTC]"}
    assert str(schema.field("published_offset").type) == "int16"
    assert schema.metadata[b"export_schema_version"] == b"2"
    late = next(row for row in rows if row["url"] == records[24]["url"])  # 01:30+07:00 on 03-06
    assert late["published_at"] == datetime(2026, 3, 5, 18, 30, tzinfo=UTC)
    assert late["published_offset"] == 420 and str(late["date"]) == "2026-03-06"


def test_partitions_by_portal_and_local_date(
    corpus: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    root, records = corpus
    run_export([root], tmp_path / "ds")
    parquet = tmp_path / "ds" / "parquet"
    parts = sorted(p.relative_to(parquet) for p in parquet.glob("*/*.parquet"))
    expected = sorted({Path(f"{r['portal']}/{_date(r)}.parquet") for r in records})
    assert parts == expected
    assert Path("kompas/2026-03-06.parquet") in parts  # not the UTC date (03-05)
    assert Path("detik/2026-03-07.parquet") in parts  # fetched_at's date
    for part in parts:
        rows = pads.dataset(parquet / part).to_table().to_pylist()
        assert {(row["portal"], str(row["date"])) for row in rows} == {(part.parent.name, part.stem)}


def test_exact_duplicates_dropped_keeping_the_earliest(
    corpus: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    root, records = corpus
    original = records[0]
    later = dict(
        original, url="https://mirror.example/1", portal="tempo", fetched_at="2026-03-09T00:00:00+00:00"
    )
    earlier = dict(original, url="https://early.example/1", fetched_at="2026-03-01T07:00:00+07:00")
    write_jsonl(root / "extra" / "dups.jsonl", [later, earlier])  # 07:00+07:00 is 00:00 UTC: earliest
    result = run_export([root], tmp_path / "ds")
    assert result.exact_duplicates == 2
    urls = [
        row["url"] for row in read_parquet(tmp_path / "ds") if row["content_hash"] == original["content_hash"]
    ]
    assert urls == ["https://early.example/1"]
    assert "Exact duplicates dropped: 2" in (tmp_path / "ds" / "README.md").read_text()


def test_near_duplicates_share_a_cluster_id(tmp_path: Path) -> None:
    texts = variants(500)  # seeds 0-9 below are other stories
    records = [article(i, "kompas", 1 + i) for i in range(10)]
    near = [article(100 + i, PORTALS[i], 2, text=text) for i, text in enumerate(texts.values())]
    write_jsonl(tmp_path / "in.jsonl", records + near)
    result = run_export([tmp_path / "in.jsonl"], tmp_path / "ds")
    clusters = {row["url"]: row["near_dup_cluster"] for row in read_parquet(tmp_path / "ds")}
    expected = min(r["content_hash"] for r in near)
    assert [clusters[r["url"]] for r in near] == [expected] * 3
    assert all(clusters[r["url"]] is None for r in records)
    assert (result.near_dup_articles, result.near_dup_clusters) == (3, 1)
    card = (tmp_path / "ds" / "README.md").read_text()
    assert "3 articles in 1 clusters" in card


def test_malformed_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    good = [article(i, "tempo", 1) for i in range(3)]
    bad = (
        "{not json",
        "[1, 2]",
        json.dumps({"url": "u", "portal": "tempo", "title": "t"}),
        json.dumps(dict(good[0], url="other", authors="Budi")),
        json.dumps(dict(good[0], portal="../etc")),
        json.dumps(dict(good[0], published_at="kemarin", fetched_at=None)),
    )
    path = tmp_path / "in.jsonl"
    write_jsonl(path, good, bad)
    with path.open("a") as handle:
        handle.write('{"url": "torn')  # a killed writer's last line
    result = run_export([path], tmp_path / "ds")
    assert result.articles == 3
    reasons = {problem.line: problem.reason for problem in result.problems}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9, 10]
    assert reasons[4].startswith("not JSON")
    assert reasons[5] == "not a JSON object (list)"
    assert reasons[6] == "missing field text"
    assert reasons[7] == "field authors: expected list, got str"
    assert "not a plain name" in reasons[8]
    assert "published_at or fetched_at" in reasons[9]
    assert str(result.problems[0]) == f"{path}:4: {reasons[4]}"


def test_jsonl_layout_reads_line_by_line(corpus: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    root, records = corpus
    run_export([root], tmp_path / "ds", formats=("jsonl",))
    assert not (tmp_path / "ds" / "parquet").exists()
    files = sorted((tmp_path / "ds" / "jsonl").glob("*/train.jsonl"))
    assert [f.parent.name for f in files] == sorted(PORTALS)
    rows = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    assert sorted(strip_added(r)["url"] for r in rows) == sorted(r["url"] for r in records)
    by_url = {row["url"]: row for row in rows}
    for record in records:
        assert strip_added(by_url[record["url"]]) == record
    assert all(
        r["portal"] == f.parent.name for f in files for r in map(json.loads, f.read_text().splitlines())
    )


def test_card_states_counts_and_loading(corpus: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    root, records = corpus
    outdir = tmp_path / "ds"
    run_export([root], outdir)
    card = (outdir / "README.md").read_text(encoding="utf-8")
    header = card.split("---\n")[1]
    for line in ("license: other", "- id", "- text-generation", "- config_name: default"):
        assert line in header.splitlines()
    assert "    path: parquet/*/*.parquet" in header
    assert "    path: parquet/kompas/*.parquet" in header
    assert "  - name: published_at\n    dtype: timestamp[us, tz=UTC]" in header
    assert str(tmp_path) not in card and "/tmp" not in card  # no path of this machine
    for portal, count in Counter(r["portal"] for r in records).items():
        first, last = (
            min(_date(r) for r in records if r["portal"] == portal),
            max(_date(r) for r in records if r["portal"] == portal),
        )
        assert f"| {portal} | {count} | {first} | {last} |" in card
    assert 'ds = load_dataset(DATASET, split="train")' in card
    assert 'files = f"{DATASET}/jsonl/*/train.jsonl"' in card
    assert "| `near_dup_cluster` | string |" in card and "| `authors` | list<string> |" in card
    assert "| `published_at` | timestamp[us, tz=UTC] |" in card and "| `date` | date32 |" in card
    assert "from 2026-03-01 to 2026-03-07" in card


def test_no_dedup_keeps_duplicates(tmp_path: Path) -> None:
    record = article(1, "kompas", 1)
    write_jsonl(tmp_path / "in.jsonl", [record, dict(record, url="https://copy.example/1")])
    result = run_export([tmp_path / "in.jsonl"], tmp_path / "ds", dedup=False)
    rows = read_parquet(tmp_path / "ds")
    assert (result.exact_duplicates, len(rows)) == (0, 2)
    assert all(row["near_dup_cluster"] is None for row in rows)


DATASET_ENTRIES = [".versions", "README.md", "current", "jsonl", "parquet"]


def test_reexport_needs_overwrite_and_replaces_whole_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outdir = tmp_path / "ds"
    write_jsonl(tmp_path / "a.jsonl", [article(1, "kompas", 1)])
    write_jsonl(tmp_path / "b.jsonl", [article(2, "detik", 2)])
    run_export([tmp_path / "a.jsonl"], outdir)
    with pytest.raises(ExportError, match="already holds a dataset: give --overwrite"):
        run_export([tmp_path / "b.jsonl"], outdir)
    assert [row["portal"] for row in read_parquet(outdir)] == ["kompas"]  # untouched
    stale = outdir / ".versions" / "20260101T000000000000Z-999999999"  # a killed export's
    stale.mkdir()
    run_export([tmp_path / "b.jsonl"], outdir, overwrite=True)
    assert [row["portal"] for row in read_parquet(outdir)] == ["detik"]  # kompas part gone
    assert sorted(p.name for p in outdir.iterdir()) == DATASET_ENTRIES
    assert not stale.exists() and len(list((outdir / ".versions").iterdir())) == 2  # this one, the previous

    def crash(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as if killed mid-write

    monkeypatch.setattr(export_module.pq.ParquetWriter, "write_table", crash)
    with pytest.raises(KeyboardInterrupt):
        run_export([tmp_path / "a.jsonl"], outdir, overwrite=True)
    assert [row["portal"] for row in read_parquet(outdir)] == ["detik"]
    assert sorted(p.name for p in outdir.iterdir()) == DATASET_ENTRIES


def test_outdir_inside_input_folder_is_not_read_back(corpus: tuple[Path, list[dict[str, Any]]]) -> None:
    root, records = corpus
    run_export([root], root / "dataset")
    again = run_export([root], root / "dataset", overwrite=True)
    assert again.articles == len(records) and again.exact_duplicates == 0


def test_export_errors(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="input not found"):
        run_export([tmp_path / "missing"], tmp_path / "ds")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ExportError, match=r"no \.jsonl files"):
        run_export([tmp_path / "empty"], tmp_path / "ds")
    write_jsonl(tmp_path / "bad.jsonl", [], ("oops",))
    with pytest.raises(ExportError, match=r"no valid articles .*1 malformed"):
        run_export([tmp_path / "bad.jsonl"], tmp_path / "ds")


def cli() -> typer.Typer:
    return app


def test_cli_exports_and_summarises(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in.jsonl", [article(i, PORTALS[i % 3], 1) for i in range(6)], ("{bad",))
    result = CliRunner().invoke(cli(), ["export", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    assert "6 articles from 7 lines" in result.stdout
    assert f"skipped {tmp_path / 'in.jsonl'}:7: not JSON" in result.stderr
    assert (tmp_path / "ds" / "README.md").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{tmp}/missing.jsonl", "-o", "{tmp}/ds"], "error: input not found: {tmp}/missing.jsonl"),
        (
            ["{tmp}/in.jsonl", "-o", "{tmp}/file.txt/ds"],
            "error: cannot write to {tmp}/file.txt/ds: Not a directory",
        ),
        (
            ["{tmp}/in.jsonl", "-o", "{tmp}/ds", "--near-dup-threshold", "1.5"],
            "error: --near-dup-threshold must be",
        ),
    ],
)
def test_cli_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    write_jsonl(tmp_path / "in.jsonl", [article(1, "kompas", 1)])
    (tmp_path / "file.txt").write_text("not a folder")
    argv = ["export", *(a.format(tmp=tmp_path) for a in args)]
    result = CliRunner().invoke(cli(), argv)
    assert result.exit_code == 2
    assert result.stderr.startswith(message.format(tmp=tmp_path))
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_cli_unwritable_outdir(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in.jsonl", [article(1, "kompas", 1)])
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = CliRunner().invoke(cli(), ["export", str(tmp_path / "in.jsonl"), "-o", str(locked / "ds")])
    assert result.exit_code == 2 and "cannot write to" in result.stderr

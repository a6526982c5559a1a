"""End-to-end cleaning speed as a user sees it: `scraper clean` of a folder on one core, against a
loop of `trafilatura.extract` over the same files, each with its start-up subtracted.

    python benchmarks/bench_clean_cli.py [--corpus ../shared/corpus/aeb] [--rounds 3] [--core 0]

Both run as fresh processes pinned to one core (`taskset -c CORE`), CPU time of the process
tree, best of the rounds. Start-up is measured the same way on a single small page and
subtracted, so the ratio
compares the per-page work: reading, decompressing, cleaning (or extracting) and, for
`scraper clean`, writing the JSON lines. The issue's bar is a ratio of at least 2.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "aeb"
SMALL_PAGE = (
    "<html><body><article><h1>T</h1>" + "<p>One sentence of text here.</p>" * 10 + "</article></body></html>"
)

TRAFILATURA_LOOP = """
import gzip, sys
from pathlib import Path
import trafilatura
for path in sorted(Path(sys.argv[1]).glob("*.html*")):
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    trafilatura.extract(data, include_comments=False)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_cpu(command: list[str], rounds: int) -> float:
    """CPU seconds of the command's process tree, best of the rounds (other load on the machine
    disturbs CPU time far less than wall time)."""
    best = float("inf")
    for _ in range(rounds):
        before = _children_cpu()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, _children_cpu() - before)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--core", type=int, default=0)
    args = parser.parse_args()
    folder = args.corpus / "html" if (args.corpus / "html").is_dir() else args.corpus
    files = sorted(folder.glob("*.html*"))
    if not files:
        sys.exit(f"no pages in {folder}")
    # The scraper of this interpreter's environment (a `scraper` earlier on PATH may be another one).
    beside = Path(sys.executable).with_name("scraper")
    scraper = str(beside) if beside.exists() else shutil.which("scraper") or "scraper"
    pin = ["taskset", "-c", str(args.core)]
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small"
        small.mkdir()
        (small / "page.html").write_text(SMALL_PAGE, encoding="utf-8")
        out = str(Path(tmp) / "out.jsonl")
        clean = [*pin, scraper, "clean", "-j", "1", "-q", "-o", out]
        loop = [*pin, sys.executable, "-c", TRAFILATURA_LOOP]
        clean_all, clean_start = (
            best_cpu([*clean, str(folder)], args.rounds),
            best_cpu([*clean, str(small)], args.rounds),
        )
        loop_all, loop_start = (
            best_cpu([*loop, str(folder)], args.rounds),
            best_cpu([*loop, str(small)], args.rounds),
        )
    ours, theirs = clean_all - clean_start, loop_all - loop_start
    print(f"{len(files)} pages of {folder}, one core, best of {args.rounds} rounds (CPU seconds)")
    print(f"scraper clean          {clean_all:7.2f} s, start-up {clean_start:5.2f} s, pages {ours:6.2f} s")
    print(f"trafilatura.extract    {loop_all:7.2f} s, start-up {loop_start:5.2f} s, pages {theirs:6.2f} s")
    print(f"speed ratio scraper clean / trafilatura.extract: {theirs / ours:.2f}x (bar: 2.00x)")


if __name__ == "__main__":
    main()

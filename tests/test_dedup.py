"""Near-duplicate clustering (MinHash + LSH) and exact-duplicate selection, on generated texts."""

from __future__ import annotations

import random

import pytest

from scraper.export.dedup import ExactDedup, NearDupIndex, Signer, normalised_words, shingle_hashes

SYLLABLES = [c + v for c in "bklmnprsty" for v in "aeiu"]


def sentence(rng: random.Random) -> str:
    words = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(10, 18))
    ]
    return " ".join(words).capitalize() + "."


def story(seed: int, paragraphs: int = 6) -> list[list[str]]:
    """Paragraphs of sentences (about 340 words): distinct seeds give unrelated stories."""
    rng = random.Random(seed)
    return [[sentence(rng) for _ in range(4)] for _ in range(paragraphs)]


def render(paragraphs: list[list[str]]) -> str:
    return "\n".join(" ".join(sentences) for sentences in paragraphs)


def variants(seed: int) -> dict[str, str]:
    """An original, the same story with one sentence rewritten, and one with a teaser line added."""
    original = story(seed)
    reworded = [list(p) for p in original]
    reworded[2][1] = sentence(random.Random(seed + 10_000))
    teased = [list(p) for p in original]
    teased.insert(3, ["Baca juga: Harga cabai naik menjelang Lebaran di pasar induk"])
    return {"original": render(original), "reworded": render(reworded), "teased": render(teased)}


def test_normalisation_ignores_case_and_spacing() -> None:
    text = variants(1)["original"]
    messy = "  " + text.upper().replace(" ", " \t ").replace("\n", "\n\n  ")
    assert normalised_words(messy) == normalised_words(text)
    assert list(shingle_hashes(normalised_words(messy))) == list(shingle_hashes(normalised_words(text)))


def test_short_and_empty_texts() -> None:
    assert len(shingle_hashes(["satu", "dua"])) == 1  # shorter than a shingle: one shingle
    assert len(shingle_hashes([])) == 0
    assert Signer().sign("   ") is None
    index = NearDupIndex()
    index.add("sha256:a", "")
    index.add("sha256:b", "")
    assert index.clusters() == {}  # nothing to compare: empty texts are never near-duplicates


def test_shingles_are_word_5_grams() -> None:
    words = list("abcdefg")
    assert len(shingle_hashes(words)) == 3  # abcde, bcdef, cdefg
    assert len(shingle_hashes(words * 3)) < 3 * 3  # repeated shingles count once


def test_variants_share_a_cluster_and_unrelated_stories_do_not() -> None:
    index = NearDupIndex(threshold=0.8)
    texts = variants(7)
    keys = {"original": "sha256:c1", "reworded": "sha256:a9", "teased": "sha256:f0"}
    for name, text in texts.items():
        index.add(keys[name], text)
    for seed in range(100, 130):
        index.add(f"sha256:z{seed}", render(story(seed)))
    clusters = index.clusters()
    assert clusters == dict.fromkeys(keys.values(), "sha256:a9")  # id: the smallest member key


def test_cluster_ids_do_not_depend_on_input_order() -> None:
    texts = [*variants(3).values(), *variants(4).values(), render(story(5))]
    keys = [f"sha256:{i:02d}" for i in range(len(texts))]
    forward, backward = NearDupIndex(), NearDupIndex()
    for key, text in zip(keys, texts, strict=True):
        forward.add(key, text)
    for key, text in reversed(list(zip(keys, texts, strict=True))):
        backward.add(key, text)
    assert forward.clusters() == backward.clusters()
    assert len(set(forward.clusters().values())) == 2
    assert keys[-1] not in forward.clusters()


def test_threshold_is_respected() -> None:
    strict = NearDupIndex(threshold=0.99)
    texts = variants(11)
    strict.add("sha256:1", texts["original"])
    strict.add("sha256:2", texts["reworded"])  # about 0.88 Jaccard: below 0.99
    assert strict.clusters() == {}


def test_signatures_survive_growing_past_the_initial_capacity() -> None:
    index = NearDupIndex()
    for seed in range(1100):  # the signature matrix starts at 1024 rows
        index.add(f"sha256:{seed:05d}", " ".join(f"w{seed}x{i}" for i in range(30)))
    index.add("sha256:zzzz", " ".join(f"w1050x{i}" for i in range(30)))
    assert index.clusters() == {"sha256:01050": "sha256:01050", "sha256:zzzz": "sha256:01050"}


@pytest.mark.parametrize(
    ("offers", "kept"),
    [
        ([(3.0, "late"), (1.0, "early"), (2.0, "middle")], "early"),
        ([(1.0, "first"), (1.0, "tie")], "first"),
    ],
)
def test_exact_dedup_keeps_the_earliest_fetched(offers: list[tuple[float, str]], kept: str) -> None:
    dedup: ExactDedup[str] = ExactDedup()
    fresh = [dedup.offer("sha256:same", when, item) for when, item in offers]
    assert fresh == [True] + [False] * (len(offers) - 1)
    assert list(dedup.items()) == [kept]
    assert dedup.dropped == len(offers) - 1

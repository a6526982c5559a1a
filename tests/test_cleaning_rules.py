"""Each cleaning rule on small pages written for the test: teasers go, article text stays."""

from __future__ import annotations

from cleaners.pipeline import clean_page
from cleaners.types import Article, Page, Rejected, RejectReason

PROSE = [
    "Pemerintah kota mengumumkan rencana pembangunan taman baru di pusat kota pada Senin pagi, "
    "dengan anggaran yang disetujui dewan setelah rapat panjang.",
    "Wali kota mengatakan taman itu akan dibuka untuk umum tahun depan dan dilengkapi jalur "
    "sepeda, tempat bermain anak, serta kebun komunitas yang dikelola warga.",
    "Warga menyambut baik rencana tersebut, meski sebagian meminta agar pepohonan lama tetap "
    "dipertahankan dan tidak ditebang selama proses pembangunan berlangsung.",
    "Dinas pertamanan berjanji melibatkan warga dalam setiap tahap, mulai dari perencanaan hingga "
    "perawatan, agar taman benar-benar menjadi milik bersama.",
]
URL = "https://news.example.co.id/kota/read/2026/11/20/123456/taman-baru-pusat-kota"


def page(inserts: dict[int, str], url: str = URL, head: str = "") -> Page:
    parts = []
    for i, paragraph in enumerate(PROSE):
        parts.append(f"<p>{paragraph}</p>")
        parts.append(inserts.get(i, ""))
    html = (
        f"<html><head><title>Taman Baru di Pusat Kota</title>{head}</head><body>"
        "<nav><a href='/'>Beranda</a></nav><h1>Taman Baru di Pusat Kota</h1>"
        f"<article><div class='detail'>{''.join(parts)}</div></article>"
        "<footer>Hak cipta dilindungi undang-undang</footer></body></html>"
    )
    return Page(url=url, body=html.encode(), headers={"content-type": "text/html; charset=utf-8"})


def clean(inserts: dict[int, str], **kwargs: object) -> Article:
    result = clean_page(page(inserts), **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, Article), result
    return result


def assert_body_intact(article: Article) -> None:
    assert article.text.splitlines() == PROSE


def test_clean_page_keeps_every_paragraph_in_order() -> None:
    assert_body_intact(clean({}))


def test_labelled_teaser_block_goes() -> None:
    teaser = "<p><strong>Baca juga: <a href='/kota/read/2026/11/19/1/lain'>Banjir Surut di Kota Lama</a></strong></p>"
    article = clean({0: teaser})
    assert "Banjir Surut" not in article.text and "Baca juga" not in article.text
    assert_body_intact(article)


def test_labelled_teaser_to_another_site_still_goes() -> None:
    teaser = "<div>Lihat Juga: <a href='https://other.example.com/x/y'>Resep Sayur Asem Segar</a></div>"
    article = clean({1: teaser})
    assert "Resep Sayur Asem" not in article.text
    assert_body_intact(article)


def test_bare_link_to_same_site_article_goes() -> None:
    teaser = "<p><a href='https://news.example.co.id/olahraga/read/2026/11/18/99/tim-juara'>Tim Kota Juara Liga Antarkampung Tahun Ini</a></p>"
    article = clean({2: teaser})
    assert "Tim Kota Juara" not in article.text
    assert_body_intact(article)


def test_link_inside_prose_is_kept() -> None:
    linked = (
        "<p>Menurut <a href='https://news.example.co.id/kota/read/2026/11/01/5/anggaran-kota'>laporan "
        "anggaran kota sebelumnya</a>, dana taman sudah disiapkan sejak tahun lalu oleh pemerintah.</p>"
    )
    article = clean({0: linked})
    assert "dana taman sudah disiapkan" in article.text


def test_external_link_paragraph_is_not_a_teaser() -> None:
    # Only links to other articles of the same site are teasers; a source on another site stays
    # through the pre-pass (what trafilatura's precision mode then does with it is its own call).
    from selectolax.lexbor import LexborHTMLParser

    from cleaners.portals import GENERIC
    from cleaners.prune import prune

    source = (
        "<p><a href='https://data.example.org/laporan-tahunan'>Laporan Tahunan Dinas Pertamanan 2025</a></p>"
    )
    tree = LexborHTMLParser(bytes(page({0: source}).body).decode())
    prune(tree, URL, GENERIC)
    assert "Laporan Tahunan Dinas Pertamanan" in tree.body.text()


def test_photo_credit_and_ad_labels_go() -> None:
    credit = "<div class='caption'>Suasana taman<br>Sumber :<ul><li>Foto Warga/Istimewa</li></ul></div>"
    ad = "<div><span>ADVERTISEMENT</span><span>SCROLL TO CONTINUE WITH CONTENT</span></div>"
    article = clean({0: credit, 2: ad})
    for leaked in ("Sumber", "Istimewa", "ADVERTISEMENT", "SCROLL TO"):
        assert leaked not in article.text
    assert_body_intact(article)


def test_embed_placeholder_goes() -> None:
    article = clean({1: "<p>[Gambas:Video 20detik]</p>"})
    assert "Gambas" not in article.text
    assert_body_intact(article)


def test_known_headline_goes_only_when_known() -> None:
    bare = "<p>Harga cabai naik jelang akhir tahun di pasar tradisional</p>"
    from cleaners.teasers import normalise_headline

    without_index = clean({1: bare})
    assert "Harga cabai naik" in without_index.text
    with_index = clean(
        {1: bare}, headlines={normalise_headline("Harga Cabai Naik Jelang Akhir Tahun di Pasar Tradisional")}
    )
    assert "Harga cabai naik" not in with_index.text
    assert_body_intact(with_index)


def test_headline_repeated_in_body_goes() -> None:
    article = clean({0: "<p>Taman Baru di Pusat Kota</p>"})
    assert_body_intact(article)


def test_long_paragraph_starting_with_label_word_is_kept() -> None:
    prose = (
        "<p>Baca juga buku panduan taman, kata wali kota, "
        + "karena warga perlu tahu aturannya. " * 12
        + "</p>"
    )
    article = clean({3: prose})
    assert "buku panduan taman" in article.text


def test_index_page_url_of_known_portal_is_rejected() -> None:
    result = clean_page(page({}, url="https://www.viva.co.id/indeks"))
    assert isinstance(result, Rejected) and result.reason == RejectReason.INDEX_PAGE


def test_short_page_is_rejected_as_too_short() -> None:
    html = b"<html><body><p>Hanya satu kalimat pendek.</p></body></html>"
    result = clean_page(Page(url=URL, body=html))
    assert isinstance(result, Rejected) and result.reason in (RejectReason.TOO_SHORT, RejectReason.NO_CONTENT)


def test_metadata_from_meta_tags_and_json_ld() -> None:
    head = (
        '<meta property="article:published_time" content="2026-11-20T08:15:00+07:00">'
        '<meta property="og:image" content="https://img.example/x.jpg">'
        '<link rel="canonical" href="https://news.example.co.id/kota/taman">'
        '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Taman Baru di Pusat Kota",'
        '"author":[{"@type":"Person","name":"Sari Wulandari"},{"name":"Budi Hartono"}],'
        '"dateModified":"2026-11-20T09:00:00+07:00","keywords":["taman","kota"]}</script>'
    )
    result = clean_page(page({}, head=head))
    assert isinstance(result, Article)
    assert result.title == "Taman Baru di Pusat Kota"
    assert result.authors == ("Sari Wulandari", "Budi Hartono")
    assert result.published_at == "2026-11-20T08:15:00+07:00"
    assert result.modified_at == "2026-11-20T09:00:00+07:00"
    assert result.canonical_url == "https://news.example.co.id/kota/taman"
    assert result.tags == ("taman", "kota")
    record = result.to_dict()
    assert record["word_count"] == len(result.text.split())
    assert record["content_hash"].startswith("sha256:")


def test_trafilatura_options_shared_across_pages_stay_unchanged() -> None:
    """run_trafilatura reuses one trafilatura Extractor per process; a page that sends trafilatura
    into its recall retry (a short text on a long page) must not change it for the next page."""
    from cleaners.extract import _extractor, run_trafilatura

    menu = "".join(
        f"<li><a href='/k{i}'>Kanal nomor {i} berita terkini hari ini</a></li>" for i in range(120)
    )
    page = (
        "<html><body><ul>" + menu + "</ul><article><p>Jakarta - Hujan deras mengguyur ibu kota sejak"
        " pagi sehingga sejumlah ruas jalan tergenang air setinggi lutut orang dewasa.</p></article>"
        "</body></html>"
    )

    def options(precision: bool) -> dict[str, object]:
        extractor = _extractor(precision)
        return {name: getattr(extractor, name, None) for name in type(extractor).__slots__}

    for precision in (False, True):
        before = options(precision)
        assert "Hujan deras" in run_trafilatura(page, precision)
        assert options(precision) == before
    assert _extractor(False) is _extractor(False)

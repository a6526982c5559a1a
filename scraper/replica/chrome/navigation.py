"""The replica portal's navigation tree and site-wide link lists: mega-menu, sister sites,
corporate pages, social accounts, offices, trending tags and ad slots."""

from __future__ import annotations

from scraper.replica import words

# (kanal, label, ((sub, label), ...)): the mega-menu. Every sub-kanal the generator uses is here
# with the same label, so menu links and article breadcrumbs agree.
MENU: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "berita",
        "Berita",
        (
            ("nasional", "Nasional"),
            ("politik", "Politik"),
            ("metro", "Metro"),
            ("dunia", "Dunia"),
            ("hukum", "Hukum"),
            ("peristiwa", "Peristiwa"),
            ("pendidikan", "Pendidikan"),
            ("daerah", "Daerah"),
            ("pertahanan", "Pertahanan"),
            ("opini", "Opini"),
        ),
    ),
    (
        "bisnis",
        "Bisnis",
        (
            ("ekonomi-makro", "Ekonomi Makro"),
            ("keuangan", "Keuangan"),
            ("energi", "Energi"),
            ("properti", "Properti"),
            ("investasi", "Investasi"),
            ("usaha-kecil", "Usaha Kecil"),
            ("karier", "Karier"),
        ),
    ),
    (
        "bola",
        "Bola",
        (
            ("liga-lokal", "Liga Lokal"),
            ("liga-eropa", "Liga Eropa"),
            ("timnas-senior", "Timnas Senior"),
            ("timnas-muda", "Timnas Muda"),
            ("bola-dunia", "Bola Dunia"),
            ("jadwal-skor", "Jadwal dan Skor"),
        ),
    ),
    (
        "sport",
        "Sport",
        (
            ("bulu-tangkis", "Bulu Tangkis"),
            ("balap", "Balap"),
            ("basket", "Basket"),
            ("tinju", "Tinju"),
            ("voli", "Voli"),
            ("esport", "Esport"),
            ("atletik", "Atletik"),
        ),
    ),
    (
        "otomotif",
        "Otomotif",
        (
            ("mobil", "Mobil"),
            ("motor", "Motor"),
            ("kendaraan-listrik", "Kendaraan Listrik"),
            ("tips-berkendara", "Tips Berkendara"),
            ("modifikasi", "Modifikasi"),
            ("daftar-harga", "Daftar Harga"),
        ),
    ),
    (
        "digital",
        "Digital",
        (
            ("gawai", "Gawai"),
            ("aplikasi", "Aplikasi"),
            ("internet", "Internet"),
            ("sains", "Sains"),
            ("rintisan", "Rintisan"),
            ("gim", "Gim"),
        ),
    ),
    (
        "showbiz",
        "Showbiz",
        (
            ("selebriti", "Selebriti"),
            ("musik", "Musik"),
            ("film", "Film"),
            ("televisi", "Televisi"),
            ("asia", "Hiburan Asia"),
            ("kabar-artis", "Kabar Artis"),
        ),
    ),
    (
        "gaya-hidup",
        "Gaya Hidup",
        (
            ("kesehatan", "Kesehatan"),
            ("kuliner", "Kuliner"),
            ("wisata", "Wisata"),
            ("busana", "Busana"),
            ("keluarga", "Keluarga"),
            ("tren", "Tren"),
            ("zodiak", "Zodiak"),
        ),
    ),
    (
        "ragam",
        "Ragam",
        (
            ("round-up", "Round Up"),
            ("unik", "Unik"),
            ("cerita", "Cerita"),
            ("sejarah", "Sejarah"),
        ),
    ),
    ("foto", "Foto", (("berita-foto", "Berita Foto"), ("galeri", "Galeri"))),
    (
        "video",
        "Video",
        (("berita-video", "Berita Video"), ("siaran", "Siaran"), ("dokumenter", "Dokumenter")),
    ),
    ("infografik", "Infografik", ()),
)
# Labels of every menu hub, by path: "/bola" and "/berita/hukum".
MENU_HUBS: dict[str, str] = {
    **{f"/{kanal}": label for kanal, label, _ in MENU},
    **{f"/{kanal}/{sub}": sub_label for kanal, _, subs in MENU for sub, sub_label in subs},
}
# Invented sister sites and regional editions (".test" hosts).
NETWORK = (
    ("VIVA Jabar", "https://jabar.replika-viva.test/"),
    ("VIVA Jatim", "https://jatim.replika-viva.test/"),
    ("VIVA Jateng", "https://jateng.replika-viva.test/"),
    ("VIVA Bali", "https://bali.replika-viva.test/"),
    ("VIVA Sumut", "https://sumut.replika-viva.test/"),
    ("VIVA Sulsel", "https://sulsel.replika-viva.test/"),
    ("VIVA Banten", "https://banten.replika-viva.test/"),
    ("VIVA Kaltim", "https://kaltim.replika-viva.test/"),
    ("Kabar Layar", "https://kabarlayar.test/"),
    ("Sahabat Busana", "https://sahabatbusana.test/"),
    ("Dunia Motor Kita", "https://duniamotorkita.test/"),
    ("Intip Bintang", "https://intipbintang.test/"),
    ("Panggung Dangdut", "https://panggungdangdut.test/"),
    ("Warta Sehat", "https://wartasehat.test/"),
    ("Dapur Nusantara", "https://dapurnusantara.test/"),
    ("Jelajah Kita", "https://jelajahkita.test/"),
)
CORPORATE = (
    ("Tentang Kami", "/tentang-kami"),
    ("Redaksi", "/redaksi"),
    ("Pedoman Media Siber", "/pedoman-media-siber"),
    ("Kode Etik", "/kode-etik"),
    ("Karier", "/karier"),
    ("Kontak", "/kontak"),
    ("Iklan", "/iklan"),
    ("Kebijakan Privasi", "/kebijakan-privasi"),
    ("Syarat dan Ketentuan", "/syarat-ketentuan"),
    ("Disclaimer", "/disclaimer"),
    ("Peta Situs", "/peta-situs"),
    ("Indeks Berita", "/indeks"),
)
SOCIAL = ("facebook", "x", "instagram", "youtube", "tiktok", "whatsapp", "telegram", "threads")
OFFICES = (
    ("Kantor Redaksi", "Gedung Replika Lantai 7, Jalan Contoh Raya Nomor 12, Jakarta Selatan 10000"),
    ("Biro Bandung", "Jalan Percobaan Nomor 5, Kota Bandung 40000"),
    ("Biro Surabaya", "Kompleks Uji Coba Blok C-3, Kota Surabaya 60000"),
)
TRENDING_TAGS = tuple(dict.fromkeys((*words.GENERAL_TAGS, *(t for ts in words.TAGS.values() for t in ts))))
# (slot id, ad unit, sizes): the ad slots the page declares in its head and places in its chrome.
AD_SLOTS = (
    ("billboard", "/9000001/replika_viva/desktop/billboard", ((970, 250), (970, 90), (728, 90))),
    ("skin-left", "/9000001/replika_viva/desktop/skin_left", ((160, 600), (120, 600))),
    ("skin-right", "/9000001/replika_viva/desktop/skin_right", ((160, 600), (120, 600))),
    ("sidebar-top", "/9000001/replika_viva/desktop/sidebar_1", ((300, 250), (336, 280))),
    ("sidebar-middle", "/9000001/replika_viva/desktop/sidebar_2", ((300, 250), (300, 600))),
    ("sidebar-sticky", "/9000001/replika_viva/desktop/sidebar_3", ((300, 600), (160, 600))),
    ("footer-sticky", "/9000001/replika_viva/desktop/bottom_frame", ((970, 90), (728, 90))),
    ("interstitial", "/9000001/replika_viva/desktop/interstitial", ((1, 1),)),
    ("native-feed", "/9000001/replika_viva/desktop/native_1", (("fluid",),)),
)

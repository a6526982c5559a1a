"""Invented vocabulary for the replica portal: headline parts, tags, body phrases and names.

All of it is written for this project (Indonesian-looking, not taken from any real page). The
generator in `site.py` combines these; changing any list changes every generated site.
"""

from __future__ import annotations

# (kanal, sub, section label, topic): the topic picks the headline vocabulary.
KANALS: tuple[tuple[str, str | None, str, str], ...] = (
    ("berita", "nasional", "Nasional", "news"),
    ("berita", "politik", "Politik", "news"),
    ("berita", "metro", "Metro", "news"),
    ("berita", "dunia", "Dunia", "news"),
    ("bisnis", None, "Bisnis", "biz"),
    ("bola", None, "Bola", "sport"),
    ("sport", None, "Sport", "sport"),
    ("otomotif", None, "Otomotif", "oto"),
    ("digital", None, "Digital", "tech"),
    ("showbiz", None, "Showbiz", "show"),
    ("gaya-hidup", "kesehatan", "Kesehatan", "life"),
    ("gaya-hidup", "kuliner", "Kuliner", "life"),
    ("ragam", "round-up", "Round Up", "news"),
)


def split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|"))


# Headline vocabulary per topic: (subjects, predicates, place links). The place is always last.
HEADLINES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "news": (
        split("Gubernur|Bupati|Menteri Dalam Negeri|Polisi|Warga|DPRD|KPU|Relawan & TNI"),
        split(
            "Tinjau Lokasi Banjir|Resmikan Jembatan Baru|Bahas Anggaran Sekolah|"
            "Gelar Rapat Darurat|Tangkap Pelaku Pencurian|Siapkan Posko Mudik"
        ),
        split("di|di Kabupaten|di Kota|di Desa|di Kecamatan"),
    ),
    "biz": (
        split("Harga Cabai|Bank Sentral|Investor Asing|Pelaku UMKM|Harga Emas|BUMN & Swasta"),
        split("Naik Lagi|Turun Tajam|Borong Saham Energi|Perluas Pasar Ekspor|Bangun Gudang"),
        split("di|di Pasar|di Kawasan Industri"),
    ),
    "sport": (
        split("Timnas U-23|Pelatih Timnas|Atlet Bulu Tangkis|Pebalap Muda|Klub Promosi"),
        split("Menang Tipis|Tumbang Lagi|Juara Turnamen|Jalani Latihan Perdana"),
        split("di|di Stadion|di GOR"),
    ),
    "oto": (
        split("Mobil Listrik Baru|Motor Matik|Pabrikan Jepang|Komunitas Motor Klasik"),
        split("Meluncur|Diuji Jalan|Pamer Teknologi Hemat|Gelar Touring"),
        split("di|di Sirkuit|ke"),
    ),
    "tech": (
        split("Aplikasi Dompet Digital|Startup Lokal|Ponsel Lipat|Layanan Internet Desa"),
        split("Resmi Dirilis|Raih Pendanaan Baru|Diserbu Pembeli|Uji Coba Jaringan"),
        split("di|di Kota"),
    ),
    "show": (
        split("Penyanyi Dangdut|Aktris Senior|Band Indie|Sutradara Muda"),
        split("Gelar Konser Amal|Rilis Lagu 'Senja di Pelabuhan'|Syuting Film Horor|Umumkan Tur"),
        split("di|di Kota"),
    ),
    "life": (
        split("Dokter Gizi|Resep Soto Rumahan|Tren Wisata Alam|Kopi Robusta|Warga Lansia"),
        split("Bagikan Tips Sehat|Jadi Favorit Wisatawan|Ramai Dibicarakan|Kian Diminati"),
        split("di|di Desa|di Kota"),
    ),
}
TAGS: dict[str, tuple[str, ...]] = {
    "news": split("Pemerintah Daerah|Banjir|Pemilu 2027|Kepolisian|Mudik"),
    "biz": split("Inflasi|UMKM|Harga Pangan|Pasar Saham"),
    "sport": split("Timnas Indonesia|Liga 1|Bulu Tangkis|MotoGP"),
    "oto": split("Mobil Listrik|Sepeda Motor|Modifikasi"),
    "tech": split("Aplikasi|Startup|Ponsel|Internet"),
    "show": split("Musik|Film Indonesia|Selebriti"),
    "life": split("Kesehatan|Kuliner|Wisata|Gaya Hidup"),
}
GENERAL_TAGS = split("Viral|Terpopuler Pekan Ini|Jakarta|Ekonomi Daerah")

# Body vocabulary. Caption prefixes ("Ilustrasi", "Suasana", "Tampak") never occur here, so no
# caption can be a substring of the gold text.
SUBJECTS = split(
    "Pemerintah daerah|Para pedagang|Sejumlah warga|Petugas gabungan|"
    "Pihak kepolisian|Panitia penyelenggara|Tim peneliti|Kementerian terkait|"
    "Pengurus koperasi|Kepala dinas|Para pelajar|Kelompok tani"
)
VERBS = split(
    "menyiapkan|membahas|meninjau|mengumumkan|memperkuat|mengevaluasi|"
    "menyalurkan|mendata|memperluas|menunda|mengawasi|merapikan"
)
OBJECTS = split(
    "anggaran tambahan|program bantuan sosial|jadwal kegiatan|sistem pengawasan|"
    "rencana pembangunan jalan|stok bahan pokok|layanan kesehatan gratis|"
    "fasilitas umum|data penerima manfaat|jalur distribusi|sarana air bersih|"
    "pelatihan keterampilan"
)
ADVERBIALS = split(
    "sejak pekan lalu|pada Senin pagi|dalam beberapa hari terakhir|"
    "menjelang akhir tahun|secara bertahap|bersama pemerintah pusat|"
    "di sejumlah wilayah|untuk mengantisipasi lonjakan permintaan|"
    "sesuai arahan pimpinan|hingga batas waktu yang ditentukan"
)
ROLES = split(
    "juru bicara dinas setempat|ketua panitia|pengamat kebijakan publik|"
    "kepala bidang pelayanan|tokoh masyarakat"
)
FIRST = split("Rina|Agus|Dewi|Bambang|Siti|Hendra|Putri|Yusuf|Maya|Rizky|Fajar|Lestari|Dimas|Ayu|Teguh|Nanda")
LAST = split("Kusuma|Saputra|Wibowo|Hidayat|Pratama|Santoso|Nugroho|Siregar|Rahmawati|Harahap|Wijaya|Gunawan")
SYLLABLES = split("ba|ka|la|ma|na|ra|sa|ta|wa|ja|di|ri|si|lo|mo|ro|ku|nu|tu|gu")

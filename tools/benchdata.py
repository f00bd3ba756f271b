"""A synthetic national directory of Malaysian welfare services, for benchmarks.

`write_directory` streams HSDS 3.0 "full service" records (NDJSON, the shape of
`shared/eval/services.ndjson`) built from templates in Malay, about half with English text
too: services of 47 kinds across every state and district, by population. Every
organisation is marked `"sample": true`; names, phones and addresses are invented.
`queries` gives a fixed mix of searches to time against it. Both are deterministic for a
seed. Organisations and locations are derived from their index alone, so services can
share them while the writer keeps only a small cache (constant memory).
"""

import json
import random
import re
import uuid
from datetime import date, timedelta
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

NAMESPACE = uuid.UUID("b7e0cbda-95e5-4257-9a6c-5afd7108347d")
ASSURED_UNTIL = date(2026, 11, 1)  # fixed, so that the data does not change with the day
ASSURED_SHARE, ENGLISH_SHARE = 0.4, 0.5
KIND_AFFINITY = 0.6  # chance that a service is of its organisation's main kind
OWN_LOCATION = 0.9  # chance that service i sits at location i (else at any location)
LAT_RANGE, LNG_RANGE = (1.25, 6.75), (99.75, 119.15)
DESCRIPTION_WORDS = (15, 60)

# "=state|population (thousands, 2020)|postcode range (thousands)|landline areas|jitter (deg):"
# then "district|lat|lng|towns" separated by ";", largest district first. Line breaks count
# as spaces in all these blocks.
PLACES = """
=Selangor|6994|40-48|3|0.15: Petaling|3.10|101.60|Petaling Jaya/Shah Alam/Subang Jaya/Puchong; Hulu
Langat|3.07|101.80|Kajang/Cheras/Semenyih/Bangi; Klang|3.04|101.45|Klang/Port Klang/Kapar;
Gombak|3.26|101.65|Selayang/Rawang/Batu Caves; Sepang|2.83|101.72|Salak Tinggi/Dengkil/Cyberjaya;
Kuala Langat|2.82|101.52|Banting/Jenjarom; Kuala Selangor|3.34|101.25|Kuala Selangor/Jeram; Hulu
Selangor|3.56|101.65|Kuala Kubu Bharu/Batang Kali/Serendah; Sabak Bernam|3.68|100.99|Sabak
=Johor|4010|79-86|7|0.15: Johor Bahru|1.52|103.75|Johor Bahru/Skudai/Pasir Gudang/Iskandar Puteri;
Batu Pahat|1.85|102.93|Batu Pahat/Yong Peng; Kluang|2.03|103.32|Kluang/Simpang Renggam;
Muar|2.04|102.57|Muar/Bakri/Pagoh; Kulai|1.66|103.60|Kulai/Senai;
Segamat|2.51|102.82|Segamat/Labis; Kota Tinggi|1.73|103.90|Kota Tinggi/Bandar Penawar;
Pontian|1.49|103.39|Pontian/Pekan Nanas; Tangkak|2.27|102.55|Tangkak/Sagil;
Mersing|2.43|103.84|Mersing/Endau
=Sabah|3418|88-91|88/89/87|0.15: Kota Kinabalu|5.98|116.07|Kota Kinabalu/Inanam/Likas;
Tawau|4.24|117.89|Tawau/Balung; Sandakan|5.84|118.12; Lahad Datu|5.03|118.33; Keningau|5.34|116.16;
Penampang|5.92|116.11|Donggongon; Semporna|4.48|118.61; Papar|5.73|115.93|Papar/Kinarut;
Putatan|5.88|116.05|Putatan/Lok Kawi; Tuaran|6.18|116.23|Tuaran/Tamparuli;
Kinabatangan|5.55|117.85; Ranau|5.95|116.66|Ranau/Kundasang; Kota Belud|6.35|116.43;
Beaufort|5.35|115.75|Beaufort/Membakut; Kudat|6.60|116.85; Beluran|5.89|117.55|Beluran/Telupid;
Kunak|4.68|118.25; Tenom|5.12|115.95; Sipitang|5.08|115.55; Kota Marudu|6.49|116.74
=Perak|2497|30-36|5|0.15: Kinta|4.60|101.09|Ipoh/Batu Gajah/Menglembu; Larut, Matang dan
Selama|4.85|100.74|Taiping/Kamunting; Manjung|4.21|100.66|Sitiawan/Lumut/Seri Manjung;
Kerian|5.03|100.48|Parit Buntar/Bagan Serai; Hilir Perak|3.97|101.03|Teluk Intan/Langkap; Batang
Padang|4.08|101.29|Tapah/Bidor/Sungkai; Kampar|4.31|101.15|Kampar/Gopeng; Kuala
Kangsar|4.77|100.94|Kuala Kangsar/Sungai Siput; Perak Tengah|4.35|100.90|Seri Iskandar/Parit;
Muallim|3.70|101.52|Tanjung Malim/Slim River; Hulu Perak|5.45|101.13|Gerik/Lenggong; Bagan
Datuk|3.99|100.78|Bagan Datuk/Hutan Melintang
=Sarawak|2453|93-98|82/83/84/85/86|0.15: Kuching|1.55|110.34|Kuching/Petra Jaya/Batu Kawa/Padawan;
Miri|4.40|113.99|Miri/Lutong; Sibu|2.29|111.83; Bintulu|3.17|113.04|Bintulu/Sebauh;
Samarahan|1.46|110.49|Kota Samarahan/Asajaya; Serian|1.30|110.57; Sri Aman|1.30|111.46;
Sarikei|2.13|111.52|Sarikei/Bintangor; Kapit|2.02|112.93|Kapit/Song; Mukah|2.90|112.09|Mukah/Dalat;
Betong|1.41|111.53|Betong/Spaoh; Limbang|4.75|115.01; Lawas|4.85|115.41; Bau|1.42|110.15;
Marudi|4.18|114.32
=Kedah|2131|05-09|4|0.15: Kuala Muda|5.65|100.49|Sungai Petani/Bedong; Kota Setar|6.12|100.37|Alor
Setar/Langgar; Kulim|5.37|100.56|Kulim/Lunas; Kubang Pasu|6.40|100.43|Jitra/Changlun;
Baling|5.68|100.92; Pendang|5.99|100.48; Langkawi|6.35|99.85|Kuah/Padang Matsirat;
Yan|5.80|100.38|Yan/Guar Chempedak; Sik|5.81|100.74; Padang Terap|6.25|100.62|Kuala Nerang; Pokok
Sena|6.17|100.52; Bandar Baharu|5.13|100.49|Serdang/Lubuk Buntar
=Wilayah Persekutuan Kuala Lumpur|1982|50-60|3|0.03: Kepong|3.21|101.64|Kepong/Jinjang;
Cheras|3.09|101.74|Cheras/Taman Connaught; Segambut|3.19|101.67; Titiwangsa|3.17|101.70; Wangsa
Maju|3.20|101.74; Bukit Bintang|3.15|101.71; Seputeh|3.11|101.68; Lembah
Pantai|3.11|101.67|Bangsar/Pantai Dalam; Bandar Tun Razak|3.07|101.72; Setiawangsa|3.18|101.73
=Kelantan|1792|15-18|9|0.15: Kota Bharu|6.13|102.24|Kota Bharu/Kubang Kerian; Pasir
Mas|6.04|102.14|Pasir Mas/Rantau Panjang; Tumpat|6.20|102.17|Tumpat/Wakaf Bharu;
Bachok|6.07|102.40; Pasir Puteh|5.83|102.40; Tanah Merah|5.81|102.15; Machang|5.76|102.22; Kuala
Krai|5.53|102.20; Gua Musang|4.88|101.97; Jeli|5.70|101.84|Jeli/Ayer Lanas
=Pulau Pinang|1740|10-14|4|0.1: Timur Laut|5.41|100.31|George Town/Jelutong/Air Itam; Seberang
Perai Tengah|5.36|100.46|Bukit Mertajam/Perai; Seberang Perai Utara|5.45|100.40|Butterworth/Kepala
Batas; Barat Daya|5.33|100.24|Bayan Lepas/Balik Pulau; Seberang Perai Selatan|5.20|100.48|Nibong
Tebal/Simpang Ampat
=Pahang|1591|25-28|9|0.15: Kuantan|3.81|103.33|Kuantan/Beserah/Gambang;
Temerloh|3.45|102.42|Temerloh/Mentakab; Bentong|3.52|101.91|Bentong/Karak;
Maran|3.58|102.77|Maran/Bandar Pusat Jengka; Jerantut|3.94|102.36; Pekan|3.49|103.39;
Raub|3.79|101.86; Lipis|4.18|102.05|Kuala Lipis/Benta; Rompin|2.80|103.49|Kuala Rompin/Muadzam
Shah; Bera|3.24|102.45|Bandar Bera/Triang; Cameron Highlands|4.47|101.38|Tanah
Rata/Brinchang/Ringlet
=Negeri Sembilan|1199|70-73|6|0.15:
Seremban|2.73|101.94|Seremban/Nilai/Rasah/Ampangan/Lenggeng/Rantau/Labu; Port
Dickson|2.52|101.80|Port Dickson/Linggi/Pasir Panjang/Si Rusa;
Jempol|2.90|102.40|Bahau/Rompin/Serting; Kuala Pilah|2.74|102.25|Kuala Pilah/Johol/Sri
Menanti/Terachi; Tampin|2.47|102.23|Tampin/Gemas/Gemencheh;
Rembau|2.59|102.09|Rembau/Pedas/Chembong; Jelebu|3.03|102.07|Kuala Klawang/Pertang/Peradong
=Terengganu|1149|20-24|9|0.15: Kuala Terengganu|5.33|103.14;
Kemaman|4.23|103.42|Chukai/Kijal/Kerteh; Dungun|4.76|103.41|Dungun/Paka;
Besut|5.73|102.55|Jerteh/Kuala Besut; Kuala Nerus|5.38|103.07|Gong Badak/Batu Rakit;
Marang|5.21|103.21; Hulu Terengganu|5.07|103.01|Kuala Berang; Setiu|5.52|102.74|Permaisuri/Penarik
=Melaka|999|75-78|6|0.1: Melaka Tengah|2.20|102.25|Melaka/Ayer Keroh/Bukit Baru; Alor
Gajah|2.38|102.21|Alor Gajah/Masjid Tanah; Jasin|2.31|102.43|Jasin/Merlimau
=Perlis|284|01-02|4|0.06: Kangar|6.44|100.20|Kangar/Kuala Perlis; Arau|6.43|100.27|Arau/Simpang
Empat; Padang Besar|6.60|100.30
=Wilayah Persekutuan Putrajaya|109|62-62|3|0.03: Putrajaya|2.93|101.69
=Wilayah Persekutuan Labuan|100|87-87|87|0.05: Labuan|5.28|115.24|Labuan/Layang-Layangan
"""

# Kinds, most common first: "@flags (j: run by JKM)|target groups|needs", then ~N names and
# ~D descriptions (";" between templates), ~E English name, ~F English description.
# Templates: {a|b} picks one, <P> town, <D> district, <S> state, <K> village, <Y> year.
KINDS = """
@-|keluarga B40,warga emas|makanan ~N Bank Makanan <P>; Bantuan Makanan {Komuniti|Prihatin} <P>;
Agihan Bakul Makanan <D> ~D {Bakul makanan|Barangan dapur|Beras dan barang keperluan} untuk
keluarga {miskin|B40|yang memerlukan} setiap {bulan|minggu}.; Agihan {makanan|bahan mentah} kepada
{asnaf|keluarga B40|warga emas yang tinggal sendirian} di <P> dan kawasan sekitar. ~E Food bank <P>
~F {Food baskets|Groceries} for families in need every {month|week}.
@-|warga emas|penjagaan,kesihatan ~N Pusat Jagaan Harian Warga Emas <P>; Pusat Jagaan
{Siang|Harian} {Warga Emas|Orang Tua} <P>; Taman Jagaan Warga Emas <D> ~D Penjagaan harian untuk
{warga emas|ibu bapa yang lanjut usia|orang tua} semasa {anak-anak|keluarga} bekerja.; Tempat
{selamat|selesa} untuk warga emas pada waktu siang, dengan makan tengah hari dan {fisioterapi
ringan|senaman ringan|aktiviti minda}.; Jagaan siang bagi {warga emas|orang tua} yang {tinggal
seorang diri|uzur|memerlukan pengawasan} di sekitar <P>. ~E Elderly day care centre <P> ~F Day care
for {older people|elderly parents} while their families are at work, with lunch and {light
exercise|physiotherapy}.
@-|kanak-kanak,keluarga B40|penjagaan,pendidikan ~N Taska {Permata|Comel|Ceria|Bestari|Kasih} <P>;
Taman Asuhan Kanak-Kanak <P>; Taska Komuniti <K> ~D Taska berdaftar dengan JKM untuk kanak-kanak
{bawah empat tahun|berumur 2 bulan hingga 4 tahun}.; Penjagaan {harian|siang} kanak-kanak dengan
{yuran rendah|yuran berpatutan|subsidi} untuk ibu bapa yang bekerja.; {Asuhan|Jagaan} awal
kanak-kanak dengan {makanan berkhasiat|aktiviti bermain|pembelajaran awal}. ~E {Childcare
centre|Nursery} <P> ~F {Registered|Affordable} childcare for children under four while parents
work.
@-|kanak-kanak,keluarga B40|pendidikan ~N Kelas Tuisyen Percuma <P>; Tuisyen {Rakyat|Komuniti} <P>;
Program Bimbingan {UPSR|PT3|SPM} <D> ~D Kelas tuisyen {percuma|berbayar rendah} untuk murid
{sekolah rendah|sekolah menengah} daripada keluarga {B40|berpendapatan rendah}.; Bimbingan
{Matematik|Sains|Bahasa Inggeris|Bahasa Melayu} oleh {guru sukarela|pelajar universiti} pada hujung
minggu. ~E Free tuition classes <P> ~F Free tuition for {primary|secondary} school pupils from
low-income families.
@-|keluarga B40,wanita/ibu tunggal|kaunseling ~N Khidmat Kaunseling Keluarga <P>; Klinik Kaunseling
{Keluarga|Kasih} <P>; Kaunseling Keluarga dan Perkahwinan <D> ~D Sesi kaunseling {percuma|sulit}
untuk {pasangan suami isteri|keluarga|ibu bapa} yang menghadapi {konflik|masalah rumah
tangga|tekanan}.; Kaunselor berdaftar membantu keluarga {berbincang|menyelesaikan masalah} secara
{bersemuka|dalam talian}. ~E Family counselling <P> ~F {Free|Confidential} counselling for couples
and families facing {conflict|stress}.
@-|OKU,kanak-kanak|penjagaan,kesihatan,pendidikan ~N Pusat Pemulihan Dalam Komuniti (PDK) <P>; PDK
<P>; Pemulihan Dalam Komuniti {<P>|<D>} ~D Pemulihan {berasaskan komuniti|dalam komuniti} untuk
OKU: {fisioterapi|terapi cara kerja|terapi pertuturan} dan latihan kemahiran hidup.; Kanak-kanak
dan dewasa OKU mendapat {intervensi awal|pemulihan|pendidikan khas} dekat dengan rumah, dan pelatih
menerima elaun RM300. ~E Community-based rehabilitation centre (PDK) <P> ~F Rehabilitation close to
home for people with disabilities: {physiotherapy|occupational therapy|speech therapy} and life
skills.
@-|warga emas|penjagaan,kesihatan ~N Pusat Aktiviti Warga Emas (PAWE) <P>; PAWE <D>; Pusat Aktiviti
Warga Emas <K> ~D Pusat aktiviti {percuma|harian} untuk warga emas: {senaman|kelas agama|kraf
tangan|pemeriksaan kesihatan} dan {aktiviti sosial|rekreasi}.; Warga emas {dialu-alukan|digalakkan}
datang untuk {bersenam|bersosial|belajar kemahiran baharu} bersama rakan sebaya. ~E Senior citizens
activity centre (PAWE) <P> ~F A free activity centre for older people: {exercise|health
checks|crafts} and company.
@-|keluarga B40,warga emas|makanan ~N Dapur {Rakyat|Jalanan|Prihatin} <P>; Makanan Bermasak Percuma
<P> ~D Makanan {bermasak|panas} percuma {setiap malam|pada hujung minggu|setiap hari} untuk
{gelandangan|sesiapa yang lapar|keluarga susah}.; {Sukarelawan|Ahli kariah} memasak dan mengagihkan
makanan kepada yang memerlukan. ~E Community kitchen <P> ~F Free {hot|cooked} meals for {homeless
people|anyone who is hungry}.
@-|keluarga B40,warga emas|kesihatan ~N Klinik Kesihatan Bergerak <D>; Pemeriksaan Kesihatan
Percuma <P>; Klinik {Komuniti|Rakyat} <P> ~D Pemeriksaan {tekanan darah|gula dalam
darah|kolesterol} dan rawatan asas percuma di {kawasan luar bandar|balai raya|masjid}.; Doktor
sukarela memberi {rawatan|ubat} asas kepada penduduk yang {jauh dari klinik|tiada insurans}. ~E
Mobile health clinic <D> ~F Free {blood pressure|blood sugar} checks and basic treatment in rural
areas.
@-|wanita/ibu tunggal,keluarga B40|pekerjaan,pendidikan ~N Kelas Kemahiran {Jahitan|Masakan|Kraf
Tangan|Andaman} <P>; Bengkel Keusahawanan Wanita <D> ~D Kelas {jahitan|masakan|bakeri|solekan}
untuk {ibu tunggal|suri rumah|wanita} yang ingin menjana pendapatan.; Latihan kemahiran dan
{modal|bimbingan} perniagaan kecil untuk wanita {B40|di <P>}. ~E Skills classes <P> ~F
{Sewing|Cooking|Baking} classes for women who want to earn an income.
@j|warga emas|bantuan kewangan ~N Bantuan Warga Emas (BWE) <D>; Permohonan Bantuan Warga Emas <D>
~D Bantuan bulanan RM600 untuk warga emas 60 tahun ke atas yang {miskin|berpendapatan bawah PGK}
dan tidak tinggal di institusi JKM.; Warga emas {miskin|tanpa sokongan keluarga} boleh memohon
bantuan kewangan bulanan JKM. ~E Older persons assistance (BWE) <D> ~F Monthly RM600 for people
aged 60 or older in poor households.
@j|kanak-kanak,keluarga B40|bantuan kewangan ~N Bantuan Kanak-Kanak (BKK) <D>; Permohonan Bantuan
Kanak-Kanak <D> ~D Bantuan bulanan JKM {RM250 seorang|sehingga RM1,000 sekeluarga} untuk
kanak-kanak daripada isi rumah berpendapatan bawah PGK.; Bantuan kewangan bulanan untuk {keluarga
miskin|ibu tunggal} yang menanggung anak bawah 18 tahun. ~E Child assistance (BKK) <D> ~F Monthly
JKM payments for children in households below the poverty line.
@j|OKU|bantuan kewangan ~N Pendaftaran Kad OKU <D>; Pendaftaran OKU Jabatan Kebajikan Masyarakat
<D> ~D Pendaftaran {sukarela|percuma} dan kad OKU: bawa borang BPPOKU yang ditandatangani doktor,
salinan MyKad dan gambar.; OKU berdaftar layak memohon {bantuan JKM|elaun|alat sokongan} dan
{diskaun|pengecualian yuran}. ~E Disability (OKU) registration <D> ~F Voluntary registration and
OKU card: bring form BPPOKU signed by a doctor and a MyKad copy.
@-|OKU,warga emas|alat sokongan OKU ~N Pinjaman Alat Sokongan OKU <P>; Bank {Kerusi Roda|Alat
Sokongan} <P> ~D Pinjaman {percuma|jangka pendek} {kerusi roda|katil hospital|alat bantu
berjalan|tongkat} untuk OKU dan warga emas.; Alat sokongan {terpakai|yang didermakan} dipinjamkan
kepada pesakit selepas {keluar wad|pembedahan}. ~E Mobility aid loans <P> ~F Free loans of
{wheelchairs|hospital beds|walkers} for disabled and older people.
@-|warga emas,OKU|kesihatan ~N Pengangkutan ke Hospital <P>; Van Ihsan <P>; Khidmat {Van|Kereta}
Sukarelawan <D> ~D Pengangkutan {percuma|bersubsidi} ke {hospital|klinik|pusat dialisis} untuk
warga emas dan OKU.; Sukarelawan {menghantar|membawa} pesakit ke temu janji {hospital|klinik} dan
pulang. ~E Transport to hospital <P> ~F {Free|Subsidised} transport to {hospital|clinic|dialysis}
for older and disabled people.
@-|keluarga B40,wanita/ibu tunggal|bantuan kewangan,makanan ~N Bantuan Asnaf Zakat <D>; Agihan
Zakat {Masjid|Kariah} <P> ~D Bantuan {zakat|kewangan|sara hidup} untuk {asnaf|fakir miskin|mualaf}
yang layak.; Bantuan {persekolahan|perubatan|sewa} daripada dana zakat untuk keluarga susah. ~E
Zakat assistance <D> ~F {Zakat|Living cost} assistance for eligible poor households.
@j|OKU|pekerjaan ~N Bengkel Terlindung OKU <P>; Bengkel {Daya|Sinar|Seri} <D>; Bengkel Terlindung
<D> ~D Latihan kerja dan {pekerjaan|pendapatan} untuk OKU dewasa di bengkel terlindung:
{jahitan|pembungkusan|pertukangan|kraf tangan}.; OKU {bekerja|dilatih} dalam suasana
{selamat|terlindung} dan menerima elaun. ~E Sheltered workshop for disabled people <P> ~F Work
training and paid work for disabled adults: {sewing|packaging|woodwork|crafts}.
@-|mangsa keganasan rumah tangga,wanita/ibu tunggal|perlindungan,tempat tinggal,kaunseling ~N Rumah
Perlindungan Wanita <S>; Rumah {Perlindungan|Selamat} {Wanita|Kasih} <D>; Pusat Perlindungan Wanita
dan Kanak-Kanak <S> ~D Tempat tinggal {sementara|selamat} untuk wanita dan kanak-kanak mangsa
keganasan rumah tangga, dan alamat dirahsiakan.; Perlindungan, kaunseling dan {bantuan
guaman|sokongan emosi} untuk {wanita|ibu} yang {didera|dalam bahaya}. ~E Women's shelter <D> ~F
{Temporary|Safe} shelter for women and children escaping domestic violence.
@-|mangsa keganasan rumah tangga,wanita/ibu tunggal,keluarga B40|guaman ~N Klinik Guaman
{Percuma|Rakyat} <D>; Khidmat Nasihat Guaman <P>; Bantuan Guaman <S> ~D Nasihat guaman
{percuma|sulit} tentang {perceraian|nafkah anak|hak penjagaan|perintah perlindungan|hutang}.;
Peguam sukarela membantu {mangsa keganasan rumah tangga|ibu tunggal|keluarga berpendapatan rendah}
{memahami hak mereka|memfailkan permohonan}. ~E Legal aid clinic <D> ~F Free legal advice on
{divorce|child maintenance|protection orders|debt}.
@-|kanak-kanak|kaunseling,pendidikan ~N Pusat Sokongan Remaja <P>; Kaunseling Remaja <D> ~D
Kaunseling dan bimbingan untuk remaja yang {ponteng sekolah|terlibat dengan
dadah|tertekan|bermasalah disiplin}.; Ruang selamat untuk remaja {bercerita|mendapatkan nasihat}
dengan kaunselor {terlatih|muda}. ~E Youth counselling <P> ~F Counselling and mentoring for
teenagers who are {struggling at school|under stress|at risk}.
@-|kanak-kanak,keluarga B40|pendidikan ~N Tadika {Komuniti|Desa|Nurul Iman|Cahaya} <P>; Prasekolah
Komuniti <K> ~D Pendidikan prasekolah untuk kanak-kanak {4 hingga 6 tahun|berumur lima dan enam
tahun} dengan yuran {rendah|berpatutan}.; Kelas {membaca|mengira|menulis} dan {bermain|bernyanyi}
untuk kanak-kanak prasekolah. ~E Community kindergarten <P> ~F Preschool classes for children aged
{four to six|five and six} at {low fees|an affordable fee}.
@-|wanita/ibu tunggal|kaunseling,pekerjaan ~N Kumpulan Sokongan Ibu Tunggal <P>; Kelab Ibu Tunggal
<D> ~D Pertemuan bulanan untuk ibu tunggal {berkongsi pengalaman|mendapat sokongan} dan maklumat
bantuan.; Sokongan {emosi|kewangan|kerjaya} untuk ibu tunggal dan anak-anak. ~E Single mothers
support group <P> ~F Monthly meetings where single mothers share experiences and learn about help.
@-|warga emas,OKU|penjagaan,kesihatan ~N Jagaan Di Rumah Warga Emas <P>; Khidmat
{Jururawat|Penjaga} ke Rumah <D> ~D {Jururawat|Penjaga terlatih} melawat warga emas dan OKU di
rumah untuk {mandi|rawatan luka|ubat}.; Jagaan di rumah untuk {warga emas terlantar|pesakit strok}
supaya keluarga dapat berehat. ~E Home care for older people <P> ~F Trained carers visit older and
disabled people at home.
@j|OKU,warga emas|bantuan kewangan,penjagaan ~N Bantuan Penjagaan OKU Terlantar (BPT) <D>; Bantuan
Penjaga Pesakit Kronik Terlantar <D> ~D Bantuan RM500 sebulan untuk penjaga sepenuh masa OKU atau
pesakit kronik yang terlantar.; Penjaga kepada {ahli keluarga terlantar|pesakit kronik|OKU
terlantar} dengan pendapatan isi rumah tidak melebihi RM3,000 layak memohon. ~E Carer allowance for
bedridden patients (BPT) <D> ~F RM500 a month for full-time carers of bedridden disabled people or
chronic patients.
@j|OKU|bantuan kewangan,pekerjaan ~N Elaun Pekerja OKU (EPOKU) <D>; Permohonan EPOKU <D> ~D Elaun
bulanan RM450 untuk OKU berdaftar yang bekerja dan berpendapatan tidak melebihi RM1,500.; Insentif
{bulanan|JKM} supaya OKU {terus bekerja|berdikari}. ~E Disabled workers allowance (EPOKU) <D> ~F A
monthly allowance for registered disabled people who work and earn up to RM1,500.
@j|OKU|bantuan kewangan ~N Bantuan OKU Tidak Berupaya Bekerja (BTB) <D>; Bantuan OKU Tidak Bekerja
<D> ~D Bantuan bulanan RM300 untuk OKU berdaftar yang tidak berupaya bekerja.; OKU {16 tahun ke
atas|dewasa} yang {tidak boleh bekerja|terlantar} boleh memohon bantuan bulanan. ~E Assistance for
disabled people unable to work (BTB) <D> ~F Monthly help for registered disabled people who cannot
work.
@j|OKU|alat sokongan OKU,bantuan kewangan ~N Bantuan Alat Tiruan dan Alat Sokongan (BAT) <D>;
Bantuan Alat Sokongan OKU <D> ~D Bantuan membeli {kerusi roda|alat bantu pendengaran|kaki
palsu|tilam angin} atas syor doktor atau pegawai JKM.; Kos {alat tiruan|alat sokongan} ditanggung
untuk OKU berpendapatan bawah PGK. ~E Assistive devices assistance (BAT) <D> ~F Help to buy {a
wheelchair|hearing aids|a prosthetic leg} when a doctor recommends it.
@j|keluarga B40|bantuan kewangan ~N Bantuan Am {Persekutuan|Negeri} <D>; Bantuan Kewangan Am <D> ~D
Bantuan kewangan {bulanan|sementara} untuk {isi rumah miskin|keluarga dalam kesusahan} yang tidak
menerima bantuan JKM lain.; Bantuan {sekali beri|bulanan} untuk keluarga yang {kehilangan
pendapatan|ditimpa musibah}. ~E General financial assistance <D> ~F {Monthly|One-off} financial
help for poor households.
@-|keluarga B40|pekerjaan,pendidikan ~N Latihan Kemahiran Belia <D>; Program {Kerjaya|Latihan
Vokasional} <P> ~D Kursus {kimpalan|pendawaian elektrik|baiki motosikal|penyejuk hawa} untuk belia
{lepasan sekolah|menganggur}.; Latihan {teknikal|vokasional} bertauliah dan bantuan mencari kerja.
~E Youth skills training <D> ~F Certified {technical|vocational} training for young people looking
for work.
@-|OKU|pekerjaan ~N Program Penempatan Kerja OKU <D>; Khidmat Kerjaya OKU <S> ~D Membantu OKU
mencari {pekerjaan|kerja yang sesuai} dan {menyediakan resume|bersedia untuk temu duga}.; Padanan
kerja dengan majikan {mesra OKU|yang menyokong inklusi} serta jurulatih kerja. ~E Job placement for
disabled people <D> ~F Helps disabled people find work and prepare for interviews.
@-|kanak-kanak,keluarga B40|pendidikan,bantuan kewangan ~N Bantuan Persekolahan <P>; Tabung
{Pakaian Sekolah|Persekolahan} <D> ~D {Pakaian seragam|Kasut sekolah|Alat tulis|Beg sekolah}
percuma untuk murid daripada keluarga B40.; Bantuan {awal persekolahan|yuran|buku} setiap
{Disember|awal tahun}. ~E School supplies assistance <P> ~F Free {uniforms|school shoes|stationery}
for pupils from low-income families.
@-|kanak-kanak|tempat tinggal,pendidikan ~N Rumah Anak Yatim <P>; Pusat Jagaan Anak Yatim dan
Miskin <D> ~D Tempat tinggal, makanan dan pendidikan untuk anak yatim dan kanak-kanak
{miskin|asnaf}.; Anak-anak {yatim|piatu} dijaga dan dibantu ke sekolah sehingga {tamat SPM|dewasa}.
~E Orphanage <P> ~F A home, meals and schooling for orphans and poor children.
@-|keluarga B40,wanita/ibu tunggal|kesihatan,kaunseling ~N Sokongan Kesihatan Mental <P>; Talian
Sokongan Emosi <S>; Kumpulan Sokongan {Kemurungan|Kesihatan Mental} <D> ~D Sokongan
{emosi|psikososial} untuk sesiapa yang {tertekan|murung|cemas|berfikir untuk membunuh diri}.; Sesi
{kumpulan|individu} bersama {kaunselor|ahli psikologi} secara sulit. ~E Mental health support <P>
~F Confidential emotional support for anyone who feels {stressed|depressed|anxious}.
@-|kanak-kanak,OKU|pendidikan,kesihatan ~N Program Intervensi Awal Kanak-Kanak <P>; Pusat Autisme
<P>; Terapi Pertuturan Kanak-Kanak <D> ~D Intervensi awal untuk kanak-kanak {autisme|sindrom
Down|lambat bercakap|ADHD} berumur bawah 6 tahun.; Terapi {pertuturan|cara kerja|tingkah laku} dan
bimbingan untuk ibu bapa. ~E Early intervention for children <P> ~F Early intervention for young
children with {autism|Down syndrome|speech delay}.
@-|keluarga B40|kesihatan,bantuan kewangan ~N Pusat Dialisis {Amal|Kebajikan} <P>; Dialisis
Bersubsidi <P> ~D Rawatan {hemodialisis|dialisis} bersubsidi untuk pesakit buah pinggang daripada
keluarga {B40|miskin}.; Pesakit buah pinggang mendapat dialisis {tiga kali seminggu|berjadual}
dengan bayaran rendah. ~E Charity dialysis centre <P> ~F Subsidised dialysis for kidney patients
from low-income families.
@-|keluarga B40,warga emas|tempat tinggal ~N Program Baik Pulih Rumah <D>; Projek {Baiki|Baik
Pulih} Rumah Asnaf <P> ~D Sukarelawan {membaiki|membina semula} {bumbung|dinding|tandas} rumah
keluarga miskin dan warga emas.; Rumah {usang|uzur} dibaik pulih supaya selamat didiami. ~E Home
repair programme <D> ~F Volunteers repair the {roofs|walls|toilets} of poor families' homes.
@-|keluarga B40,wanita/ibu tunggal|tempat tinggal,bantuan kewangan ~N Bantuan Sewa Rumah <D>;
Program Rumah Mampu Sewa <P> ~D Bantuan {sewa rumah|deposit sewa} untuk keluarga {B40|yang
diusir|dalam kesusahan}.; Rumah sewa {kos rendah|bersubsidi} untuk {ibu tunggal|keluarga miskin}.
~E Rental assistance <D> ~F Help with {rent|a rental deposit} for families in hardship.
@-|keluarga B40,kanak-kanak|pendidikan,kaunseling ~N Program Keibubapaan <D>; Kursus Keluarga
Bahagia <P> ~D Kursus {keibubapaan|pengurusan emosi|komunikasi keluarga} untuk ibu bapa dengan anak
{kecil|remaja}.; Bengkel tentang {disiplin positif|keselamatan kanak-kanak|kesihatan reproduktif}.
~E Parenting programme <D> ~F Courses on {parenting|family communication} for parents of young
children and teenagers.
@-|keluarga B40|tempat tinggal,makanan ~N Pusat Transit Gelandangan <P>; Anjung {Singgah|Kasih} <D>
~D Tempat tidur {sementara|percuma}, makanan dan bilik mandi untuk gelandangan.; Membantu
gelandangan mendapatkan {dokumen|kerja|tempat tinggal tetap}. ~E Homeless transit centre <P> ~F
Temporary beds, meals and showers for homeless people.
@-|keluarga B40|makanan,tempat tinggal,bantuan kewangan ~N Bantuan Mangsa Banjir <D>; Pusat
Pemindahan Sementara <P> ~D Bantuan {makanan|tilam|pakaian|wang tunai} untuk mangsa
{banjir|kebakaran|bencana}.; {Pusat pemindahan|Khemah} dan bekalan asas semasa {musim
tengkujuh|bencana}. ~E Disaster relief <D> ~F {Food|Bedding|Cash} for victims of {floods|fires}.
@j|warga emas|tempat tinggal,penjagaan ~N Rumah Seri Kenangan <P>; Rumah Seri Kenangan <D> ~D
Penjagaan {berinstitusi|sepenuh masa} untuk warga emas {miskin|yang tiada waris} yang tidak
mempunyai tempat tinggal.; Tempat tinggal, makanan dan rawatan asas untuk {warga emas|orang tua}
yang {tidak berwaris|terbiar}. ~E Rumah Seri Kenangan home for older people <P> ~F Residential care
for poor older people {without family|with no one to care for them}.
@j|warga emas|penjagaan,kesihatan,tempat tinggal ~N Rumah Ehsan <D>; Rumah Ehsan Warga Emas <P> ~D
Penjagaan {sepenuh masa|rapi} untuk warga emas yang {uzur|terlantar|sakit kronik} dan tiada
penjaga.; Warga emas {uzur|terlantar} diberi {rawatan|jagaan kejururawatan} dan tempat tinggal. ~E
Rumah Ehsan care home for frail older people <P> ~F Full-time care for frail and bedridden older
people with no carer.
@j|kanak-kanak|perlindungan,tempat tinggal ~N Rumah Kanak-Kanak <P>; Rumah Kanak-Kanak
{Tunas|Sinar|Kasih} <D> ~D Tempat selamat bagi kanak-kanak yang {memerlukan
perlindungan|diabaikan|kehilangan ibu bapa} di bawah Akta Kanak-Kanak 2001.; Penjagaan, pendidikan
dan {kaunseling|bimbingan} untuk kanak-kanak yang ditempatkan oleh {mahkamah|Pelindung}. ~E
Children's home <P> ~F A place of safety for children who {need protection|have been neglected}.
@j|kanak-kanak,OKU|penjagaan,tempat tinggal ~N Taman Sinar Harapan <D>; Taman Sinar Harapan <P> ~D
Penjagaan {sepenuh masa|berinstitusi} untuk kanak-kanak OKU yang {tiada penjaga|diabaikan}.; Rumah
untuk kanak-kanak dan remaja OKU {dengan terapi|dengan latihan kemahiran hidup}. ~E Taman Sinar
Harapan home for disabled children <P> ~F Residential care for disabled children {without a
carer|who have been abandoned}.
@-|kanak-kanak,mangsa keganasan rumah tangga,warga emas|perlindungan,kaunseling ~N Talian Bantuan
{Kanak-Kanak|Keluarga} <S>; Khidmat Aduan Penderaan <D> ~D Laporkan {penderaan
kanak-kanak|keganasan rumah tangga|pengabaian warga emas} dan aduan disalurkan kepada pegawai
kebajikan daerah.; Talian {24 jam|sulit} untuk {melaporkan|mendapatkan nasihat tentang} penderaan.
~E Abuse reporting line <S> ~F Report {child abuse|domestic violence|neglect}; reports go to the
district welfare office.
@-|mangsa keganasan rumah tangga,kanak-kanak|perlindungan,kesihatan ~N One Stop Crisis Centre
(OSCC) Hospital <D>; OSCC Hospital <D> ~D Pusat krisis 24 jam di jabatan kecemasan hospital untuk
mangsa {keganasan rumah tangga|rogol|penderaan kanak-kanak}.; Rawatan, {laporan polis|kaunseling}
dan rujukan kepada pegawai kebajikan di satu tempat. ~E One Stop Crisis Centre (OSCC) <D> Hospital
~F A 24-hour crisis centre in the hospital emergency department for victims of violence.
@-|OKU|pendidikan ~N Kelas Bahasa Isyarat <P>; Kelas Braille dan Bahasa Isyarat <D> ~D Kelas
{Bahasa Isyarat Malaysia|Braille} untuk OKU {pendengaran|penglihatan} dan keluarga mereka.; Belajar
berkomunikasi dengan {OKU pendengaran|OKU penglihatan} bersama jurulatih OKU. ~E Sign language
classes <P> ~F Classes in {Malaysian Sign Language|Braille} for disabled people and their families.
"""

# Sentences added to descriptions. <A>/<B> rare activities, <F> a sponsor, <W> a street.
GENERIC = """
@{Permohonan|Pendaftaran} boleh dibuat {di kaunter kami|melalui telefon|secara dalam talian|di
Pejabat Kebajikan Masyarakat Daerah <D>} {pada hari bekerja|setiap hari|dari Isnin hingga Jumaat}.
@{Terbuka kepada|Khas untuk|Mengutamakan} penduduk {<P>|daerah <D>|sekitar <P>|negeri <S>}{ dan
kawasan berhampiran|}.
@{Perkhidmatan ini|Khidmat ini|Semua aktiviti} {percuma|diberikan secara percuma|dikenakan bayaran
minimum|bersubsidi untuk keluarga B40}.
@Sila {bawa|sediakan} {salinan MyKad|MyKad dan sijil kelahiran anak|slip gaji atau penyata
pendapatan|kad OKU} {semasa datang|ketika memohon|untuk pendaftaran}.
@Aktiviti {termasuk|merangkumi} <A> dan <B>.
@{Dikendalikan|Diuruskan|Dijalankan} oleh {sukarelawan|pegawai terlatih|kakitangan
berpengalaman|jawatankuasa kariah|ahli komuniti} {tempatan|dari <P>|sejak <Y>}.
@Lokasi {berhampiran|bersebelahan|tidak jauh dari} {Jalan <W>|Kampung <K>|Taman <K>|stesen bas
<P>}.
@{Dengan sokongan|Dibiayai oleh|Dengan kerjasama} <F>.
@Hubungi kami {sebelum datang|untuk temu janji|untuk maklumat lanjut}.
@{Keutamaan|Keistimewaan} diberi kepada {keluarga B40|warga emas yang tinggal sendirian|ibu
tunggal|OKU|anak yatim}.
"""
GENERIC_EN = """
{Apply|Register} {at our counter|by phone|online} {on working days|Monday to Friday}.
Open to residents of {<P>|<D> district|<S>}.
{The service is free|A small fee is charged|Subsidised for low-income families}.
Please bring {your MyKad|a copy of your MyKad|proof of income}.
Run by {volunteers|trained staff|local residents} {from <P>|since <Y>}.
"""

# Rare activities, Zipf-weighted by position: the first are common, the last seldom seen.
ACTIVITIES = """
ceramah kesihatan, senaman kerusi, kelas al-Quran, tai chi, berkebun, kelas komputer,
gotong-royong, pemeriksaan mata, kelas memasak, jalan kaki berkumpulan, fisioterapi, karaoke,
terapi seni, bacaan yasin, tazkirah, kraf tangan, membuat kuih, pemakanan sihat, hidroponik,
literasi digital, qigong, senamrobik, dam haji, congkak, boling padang, urut refleksologi,
pertolongan cemas, CPR, menjahit manik, anyaman mengkuang, tekat, batik canting, marhaban, nasyid,
sepak raga, gosok gigi, membuat sabun, fertigasi, akuaponik, ternakan ayam, tanaman cili, kompos,
kitar semula, bercerita, melukis, mewarna, origami, gamelan, kompang, silat, taekwondo, futsal,
badminton, catur, teka silang kata, sudoku, terapi muzik, hidroterapi, terapi sensori, regangan
otot, latihan keseimbangan, lawatan sambil belajar, saringan mamogram, vaksinasi influenza,
pemeriksaan gigi, ujian pendengaran, gunting rambut percuma, dobi percuma, jahitan baju raya, kelas
fardu ain, bahasa Mandarin, bahasa Tamil, bahasa Inggeris asas, kelas jawi, pengurusan kewangan
keluarga, pengurusan stres, keselamatan jalan raya, keselamatan internet, pencegahan buli,
penjagaan kaki diabetes, rawatan luka, kraf rotan, anyaman buluh, ukiran kayu, sulaman, mengait,
seni khat, fotografi, penulisan kreatif, teater, berbalas pantun, dikir barat, wau, gasing, sape,
kulintangan, tarian sumazau, ngajat, kek lapis, keropok lekor, dodol, tempoyak
"""
STREETS = """
Besar, Masjid, Sekolah, Hospital, Stesen, Pasar, Kenanga, Melati, Cempaka, Mawar, Dahlia, Kemboja,
Seroja, Bunga Raya, Merdeka, Sultan, Raja, Pahlawan, Perdana, Bendahara, Laksamana, Temenggung,
Hang Tuah, Hang Jebat, Tun Perak, Tun Razak, Pegawai, Kilang, Pantai, Bukit, Lama, Baru, Utama,
Perindustrian, Kuarters, Kampung, Sungai, Padang, Istana, Dato Bandar
"""
VILLAGE_HEADS = (
    "Sungai Bukit Batu Parit Paya Kuala Teluk Tanjung Air Lubuk Padang Simpang Seri Desa"
)
VILLAGE_TAILS = """
Merbau Tembusu Jering Durian Nangka Pinang Kelapa Rambai Keladi Pauh Mempelam Cempedak Rotan Buluh
Nibong Meranti Jati Serai Limau Manggis Setul Kundang Petai Rumbia Gelam Pulai Bakau Beringin
Tualang Kemuning Melor Teratai Kesidang Tampoi Gajah Rusa Helang Merpati Tiram Udang Baru Lama
Tengah Hulu Hilir Panjang Putih Hitam Merah Kecil Jaya Indah Permai Damai Aman Makmur
"""
SPONSORS = "Yayasan/Koperasi/Kelab Rotary/Kelab Lions/Persatuan Peniaga/Dewan Perniagaan"

# Organisation names: "weight|template"; "=" is named after its main service.
ORGS = """
20|=
12|Persatuan {Kebajikan|Penduduk|Ibu Tunggal|OKU|Warga Emas|Wanita|Belia} <P>
10|Pertubuhan {Kebajikan|Amal|Sukarelawan|Prihatin} {Insan|Masyarakat|Ummah|Rakyat} <D>
8|Yayasan {Kasih|Sinar|Nur|Ikhlas|Harapan|Cahaya|Budi} {Murni|Insani|Sejahtera|Bakti|Mulia} <S>
8|Pusat {Khidmat Masyarakat|Komuniti|Sumber Keluarga} <P>
6|Masjid {Jamek|Al-Ikhlas|An-Nur|Ar-Rahman|Al-Hidayah|At-Taqwa|Saidina Abu Bakar} <P>
6|Rukun Tetangga {Taman|Kampung} <K>
5|Kelab {Rotary|Lions|Belia|Sukarelawan|Wanita} <P>
4|Persatuan Kebajikan {Masyarakat Cina|India|Orang Asli} <D>
4|Persatuan {Orang Pekak|Orang Buta|Pesakit Buah Pinggang|Autisme|Sindrom Down|Penjaga OKU} <S>
3|Pejabat {Agama Islam|Zakat} Daerah <D>
2|Pejabat Pembangunan Wanita Negeri <S>
"""
ORG_DESCRIPTIONS = (
    "{Pertubuhan|Badan} {bukan kerajaan|sukarela|kebajikan|komuniti} yang {membantu|menyokong|"
    "berkhidmat untuk} {warga emas|kanak-kanak|OKU|ibu tunggal|keluarga susah|masyarakat "
    "setempat} di {<P>|daerah <D>|negeri <S>} sejak <Y>.",
    "Ditubuhkan pada <Y> oleh {penduduk|sekumpulan sukarelawan|ahli kariah|bekas guru} <P> untuk "
    "{membantu|menyantuni|menyokong} {warga emas|kanak-kanak|OKU|ibu tunggal|keluarga susah}.",
)
JKM_NAME = "Jabatan Kebajikan Masyarakat Daerah <D>"
JKM_DESCRIPTION = (
    "Pejabat kerajaan yang {menguruskan|mengendalikan} bantuan kewangan JKM, pendaftaran OKU dan "
    "perlindungan kanak-kanak bagi daerah <D>."
)
ADDRESSES = (
    "No. <N>, Jalan <W>",
    "Lot <N>, Kampung <K>",
    "<N>, Jalan <W> <M>, Taman <K>",
    "Tingkat <M>, Kompleks <K>, Jalan <W>",
)

TERMS_TEXT = """
kumpulan-sasar|kanak-kanak|Kanak-kanak dan remaja bawah 18 tahun
kumpulan-sasar|OKU|Orang kurang upaya, berdaftar atau belum
kumpulan-sasar|warga emas|Warga emas berumur 60 tahun ke atas
kumpulan-sasar|mangsa keganasan rumah tangga|Mangsa keganasan rumah tangga dan anak-anak mereka
kumpulan-sasar|wanita/ibu tunggal|Wanita dan ibu tunggal
kumpulan-sasar|keluarga B40|Isi rumah berpendapatan rendah (B40)
keperluan|bantuan kewangan|Bantuan wang tunai atau elaun bulanan
keperluan|perlindungan|Perlindungan daripada penderaan, pengabaian atau keganasan
keperluan|penjagaan|Penjagaan harian atau sepenuh masa
keperluan|kesihatan|Rawatan, pemulihan dan pemeriksaan kesihatan
keperluan|makanan|Makanan dan barang keperluan dapur
keperluan|pendidikan|Pendidikan, tuisyen dan kelas
keperluan|pekerjaan|Latihan kerja dan pekerjaan
keperluan|kaunseling|Kaunseling dan sokongan emosi
keperluan|guaman|Nasihat dan bantuan guaman
keperluan|alat sokongan OKU|Kerusi roda, alat bantu pendengaran dan alat sokongan lain
keperluan|tempat tinggal|Tempat tinggal dan perumahan
"""

# Search phrases a person might type, Malay and English.
PHRASES = """
warga emas|bantuan makanan|taska murah|old folks home|kerja untuk OKU|kaunseling keluarga| rumah
perlindungan|bantuan kewangan|kerusi roda|pusat jagaan harian warga emas|rumah orang tua| bantuan
warga emas|BWE|bantuan kanak-kanak|daftar OKU|kad OKU|bengkel terlindung|PDK|pemulihan dalam
komuniti|terapi pertuturan|autisme|tuisyen percuma|free tuition|food bank|childcare|kindergarten|
tadika|rumah anak yatim|orphanage|domestic violence shelter|keganasan rumah tangga|penderaan
kanak-kanak|ibu tunggal|single mother help|nasihat guaman percuma|free legal advice|peguam|
counselling|kesihatan mental|depression support|dialisis|dialysis|klinik percuma|free clinic|van ke
hospital|transport to hospital|gelandangan|homeless shelter|bantuan sewa rumah|baiki rumah|zakat|
asnaf|kelas jahitan|sewing class|kursus kemahiran|job training|bantuan banjir|flood relief|bahasa
isyarat|sign language|jaga orang tua di rumah|home care elderly|elaun OKU|EPOKU|bantuan penjaga|
alat bantu pendengaran|baju sekolah|school uniform|makanan percuma|free meals|kaunseling remaja|
parenting class|wheelchair loan|Talian Kasih|bantuan kebajikan|Rumah Seri Kenangan
"""
QUERY_KINDS = ("keyword", "district", "near", "misspelt")
_ALTERNATIVES = re.compile(r"\{([^{}]*)\}")
_SLOT = re.compile(r"<(\w)>")


class District(NamedTuple):
    state: str
    name: str
    lat: float
    lng: float
    towns: tuple[str, ...]
    postcode: int  # the district's first postcode
    span: int  # how many postcodes follow it
    areas: tuple[str, ...]  # landline area codes
    jitter: float


class Kind(NamedTuple):
    jkm: bool
    groups: tuple[dict, ...]
    needs: tuple[dict, ...]
    names: list[str]
    descriptions: list[str]
    name_en: str
    description_en: str


def _items(text: str, separator: str) -> list[str]:
    """The entries of a text block, with the line wrapping undone."""
    return [" ".join(item.split()) for item in text.split(separator) if item.strip()]


def _zipf(n: int, s: float = 1.0) -> list[float]:
    """Cumulative weights 1/rank**s, for `random.choices(cum_weights=...)`."""
    return list(accumulate(rank**-s for rank in range(1, n + 1)))


def _term(line: str) -> dict:
    taxonomy, name, description = line.split("|")
    term_id = str(uuid.uuid5(NAMESPACE, f"{taxonomy}/{name}"))
    return {"id": term_id, "name": name, "description": description, "taxonomy": taxonomy}


def _places() -> tuple[list[District], list[float]]:
    districts, weights = [], []
    for item in _items(PLACES, "="):
        head, _, body = item.partition(": ")
        state, population, codes, areas, jitter = head.split("|")
        entries = _items(body, ";")
        low, high = (int(code) for code in codes.split("-"))
        step = (high - low + 1) * 1000 // len(entries) // 100 * 100
        shares = [(i + 1) ** -0.7 for i in range(len(entries))]
        for i, entry in enumerate(entries):
            name, lat, lng, *towns = entry.split("|")
            town_list = tuple(towns[0].split("/")) if towns else (name,)
            code = low * 1000 + i * step
            place = (state, name, float(lat), float(lng), town_list, code, step)
            districts.append(District(*place, tuple(areas.split("/")), float(jitter)))
            weights.append(int(population) * shares[i] / sum(shares))
    return districts, weights


def _kinds() -> list[Kind]:
    kinds = []
    for item in _items(KINDS, "@"):
        head, *parts = item.split(" ~")
        flags, groups, needs = head.split("|")
        field = {part[0]: part[2:] for part in parts}
        kinds.append(
            Kind(
                flags == "j",
                tuple(TERMS[name] for name in groups.split(",")),
                tuple(TERMS[name] for name in needs.split(",")),
                _items(field["N"], ";"),
                _items(field["D"], ";"),
                field["E"],
                field["F"],
            )
        )
    return kinds


TERMS = {term["name"]: term for term in map(_term, TERMS_TEXT.strip().splitlines())}
DISTRICTS, _district_weights = _places()
_DISTRICT_CUM = list(accumulate(_district_weights))
_BY_STATE = {d.state: [o for o in DISTRICTS if o.state == d.state] for d in DISTRICTS}
KIND_LIST = _kinds()
_KIND_CUM = _zipf(len(KIND_LIST), 0.6)
_JKM_KINDS = [kind for kind in KIND_LIST if kind.jkm]
_GENERIC, _GENERIC_EN = _items(GENERIC, "@"), GENERIC_EN.strip().splitlines()
_ACTIVITIES = _items(ACTIVITIES, ",")
_ACTIVITY_CUM = _zipf(len(_ACTIVITIES))
_STREETS, _HEADS, _TAILS = _items(STREETS, ","), VILLAGE_HEADS.split(), VILLAGE_TAILS.split()
_ORG_PATTERNS = [line.split("|", 1)[1] for line in ORGS.strip().splitlines()]
_ORG_CUM = list(accumulate(int(line.split("|")[0]) for line in ORGS.strip().splitlines()))
PHRASE_LIST = _items(PHRASES, "|")


@cache
def _parts(template: str) -> tuple:
    """A template as literal text and tuples of alternatives."""
    parts: list = []
    position = 0
    for match in _ALTERNATIVES.finditer(template):
        parts += [template[position : match.start()], tuple(match.group(1).split("|"))]
        position = match.end()
    parts.append(template[position:])
    return tuple(part for part in parts if part != "")


def fill(rng: random.Random, template: str, slots: dict[str, str]) -> str:
    """The template with one alternative taken from each {a|b} and the <X> slots filled."""
    choose = rng.random
    text = "".join(p if type(p) is str else p[int(choose() * len(p))] for p in _parts(template))
    return _SLOT.sub(lambda match: slots[match.group(1)], text) if "<" in text else text


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10**n):0{n}d}"


def _district(rng: random.Random) -> District:
    return rng.choices(DISTRICTS, cum_weights=_DISTRICT_CUM)[0]


def _within(centre: float, jitter: float, bounds: tuple[float, float]) -> tuple[float, float]:
    return max(centre - jitter, bounds[0]), min(centre + jitter, bounds[1])


def _village(rng: random.Random) -> str:
    return f"{rng.choice(_HEADS)} {rng.choice(_TAILS)}"


def _slots(rng: random.Random, district: District, town: str) -> dict[str, str]:
    activity, other = rng.choices(_ACTIVITIES, cum_weights=_ACTIVITY_CUM, k=2)
    return {
        "P": town,
        "D": district.name,
        "S": district.state,
        "K": _village(rng),
        "Y": str(rng.randint(1975, 2022)),
        "A": activity,
        "B": other if other != activity else rng.choice(_ACTIVITIES),
        "F": f"{rng.choice(SPONSORS.split('/'))} {town}",
        "W": rng.choice(_STREETS),
        "N": str(rng.randint(1, 250)),
        "M": str(rng.randint(1, 12)),
    }


def _phone(rng: random.Random, district: District) -> str:
    # The fictional range the demo data uses too: never a real person's number.
    return "+6012000" + _digits(rng, 4)


@lru_cache(maxsize=8192)
def _organization(seed: int, organizations: int, k: int) -> tuple[dict, District, Kind, bool]:
    """Organisation k: derived from its index alone, so every service nesting it agrees."""
    rng = random.Random(f"{seed}/organization/{k}")  # noqa: S311 - synthetic benchmark data
    oid = _uuid(rng)
    jkm = k < min(len(DISTRICTS), organizations // 20)  # one welfare office per district
    if jkm:
        district, kind = DISTRICTS[k], rng.choice(_JKM_KINDS)
        name, description = JKM_NAME, JKM_DESCRIPTION
    else:
        district, kind = _district(rng), rng.choices(KIND_LIST, cum_weights=_KIND_CUM)[0]
        name = rng.choices(_ORG_PATTERNS, cum_weights=_ORG_CUM)[0]
        if name == "=":
            name, description = rng.choice(kind.names), rng.choice(kind.descriptions)
        else:
            description = rng.choice(ORG_DESCRIPTIONS)
    slots = _slots(rng, district, rng.choice(district.towns))
    name, description = fill(rng, name, slots), fill(rng, description, slots)
    organization = {"id": oid, "name": name, "description": description, "sample": True}
    return organization, district, kind, jkm


@lru_cache(maxsize=8192)
def _location(seed: int, organizations: int, j: int) -> tuple[dict, District, str]:
    """Location j, of organisation j % organizations: its home district or a branch."""
    rng = random.Random(f"{seed}/location/{j}")  # noqa: S311 - synthetic benchmark data
    lid, aid = _uuid(rng), _uuid(rng)
    organization, district, _, jkm = _organization(seed, organizations, j % organizations)
    if j >= organizations and not jkm and rng.random() < 0.2:
        district = rng.choice(_BY_STATE[district.state])
    town = rng.choice(district.towns)
    name = (
        organization["name"] if j < organizations else f"{organization['name']} (Cawangan {town})"
    )
    lat = rng.uniform(*_within(district.lat, district.jitter, LAT_RANGE))
    lng = rng.uniform(*_within(district.lng, district.jitter, LNG_RANGE))
    address = {
        "id": aid,
        "address_1": fill(rng, rng.choice(ADDRESSES), _slots(rng, district, town)),
        "city": town,
        "region": district.name,
        "state_province": district.state,
        "postal_code": f"{district.postcode + rng.randrange(0, district.span, 10):05d}",
        "country": "MY",
        "address_type": "physical",
    }
    location = {
        "id": lid,
        "location_type": "physical",
        "name": name,
        "latitude": round(lat, 5),
        "longitude": round(lng, 5),
        "addresses": [address],
    }
    return location, district, town


def _description(rng: random.Random, kind: Kind, slots: dict[str, str]) -> str:
    """One sentence of the kind, then others until 15-60 words."""
    low, high = DESCRIPTION_WORDS
    own = rng.sample(kind.descriptions, len(kind.descriptions))
    sentences = [fill(rng, own[0], slots)]
    count, wanted = len(sentences[0].split()), rng.randint(1, 3)
    candidates = (own[1:2] if rng.random() < 0.4 else []) + rng.sample(_GENERIC, len(_GENERIC))
    for template in candidates:
        if wanted <= 0 and count >= low:
            break
        sentence = fill(rng, template, slots)
        if count + len(sentence.split()) <= high:
            sentences.append(sentence)
            count, wanted = count + len(sentence.split()), wanted - 1
    return " ".join(sentences)


def _attribute(rng: random.Random, term: dict) -> dict:
    link_type = "target_group" if term["taxonomy"] == "kumpulan-sasar" else "need"
    return {
        "id": _uuid(rng),
        "link_type": link_type,
        "link_entity": "service",
        "value": term["name"],
        "taxonomy_term": term,
    }


def _service(rng: random.Random, seed: int, i: int, organizations: int, locations: int) -> dict:
    j = i % locations if rng.random() < OWN_LOCATION else rng.randrange(locations)
    location, district, town = _location(seed, organizations, j)
    organization, _, main_kind, jkm = _organization(seed, organizations, j % organizations)
    if rng.random() < KIND_AFFINITY:
        kind = main_kind
    else:
        kind = rng.choice(_JKM_KINDS) if jkm else rng.choices(KIND_LIST, cum_weights=_KIND_CUM)[0]
    slots = _slots(rng, district, town)
    service = {"id": _uuid(rng), "name": fill(rng, rng.choice(kind.names), slots)}
    english = rng.random() < ENGLISH_SHARE
    if english:
        service["name_en"] = fill(rng, kind.name_en, slots)
    service["description"] = _description(rng, kind, slots)
    if english:
        extra = fill(rng, rng.choice(_GENERIC_EN), slots)
        service["description_en"] = f"{fill(rng, kind.description_en, slots)} {extra}"
    draw = rng.random()
    service["status"] = "defunct" if draw < 0.01 else "inactive" if draw < 0.03 else "active"
    if rng.random() < ASSURED_SHARE:
        assured = ASSURED_UNTIL - timedelta(days=rng.randrange(3 * 365))
        service["assured_date"] = assured.isoformat()
    terms = [rng.choice(kind.groups)]
    if len(kind.groups) > 1 and rng.random() < 0.25:
        terms.append(rng.choice([group for group in kind.groups if group is not terms[0]]))
    terms += rng.sample(kind.needs, rng.randint(0, min(3 - len(terms), len(kind.needs))))
    service["organization"] = organization
    service["phones"] = [{"id": _uuid(rng), "number": _phone(rng, district)}]
    service["attributes"] = [_attribute(rng, term) for term in terms]
    service["service_at_locations"] = [{"id": _uuid(rng), "location": location}]
    return service


def write_directory(
    path: Path,
    *,
    services: int = 100_000,
    organizations: int = 30_000,
    locations: int = 100_000,
    seed: int = 1,
) -> None:
    """Writes `services` full HSDS services as NDJSON to `path`, streaming (constant memory)."""
    if organizations < 1 or locations < 1:
        raise ValueError("at least one organisation and one location are needed")
    rng = random.Random(seed)  # noqa: S311 - synthetic benchmark data
    try:
        with Path(path).open("w", encoding="utf-8") as stream:
            for i in range(services):
                record = _service(rng, seed, i, organizations, locations)
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        _organization.cache_clear()
        _location.cache_clear()


def _typeable(word: str) -> bool:
    """A word a typo can go in: 4+ letters, not an acronym such as EPOKU."""
    return len(word) >= 4 and word.isalpha() and not word.isupper()


def misspell(rng: random.Random, phrase: str) -> str:
    """The phrase with one typo (a letter dropped, swapped or doubled) in a word of 4+ letters."""
    words = phrase.split()
    n = rng.choice([n for n, word in enumerate(words) if _typeable(word)])
    word = words[n]
    while True:
        typo = rng.choice(("drop", "swap", "double"))
        at = rng.randrange(1, len(word) - (typo == "swap"))
        if typo == "drop":
            wrong = word[:at] + word[at + 1 :]
        elif typo == "swap":
            wrong = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        else:
            wrong = word[:at] + word[at] + word[at:]
        if wrong != word:
            return " ".join([*words[:n], wrong, *words[n + 1 :]])


def queries(*, count: int = 200, seed: int = 2) -> list[dict]:
    """A fixed mix of search queries: dicts {"q": str, "district": str | None,
    "lat": float | None, "lng": float | None, "kind": "keyword"|"district"|"near"|"misspelt"},
    a quarter of each kind, deterministic for a seed."""
    rng = random.Random(seed)  # noqa: S311 - synthetic benchmark data
    phrases = rng.sample(PHRASE_LIST, len(PHRASE_LIST))
    typeable = [phrase for phrase in phrases if any(map(_typeable, phrase.split()))]
    result = []
    for i in range(count):
        kind, turn = QUERY_KINDS[i % 4], i // 4 + 19 * (i % 4)  # each kind its own phrases
        query = {"q": phrases[turn % len(phrases)], "district": None, "lat": None, "lng": None}
        if kind == "district":
            query["district"] = _district(rng).name
        elif kind == "near":
            district = _district(rng)
            query["lat"], query["lng"] = district.lat, district.lng
        elif kind == "misspelt":
            query["q"] = misspell(rng, typeable[turn % len(typeable)])
        result.append(query | {"kind": kind})
    return result

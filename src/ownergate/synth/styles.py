"""Naming styles: company words and person names by culture, keyed by style name."""

from __future__ import annotations

from ownergate.synth.words import (
    AR_FAMILY,
    CEE_FAMILY,
    CN_CORE,
    CN_FAMILY,
    CN_GIVEN,
    DE_FAMILY,
    EN_FAMILY,
    EN_GIVEN,
    EN_INDUSTRY,
    ES_FAMILY,
    FR_FAMILY,
    HK_CORE,
    HK_FAMILY,
    HK_GIVEN,
    IN_FAMILY,
    IR_CORE,
    IT_FAMILY,
    JP_CORE,
    KP_CORE,
    KR_CORE,
    NL_FAMILY,
    NORDIC_FAMILY,
    PT_FAMILY,
    RU_CORE,
    TR_FAMILY,
    N,
    Style,
    w,
)

STYLES: dict[str, Style] = {
    "en": Style(
        prefix=N * 12 + w("Global, United, First, National, Pacific, Atlantic, Western"),
        core=w(
            "Summit, Liberty, Pioneer, Redwood, Blue Ridge, Granite, Atlas, Evergreen, Harbor,"
            "Northstar, Keystone, Silverline, Oakmont, Crescent, Meridian, Sterling, Beacon,"
            "Cedar, Falcon, Horizon, Ironwood, Lakeside, Maple, Ridgeway, Stonebridge, Trident,"
            "Westfield, Bluewater, Clearview, Hawthorne, Kingsley, Ashford, Bradley, Whitmore,"
            "Harrington, Prescott, Sullivan, Pinecrest, Riverside, Copperfield"
        ),
        industry=EN_INDUSTRY,
        given=EN_GIVEN,
        family=EN_FAMILY,
    ),
    "cn": Style(
        prefix=w(
            "Shenzhen, Shanghai, Beijing, Guangzhou, Hangzhou, Tianjin, Chongqing, Wuhan, Chengdu,"
            "Suzhou, Ningbo, Xiamen, Qingdao, Dalian, Nanjing, Zhengzhou, Changsha, Hefei, Xi'an,"
            "Dongguan, Foshan, Jinan, Shenyang, Kunming, Wuxi, Fuzhou"
        )
        + N * 4,
        core=CN_CORE,
        industry=w(
            "Technology, Technology, Technology, Trading, Industrial, Investment, Electronics,"
            "Logistics, Energy, Chemical, Pharmaceutical, Machinery, Real Estate Development,"
            "Import and Export, New Materials, Information Technology, Semiconductor,"
            "Equipment Manufacturing, Supply Chain Management, Optoelectronics, Holdings"
        ),
        given=CN_GIVEN,
        family=CN_FAMILY,
        family_first=True,
    ),
    "hk": Style(
        prefix=N,
        core=HK_CORE,
        industry=EN_INDUSTRY,
        given=HK_GIVEN,
        family=HK_FAMILY,
        family_first=True,
    ),
    "sg": Style(
        prefix=N,
        core=w(
            "Lion City, Straits, Merlion, Orchid, Asia Pacific, Eastern Star, Sentosa, Marina,"
            "Temasek Bay, Jurong, Kallang, Raffles Quay, Tanjong, Bukit, Serangoon"
        )
        + HK_CORE[:8],
        industry=EN_INDUSTRY,
        given=HK_GIVEN,
        family=w("Tan, Lim, Lee, Ng, Ong, Wong, Goh, Chua, Teo, Koh, Chong, Yeo"),
        family_first=True,
    ),
    "ru": Style(
        prefix=N,
        core=RU_CORE,
        industry=N,
        given=w(
            "Aleksandr, Sergey, Dmitry, Andrey, Aleksey, Ivan, Mikhail, Vladimir, Nikolay, Yuri,"
            "Viktor, Igor, Oleg, Pavel, Roman, Konstantin"
        ),
        family=w(
            "Ivanov, Smirnov, Kuznetsov, Popov, Vasiliev, Petrov, Sokolov, Mikhailov, Novikov,"
            "Fedorov, Morozov, Volkov, Alekseev, Lebedev, Semenov, Egorov, Pavlov, Kozlov"
        ),
    ),
    "ir": Style(
        prefix=N,
        core=IR_CORE,
        industry=w("Industrial, Trading, Petrochemical, Shipping, Engineering, Investment") + N * 4,
        given=w("Mohammad, Ali, Hossein, Reza, Mehdi, Hassan, Amir, Fatemeh, Zahra, Maryam"),
        family=w(
            "Hosseini, Mohammadi, Rezaei, Ahmadi, Moradi, Karimi, Jafari, Rahimi, Hashemi,"
            "Sadeghi, Ghorbani, Kazemi, Mousavi, Tehrani"
        ),
    ),
    "kp": Style(
        prefix=("Korea", "Korea", "Korea", None),
        core=KP_CORE,
        industry=w(
            "Trading, General Trading, Mining, Machine Industry, Shipping, Technology,"
            "Import and Export, Equipment, Foodstuff"
        ),
        given=w("Chol, Yong Ho, Myong Su, Song Il, Kwang Chol, Hyon Ju, Su Yong, Il Su, Chol Min"),
        family=w("Kim, Ri, Pak, Choe, Jong, Kang, Jo, Han"),
        family_first=True,
    ),
    "kr": Style(
        prefix=N,
        core=KR_CORE,
        industry=EN_INDUSTRY[:-3] + w("Precision, Chemical, Steel, Heavy Industries"),
        given=w(
            "Min-jun, Seo-yeon, Ji-ho, Ha-eun, Jae-won, Soo-ah, Dong-hyun, Ji-woo, Sung-min, Eun-ji"
        ),
        family=w("Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Shin"),
        family_first=True,
    ),
    "jp": Style(
        prefix=N * 6 + w("Nippon, Tokyo, Osaka, Chubu, Kanto, Kyushu"),
        core=JP_CORE,
        industry=w(
            "Shoji, Kogyo, Denki, Seiki, Trading, Electric, Chemical, Industries, Logistics,"
            "Engineering, Foods, Pharmaceutical, Construction, Holdings"
        ),
        given=w(
            "Hiroshi, Takashi, Kenji, Yuki, Akira, Naoko, Keiko, Haruto, Yui, Satoshi, Daisuke, Emi"
        ),
        family=w(
            "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato,"
            "Yoshida, Yamada"
        ),
        family_first=True,
    ),
    "de": Style(
        prefix=N,
        core=DE_FAMILY + w("Rhein, Alpen, Nordstern, Elbe, Isar, Hansa, Sonnen, Adler, Falken"),
        industry=w(
            "Logistik, Maschinenbau, Handel, Technik, Immobilien, Beteiligungs, Verwaltungs,"
            "Energie, Chemie, Holding, Bau, Automotive, Systeme, Elektronik, Vertrieb, Software,"
            "Anlagenbau, Kunststofftechnik, Medizintechnik"
        ),
        given=w(
            "Thomas, Michael, Andreas, Stefan, Christian, Sabine, Petra, Claudia, Julia, Markus,"
            "Wolfgang, Klaus, Anna, Laura, Jürgen, Monika"
        ),
        family=DE_FAMILY,
    ),
    "fr": Style(
        prefix=N,
        core=FR_FAMILY + w("Atlantique, Provence, Lumière, Étoile, Azur, Aquitaine, Normandie"),
        industry=w(
            "Industries, Services, Participations, Participations, Immobilier, Distribution,"
            "Technologies, Énergie, Finance, Logistique, Conseil, Développement, Ingénierie,"
            "Gestion, Holding"
        ),
        given=w(
            "Jean, Pierre, Marie, Sophie, Nicolas, Isabelle, Philippe, Nathalie, François, Camille,"
            "Julien, Céline"
        ),
        family=FR_FAMILY,
    ),
    "nl": Style(
        prefix=N,
        core=NL_FAMILY + w("Oranje, Noordzee, Delta, Polder, Holland, Rijnmond, Maasland"),
        industry=w(
            "Holding, Holding, Holding, Beheer, Beheer, Investments, Logistics, Vastgoed,"
            "Handelsmaatschappij, Techniek, International, Participaties, Groep"
        ),
        given=w("Jan, Pieter, Willem, Kees, Sanne, Anouk, Lotte, Bas, Thijs, Femke, Ruud, Marieke"),
        family=NL_FAMILY,
    ),
    "it": Style(
        prefix=N,
        core=IT_FAMILY + w("Adriatica, Tirrenia, Padana, Lombarda, Toscana, Dolomiti"),
        industry=w(
            "Costruzioni, Impianti, Trasporti, Servizi, Immobiliare, Meccanica, Alimentari,"
            "Tessile, Holding, Partecipazioni, Industrie, Energia"
        ),
        given=w(
            "Giuseppe, Giovanni, Antonio, Mario, Luca, Francesca, Giulia, Chiara, Marco,"
            "Alessandro, Sara, Paolo"
        ),
        family=IT_FAMILY,
    ),
    "es": Style(
        prefix=N * 4 + ("Grupo",),
        core=ES_FAMILY + w("Ibérica, Andina, Pacífico, Austral, Mediterránea, Azteca, Sierra"),
        industry=w(
            "Inversiones, Inversiones, Construcciones, Servicios, Comercial, Industrial, Logística,"
            "Energía, Inmobiliaria, Alimentos, Transportes, Minera, Agropecuaria, Holding"
        ),
        given=w(
            "José, Juan, Carlos, Luis, Javier, María, Carmen, Ana, Laura, Miguel, Alejandro, Lucía"
        ),
        family=ES_FAMILY,
    ),
    "pt": Style(
        prefix=N * 4 + ("Grupo",),
        core=PT_FAMILY + w("Paulista, Atlântico, Amazonas, Horizonte, Mineira, Lusitana"),
        industry=w(
            "Participações, Participações, Comércio, Indústria, Serviços, Empreendimentos,"
            "Logística, Energia, Alimentos, Construtora, Agropecuária, Investimentos, Tecnologia"
        ),
        given=w(
            "João, Maria, José, Ana, Pedro, Lucas, Gabriel, Juliana, Fernanda, Rafael, Mariana"
        ),
        family=PT_FAMILY,
    ),
    "nordic": Style(
        prefix=N,
        core=NORDIC_FAMILY + w("Nordic, Fjord, Viking, Norrland, Skandia, Aurora, Boreal"),
        industry=w(
            "Invest, Fastigheter, Holding, Industri, Teknik, Logistik, Energi, Shipping,"
            "Förvaltning, Eiendom, Gruppen, Systems"
        ),
        given=w("Lars, Anders, Erik, Johan, Karin, Ingrid, Mette, Sofia, Mikko, Ole, Henrik"),
        family=NORDIC_FAMILY,
    ),
    "arabic": Style(
        prefix=N,
        core=w(
            "Al Noor, Al Fajr, Al Rashid, Al Mansour, Al Khaleej, Al Safa, Al Hilal, Al Baraka,"
            "Al Wadi, Gulf Star, Desert Rose, Oasis, Pearl Coast, Al Ameen, Al Sahra, Al Marwa,"
            "Najm, Al Reem, Al Yasmeen, Al Bustan"
        ),
        industry=w(
            "General Trading, General Trading, General Trading, Trading, Contracting, Investment,"
            "Holding, Real Estate, Oil and Gas Services, Logistics, Industries, Shipping,"
            "Technical Services, Foodstuff Trading"
        ),
        given=w(
            "Mohammed, Ahmed, Abdullah, Khalid, Omar, Saeed, Fatima, Aisha, Mariam, Hamad, Sultan,"
            "Youssef"
        ),
        family=AR_FAMILY,
    ),
    "in": Style(
        prefix=N * 6 + w("Shree, Sri, Bharat, Hindustan"),
        core=w(
            "Ganesh, Sai, Sunrise, Vardhman, Lakshmi, Krishna, Balaji, Shakti, Suryoday, Om, Jai,"
            "Navratna, Indus, Kaveri, Himalaya, Ashoka, Mahalaxmi, Shiv, Annapurna, Trimurti"
        ),
        industry=w(
            "Industries, Industries, Infratech, Exports, Steels, Textiles, Pharma, Agro, Polymers,"
            "Infrastructure, Software Solutions, Enterprises, Traders, Chemicals, Motors, Builders,"
            "Finance, Logistics"
        ),
        given=w(
            "Rajesh, Amit, Suresh, Priya, Anil, Sunita, Vikram, Deepak, Pooja, Rahul, Anjali,Sanjay"
        ),
        family=IN_FAMILY,
    ),
    "sea": Style(
        prefix=N,
        core=w(
            "Borneo, Nusantara, Mekong, Siam, Saigon, Golden Harvest, Asia Pacific, Malacca,"
            "Java, Sumatra, Luzon, Kinabalu, Harmoni, Sinar, Cahaya, Maju, Jaya, Mitra, Thai Star,"
            "Bangkok, Hanoi, Manila Bay"
        ),
        industry=EN_INDUSTRY,
        given=w(
            "Ahmad, Siti, Budi, Dewi, Somchai, Anh, Minh, Jose, Maria, Rizal, Nur, Hafiz, Arun"
        ),
        family=w(
            "Nguyen, Tran, Le, Pham, Santos, Reyes, Cruz, Wijaya, Santoso, Abdullah, Rahman,"
            "Ismail, Suzuki, Chaiyaporn, Srisai"
        ),
    ),
    "tr": Style(
        prefix=N,
        core=TR_FAMILY + w("Anadolu, Marmara, Ege, Karadeniz, Akdeniz, Toros, Kapadokya"),
        industry=w(
            "İnşaat, Tekstil, Gıda, Otomotiv, Enerji, Lojistik, Holding, Ticaret, Sanayi, Turizm"
        ),
        given=w("Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Fatma, Ayşe, Emine, Hatice, Murat"),
        family=TR_FAMILY,
    ),
    "cee": Style(
        prefix=N,
        core=CEE_FAMILY
        + w("Polonia, Vistula, Karpaty, Danubius, Bohemia, Moravia, Tatra, Balaton, Silesia"),
        industry=w(
            "Invest, Trade, Bud, Trans, Logistics, Energo, Holding, Group, Technologies, Agro,"
            "Metal, Systems"
        ),
        given=w(
            "Piotr, Krzysztof, Anna, Katarzyna, Jan, Petr, Jana, László, Zoltán, Andrei, Elena,"
            "Tomasz"
        ),
        family=CEE_FAMILY,
    ),
}

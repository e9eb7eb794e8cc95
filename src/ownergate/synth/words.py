"""Word lists for synthetic company and person names, by naming style.

A company name is ``[prefix] core [industry] [label]`` around the legal form of its country
of incorporation ("Shenzhen Huaxin Technology Co., Ltd.", "OOO Uralstroy",
"Müller Logistik GmbH"); a person name is given and family name in the customary order.
``None`` entries make a part optional. All names are invented combinations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    prefix: tuple[str | None, ...]
    core: tuple[str, ...]
    industry: tuple[str | None, ...]
    given: tuple[str, ...]
    family: tuple[str, ...]
    family_first: bool = False


def w(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


N = (None,)
EN_INDUSTRY: tuple[str | None, ...] = (
    w(
        "Holdings, Holdings, Holdings, Capital, Industries, Technologies, Logistics, Energy,"
        "Partners, Group, Manufacturing, Foods, Systems, Realty, Resources, Trading, Ventures,"
        "Pharmaceuticals, Consulting, Services, Investments, Properties, Shipping, Materials,"
        "Solutions, Engineering, Electronics"
    )
    + N * 3
)
EN_GIVEN = w(
    "James, Mary, John, Patricia, Robert, Jennifer, Michael, Linda, David, Elizabeth, William,"
    "Susan, Richard, Sarah, Thomas, Karen, Daniel, Emily, Matthew, Olivia, Andrew, Emma, George,"
    "Charlotte, Peter, Helen, Mark, Laura"
)
EN_FAMILY = w(
    "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas,"
    "Moore, Martin, Jackson, Thompson, White, Harris, Clark, Lewis, Walker, Hall, Young, King,"
    "Wright, Evans, Roberts, Campbell, Murphy, Hughes, Edwards, Collins, Stewart"
)
CN_CORE = w(
    "Huaxin, Zhongtai, Jinlong, Tianyu, Dongfang, Changjiang, Kaiyuan, Yongsheng, Ruifeng,"
    "Hongda, Guoxin, Shengtai, Jiahe, Xinyuan, Haichuan, Longteng, Fuxing, Minsheng, Tongda,"
    "Huarui, Jincheng, Hengxin, Zhongke, Boya, Anxin, Weilong, Xingyu, Sanhe, Lianchuang,"
    "Yuanfeng, Zhenhua, Hualong, Jiayu, Xinda, Tianrun, Hongxiang, Dingsheng, Kunlun"
)
CN_FAMILY = w(
    "Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, He,"
    "Lin, Gao, Luo, Zheng, Liang, Xie, Song"
)
CN_GIVEN = w(
    "Wei, Fang, Na, Min, Jing, Lei, Jun, Yang, Yong, Jie, Tao, Ming, Chao, Xiuying, Hua, Ping,"
    "Gang, Qiang, Hui, Haoran, Zihan, Yuxuan, Jianguo, Xiaoming, Lihua, Zhiwei"
)
HK_CORE = w(
    "Wing On, Kam Fung, Tai Hing, Sun Wah, Golden Dragon, Pacific Rim, Lucky Star, Fortune Jade,"
    "Harbour Crest, Victoria Peak, Grand Ocean, Wah Shing, Hop Lee, Man Yee, Chung Hwa, Tung Fai,"
    "Yick Fung, Kin Wah, Po Sang, Shun Tak Wah, Silver Bay, Jade Dragon"
)
HK_FAMILY = w("Chan, Wong, Lee, Cheung, Lau, Ho, Ng, Leung, Tang, Lam, Yip, Tsang, Chow, Kwok")
HK_GIVEN = w(
    "Ka Ming, Wai Man, Siu Fung, Chi Keung, Mei Ling, Kwok Wah, Yuk Lan, Tak Shing, Hoi Yan,"
    "Chun Kit, Wing Sze, Man Kit"
)
RU_CORE = tuple(
    a + b
    for a in w(
        "Stroy, Prom, Sib, Ural, Volga, Avto, Agro, Metall, Tekhno, Energo, Gaz, Neft, Trans,"
        "Spets, Ros, Kama, Dalne, Balt, Yug, Sever, Mos, Perm, Tat, Elektro, Pribor, Khim, Les,"
        "Ugol, Ryb, Vostok"
    )
    for b in w(
        "invest, tekh, energo, trans, servis, snab, torg, stroy, prom, mash, komplekt, resurs,"
        "logistik, kholding, neft, gaz, khim, les, metall, sintez"
    )
    if a.lower() != b
)
IR_CORE = tuple(
    f"{a} {b}"
    for a in w(
        "Pars, Kish, Sepahan, Tous, Kaveh, Arya, Khazar, Alborz, Zagros, Damavand, Karun,"
        "Hormoz, Tabriz, Shiraz, Isfahan, Mehr, Nour, Sahand, Arvand, Golestan"
    )
    for b in w("Sanat, Tejarat, Kala, Gostar, Sazeh, Naft, Fulad, Pakhsh, Toseeh, Tadbir")
)
KP_CORE = w(
    "Songak, Chollima, Taedong, Moranbong, Kumsong, Pyongchon, Sinhung, Haedang, Ryusong, Unha,"
    "Myohyang, Chongbong, Hwasong, Samilpo, Sobaeksu, Jangsu, Ryonghung, Manpung"
)
KR_CORE = w(
    "Hanil, Daesung, Samhwa, Daehan, Hanyang, Sejin, Dongbu, Shinhwa, Hanbit, Mirae, Saehan,"
    "Gukje, Jinyang, Hyundo, Daewon, Seonghwa, Yeongjin, Taeyang, Dongil, Kumsan"
)
JP_CORE = w(
    "Yamato, Sakura, Fuji, Tokai, Kansai, Hoshi, Asahi, Nikko, Daiichi, Sanwa, Kyowa, Taiyo,"
    "Heiwa, Marui, Sumi, Mitake, Hinode, Kotobuki, Seiwa, Chuo, Meiwa, Tokiwa, Kiku, Hokuyo"
)
DE_FAMILY = w(
    "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Hoffmann, Schulz, Koch,"
    "Richter, Klein, Wolf, Neumann, Bergmann, Lindner, Brandt, Krüger, Hartmann, Lange, Vogel"
)
FR_FAMILY = w(
    "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon,"
    "Laurent, Lefebvre, Michel, Fournier, Girard, Bonnet, Dupont, Lambert, Fontaine, Rousseau"
)
NL_FAMILY = w(
    "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Visser, Smit, Meijer, de Boer,"
    "Mulder, de Groot, Bos, Vos, Peters, Hendriks, Dekker"
)
IT_FAMILY = w(
    "Rossi, Russo, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo,"
    "Conti, De Luca, Costa, Giordano, Mancini, Rizzo, Lombardi"
)
ES_FAMILY = w(
    "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Ruiz,"
    "Díaz, Hernández, Moreno, Álvarez, Romero, Torres, Vargas, Castillo"
)
PT_FAMILY = w(
    "Silva, Santos, Oliveira, Souza, Pereira, Costa, Rodrigues, Almeida, Nascimento, Lima,"
    "Araújo, Carvalho, Ferreira, Ribeiro, Gomes, Martins"
)
NORDIC_FAMILY = w(
    "Johansson, Andersson, Nilsson, Hansen, Larsen, Nielsen, Virtanen, Korhonen, Berg, Dahl,"
    "Holm, Lund, Strand, Lindqvist, Eriksson, Olsen, Jensen, Karlsson"
)
AR_FAMILY = w(
    "Al Mansoori, Al Mazrouei, Al Hashimi, Al Qasimi, Al Otaibi, Al Harbi, Al Shamsi,"
    "Al Zahrani, Haddad, Khoury, Nasser, Saleh, Hassan, Ibrahim, Abdel Rahman, Al Farsi"
)
IN_FAMILY = w(
    "Sharma, Patel, Singh, Kumar, Gupta, Agarwal, Reddy, Mehta, Shah, Jain, Verma, Iyer, Nair,"
    "Das, Chopra, Malhotra, Bose, Rao"
)
TR_FAMILY = w(
    "Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, Arslan, Doğan"
)
CEE_FAMILY = w(
    "Nowak, Kowalski, Wiśniewski, Novák, Svoboda, Horváth, Nagy, Popescu, Ionescu, Kovač,"
    "Dvořák, Tóth, Jovanović, Petrović, Kozłowski, Popa"
)


_STYLE_COUNTRIES: dict[str, str] = {
    "cn": "CN",
    "hk": "HK MO TW",
    "sg": "SG",
    "ru": "RU BY KZ UA UZ KG TJ TM AM AZ GE",
    "ir": "IR AF",
    "kp": "KP",
    "kr": "KR",
    "jp": "JP",
    "de": "DE AT CH LI",
    "fr": "FR BE LU MC",
    "nl": "NL",
    "it": "IT SM",
    "es": "ES MX AR CL CO PE VE EC UY PA CR DO GT BO PY CU",
    "pt": "PT BR AO MZ",
    "nordic": "SE NO DK FI IS",
    "arabic": "AE SA QA KW OM BH EG JO LB IQ SY MA DZ TN LY YE",
    "in": "IN PK BD LK NP",
    "sea": "ID TH VN PH MY KH MM LA BN",
    "tr": "TR",
    "cee": "PL CZ SK HU RO BG HR SI RS GR EE LV LT BA MK AL MD",
}
STYLE_OF: dict[str, str] = {
    code: style for style, codes in _STYLE_COUNTRIES.items() for code in codes.split()
}

TRUST_SUFFIXES: tuple[str, ...] = w(
    "Family Trust, Family Trust, Trust, Foundation, Charitable Foundation, Holdings Trust,"
    "Capital Fund II L.P., Capital Fund III L.P., Growth Fund IV L.P., Opportunities Fund,"
    "Private Equity Fund L.P., Infrastructure Fund SCSp, Investment Fund SICAV, Stiftung,"
    "Family Office Fund, Pension Fund"
)
TRUST_PREFIXES: tuple[str | None, ...] = N * 5 + ("The",)
NOMINEE_SUFFIXES: tuple[str, ...] = w(
    "Nominees Limited, Nominees Limited, Nominees Ltd, Custody Services Ltd., Corporate Services"
    " Limited, Trust Company Ltd., Fiduciary Services S.A., Secretaries Limited, Nominee"
    " Services Pte. Ltd."
)
OFFSHORE_INDUSTRY: tuple[str, ...] = w(
    "Holdings, Holdings, Holdings, International Holdings, Investment, Capital, Group Holdings"
)

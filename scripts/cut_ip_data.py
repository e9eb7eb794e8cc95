"""Cut the IP data shipped in data/ip/ from the shared data folder.

Usage: python scripts/cut_ip_data.py --shared DIR [--out data/ip] [--date SOURCE=YYYY-MM-DD]

DIR holds the shared folders (ip_location_db/, x4bnet_vpn_datacenter/, cloud_ip_ranges/,
tor_exit_nodes/, china_operator_ip/), each with its PROVENANCE.md. Files are copied
byte for byte; only permissively licensed sources are taken (CC BY 4.0 with attribution,
CC0, MIT). The script writes ``sources.toml`` (what ``ownergate ip update --from`` reads:
sources, dates, lists, checksums) and ``PROVENANCE.md``. Dates and commits are read from
each folder's PROVENANCE.md; ``--date`` overrides one when a newer folder states none.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# provider folder in cloud_ip_ranges -> flag; bots and uptime monitors are "crawler".
CLOUD_FLAGS = {
    "amazon": "hosting",
    "microsoft": "hosting",
    "google": "hosting",
    "oracle": "hosting",
    "digitalocean": "hosting",
    "linode": "hosting",
    "vultr": "hosting",
    "cloudflare": "hosting",
    "github": "hosting",
    "facebook": "hosting",
    "telegram": "hosting",
    "twitter": "hosting",
    "apple-proxy": "relay",
    "protonvpn": "vpn",
    "googlebot": "crawler",
    "bing": "crawler",
    "duckduckbot": "crawler",
    "duckassistbot": "crawler",
    "openai": "crawler",
    "perplexity": "crawler",
    "pingdom": "crawler",
    "statuscake": "crawler",
}


@dataclass
class ListDef:
    id: str
    format: str
    files: list[str]
    flag: str | None = None
    country: str | None = None
    holds: str = ""


@dataclass
class SourceDef:
    name: str
    title: str
    url: str
    licence: str
    attribution: str
    lists: list[ListDef]
    extra_files: list[str] = field(default_factory=list)
    version: str = ""
    date: dt.date | None = None


def ip_location_db() -> SourceDef:
    base = "ip_location_db"
    return SourceDef(
        name=base,
        title="ip-location-db: IP to country (GeoFeed > RIR WHOIS > ASN country) and IP to ASN",
        url="https://github.com/sapics/ip-location-db",
        licence="CC BY 4.0",
        attribution=(
            "IP to country and ASN data from ip-location-db by sapics "
            "(https://github.com/sapics/ip-location-db), built from data by the Number "
            "Resource Organization (https://www.nro.net), RouteViews "
            "(https://www.routeviews.org) and DB-IP (IP Geolocation by DB-IP, "
            "https://db-ip.com), licensed under CC BY 4.0 "
            "(https://creativecommons.org/licenses/by/4.0/); copied unmodified."
        ),
        lists=[
            ListDef(
                "country",
                "country_ranges_csv",
                [
                    f"{base}/geo-whois-asn-country-ipv4.csv.gz",
                    f"{base}/geo-whois-asn-country-ipv6.csv.gz",
                ],
                holds="`ip_range_start, ip_range_end, country_code`, inclusive ranges",
            ),
            ListDef(
                "asn",
                "asn_ranges_csv",
                [f"{base}/asn-ipv4.csv.gz", f"{base}/asn-ipv6.csv.gz"],
                holds="`ip_range_start, ip_range_end, autonomous_system_number, "
                "autonomous_system_organization`",
            ),
        ],
        extra_files=[f"{base}/{n}" for n in ("NRO_LICENSE", "ROUTEVIEWS-LICENSE", "DBIP-LICENSE")]
        + [f"{base}/MODIFICATIONS"],
    )


def china_operator_ip() -> SourceDef:
    base = "china_operator_ip"
    return SourceDef(
        name=base,
        title="china-operator-ip: mainland-China networks from BGP data",
        url="https://github.com/gaoyifan/china-operator-ip",
        licence="MIT",
        attribution="china-operator-ip by gaoyifan and contributors "
        "(https://github.com/gaoyifan/china-operator-ip), MIT licence.",
        lists=[
            ListDef(
                "mainland",
                "networks",
                [f"{base}/china.txt", f"{base}/china6.txt"],
                country="CN",
                holds="CIDRs of networks announced from mainland China (all operators)",
            )
        ],
    )


def x4bnet() -> SourceDef:
    base = "x4bnet_vpn_datacenter"
    return SourceDef(
        name=base,
        title="X4BNet lists_vpn: VPN and datacenter networks",
        url="https://github.com/X4BNet/lists_vpn",
        licence="MIT",
        attribution="lists_vpn by X4BNet and contributors "
        "(https://github.com/X4BNet/lists_vpn), MIT licence.",
        lists=[
            ListDef(
                "vpn",
                "networks",
                [f"{base}/vpn_ipv4.txt", f"{base}/vpn_ipv6.txt"],
                flag="vpn",
                holds="CIDRs of known VPN networks",
            ),
            ListDef(
                "datacenter",
                "networks",
                [f"{base}/datacenter_ipv4.txt", f"{base}/datacenter_ipv6.txt"],
                flag="hosting",
                holds="CIDRs of VPN and datacenter/hosting networks",
            ),
            ListDef(
                "datacenter_asn",
                "asn_list",
                [f"{base}/datacenter_asn_input.txt"],
                flag="hosting",
                holds="hosting ASNs (matched against the ASN of the address)",
            ),
            ListDef(
                "vpn_asn",
                "asn_list",
                [f"{base}/vpn_asn_input.txt"],
                flag="vpn",
                holds="VPN-operator ASNs",
            ),
            *(
                ListDef(
                    provider,
                    "networks",
                    [f"{base}/vpn_provider_{provider}.txt"],
                    flag="vpn",
                    holds=f"{provider} exit addresses",
                )
                for provider in ("mullvadvpn", "pia", "protonvpn")
            ),
        ],
    )


def cloud_ip_ranges(shared: Path) -> SourceDef:
    base = "cloud_ip_ranges"
    lists = []
    for provider, flag in CLOUD_FLAGS.items():
        files = sorted(
            f"{base}/{provider}/{p.name}"
            for p in (shared / base / provider).glob("ipv*_merged.txt")
        )
        if files:
            lists.append(ListDef(provider, "networks", files, flag=flag, holds=f"{provider} CIDRs"))
    return SourceDef(
        name=base,
        title="lord-alfred/ipranges: published IP ranges of clouds, bots and relays",
        url="https://github.com/lord-alfred/ipranges",
        licence="CC0 1.0",
        attribution="ipranges by lord-alfred (https://github.com/lord-alfred/ipranges), CC0.",
        lists=lists,
    )


def tor_exit_nodes() -> SourceDef:
    base = "tor_exit_nodes"
    return SourceDef(
        name=base,
        title="Tor exit-node addresses (from the Tor Project's exit list)",
        url="https://github.com/SecOps-Institute/Tor-IP-Addresses",
        licence="MIT",
        attribution="Tor-IP-Addresses by SecOps-Institute and contributors "
        "(https://github.com/SecOps-Institute/Tor-IP-Addresses), MIT licence.",
        lists=[
            ListDef(
                "exits",
                "networks",
                [f"{base}/tor-exit-nodes.lst"],
                flag="tor_exit",
                holds="Tor exit addresses, IPv4 and IPv6, one per line",
            )
        ],
        extra_files=[f"{base}/Last-Checked-At"],
    )


def read_dates(shared: Path, sources: list[SourceDef]) -> None:
    """Versions and dates from the shared PROVENANCE.md files (and tor's Last-Checked-At)."""
    for source in sources:
        text = (shared / source.name / "PROVENANCE.md").read_text(encoding="utf-8")
        if source.name == "ip_location_db":
            row = r"`(@ip-location-db/[a-z-]+)`\s*\|\s*([0-9.]+)[^|]*\|\s*`([0-9a-f]{64})`"
            found = re.findall(row, text)
            source.version = "; ".join(
                f"npm {pkg} {ver} (tarball sha256 {digest})" for pkg, ver, digest in found
            )
            stamp = re.search(r"\.(\d{4})(\d{2})(\d{2})\d{2}\b", found[0][1]) if found else None
            if stamp:
                source.date = dt.date(*map(int, stamp.groups()))
            continue
        commit = re.search(r"commit\s+`([0-9a-f]{40})`(?:\s*\((\d{4}-\d{2}-\d{2}))?", text)
        if commit:
            source.version = f"commit {commit.group(1)}"
            if commit.group(2):
                source.date = dt.date.fromisoformat(commit.group(2))
        if source.name == "tor_exit_nodes":
            # "Tue Feb 27 09:27:52 IST 2024": strptime knows no IST, so read it by hand.
            parts = (shared / source.name / "Last-Checked-At").read_text().split()
            source.date = dt.date(int(parts[-1]), MONTHS.index(parts[1]) + 1, int(parts[2]))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def sources_toml(sources: list[SourceDef], checksums: dict[str, str]) -> str:
    out = [
        "# Generated by scripts/cut_ip_data.py: the IP data sources in this folder.",
        "# Country precedence follows the order of the lists below (after any MaxMind",
        "# database the operator configures).",
        "format = 1",
        "",
    ]
    for s in sources:
        assert s.date is not None, s.name
        out += ["[[source]]", f"name = {toml_str(s.name)}", f"title = {toml_str(s.title)}"]
        out += [f"url = {toml_str(s.url)}", f"version = {toml_str(s.version)}"]
        out += [f"date = {s.date.isoformat()}", f"licence = {toml_str(s.licence)}"]
        out += [f"attribution = {toml_str(s.attribution)}", ""]
        for lst in s.lists:
            out += [
                "[[source.list]]",
                f"id = {toml_str(lst.id)}",
                f"format = {toml_str(lst.format)}",
            ]
            out.append("files = [" + ", ".join(toml_str(f) for f in lst.files) + "]")
            if lst.flag:
                out.append(f"flag = {toml_str(lst.flag)}")
            if lst.country:
                out.append(f"country = {toml_str(lst.country)}")
            out.append("")
    out.append("[checksums]")
    out += [f"{toml_str(path)} = {toml_str(digest)}" for path, digest in sorted(checksums.items())]
    return "\n".join(out) + "\n"


def provenance(sources: list[SourceDef], sizes: dict[str, int]) -> str:
    total = sum(sizes.values())
    out = [
        "# IP data — country, ASN and anonymiser ranges shipped with ownergate",
        "",
        "Generated by `python scripts/cut_ip_data.py --shared <shared data folder>`, which",
        "copies the files below byte for byte from the project's shared data folder (itself",
        "copied from the upstream repositories and npm packages named here) and writes",
        "`sources.toml`: the sources, their dates, what each file is read as, and SHA-256",
        "checksums. `ownergate ip update --from DIR` reads a folder of the same layout.",
        f"Total: {total / 1e6:.1f} MB in {len(sizes)} files.",
        "",
        "Only permissively licensed sources are shipped. Not shipped: GeoLite2 (MaxMind",
        "EULA; configure your own `.mmdb` instead), IP2Location LITE (CC BY-SA 4.0), and",
        "client9/ipcat (MIT, but its data stopped in 2019). The Tor list is from 2024 and",
        "only fit for tests and demos: Tor exits change daily.",
        "",
    ]
    for s in sources:
        assert s.date is not None
        out += [f"## {s.name} — {s.title}", ""]
        out += [f"- Source: {s.url}", f"- Version: {s.version or 'n/a'}"]
        out += [f"- Date of the data: {s.date.isoformat()}", f"- Licence: {s.licence}"]
        out += [f"- Attribution: {s.attribution}", ""]
        out += ["| file | read as | holds |", "|---|---|---|"]
        for lst in s.lists:
            what = lst.flag and f"flag `{lst.flag}`" or lst.country and f"country {lst.country}"
            kind = f"{lst.format} ({what})" if what else lst.format
            out += [f"| `{f}` | {kind} | {lst.holds} |" for f in lst.files]
        out += [f"| `{f}` | — | licence or notes from upstream |" for f in s.extra_files]
        out.append("")
    out += [
        "## Notes",
        "",
        "- ip_location_db: `@ip-location-db/geo-whois-asn-country`'s package.json says CC0-1.0,",
        "  but its README credits the WHOIS data to the NRO under CC BY 4.0, and",
        "  `@ip-location-db/asn` is CC BY 4.0 (RouteViews, DB-IP, NRO): the whole source is",
        "  treated as CC BY 4.0 and attributed as above. The gzip files are the package CSVs",
        "  re-compressed with `gzip -9 -n`, otherwise byte-identical. DB-IP asks web pages",
        "  that show results from its data to link to https://db-ip.com.",
        "- ip_location_db: the package README (June 2026) warns that data then published to",
        "  npm had bugs; ranges of the country file overlap in about 7,000 places (GeoFeed",
        "  blocks inside WHOIS blocks), and ownergate lets the narrowest range win there.",
        "- MIT sources: the MIT licence asks that its copyright notice travel with the data;",
        "  the shared copy held no LICENSE files, so the notice is the attribution line above",
        "  (repository and licence). Add the upstream LICENSE text when re-cutting from a",
        "  checkout that has it.",
        "- Left out of the shared folders: `vpn_provider_apple.txt` (identical to",
        "  `cloud_ip_ranges/apple-proxy/ipv4_merged.txt`), the Tor relay list (relays are not",
        "  where clients come from), the per-operator China lists and their `stat` file.",
        "- Special-purpose address blocks (private, loopback, documentation, multicast …) are",
        "  not data: they are listed in `src/ownergate/ipintel/reserved.py`.",
        "",
    ]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "ip")
    parser.add_argument("--date", action="append", default=[], help="SOURCE=YYYY-MM-DD")
    args = parser.parse_args()
    shared: Path = args.shared
    sources = [
        ip_location_db(),
        china_operator_ip(),
        x4bnet(),
        cloud_ip_ranges(shared),
        tor_exit_nodes(),
    ]
    read_dates(shared, sources)
    for override in args.date:
        name, _, day = override.partition("=")
        next(s for s in sources if s.name == name).date = dt.date.fromisoformat(day)
    missing = [s.name for s in sources if s.date is None]
    if missing:
        print(f"no date found for {', '.join(missing)}: pass --date NAME=YYYY-MM-DD")
        return 2
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    checksums: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for s in sources:
        for rel in [f for lst in s.lists for f in lst.files] + s.extra_files:
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shared / rel, target)
            sizes[rel] = target.stat().st_size
            if rel not in s.extra_files:
                checksums[rel] = sha256(target)
    (out / "sources.toml").write_text(sources_toml(sources, checksums), encoding="utf-8")
    (out / "PROVENANCE.md").write_text(provenance(sources, sizes), encoding="utf-8")
    print(f"wrote {len(sizes)} files, {sum(sizes.values()) / 1e6:.1f} MB, to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

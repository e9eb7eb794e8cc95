"""IP intelligence: country, ASN and anonymiser flags for IPv4 and IPv6 addresses.

Bundled, redistributable data (``data/ip``, see its PROVENANCE.md) is compiled at first
use into memory-mapped numpy arrays; MaxMind ``.mmdb`` databases are asked first when the
operator configures them. ``IpIntel.open(settings).lookup("8.8.8.8")``.
"""

from ownergate.ipintel.addresses import Address, parse_address
from ownergate.ipintel.intel import DEFAULT_MAX_AGE_DAYS, IpIntel
from ownergate.ipintel.model import FLAG_NAMES, CountryAnswer, Flag, IpInfo, SourceInfo
from ownergate.ipintel.store import BUNDLED, IpDataStore

__all__ = [
    "BUNDLED",
    "DEFAULT_MAX_AGE_DAYS",
    "FLAG_NAMES",
    "Address",
    "CountryAnswer",
    "Flag",
    "IpDataStore",
    "IpInfo",
    "IpIntel",
    "SourceInfo",
    "parse_address",
]

"""Repeated answers through a wave's open public link: which network they came from, a cap per network,
and excluding a burst.

Only a cookie stops one browser from answering a public link twice, so each public-link response keeps a
keyed hash of the sender's network (IPv4 /24, IPv6 /48) together with the wave: an HMAC with the app's
secret key, truncated to 64 bits. The address itself is never stored, the hash differs from wave to wave,
and without the secret key it cannot be checked against an address. Personal-link and imported responses
keep nothing of the kind. See docs/anonymity.md for what this leaves.
"""

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, func, select, update

from core.extensions import db
from surveys import engine, totals
from surveys.models import Answer, Exclusion, Response, ResponseSource, Wave

#: Hex characters kept of the HMAC (64 bits: enough to tell networks apart, too few to be an address).
HASH_LENGTH = 16
#: A network with at least this many public responses is listed on the wave's networks page.
LISTED_FROM = 2


def network_prefix(address: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of an address, as text; None when there is no valid address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def network_hash(wave_id: int, address: str | None) -> str | None:
    """The keyed, truncated hash of the address' network for one wave (None without an address)."""
    prefix = network_prefix(address)
    if prefix is None:
        return None
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{wave_id}|{prefix}".encode(), hashlib.sha256).hexdigest()[:HASH_LENGTH]


def cap() -> int:
    return int(current_app.config["SURVEY_PUBLIC_MAX_PER_NETWORK"])


def network_full(wave: Wave, network: str | None) -> bool:
    """The network has given the wave as many public answers as it takes (excluded ones count too).

    Holds the wave first (``engine.hold_wave``): the caller inserts the answer, if any, in the same transaction,
    so parallel answers from one network never pass the cap."""
    if network is None:
        return False
    engine.hold_wave(wave)
    taken = db.session.scalar(select(func.count()).select_from(Response).where(
        Response.wave_id == wave.id, Response.source == ResponseSource.PUBLIC, Response.network == network))
    return taken >= cap()


@dataclass(frozen=True)
class NetworkCount:
    """Public responses of one wave from one network."""

    network: str
    responses: int
    excluded: int

    @property
    def label(self) -> str:
        """A short name for people: the first characters of the hash."""
        return self.network[:6]


def network_counts(wave: Wave) -> list[NetworkCount]:
    """Networks with at least ``LISTED_FROM`` public responses in the wave, the largest first (one query)."""
    excluded = func.coalesce(func.sum(case((Response.exclusion_id.is_not(None), 1), else_=0)), 0)
    rows = db.session.execute(
        select(Response.network, func.count(), excluded)
        .where(Response.wave_id == wave.id, Response.source == ResponseSource.PUBLIC, Response.network.is_not(None))
        .group_by(Response.network).having(func.count() >= LISTED_FROM)
        .order_by(func.count().desc(), Response.network))
    return [NetworkCount(network, count, int(out)) for network, count, out in rows]


def exclude_network(wave: Wave, network: str, reason: str, *, actor) -> Exclusion | None:
    """Take the wave's public responses from ``network`` out of results and exports (they stay stored),
    recording who, when and why. None when no counted response is left to exclude. Flushes."""
    mine = (Response.__table__.c.wave_id == wave.id) & (Response.__table__.c.network == network) \
        & (Response.__table__.c.source == ResponseSource.PUBLIC.value) & Response.__table__.c.exclusion_id.is_(None)
    count = db.session.scalar(select(func.count()).select_from(Response.__table__).where(mine))
    if not count:
        return None
    exclusion = Exclusion(wave_id=wave.id, network=network, responses=count, reason=reason.strip(),
                          created_by_id=getattr(actor, "id", None))
    db.session.add(exclusion)
    db.session.flush()
    # What was shown stops being shown: a named wave's responses, or an anonymous one's already released.
    totals.count_stored(mine & Response.batch.is_not(None) if wave.survey.anonymous else mine, sign=-1)
    keys = select(Response.__table__.c.id).where(mine).scalar_subquery()
    db.session.execute(update(Answer.__table__).where(Answer.__table__.c.response_id.in_(keys)).values(excluded=True))
    db.session.execute(update(Response.__table__).where(mine).values(exclusion_id=exclusion.id))
    return exclusion

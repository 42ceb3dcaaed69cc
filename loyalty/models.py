"""The client census (B2): clients, their yearly figures, exit reasons, census settings and imports."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.audit import Audited, label, value_labels
from core.extensions import db
from core.models import stored_enum
from core.timeutil import utcnow
from core.versioning import Versioned


class Typology(enum.StrEnum):
    """The kinds of client B1 distinguishes."""

    END_USER = "end_user"
    INTERMEDIATE = "intermediate"
    #: Recommends the organisation without buying from it.
    PRESCRIBER = "prescriber"


TYPOLOGY_LABELS = value_labels({
    Typology.END_USER: _l("End user"),
    Typology.INTERMEDIATE: _l("Intermediate client"),
    Typology.PRESCRIBER: _l("Prescriber"),
})


class ContributionBasis(enum.StrEnum):
    """What a client's contribution is measured by."""

    MARGIN = "margin"
    REVENUE = "revenue"


#: The exit reasons every census starts with, by key, in the reader's language.
DEFAULT_REASONS = {
    "poor_service": _l("Poor service"),
    "lack_of_contact": _l("Lack of contact"),
    "dissatisfaction": _l("Dissatisfaction"),
    "no_renewal": _l("No renewal"),
    "personal_reasons": _l("Personal reasons"),
    "no_use": _l("No use"),
    "non_payment": _l("Cancelled for non-payment"),
    "competitor": _l("Moved to a competitor"),
}


class ExitReason(Audited, db.Model):
    """Why a client left; a configurable list, seeded with the reasons of seeds/003 and Imp-Act note 3."""

    __tablename__ = "exit_reasons"
    __audit_label__ = _l("Exit reason")

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Set for the seeded reasons, whose name is shown translated; None for reasons added by people.
    key: Mapped[str | None] = mapped_column(String(40), unique=True, info=label(_l("Key")))
    name: Mapped[str] = mapped_column(String(120), info=label(_l("Name")))
    active: Mapped[bool] = mapped_column(Boolean, default=True, info=label(_l("Offered")))
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        """The reason in the reader's language (seeded ones are translated; added ones read as typed)."""
        return str(DEFAULT_REASONS.get(self.key, self.name))

    def __str__(self) -> str:
        return self.label


class Client(Audited, Versioned, db.Model):
    """A client of the organisation: current while ``left_on`` is empty; never deleted (history is evidence), but for
    the demo organisation's, removed before a real census is imported (``loyalty.demo_census``)."""

    __tablename__ = "clients"
    __record_page__ = "loyalty.client_detail"
    __audit_label__ = _l("Client")
    __audit_skip__ = frozenset({"created_at", "last_import_id"})
    __table_args__ = (Index("ix_clients_left_on_joined_on", "left_on", "joined_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The client's key in the organisation's own systems (ERP/CRM); imports match clients by it.
    code: Mapped[str] = mapped_column(String(40), unique=True, info=label(_l("Code")))
    name: Mapped[str] = mapped_column(String(200), info=label(_l("Name")))
    typology: Mapped[Typology] = mapped_column(stored_enum(Typology), index=True, info=label(_l("Typology")))
    segment: Mapped[str | None] = mapped_column(String(80), index=True, info=label(_l("Segment")))
    region: Mapped[str | None] = mapped_column(String(80), index=True, info=label(_l("Region")))
    sector: Mapped[str | None] = mapped_column(String(120), info=label(_l("Sector")))
    joined_on: Mapped[date] = mapped_column(Date, info=label(_l("Client since")))
    left_on: Mapped[date | None] = mapped_column(Date, info=label(_l("Left on")))
    exit_reason_id: Mapped[int | None] = mapped_column(ForeignKey("exit_reasons.id"), index=True,
                                                       info=label(_l("Exit reason")))
    exit_note: Mapped[str | None] = mapped_column(Text, info=label(_l("Exit note")))
    strategic: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("Strategic")))
    strategic_reason: Mapped[str | None] = mapped_column(String(300), info=label(_l("Why strategic")))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: The last import whose file listed this client; a full census absent from it is proposed as lost.
    last_import_id: Mapped[int | None] = mapped_column(ForeignKey("census_imports.id"), index=True)

    exit_reason = relationship("ExitReason")
    years = relationship("ClientYear", back_populates="client", order_by="ClientYear.year",
                         cascade="all, delete-orphan")

    @property
    def active(self) -> bool:
        return self.left_on is None

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class ClientYear(Audited, db.Model):
    """One year's figures of a client, kept as history: a new year is a new row, never an overwrite."""

    __tablename__ = "client_years"
    __audit_label__ = _l("Yearly figures")
    __table_args__ = (UniqueConstraint("client_id", "year"), Index("ix_client_years_year_client", "year", "client_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), info=label(_l("Client")))
    year: Mapped[int] = mapped_column(Integer, info=label(_l("Year")))
    #: What the client could buy from us in the year (its total spend in our line of business).
    potential: Mapped[float | None] = mapped_column(Float, info=label(_l("Purchasing potential")))
    #: What the client bought from us in the year (our revenue from it).
    purchases: Mapped[float] = mapped_column(Float, default=0, info=label(_l("Purchases")))
    margin: Mapped[float | None] = mapped_column(Float, info=label(_l("Margin")))

    client = relationship("Client", back_populates="years")

    @property
    def share_of_purchases(self) -> float | None:
        """Purchases ÷ potential, in per cent; None without a positive potential."""
        if not self.potential:
            return None
        return 100 * self.purchases / self.potential

    def contribution(self, basis: ContributionBasis) -> float:
        value = self.purchases if basis == ContributionBasis.REVENUE else self.margin
        return value or 0.0

    def __str__(self) -> str:
        return f"{self.client} · {self.year}" if self.client else str(self.year)


class CensusSettings(Audited, Versioned, db.Model):
    """How the census is analysed: the contribution basis, the ABC thresholds, the loyalty axis."""

    __tablename__ = "census_settings"
    __audit_label__ = _l("Census settings")

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_basis: Mapped[ContributionBasis] = mapped_column(
        stored_enum(ContributionBasis), default=ContributionBasis.MARGIN, info=label(_l("Contribution measured by")))
    #: Class A: the clients making the first ``class_a_share`` per cent of the contribution.
    class_a_share: Mapped[float] = mapped_column(Float, default=80, info=label(_l("Class A up to (%)")))
    #: Class B: from there up to ``class_b_share`` per cent (cumulative); class C the rest.
    class_b_share: Mapped[float] = mapped_column(Float, default=95, info=label(_l("Class B up to (%)")))
    #: The loyalty behaviour of the segmentation matrix: ``tenure`` (satisfaction once surveys exist).
    loyalty_axis: Mapped[str] = mapped_column(String(20), default="tenure", info=label(_l("Loyalty behaviour")))
    tenure_short_years: Mapped[int] = mapped_column(Integer, default=2, info=label(_l("New client: under (years)")))
    tenure_long_years: Mapped[int] = mapped_column(Integer, default=5, info=label(_l("Loyal client: from (years)")))


class CensusImport(Audited, db.Model):
    """One census file imported (or refused): who, when, which file and what it changed.

    The uploaded file itself is kept only while the import is pending (``core.imports.retention``).

    Clients and figures are written in bulk, without one audit row per client; this record is the
    audit trail of the import as a whole (and is itself audited)."""

    __tablename__ = "census_imports"
    __audit_label__ = _l("Census import")

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=label(_l("Person")))
    stored_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"), info=label(_l("File")))
    filename: Mapped[str] = mapped_column(String(255), info=label(_l("File name")))
    #: What stays of the file once it is deleted (after the import, or unused after a few days).
    size: Mapped[int | None] = mapped_column(Integer, info=label(_l("Size (bytes)")))
    sha256: Mapped[str | None] = mapped_column(String(64), info=label(_l("SHA-256")))
    #: The year given on upload: the figures' year for rows without one (None: the file's year column only).
    year: Mapped[int | None] = mapped_column(Integer, info=label(_l("Year")))
    #: The years of the figures imported, once imported (several when the file has a year column).
    figure_years: Mapped[list | None] = mapped_column(JSON, info=label(_l("Years of the figures")))
    #: The file lists every current client: those absent are proposed as lost.
    full_census: Mapped[bool] = mapped_column(Boolean, default=False, info=label(_l("Full census")))
    imported_at: Mapped[datetime | None] = mapped_column(DateTime, info=label(_l("Imported at")))
    rows: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Rows")))
    added: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Clients added")))
    updated: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Clients updated")))
    figures_added: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Yearly figures added")))
    figures_replaced: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Yearly figures replaced")))
    figures_kept: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Yearly figures kept")))
    marked_lost: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Marked lost")))
    rejected: Mapped[int] = mapped_column(Integer, default=0, info=label(_l("Rows rejected")))
    #: Which header held each field, remembered for the next import.
    mapping: Mapped[dict] = mapped_column(JSON, default=dict, info=label(_l("Columns")))
    note: Mapped[str | None] = mapped_column(Text)
    #: Written by the demo organisation (``flask demo``), not from a file: the clients it last listed are the
    #: demo's, and can be removed before a real census is imported (``loyalty.demo_census``).
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(),
                                       info=label(_l("Demo census")))
    #: When the demo's clients were removed, and how many records of each kind went with them.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, info=label(_l("Demo clients removed on")))
    removed: Mapped[dict | None] = mapped_column(JSON, info=label(_l("Records removed")))

    actor = relationship("User")
    stored_file = relationship("StoredFile")

    def __str__(self) -> str:
        return self.filename


# --- the kept ranking (``loyalty.kept_ranking``): computed once per census version, read by index --------------
# Not audited (they are what the census computes to, rebuilt from it) and without foreign keys: the rows of a
# computation are written in one INSERT … SELECT, and a client removed with the demo's census keeps no row here
# once the next version is computed.

class KeptRanking(db.Model):
    """One computed ranking: the census version, year, population, basis and thresholds it was computed for."""

    __tablename__ = "kept_rankings"
    __table_args__ = (UniqueConstraint("census_seq", "census_seal", "year", "population", "basis", "class_a_share",
                                       "class_b_share", name="uq_kept_rankings_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The newest sealed audit entry of the census's tables (``chain_seq`` and ``chain_hash``) when computed.
    census_seq: Mapped[int] = mapped_column(Integer)
    census_seal: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    population: Mapped[str] = mapped_column(String(10))
    basis: Mapped[str] = mapped_column(String(10))
    class_a_share: Mapped[float] = mapped_column(Float)
    class_b_share: Mapped[float] = mapped_column(Float)
    #: The population's size and total contribution (the window's ``population`` and ``total``).
    clients: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Whether its segment counts (``KeptSegmentCount``) are stored yet.
    segments_counted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class KeptRankingRow(db.Model):
    """One client's place in a kept ranking, as the window query gives it."""

    __tablename__ = "kept_ranking_rows"
    # Stored in rank order, one B-tree and no other index: an index by client would be filled in random order and
    # cost as much again (a client's row is found by a binary search on rank, ``kept_ranking.client_row``).
    __table_args__ = {"sqlite_with_rowid": False}

    ranking_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer)
    contribution: Mapped[float] = mapped_column(Float)
    cumulative: Mapped[float | None] = mapped_column(Float)
    cumulative_share: Mapped[float | None] = mapped_column(Float)
    abc: Mapped[str] = mapped_column(String(1))
    potential: Mapped[float | None] = mapped_column(Float)
    purchases: Mapped[float | None] = mapped_column(Float)
    margin: Mapped[float | None] = mapped_column(Float)
    joined_on: Mapped[date] = mapped_column(Date)


class KeptSegmentCount(db.Model):
    """The segmentation matrix of a kept ranking of current clients, pre-aggregated: per class and join date,
    the clients and their contribution (the tenure bands are cut from the join dates when read). Counted when first
    read (``kept_ranking.counted``), not with the ranking: most versions are only ever read as the ranking page."""

    __tablename__ = "kept_segment_counts"
    # No primary key: the rows of a count are written together and always read whole, by ranking. A B-tree on
    # (ranking, class, date) filled in hash order cost as much as the counting; on PostgreSQL a BRIN index on the
    # ranking (ids only grow) finds a count's pages for next to nothing.
    __table_args__ = (Index("ix_kept_segment_counts_ranking_id", "ranking_id", postgresql_using="brin"),)
    __mapper_args__ = {"primary_key": ["ranking_id", "abc", "joined_on"]}

    ranking_id: Mapped[int] = mapped_column(Integer)
    abc: Mapped[str] = mapped_column(String(1))
    joined_on: Mapped[date] = mapped_column(Date)
    clients: Mapped[int] = mapped_column(Integer)
    contribution: Mapped[float | None] = mapped_column(Float)


class KeptParetoPoint(db.Model):
    """The Pareto curve of a kept ranking, pre-aggregated: per bucket of clients and class, its last rank, the
    cumulative share reached, the clients and their contribution (``ranking.PARETO_POINTS`` buckets)."""

    __tablename__ = "kept_pareto_points"

    ranking_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    abc: Mapped[str] = mapped_column(String(1), primary_key=True)
    last_rank: Mapped[int] = mapped_column(Integer)
    cumulative_share: Mapped[float | None] = mapped_column(Float)
    clients: Mapped[int] = mapped_column(Integer)
    contribution: Mapped[float | None] = mapped_column(Float)

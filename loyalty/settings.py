"""The census settings in force: contribution basis, ABC thresholds, loyalty axis and tenure bands."""

from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.rules import RuleError
from core.versioning import ensure_current
from loyalty.models import CensusSettings, ContributionBasis

LOYALTY_AXES = ("tenure", "satisfaction")
#: Placing each client by satisfaction needs each client's answer, which anonymous client waves (the usual
#: ones) never give: until named client waves are linked to the matrix, tenure is its only axis, and the
#: segmentation page shows the client surveys' satisfaction beside it (``segments.satisfaction``).
SATISFACTION_AXIS = False


class SettingsError(RuleError):
    """Settings that contradict each other; the message says which."""


def current_settings() -> CensusSettings:
    """The saved settings, or the defaults (not saved) while the coordinator has not changed them."""
    saved = db.session.scalar(select(CensusSettings).order_by(CensusSettings.id).limit(1))
    return saved or CensusSettings(contribution_basis=ContributionBasis.MARGIN, class_a_share=80.0,
                                   class_b_share=95.0, loyalty_axis="tenure", tenure_short_years=2,
                                   tenure_long_years=5)


def check_settings(data: dict) -> None:
    """Refuse thresholds out of order: 0 < A < B ≤ 100 per cent, and new < loyal years."""
    if not 0 < data["class_a_share"] < data["class_b_share"] <= 100:
        raise SettingsError(_("The thresholds must grow: 0 < class A < class B ≤ 100 %."))
    if not 0 < data["tenure_short_years"] < data["tenure_long_years"]:
        raise SettingsError(_("A new client must have fewer years than a loyal one."))
    if data["loyalty_axis"] not in LOYALTY_AXES:
        raise SettingsError(_("Unknown loyalty behaviour."))
    if data["loyalty_axis"] == "satisfaction" and not SATISFACTION_AXIS:
        raise SettingsError(_("The matrix cannot place each client by satisfaction: anonymous survey answers are "
                              "not linked to census clients. Use tenure; the segmentation page shows the client "
                              "surveys' satisfaction beside the matrix."))


def save_settings(settings: CensusSettings, data: dict, *, version) -> CensusSettings:
    """Save the settings (the first time, or over the version the coordinator started from)."""
    check_settings(data)
    if settings.id is None:
        db.session.add(settings)
    else:
        ensure_current(settings, version)
    settings.contribution_basis = ContributionBasis(data["contribution_basis"])
    settings.class_a_share = float(data["class_a_share"])
    settings.class_b_share = float(data["class_b_share"])
    settings.loyalty_axis = data["loyalty_axis"]
    settings.tenure_short_years = int(data["tenure_short_years"])
    settings.tenure_long_years = int(data["tenure_long_years"])
    db.session.flush()
    return settings

"""The demo's survey-wave costs: loaded after the survey engine's demo, whose waves they cost."""

from sqlalchemy import select

from core.extensions import db
from voice.models import WaveCost


def load(users) -> None:
    """Give every demo survey wave the staff time and external cost of running it."""
    from surveys.models import Audience, Survey, Wave

    waves = db.session.execute(select(Wave.id, Survey.audience).join(Survey, Survey.id == Wave.survey_id)).all()
    for wave_id, audience in waves:
        clients = audience == Audience.CLIENTS
        db.session.add(WaveCost(wave_id=wave_id, staff_hours=40.0 if clients else 8.0, hourly_rate=32.0,
                                external_cost=900.0 if clients else 0.0,
                                note="Envío postal y recordatorios" if clients else None))
    db.session.flush()

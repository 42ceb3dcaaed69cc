"""Results of a wave: headline measures, items, groups, drivers, trend and comments; and their export.

An anonymous wave's page and exports count its released responses only, and opening either releases a
batch when one is due (``surveys.releases``), so both always agree."""

import hashlib

import pandas as pd
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import TEAM_DATA, allow
from core.cache import cached
from core.charts import chart_spec
from core.exports import export_response
from core.extensions import db
from surveys import bp, charts, drivers, exports, releases, results
from surveys.models import Audience, Wave


@bp.get("/waves/<int:wave_id>/results")
@allow(TEAM_DATA)
def wave_results(wave_id: int):
    """Everything a wave shows, in a fixed number of queries whatever its number of responses."""
    wave = db.get_or_404(Wave, wave_id)
    release = releases.release_due(wave, actor=current_user)
    if release.just_released:
        db.session.commit()
    survey = wave.survey
    waves = results.family_waves(survey)
    counts = results.item_counts([w.id for w in waves])  # every wave of the survey in one aggregate
    summary = results.wave_results(wave, counts, release)
    groups = {} if summary.hidden else {d: results.breakdown(wave, d) for d in results.DIMENSIONS}
    driver_frame = None
    if not summary.hidden and survey.audience == Audience.CLIENTS:
        driver_frame = drivers.driver_analysis(wave, {r.item.id: r.counts for r in summary.items})
    points = results.trend(survey, waves, counts)
    matrix, distributions, trend = _chart_specs(wave, summary, driver_frame, points)
    if driver_frame is not None:
        driver_frame = drivers.with_quadrants(driver_frame)
    by_typology = results.nps_trend_by(survey, "typology") if survey.audience == Audience.CLIENTS else []
    return render_template(
        "surveys/results.html", wave=wave, survey=survey, summary=summary, groups=groups,
        drivers=driver_frame.to_dict("records") if driver_frame is not None else [], matrix=matrix,
        small_n=drivers.SMALL_N, points=points, trend=trend,
        by_typology=by_typology, min_cut=results.MIN_CUT, release=release, distributions=distributions)


def _chart_specs(wave: Wave, summary, driver_frame, points) -> tuple:
    """The matrix, distribution and trend chart specs, kept while what they draw is the same. Answers are not
    audited, so the data version alone would not see a new one: a digest of the figures drawn is part of the key
    (building the charts costs more than the rest of the page)."""
    drawn = repr(([(r.item.id, sorted(r.counts.items())) for r in summary.items],
                  None if driver_frame is None else driver_frame.to_dict("records"),
                  [(p["wave"].id, p["responses"], p["csat"], p["nps"], p["repurchase"], p["participation"])
                   for p in points]))

    def compute():
        matrix = charts.matrix_chart(driver_frame) if driver_frame is not None and not driver_frame.empty else None
        trend = charts.trend_chart(points) if len(points) > 1 else None
        return (chart_spec(matrix) if matrix is not None else None,
                [chart_spec(chart) for chart in charts.distribution_charts(summary.items)],
                chart_spec(trend) if trend is not None else None)

    return cached("survey-results-charts", wave.id, hashlib.sha256(drawn.encode()).hexdigest(), compute=compute)


def _released(wave: Wave):
    """Release a due batch of an anonymous wave; None when the exports may hold nothing yet (the visitor
    is sent back to the results page, which says when they will)."""
    state = releases.release_due(wave, actor=current_user)
    db.session.commit()
    if state.batched and state.released < results.MIN_CUT:
        flash(_("The exports of this anonymous wave are not available yet: see why below."), "warning")
        return None
    return state


@bp.get("/waves/<int:wave_id>/results.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_results(wave_id: int, fmt: str):
    """Each item's n, mean, favourable % and distribution, as CSV or XLSX."""
    wave = db.get_or_404(Wave, wave_id)
    if _released(wave) is None:
        return redirect(url_for(".wave_results", wave_id=wave.id, _anchor="exports"))
    return export_response(pd.DataFrame(exports.item_rows(wave)), f"{wave.survey.title} - {wave.name}", fmt)


@bp.get("/waves/<int:wave_id>/responses.<any(csv, xlsx):fmt>")
@allow(TEAM_DATA)
def export_responses(wave_id: int, fmt: str):
    """One row per response, one column per question. Anonymous surveys: no name, no date, no group
    (groups could single people out); rows in the random order of their keys, released batches only."""
    wave = db.get_or_404(Wave, wave_id)
    if _released(wave) is None:
        return redirect(url_for(".wave_results", wave_id=wave.id, _anchor="exports"))
    return export_response(pd.DataFrame(exports.response_rows(wave)),
                           f"{wave.survey.title} - {wave.name} - {_('responses')}", fmt)

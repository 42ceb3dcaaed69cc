"""The process map of a programme and the joint map of all programmes, as SVG."""

from flask import Response, render_template, request
from sqlalchemy import select

from core.access import TEAM_DATA, allow
from core.extensions import db
from processes import bp, maps, services
from processes.models import Programme


def _chosen_programme() -> Programme | None:
    chosen = request.args.get("programme", type=int)
    return db.session.get(Programme, chosen) if chosen else services.certified_programme()


@bp.get("/")
@allow(TEAM_DATA)
def index():
    """The process map of the programme under certification (or another chosen one) (A1)."""
    programme = _chosen_programme()
    layout = maps.programme_map(programme) if programme else None
    programmes = db.session.scalars(select(Programme).order_by(Programme.is_certified.desc(), Programme.code)).all()
    return render_template("processes/map.html", programme=programme, programmes=programmes, layout=layout)


@bp.get("/joint-map")
@allow(TEAM_DATA)
def joint_map():
    """Every programme side by side with the interfaces between them (A2)."""
    return render_template("processes/joint_map.html", layout=maps.joint_map())


@bp.get("/map.svg")
@allow(TEAM_DATA)
def map_svg():
    """The map as a standalone SVG file (for documents and presentations)."""
    programme = _chosen_programme()
    layout = maps.joint_map() if request.args.get("joint") or programme is None else maps.programme_map(programme)
    svg = render_template("processes/_map.svg", layout=layout, standalone=True)
    name = "joint-map" if request.args.get("joint") or programme is None else f"map-{programme.code}"
    response = Response(svg, mimetype="image/svg+xml")
    response.headers.set("Content-Disposition", "attachment", filename=f"{name}.svg")
    return response

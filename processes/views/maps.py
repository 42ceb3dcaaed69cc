"""The process map of a programme and the joint map of all programmes, as SVG."""

from dataclasses import dataclass

from flask import Response, render_template, request
from markupsafe import Markup
from sqlalchemy import select

from core.access import TEAM_DATA, allow
from core.cache import cached, cached_page
from core.extensions import db
from core.ids import record_id
from processes import bp, cycle, maps, services
from processes.models import Programme


@dataclass(frozen=True)
class Drawing:
    """A map drawn as SVG, and how many process boxes it has (none: the page explains what to do)."""

    boxes: int
    svg: Markup


def _drawing(programme: Programme | None, *, standalone: bool = False) -> Drawing:
    """The map of ``programme`` (None: the joint map), drawn once per change of the data (``core.cache``):
    laying out hundreds of boxes and arrows costs far more than the rest of the page."""

    def draw():
        layout = maps.programme_map(programme) if programme else maps.joint_map()
        svg = render_template("processes/_map.svg", layout=layout, standalone=standalone)
        return Drawing(len(layout.boxes), Markup(svg))

    return cached("process-map", programme.id if programme else "joint", standalone, compute=draw)


def _chosen_programme() -> Programme | None:
    chosen = request.args.get("programme", type=record_id)
    return db.session.get(Programme, chosen) if chosen else services.certified_programme()


@bp.get("/")
@allow(TEAM_DATA)
@cached_page
def index():
    """The process map of the programme under certification (or another chosen one) (A1)."""
    programme = _chosen_programme()
    drawing = _drawing(programme) if programme else None
    programmes = db.session.scalars(select(Programme).order_by(Programme.is_certified.desc(), Programme.code)).all()
    return render_template("processes/map.html", programme=programme, programmes=programmes, drawing=drawing,
                           moments=cycle.cycle_of(programme.id) if programme else [])


@bp.get("/joint-map")
@allow(TEAM_DATA)
@cached_page
def joint_map():
    """Every programme side by side with the interfaces between them (A2)."""
    return render_template("processes/joint_map.html", drawing=_drawing(None))


@bp.get("/map.svg")
@allow(TEAM_DATA)
def map_svg():
    """The map as a standalone SVG file (for documents and presentations)."""
    programme = _chosen_programme()
    joint = bool(request.args.get("joint")) or programme is None
    drawing = _drawing(None if joint else programme, standalone=True)
    name = "joint-map" if joint else f"map-{programme.code}"
    response = Response(drawing.svg, mimetype="image/svg+xml")
    response.headers.set("Content-Disposition", "attachment", filename=f"{name}.svg")
    return response

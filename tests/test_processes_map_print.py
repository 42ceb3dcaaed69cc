"""The process maps as the evidence pack prints them: on a landscape page (267 × 166 mm) the smallest text is
at least 7 pt, names are wrapped whole, a legend explains the arrows, and a joint map too large for one page
becomes one page per programme."""

import pytest

from core.extensions import db
from processes import map_layout, maps
from processes.models import Direction, Interface, Process, ProcessKind, Programme
from tests.svg_print import smallest_printed_pt, texts

LONG = "Planificación estratégica y seguimiento anual del programa de fidelización de socios"


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def _programme(make_programme, make_process, make_user, code, processes=6, name=None):
    owner = make_user("member", name="Maria Concepción Etxeberria Goikoetxea")
    programme = make_programme(code=code, name=name or f"Programa {code}", certified=code == "FID")
    kinds = [ProcessKind.STRATEGIC, ProcessKind.SUPPORT] + [ProcessKind.KEY] * (processes - 2)
    return programme, [make_process(code=f"{code}-{n:02d}", programme_id=programme, kind=kind, owner_id=owner.id,
                                    name=LONG if n == 3 else f"Proceso {n} de {code}")
                       for n, kind in enumerate(kinds, start=1)]


def _interfaces(make_indicator, pairs):
    """One interface per state the legend names: complied with, breached, no agreement, no data, plain."""
    for n, (source, target) in enumerate(pairs):
        interface = Interface(from_process_id=source, to_process_id=target, flow=f"Flow {n}")
        if n == 0:
            interface.problem = "Late"
        elif n == 1:
            interface.agreement, interface.agreed_level = "Within 5 days", 5.0
            interface.indicator_id = make_indicator(target, direction=Direction.LOWER)
        db.session.add(interface)
    db.session.commit()


def test_a_programme_map_prints_at_7_pt_with_whole_names_and_a_legend(app, make_programme, make_process, make_user,
                                                                     make_indicator, request_ctx):
    programme, ids = _programme(make_programme, make_process, make_user, "FID", processes=11)
    _other, theirs = _programme(make_programme, make_process, make_user, "COM", processes=3)
    _interfaces(make_indicator, [(ids[2], theirs[2]), (theirs[1], ids[3]), (ids[4], ids[5])])

    [(title, svg)] = maps.pack_figures(db.session.get(Programme, programme))
    assert title == "Process map of Programa FID"
    assert smallest_printed_pt(svg) >= 7.0
    assert "…" not in svg
    drawn = texts(svg)
    assert LONG in drawn, "the long name is wrapped on several lines, every word kept"
    assert "Maria Concepción Etxeberria Goikoetxea" in drawn
    for entry in ("SLA complied with", "SLA not complied with", "Problem without agreement",
                  "Agreement not measurable or not measured yet", "Interface without problem or agreement",
                  "Process of another programme",
                  "The bar in each box: completeness of the sheet against the standard"):
        assert entry in drawn
    assert 'class="map-legend"' in svg and "<a " not in svg


def test_the_layout_wraps_names_into_lines_the_box_holds(app, make_programme, make_process, make_user,
                                                          request_ctx):
    programme, _ids = _programme(make_programme, make_process, make_user, "FID", processes=6)
    layout = maps.programme_map(db.session.get(Programme, programme))
    long_box = next(box for box in layout.boxes if box.process.name == LONG)
    assert len(long_box.name_lines) > 2 and " ".join(long_box.name_lines) == LONG
    assert all(len(line) <= map_layout.NAME_CHARS for line in long_box.name_lines)
    same_row = [box for box in layout.boxes if box.y == long_box.y]
    assert len(same_row) > 1 and {box.height for box in same_row} == {long_box.height}
    assert min(box.height for box in layout.boxes) < long_box.height, "only the long name's row grows"
    assert long_box.bar_y + 7 <= long_box.y + long_box.height, "the bar stays inside the box"


def test_a_joint_map_that_fits_is_one_figure(app, make_programme, make_process, make_user, make_indicator,
                                             request_ctx):
    _fid, ours = _programme(make_programme, make_process, make_user, "FID", processes=7)
    _com, theirs = _programme(make_programme, make_process, make_user, "COM", processes=3)
    _interfaces(make_indicator, [(ours[2], theirs[2])])
    [(title, svg)] = maps.pack_figures()
    assert title == "Joint process map"
    assert smallest_printed_pt(svg) >= 7.0 and "COM-03" in svg and "FID-07" in svg


def test_a_joint_map_too_large_for_a_page_becomes_one_page_per_programme(app, make_programme, make_process,
                                                                         make_user, make_indicator, request_ctx):
    codes = ["FID", "COM", "PRE", "INV", "RRHH"]
    programmes = {code: _programme(make_programme, make_process, make_user, code, processes=9) for code in codes}
    _interfaces(make_indicator, [(programmes["FID"][1][3], programmes["COM"][1][3]),
                                 (programmes["PRE"][1][4], programmes["FID"][1][4])])
    assert not maps.joint_map(legend=True).fits_a_page

    figures = maps.pack_figures()
    assert [title for title, _svg in figures] == [
        f"Joint process map: Programa {code} and its interfaces with the other programmes"
        for code in ["FID", "COM", "INV", "PRE", "RRHH"]]  # the certified one first, then by code
    for _title, svg in figures:
        assert smallest_printed_pt(svg) >= 7.0
    fid = figures[0][1]
    assert "COM-04" in fid and "PRE-05" in fid, "each page keeps the other programmes its interfaces reach"


def test_the_web_map_keeps_its_links_and_leaves_the_legend_to_the_page(app, client_as, make_programme, make_process,
                                                                       make_user):
    _programme(make_programme, make_process, make_user, "FID", processes=4)
    page = client_as("reviewer").get("/processes/").get_data(as_text=True)
    assert 'class="map-box" data-process-code="FID-01"' in page and 'class="map-legend"' not in page.split(
        'data-testid="process-map"')[1]
    assert "Planificación estratégica y seguimiento" in page and "…" not in page.split('data-testid="process-map"')[1]
    with app.app_context():
        assert db.session.query(Process).count() == 4


def test_a_programme_too_large_for_a_page_prints_on_pages_that_each_stay_legible_and_light(
        app, make_programme, make_process, make_user, make_indicator, request_ctx):
    """90 processes do not fit one landscape page at 7 pt: the map goes on one page per band, a band too large in
    slices; every process is drawn whole on exactly one page, every interface on a page holding one of its ends
    (the other end dashed where it lives elsewhere), and no page's SVG is over 150 kB however large the programme."""
    owner = make_user("member", name="Ana Pérez")
    programme = make_programme(code="FID", name="Programa FID", certified=True)
    other = make_programme(code="COM", name="Programa COM")
    kinds = [ProcessKind.STRATEGIC] * 8 + [ProcessKind.KEY] * 70 + [ProcessKind.SUPPORT] * 12
    ids = [make_process(code=f"FID-{n:02d}", programme_id=programme, kind=kind, owner_id=owner.id,
                        name=f"Proceso {n}") for n, kind in enumerate(kinds, start=1)]
    theirs = make_process(code="COM-01", programme_id=other, kind=ProcessKind.KEY, owner_id=owner.id)
    # strategic → key (first and last of the band), key → support, support → another programme
    _interfaces(make_indicator, [(ids[0], ids[8]), (ids[1], ids[77]), (ids[40], ids[85]), (ids[89], theirs)])
    assert not maps.programme_map(db.session.get(Programme, programme), legend=True).fits_a_page

    parts = maps.programme_parts(db.session.get(Programme, programme))
    assert len(parts) >= 3 and all(layout.fits_a_page for _part, layout in parts)
    solid = [box.process.code for _part, layout in parts for box in layout.boxes if not box.external]
    assert sorted(solid) == sorted(f"FID-{n:02d}" for n in range(1, 91)), "each process whole on exactly one page"
    drawn = {arrow.interface.flow for _part, layout in parts for arrow in layout.arrows}
    assert drawn == {"Flow 0", "Flow 1", "Flow 2", "Flow 3"}, "no interface is lost between pages"
    assert [part for part, _layout in parts][0] == "Strategic processes"

    figures = maps.pack_figures(db.session.get(Programme, programme))
    assert len(figures) == len(parts)
    assert figures[0][0] == "Process map of Programa FID — Strategic processes"
    assert any(title.startswith("Process map of Programa FID — Key processes (1 of ") for title, _svg in figures)
    for _title, svg in figures:
        assert smallest_printed_pt(svg) >= 7.0 and len(svg) <= 150_000
    assert "Process on another page of this map, or of another programme" in texts(figures[0][1])

"""The pack's figures stay light as the organisation grows (issue 17): at 150 processes and 110 indicators no
figure is over 150 kB of SVG, the E1 trends are small multiples laid out as text (no SVG text to typeset letter
by letter), and a map two criteria show is drawn once. Built without typesetting, so it stays fast."""

from flask_babel import force_locale

from bench.pack_data import grow
from core.extensions import db
from core.findings import Multiples
from evidence import packs
from evidence.criteria_sets import current_set
from tests.evidence_fixtures import checklist_ids

MAX_FIGURE_BYTES = 150_000


def test_no_figure_of_a_large_pack_is_over_150_kb_and_a_shared_map_is_drawn_once(app, make_programme, make_process):
    checklist_ids(app)
    make_programme(code="COM", certified=False)
    make_process(code="FID-C01")
    with app.app_context():
        grow(processes=150, indicators=110, months=2)
        db.session.commit()
    with app.test_request_context("/"), force_locale("en"):
        content = packs.gather(current_set(), packs.SCOPE_ALL, "en")
        html = packs.pack_html(content)
        repeats = packs.repeated_figures(content.rows)
    drawings = [body for body, kind in content.images.values() if kind == "image/svg+xml"]
    assert drawings and max(map(len, drawings)) <= MAX_FIGURE_BYTES, sorted(map(len, drawings))
    [trends] = [b for row in content.rows for b in row.finding.blocks if isinstance(b, Multiples)]
    assert len(trends.panels) == 110 and html.count('class="panel"') == 110
    # The certified programme's 150 processes do not fit one legible page: its map is several (one per band, the
    # key band in slices), A1's figures, which the joint map, split per programme, cites instead of drawing again.
    [a1] = [row for row in content.rows if row.criterion.code == "A1"]
    pages = sum(1 for block in a1.finding.blocks if getattr(block, "landscape", False))
    assert pages > 1 and repeats == {("A2", n): ("A1", n) for n in range(1, pages + 1)}, repeats
    assert html.count('id="criterion-A2-figure-1"') == 0 and 'href="#criterion-A1-figure-1"' in html

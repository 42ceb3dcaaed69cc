"""Reading a generated SVG as it will print: the size of its smallest text once scaled onto a page box."""

import re
import xml.etree.ElementTree as ET

from core.pdf import FIGURE_HEIGHT_PT, FIGURE_WIDTH_PT

SVG = "{http://www.w3.org/2000/svg}"
#: The box a figure gets on the pack's landscape A4 page and the portrait text column (178 mm wide), in points.
LANDSCAPE_PT = (FIGURE_WIDTH_PT, FIGURE_HEIGHT_PT)
PORTRAIT_WIDTH_PT = 178 / 25.4 * 72
_SIZE = re.compile(r"font-size:\s*([\d.]+)(?:px)?")


def _font_size(element, inherited: float | None) -> float | None:
    size = element.get("font-size")
    if size is None and _SIZE.search(element.get("style") or ""):
        size = _SIZE.search(element.get("style")).group(1)
    return float(str(size).removesuffix("px")) if size is not None else inherited


def text_sizes(svg: str) -> list[float]:
    """The font size (SVG px) of every text element that draws characters."""
    sizes = []

    def walk(element, inherited):
        size = _font_size(element, inherited)
        if element.tag in (f"{SVG}text", f"{SVG}tspan") and (element.text or "").strip():
            sizes.append(size if size is not None else 16.0)
        for child in element:
            walk(child, size)

    walk(ET.fromstring(svg), None)
    return sizes


def view_box(svg: str) -> tuple[float, float]:
    root = ET.fromstring(svg)
    if root.get("viewBox"):
        _x, _y, width, height = map(float, root.get("viewBox").split())
        return width, height
    return float(root.get("width")), float(root.get("height"))


def smallest_printed_pt(svg: str, box_pt: tuple[float, float] = LANDSCAPE_PT, *, natural: bool = False) -> float:
    """The smallest text in points when the drawing is scaled to fit ``box_pt`` (width, height) — or, with
    ``natural``, printed at its own size (1 px = 0.75 pt) unless that is wider than the box."""
    width, height = view_box(svg)
    scale = min(box_pt[0] / width, box_pt[1] / height)
    if natural:
        scale = min(0.75, scale)
    return min(text_sizes(svg)) * scale


def texts(svg: str) -> list[str]:
    """Every text element's characters, tspans joined with spaces."""
    root = ET.fromstring(svg)
    return [" ".join(part.strip() for part in element.itertext() if part.strip())
            for element in root.iter(f"{SVG}text")]

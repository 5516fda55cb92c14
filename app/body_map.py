"""The body map: where it hurts, drawn on the body from behind and from the front, with its words
for a screen reader."""

from __future__ import annotations

from collections.abc import Iterable

from hipscreen.i18n import _
from hipscreen.words import LOCATION_LABELS

# Regions on two outline figures, 200 x 400 each: the back view (the person's left is on the
# viewer's left) and the front view (the person's left is on the viewer's right).
_BACK_REGIONS: dict[str, tuple[str, float, float, float, float]] = {
    # location: (shape, cx, cy, rx, ry) on the back figure
    "low_back_left": ("ellipse", 82, 150, 14, 14),
    "low_back_central": ("ellipse", 100, 150, 6, 16),
    "low_back_right": ("ellipse", 118, 150, 14, 14),
    "si_left": ("ellipse", 90, 178, 8, 8),
    "si_right": ("ellipse", 110, 178, 8, 8),
    "deep_glute_left": ("ellipse", 78, 196, 14, 12),
    "deep_glute_right": ("ellipse", 122, 196, 14, 12),
    "hamstring_left": ("ellipse", 80, 250, 12, 30),
    "hamstring_right": ("ellipse", 120, 250, 12, 30),
    "below_knee_left": ("ellipse", 80, 330, 10, 36),
    "below_knee_right": ("ellipse", 120, 330, 10, 36),
}
_FRONT_REGIONS: dict[str, tuple[str, float, float, float, float]] = {
    "front_hip_left": ("ellipse", 124, 186, 12, 10),
    "front_hip_right": ("ellipse", 76, 186, 12, 10),
    "groin_left": ("ellipse", 108, 210, 8, 10),
    "groin_right": ("ellipse", 92, 210, 8, 10),
    "belly": ("ellipse", 100, 138, 22, 18),
    "thigh_front_left": ("ellipse", 119, 254, 11, 26),
    "thigh_front_right": ("ellipse", 81, 254, 11, 26),
    "knee_left": ("ellipse", 118, 302, 10, 11),
    "knee_right": ("ellipse", 82, 302, 10, 11),
}
_OUTLINE = (
    # head, trunk, arms, legs of a simple standing figure, 200 wide
    '<circle cx="100" cy="40" r="24"/>'
    '<path d="M70 72 Q100 62 130 72 L136 170 Q138 200 132 212 L68 212 Q62 200 64 170 Z"/>'
    '<path d="M70 76 L48 160 L56 164 L76 100 Z"/><path d="M130 76 L152 160 L144 164 L124 100 Z"/>'
    '<path d="M68 210 L66 300 L70 380 L92 380 L96 300 L99 214 Z"/>'
    '<path d="M132 210 L134 300 L130 380 L108 380 L104 300 L101 214 Z"/>'
)


def body_map_alt(selected: Iterable[str]) -> str:
    """The body map in words, for its alt text: which places are marked."""
    chosen = set(selected)
    described = "; ".join(LOCATION_LABELS[loc] for loc in LOCATION_LABELS if loc in chosen)
    return _("Body map: the body from behind and from the front. Where it hurts: {places}.",
             places=described or _("nothing marked yet"))


def body_map_svg(selected: Iterable[str]) -> str:
    """An SVG of the body from behind and from the front with each pain location drawn as a
    region; selected locations are filled. Every region has a <title> in words."""
    chosen = set(selected)
    unknown = chosen - set(LOCATION_LABELS)
    if unknown:
        raise ValueError(f"unknown pain locations: {sorted(unknown)}")

    def regions(table, dx: int) -> str:
        out = []
        for loc, (_shape, cx, cy, rx, ry) in table.items():
            on = loc in chosen
            out.append(
                f'<ellipse id="{loc}" class="{"selected" if on else "region"}" '
                f'cx="{cx + dx}" cy="{cy}" rx="{rx}" ry="{ry}" '
                f'fill="{"#d62728" if on else "#ffffff"}" fill-opacity="{0.85 if on else 0.6}" '
                f'stroke="{"#7f0000" if on else "#888888"}" stroke-width="{2 if on else 1}">'
                f"<title>{LOCATION_LABELS[loc]}{_(' (hurts)') if on else ''}</title></ellipse>")
        return "".join(out)

    title = body_map_alt(chosen)
    left, right = _("L"), _("R")  # the person's left and right, one letter each
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 440 430" width="440" height="430" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        '<rect width="440" height="430" fill="#ffffff"/>'
        f'<g fill="#eeeeee" stroke="#999999" stroke-width="1.5">{_OUTLINE}</g>'
        f'<g transform="translate(240 0)" fill="#eeeeee" stroke="#999999" stroke-width="1.5">'
        f"{_OUTLINE}</g>"
        f"{regions(_BACK_REGIONS, 0)}{regions(_FRONT_REGIONS, 240)}"
        '<g font-family="Helvetica, Arial, sans-serif" font-size="13" fill="#222222" '
        'text-anchor="middle">'
        f'<text x="100" y="405">{_("From behind")}</text>'
        f'<text x="340" y="405">{_("From the front")}</text>'
        f'<text x="30" y="150">{left}</text><text x="170" y="150">{right}</text>'
        f'<text x="270" y="150">{right}</text><text x="410" y="150">{left}</text></g></svg>')

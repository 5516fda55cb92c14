"""Draw the knowledge base's pictures: one SVG line figure per drill and per movement test, the
start position on the left and the end position on the right, in one style.

    uv run python tools/draw_pictures.py            # writes knowledge/data/pictures/*.svg
    uv run python tools/draw_pictures.py --check    # exit 1 if a file differs from the drawing

The picture a drill or a test uses, and its words (the alt text, also the SVG's <title>), are in
knowledge/data/drills.yaml and movement_tests.yaml (`picture`, `picture_alt`). A figure is drawn
from joint angles (degrees: 0 points the way the person faces, 90 up, -90 down), so every figure
has the same proportions; no text is drawn, so a picture reads the same in every language.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "knowledge" / "data"

INK, FAR, PROP, ACCENT, FLOOR = "#1f2937", "#94a3b8", "#64748b", "#d9480f", "#cbd5e1"
PANEL, HEIGHT, GAP = 170, 200, 36
WIDTH = 2 * PANEL + GAP
GROUND = 188  # y of the floor line
STROKE = 5

TRUNK, NECK, HEAD, THIGH, SHIN, FOOT, UPPER_ARM, FOREARM = 50, 7, 10, 42, 40, 13, 26, 25


def _at(x: float, y: float, angle: float, length: float) -> tuple[float, float]:
    """A point `length` from (x, y) in direction `angle` (degrees; SVG y grows downward)."""
    rad = math.radians(angle)
    return x + length * math.cos(rad), y - length * math.sin(rad)


@dataclass(frozen=True)
class Side:
    """A side-view pose, facing right: the direction of each body segment."""

    trunk: float = 90
    head: float | None = None  # default: the trunk's direction
    near_leg: tuple[float, float, float] = (-90, -90, 0)  # thigh, shin, foot
    far_leg: tuple[float, float, float] = (-90, -90, 0)
    near_arm: tuple[float, float] = (-95, -85)  # upper arm, forearm
    far_arm: tuple[float, float] = (-85, -80)


@dataclass
class Figure:
    """A side-view figure placed so that `anchor` (a joint name) is at `at`."""

    pose: Side
    at: tuple[float, float]
    anchor: str = "near_ankle"
    joints: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        p = self.pose
        j: dict[str, tuple[float, float]] = {"hip": (0.0, 0.0)}
        j["shoulder"] = _at(*j["hip"], p.trunk, TRUNK)
        j["neck"] = _at(*j["shoulder"], p.head if p.head is not None else p.trunk, NECK)
        j["head"] = _at(*j["neck"], p.head if p.head is not None else p.trunk, HEAD)
        for side, leg in (("near", p.near_leg), ("far", p.far_leg)):
            j[f"{side}_knee"] = _at(*j["hip"], leg[0], THIGH)
            j[f"{side}_ankle"] = _at(*j[f"{side}_knee"], leg[1], SHIN)
            j[f"{side}_toe"] = _at(*j[f"{side}_ankle"], leg[2], FOOT)
        for side, arm in (("near", p.near_arm), ("far", p.far_arm)):
            j[f"{side}_elbow"] = _at(*j["shoulder"], arm[0], UPPER_ARM)
            j[f"{side}_hand"] = _at(*j[f"{side}_elbow"], arm[1], FOREARM)
        ax, ay = j[self.anchor]
        dx, dy = self.at[0] - ax, self.at[1] - ay
        self.joints = {k: (x + dx, y + dy) for k, (x, y) in j.items()}

    def __getitem__(self, name: str) -> tuple[float, float]:
        return self.joints[name]

    def reach(self, limb: str, target: tuple[float, float], bend: int = 1) -> Figure:
        """Bend an arm ("near_arm", "far_arm") or a leg ("near_leg", "far_leg") so that its hand
        or ankle is at `target` (two-link inverse kinematics); `bend` picks the elbow or knee
        side. The foot keeps its direction."""
        side, kind = limb.split("_")
        if kind == "arm":
            root, mid, end, a, b = "shoulder", f"{side}_elbow", f"{side}_hand", UPPER_ARM, FOREARM
        else:
            root, mid, end, a, b = "hip", f"{side}_knee", f"{side}_ankle", THIGH, SHIN
        (rx, ry), (tx, ty) = self.joints[root], target
        d = math.hypot(tx - rx, ty - ry)
        towards = math.degrees(math.atan2(-(ty - ry), tx - rx))
        if d > a + b - 0.01:
            d = a + b - 0.01
            tx, ty = _at(rx, ry, towards, d)
        spread = math.degrees(math.acos(max(-1.0, min(1.0, (a * a + d * d - b * b) / (2 * a * d)))))
        self.joints[mid] = _at(rx, ry, towards + bend * spread, a)
        reached = (tx, ty)
        if kind == "leg":
            foot = self.joints[f"{side}_toe"]
            ox, oy = foot[0] - self.joints[end][0], foot[1] - self.joints[end][1]
            self.joints[f"{side}_toe"] = (reached[0] + ox, reached[1] + oy)
        self.joints[end] = reached
        return self

    def moved(self, dx: float, dy: float = 0) -> Figure:
        self.joints = {k: (x + dx, y + dy) for k, (x, y) in self.joints.items()}
        return self


    def svg(self) -> str:
        j = self.joints

        def line(*names: str, colour: str = INK) -> str:
            points = " ".join(f"{j[n][0]:.1f},{j[n][1]:.1f}" for n in names)
            return f'<polyline points="{points}" stroke="{colour}"/>'

        head = j["head"]
        return "".join([
            line("shoulder", "far_elbow", "far_hand", colour=FAR),
            line("hip", "far_knee", "far_ankle", "far_toe", colour=FAR),
            line("hip", "shoulder", "neck"),
            f'<circle cx="{head[0]:.1f}" cy="{head[1]:.1f}" r="{HEAD}" fill="#ffffff" '
            f'stroke="{INK}"/>',
            line("hip", "near_knee", "near_ankle", "near_toe"),
            line("shoulder", "near_elbow", "near_hand"),
        ])


def centred(fig: Figure | Front, *extra: tuple[float, float]) -> float:
    """Move `fig` sideways so it (with the `extra` points of its props) sits in the middle of
    the panel; returns the shift, for props drawn from points computed before."""
    xs = [x for x, _ in fig.joints.values()] + [x for x, _ in extra]
    head = fig.joints["head"][0]
    left, right = min(min(xs), head - HEAD), max(max(xs), head + HEAD)
    dx = round((PANEL - (left + right)) / 2, 1)
    fig.joints = {k: (x + dx, y) for k, (x, y) in fig.joints.items()}
    return dx


@dataclass(frozen=True)
class Front:
    """A front-view figure from explicit joints (SVG coordinates inside the panel)."""

    joints: dict[str, tuple[float, float]]

    def svg(self) -> str:
        j = self.joints

        def line(*names: str) -> str:
            points = " ".join(f"{j[n][0]:.1f},{j[n][1]:.1f}" for n in names)
            return f'<polyline points="{points}" stroke="{INK}"/>'

        head = j["head"]
        return "".join([
            line("l_hand", "l_elbow", "l_shoulder", "r_shoulder", "r_elbow", "r_hand"),
            line("neck", "pelvis"),
            line("l_toe", "l_ankle", "l_knee", "l_hip", "r_hip", "r_knee", "r_ankle", "r_toe"),
            f'<circle cx="{head[0]:.1f}" cy="{head[1]:.1f}" r="{HEAD}" fill="#ffffff" '
            f'stroke="{INK}"/>',
        ])


def front(cx: float, *, pelvis_y: float = 104, tilt: float = 0, shift: float = 0,
          knees: tuple[float, float] = (0, 0), feet: tuple[float, float] = (-14, 14),
          knee_y: float | None = None, ankle_y: float = GROUND - 4,
          hands_on_hips: bool = False, trunk_lean: float = 0) -> Front:
    """A standing or squatting figure seen from the front (the person's right on the left of the
    picture). `tilt` drops the picture-right hip by that many units; `shift` moves the pelvis
    sideways; `knees` moves each knee sideways from the line hip-to-foot."""
    px = cx + shift
    l_hip, r_hip = (px - 11, pelvis_y), (px + 11, pelvis_y + tilt)
    pelvis = (px, pelvis_y + tilt / 2)
    neck = (px - trunk_lean, pelvis_y - TRUNK - 4)
    head = (neck[0], neck[1] - NECK - HEAD)
    l_sh, r_sh = (neck[0] - 17, neck[1] + 3), (neck[0] + 17, neck[1] + 3)
    l_ankle, r_ankle = (cx + feet[0], ankle_y), (cx + feet[1], ankle_y)
    ky = knee_y if knee_y is not None else (pelvis_y + ankle_y) / 2
    l_knee = ((l_hip[0] + l_ankle[0]) / 2 + knees[0], ky)
    r_knee = ((r_hip[0] + r_ankle[0]) / 2 + knees[1], ky + tilt / 2)
    if hands_on_hips:
        l_elbow, r_elbow = (l_sh[0] - 14, l_sh[1] + 22), (r_sh[0] + 14, r_sh[1] + 22)
        l_hand, r_hand = (l_hip[0] - 3, l_hip[1] - 6), (r_hip[0] + 3, r_hip[1] - 6)
    else:
        l_elbow, r_elbow = (l_sh[0] - 6, l_sh[1] + 25), (r_sh[0] + 6, r_sh[1] + 25)
        l_hand, r_hand = (l_sh[0] - 8, l_sh[1] + 49), (r_sh[0] + 8, r_sh[1] + 49)
    return Front({
        "head": head, "neck": neck, "pelvis": pelvis, "l_shoulder": l_sh, "r_shoulder": r_sh,
        "l_elbow": l_elbow, "r_elbow": r_elbow, "l_hand": l_hand, "r_hand": r_hand,
        "l_hip": l_hip, "r_hip": r_hip, "l_knee": l_knee, "r_knee": r_knee,
        "l_ankle": l_ankle, "r_ankle": r_ankle,
        "l_toe": (l_ankle[0] - 7, l_ankle[1] + 2), "r_toe": (r_ankle[0] + 7, r_ankle[1] + 2),
    })


# -- props and marks ---------------------------------------------------------------------------------
def floor(x0: float = 8, x1: float = PANEL - 8) -> str:
    return f'<line x1="{x0}" y1="{GROUND}" x2="{x1}" y2="{GROUND}" stroke="{FLOOR}" stroke-width="3"/>'


def wall(x: float, top: float = 30) -> str:
    return (f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{GROUND}" stroke="{PROP}" '
            f'stroke-width="4"/>')


def chair_back(hand: tuple[float, float]) -> str:
    """A chair facing away, its back's top under the hand."""
    x, y = hand[0] + 4, hand[1] + 2
    return (f'<g stroke="{PROP}" stroke-width="4" fill="none">'
            f'<polyline points="{x:.1f},{y:.1f} {x:.1f},{GROUND}"/>'
            f'<polyline points="{x:.1f},{y + 40:.1f} {x + 26:.1f},{y + 40:.1f} {x + 26:.1f},'
            f'{GROUND}"/></g>')


def counter(hand: tuple[float, float]) -> str:
    x, y = hand[0] - 6, hand[1] + 3
    return (f'<g stroke="{PROP}" stroke-width="4" fill="none">'
            f'<polyline points="{x:.1f},{y:.1f} {x + 30:.1f},{y:.1f}"/>'
            f'<polyline points="{x + 24:.1f},{y:.1f} {x + 24:.1f},{GROUND}"/></g>')


def high_seat(x0: float, x1: float, y: float) -> str:
    return (f'<g stroke="{PROP}" stroke-width="4" fill="none">'
            f'<polyline points="{x0},{y} {x1},{y}"/>'
            f'<polyline points="{x0 + 4},{y} {x0 + 4},{GROUND}"/>'
            f'<polyline points="{x1 - 4},{y} {x1 - 4},{GROUND}"/></g>')


def _behind(fig: Figure, behind: float) -> tuple[float, float]:
    """The point `behind` units behind the hip, square to the trunk (the figure faces right)."""
    return _at(*fig["hip"], fig.pose.trunk + 90, behind)


def stick(fig: Figure, behind: float = 9, above: float = 16, below: float = 14) -> str:
    """A broom handle along the back: parallel to the trunk, touching head, upper back and
    tailbone."""
    base, ang = _behind(fig, behind), fig.pose.trunk
    start = _at(*base, ang + 180, below)
    end = _at(*base, ang, TRUNK + NECK + 2 * HEAD + above - behind)
    return (f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" y2="{end[1]:.1f}" '
            f'stroke="{PROP}" stroke-width="4"/>')


def stick_points(fig: Figure, behind: float = 9) -> list[tuple[float, float]]:
    """Where the stick touches: the back of the head, the upper back and the tailbone."""
    base, ang = _behind(fig, behind), fig.pose.trunk
    return [_at(*base, ang, d) for d in (2, TRUNK - 10, TRUNK + NECK + HEAD)]


def dot(point: tuple[float, float], r: float = 5, colour: str = ACCENT) -> str:
    return f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="{r}" fill="{colour}" stroke="none"/>'


def ring(point: tuple[float, float], r: float = 11) -> str:
    return (f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="{r}" fill="none" '
            f'stroke="{ACCENT}" stroke-width="3"/>')


def arrowhead(tip: tuple[float, float], angle: float, size: float = 9,
              colour: str = ACCENT) -> str:
    a, b = _at(*tip, angle + 180 - 28, size), _at(*tip, angle + 180 + 28, size)
    return (f'<polygon points="{tip[0]:.1f},{tip[1]:.1f} {a[0]:.1f},{a[1]:.1f} {b[0]:.1f},'
            f'{b[1]:.1f}" fill="{colour}" stroke="none"/>')


def arrow(start: tuple[float, float], end: tuple[float, float], colour: str = ACCENT) -> str:
    angle = math.degrees(math.atan2(-(end[1] - start[1]), end[0] - start[0]))
    shaft_end = _at(*end, angle + 180, 6)
    return (f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{shaft_end[0]:.1f}" '
            f'y2="{shaft_end[1]:.1f}" stroke="{colour}" stroke-width="3"/>'
            + arrowhead(end, angle, colour=colour))


def turn(centre: tuple[float, float], r: float = 20, start: float = 200, end: float = 340,
         ry: float | None = None) -> str:
    """A curved arrow around `centre` (an ellipse arc from angle `start` to `end`): a turn."""
    ry = r * 0.45 if ry is None else ry
    steps = 16
    pts = []
    for i in range(steps + 1):
        a = math.radians(start + (end - start) * i / steps)
        pts.append((centre[0] + r * math.cos(a), centre[1] - ry * math.sin(a)))
    last, before = pts[-1], pts[-2]
    angle = math.degrees(math.atan2(-(last[1] - before[1]), last[0] - before[0]))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts[:-1])
    return (f'<polyline points="{path}" fill="none" stroke="{ACCENT}" stroke-width="3"/>'
            + arrowhead(last, angle))


def stopwatch(centre: tuple[float, float]) -> str:
    x, y = centre
    return (f'<g stroke="{ACCENT}" stroke-width="3" fill="#ffffff">'
            f'<circle cx="{x}" cy="{y}" r="12"/><line x1="{x}" y1="{y - 16}" x2="{x}" '
            f'y2="{y - 13}"/><line x1="{x}" y1="{y}" x2="{x + 5}" y2="{y - 7}"/></g>')


# -- the pictures --------------------------------------------------------------------------------------
def at_floor(x: float = 85) -> tuple[float, float]:
    return (x, GROUND - 4)


def hinge_arrow(fig: Figure, dy: float = -24) -> str:
    """'Hips back': an arrow behind the hips."""
    hx, hy = fig["hip"]
    return arrow((hx + 12, hy + dy), (hx - 14, hy + dy))


def glute_bridge() -> tuple[str, str]:
    start = Figure(Side(trunk=184, head=180, near_leg=(50, -98, 0), far_leg=(47, -100, 0),
                        near_arm=(-4, -2), far_arm=(-2, 0)), at_floor())
    end = Figure(Side(trunk=207, head=190, near_leg=(27, -95, 0), far_leg=(25, -97, 0),
                      near_arm=(-20, -8), far_arm=(-18, -6)), at_floor())
    centred(start)
    centred(end)
    hx, hy = end["hip"]
    return floor() + start.svg(), floor() + end.svg() + arrow((hx, hy + 30), (hx, hy + 6))


ARMS_OUT = {"near_arm": (-75, -60), "far_arm": (-70, -55)}


def single_leg_stability() -> tuple[str, str]:
    start = Figure(Side(far_leg=(-88, -90, 0), **ARMS_OUT), at_floor())
    end = Figure(Side(far_leg=(-35, -105, -10), **ARMS_OUT), at_floor())
    centred(start)
    centred(end)
    tripod = dot(end["near_ankle"], 4) + dot(end["near_toe"], 4)
    return floor() + start.svg(), floor() + end.svg() + tripod


def supported_single_leg_stability() -> tuple[str, str]:
    out = []
    for far_leg in ((-88, -90, 0), (-35, -105, -10)):
        fig = Figure(Side(far_leg=far_leg, far_arm=(-70, -55)), at_floor())
        fig.reach("near_arm", (fig["hip"][0] + 40, fig["hip"][1] - 6), bend=-1)
        hand = fig["near_hand"]
        centred(fig, (hand[0] + 30, 0))
        marks = dot(fig["near_ankle"], 4) + dot(fig["near_toe"], 4) if far_leg[0] > -80 else ""
        out.append(floor() + chair_back(fig["near_hand"]) + fig.svg() + marks)
    return out[0], out[1]


HANGING = {"near_arm": (-92, -90), "far_arm": (-88, -86)}


def single_leg_hip_hinge() -> tuple[str, str]:
    start = Figure(Side(far_leg=(-100, -118, -60), **HANGING), at_floor())
    end = Figure(Side(trunk=14, head=18, near_leg=(-78, -100, 0), far_leg=(194, 194, -100),
                      **HANGING), at_floor())
    centred(start)
    centred(end)
    return floor() + start.svg(), floor() + end.svg() + hinge_arrow(end)


def kickstand_hinge() -> tuple[str, str]:
    out = []
    for trunk, near_leg in ((90, (-90, -90, 0)), (38, (-76, -100, 0))):
        fig = Figure(Side(trunk=trunk, head=trunk + 6 if trunk < 90 else 90, near_leg=near_leg,
                          far_leg=(-110, -100, -35), **HANGING), at_floor())
        toe_x = fig["near_ankle"][0] - 22
        fig.reach("far_leg", (toe_x - 10, GROUND - 11), bend=1)
        centred(fig)
        out.append(floor() + fig.svg() + (hinge_arrow(fig) if trunk < 90 else ""))
    return out[0], out[1]


def _dowel(trunk: float, near_leg: tuple[float, float, float], marks: bool) -> str:
    fig = Figure(Side(trunk=trunk, head=trunk, near_leg=near_leg, far_leg=near_leg), at_floor())
    top, upper, low = stick_points(fig)
    fig.reach("near_arm", _at(*top, trunk + 90, 0), bend=-1)
    fig.reach("far_arm", _at(*low, trunk, 4), bend=1)
    centred(fig)
    top, upper, low = stick_points(fig)
    extra = ""
    if marks:
        extra = dot(top, 4.5) + dot(upper, 4.5) + dot(low, 4.5)
    elif trunk < 90:
        extra = hinge_arrow(fig, dy=22)
    return floor() + fig.svg() + stick(fig) + extra


def dowel_hip_hinge(marks: bool = False) -> tuple[str, str]:
    return _dowel(90, (-90, -90, 0), marks), _dowel(42, (-76, -102, 0), marks)


# -- seen from above: the pelvis turning over the standing foot --------------------------------------
ABOVE = 110  # the height of the "seen from above" strip under a side view


def _from_above(turned: float, *, ghost: float | None = None, arrow_on: bool = False) -> str:
    """The body seen from above, in a box under the side view: the standing foot (it stays
    still), the pelvis (a bar from the standing hip, the dot it turns around, to the free hip),
    the trunk forward to the shoulders, and the head. `turned`: the degrees the pelvis and trunk
    have turned around the standing hip (positive: the free hip comes forward, so the standing
    hip turns in; negative: the pelvis opens back). `ghost`: the start position, dashed;
    `arrow_on`: a curved arrow from it to the end position."""
    top = HEIGHT + 2
    pivot = (PANEL * 0.36, top + ABOVE * 0.66)
    wide, reach, shoulders, head_r = 44, 40, 46, 9

    def body(angle: float, colour: str, dash: str = "") -> str:
        rad = math.radians(angle)
        across = (math.sin(rad), -math.cos(rad))  # the pelvis, hip to hip (up in the box)
        forward = (math.cos(rad), math.sin(rad))  # where the chest points (right in the box)
        free = (pivot[0] + wide * across[0], pivot[1] + wide * across[1])
        mid = ((pivot[0] + free[0]) / 2, (pivot[1] + free[1]) / 2)
        chest = (mid[0] + reach * forward[0], mid[1] + reach * forward[1])
        s1 = (chest[0] - shoulders / 2 * across[0], chest[1] - shoulders / 2 * across[1])
        s2 = (chest[0] + shoulders / 2 * across[0], chest[1] + shoulders / 2 * across[1])
        head = (chest[0] + (head_r + 5) * forward[0], chest[1] + (head_r + 5) * forward[1])
        style = f'stroke="{colour}"' + (f' stroke-dasharray="{dash}"' if dash else "")
        return (f"<g {style}>"
                f'<line x1="{pivot[0]:.1f}" y1="{pivot[1]:.1f}" x2="{free[0]:.1f}" y2="{free[1]:.1f}"/>'
                f'<line x1="{mid[0]:.1f}" y1="{mid[1]:.1f}" x2="{chest[0]:.1f}" y2="{chest[1]:.1f}"/>'
                f'<line x1="{s1[0]:.1f}" y1="{s1[1]:.1f}" x2="{s2[0]:.1f}" y2="{s2[1]:.1f}"/>'
                f'<circle cx="{head[0]:.1f}" cy="{head[1]:.1f}" r="{head_r}" fill="#ffffff"/>'
                "</g>")

    foot = (f'<line x1="{pivot[0] - 6:.1f}" y1="{pivot[1] + 14:.1f}" x2="{pivot[0] + 16:.1f}" '
            f'y2="{pivot[1] + 14:.1f}" stroke="{INK}" stroke-width="7"/>')
    out = [f'<rect x="6" y="{top}" width="{PANEL - 12}" height="{ABOVE - 6}" rx="10" '
           f'fill="#f1f5f9" stroke="none"/>', foot]
    if ghost is not None:
        out.append(body(ghost, FAR, dash="2 8"))
    out.append(body(turned, INK))
    out.append(dot(pivot, 6))
    if arrow_on and ghost is not None:  # along the free hip's path, from start to end
        a0, a1 = 90 - ghost, 90 - turned
        step = 6 if a1 > a0 else -6
        out.append(turn(pivot, r=wide + 12, start=a0 + step, end=a1 - step / 2, ry=wide + 12))
    return "".join(out)


IR_TURN, OPEN_TURN = 38, -45  # degrees the pelvis turns in the end pictures


def internal_rotation_hinge() -> tuple[str, str]:
    start = Figure(Side(trunk=28, head=32, near_leg=(-80, -98, 0), far_leg=(200, 205, -95),
                        **HANGING), at_floor())
    end = Figure(Side(trunk=22, head=26, near_leg=(-82, -98, 0), far_leg=(222, 238, -120),
                      **HANGING), at_floor())
    centred(start)
    centred(end)
    return (floor() + start.svg() + _from_above(0),
            floor() + end.svg() + turn(end["hip"], r=22, start=160, end=380)
            + _from_above(IR_TURN, ghost=0, arrow_on=True))


def _supported_ir(far_leg: tuple[float, float, float], arrow_on: bool) -> str:
    fig = Figure(Side(trunk=62, head=66, near_leg=(-84, -96, 0), far_leg=far_leg,
                      far_arm=(-80, -88)), at_floor())
    wall_x = fig["shoulder"][0] + 44
    fig.reach("near_arm", (wall_x - 3, fig["shoulder"][1] + 16), bend=-1)
    dx = centred(fig, (wall_x + 4, 0))
    extra = turn(fig["hip"], r=16, start=160, end=330) if arrow_on else ""
    above = (_from_above(IR_TURN * 0.6, ghost=0, arrow_on=True) if arrow_on
             else _from_above(0))
    return floor() + wall(wall_x + dx) + fig.svg() + extra + above


def supported_internal_rotation_hinge() -> tuple[str, str]:
    return (_supported_ir((-110, -100, -20), False), _supported_ir((-128, -118, -40), True))


def hip_airplane() -> tuple[str, str]:
    start = Figure(Side(trunk=8, head=12, near_leg=(-82, -98, 0), far_leg=(188, 188, -95),
                        **HANGING), at_floor())
    end = Figure(Side(trunk=8, head=12, near_leg=(-82, -98, 0), far_leg=(186, 186, -95),
                      near_arm=(-95, -95), far_arm=(88, 90)), at_floor())
    centred(start)
    centred(end)
    return (floor() + start.svg() + _from_above(0),
            floor() + end.svg() + turn(end["hip"], r=20, start=200, end=420)
            + _from_above(OPEN_TURN, ghost=0, arrow_on=True))


def _supported_airplane(far_leg: tuple[float, float, float], arrow_on: bool) -> str:
    fig = Figure(Side(trunk=50, head=54, near_leg=(-84, -96, 0), far_leg=far_leg), at_floor())
    target = (fig["shoulder"][0] + 30, fig["hip"][1] - 2)
    fig.reach("near_arm", target, bend=1)
    fig.reach("far_arm", (target[0] + 3, target[1]), bend=1)
    centred(fig, (target[0] + 28, 0))
    extra = turn(fig["hip"], r=16, start=200, end=400) if arrow_on else ""
    above = (_from_above(OPEN_TURN * 0.6, ghost=0, arrow_on=True) if arrow_on
             else _from_above(0))
    return floor() + counter(fig["near_hand"]) + fig.svg() + extra + above


def supported_hip_airplane() -> tuple[str, str]:
    return (_supported_airplane((232, 222, -100), False),
            _supported_airplane((214, 204, -80), True))


# -- the self-tests ------------------------------------------------------------------------------------
def balance_test() -> tuple[str, str]:
    out = []
    for far_leg in ((-88, -90, 0), (-35, -105, -10)):
        fig = Figure(Side(far_leg=far_leg, **ARMS_OUT), at_floor())
        centred(fig, (fig["hip"][0] - 44, 0))
        extra = stopwatch((PANEL - 30, 34)) if far_leg[0] > -80 else ""
        out.append(floor() + wall(fig["hip"][0] - 40) + fig.svg() + extra)
    return out[0], out[1]


def _stand_on_left(f: Front, foot_lift: float) -> Front:
    """Stand on the picture-left leg; the other foot is lifted `foot_lift` and its knee bent."""
    j = dict(f.joints)
    ax, ay = j["r_ankle"]
    j["r_ankle"] = (ax - 4, ay - foot_lift)
    j["r_toe"] = (j["r_ankle"][0] + 7, j["r_ankle"][1] + 2)
    j["r_knee"] = (j["r_knee"][0] + 3, j["r_knee"][1] - foot_lift / 2)
    return Front(j)


def pelvic_drop_test() -> tuple[str, str]:
    start = _stand_on_left(front(85, hands_on_hips=True, feet=(-12, 12)), 18)
    end = _stand_on_left(front(85, hands_on_hips=True, feet=(-12, 12), tilt=9), 18)
    lh, rh = end.joints["l_hip"], end.joints["r_hip"]
    line = (f'<line x1="{lh[0] - 12:.1f}" y1="{lh[1] - 1:.1f}" x2="{rh[0] + 12:.1f}" '
            f'y2="{rh[1] + 5:.1f}" stroke="{ACCENT}" stroke-width="3" stroke-dasharray="5 4"/>')
    drop = arrow((rh[0] + 26, rh[1] - 14), (rh[0] + 26, rh[1] + 12))
    return floor() + start.svg(), floor() + end.svg() + line + drop


def squat(shift: float = 0, cave: float = 0) -> Front:
    """A squat seen from the front: knees over the feet, the picture-right knee moved inward by
    `cave`, the pelvis moved sideways by `shift`."""
    f = front(85, pelvis_y=134, shift=shift, feet=(-20, 20), trunk_lean=-shift / 2)
    j = dict(f.joints)
    j["l_knee"] = (j["l_ankle"][0] - 4, 156)
    j["r_knee"] = (j["r_ankle"][0] + 4 - cave, 156)
    for side, sign in (("l", -1), ("r", 1)):  # arms forward for balance: short, seen end-on
        sx, sy = j[f"{side}_shoulder"]
        j[f"{side}_elbow"] = (sx + sign * 4, sy + 14)
        j[f"{side}_hand"] = (sx + sign * 2, sy + 22)
    return Front(j)


def hip_shift_test() -> tuple[str, str]:
    end = squat(shift=12)
    px, py = end.joints["pelvis"]
    return (floor() + front(85, feet=(-16, 16)).svg(),
            floor() + end.svg() + arrow((px - 12, py - 10), (px + 22, py - 10)))


def knee_collapse_test() -> tuple[str, str]:
    end = squat(cave=16)
    return floor() + front(85, feet=(-20, 20)).svg(), floor() + end.svg() + ring(
        end.joints["r_knee"])


def seated(swing: float) -> Front:
    """Sitting on a high seat, seen from the front, the picture-right foot swung out `swing`
    degrees (the hip turning in)."""
    f = front(85, pelvis_y=112, feet=(-13, 13))
    j = dict(f.joints)
    for side, sx in (("l", -13), ("r", 13)):
        knee = (85 + sx, 122)
        angle = -90 + (swing if side == "r" else 0)
        ankle = _at(*knee, angle, 46)
        j[f"{side}_knee"], j[f"{side}_ankle"] = knee, ankle
        j[f"{side}_toe"] = (ankle[0] + (7 if side == "r" else -7), ankle[1] + 2)
    j["l_hip"], j["r_hip"] = (74, 112), (96, 112)
    for side, sign in (("l", -1), ("r", 1)):  # hands resting on the thighs
        sx, sy = j[f"{side}_shoulder"]
        j[f"{side}_elbow"] = (sx + sign * 5, sy + 24)
        j[f"{side}_hand"] = (85 + sign * 16, 112)
    return Front(j)


def seated_hip_rotation_test() -> tuple[str, str]:
    start, end = seated(0), seated(32)
    arc = turn((98, 122), r=40, start=-95, end=-64, ry=40)
    return (floor() + high_seat(56, 114, 124) + start.svg(),
            floor() + high_seat(56, 114, 124) + end.svg() + arc)


LYING = {"trunk": 182, "head": 180}


def knee_to_chest_test() -> tuple[str, str]:
    start = Figure(Side(near_leg=(-3, -2, 90), far_leg=(-5, -3, 90), near_arm=(-4, -2),
                        far_arm=(-2, 0), **LYING), (110, GROUND - 12), anchor="hip")
    end = Figure(Side(near_leg=(125, 5, 80), far_leg=(-5, -3, 90), **LYING),
                 (110, GROUND - 12), anchor="hip")
    end.reach("near_arm", end["near_knee"], bend=-1)
    end.reach("far_arm", _at(*end["near_knee"], 5, 10), bend=-1)
    centred(start)
    centred(end)
    hx, hy = end["hip"]
    return floor() + start.svg(), floor() + end.svg() + ring((hx + 4, hy - 8), r=9)


def stuck_hip_test() -> tuple[str, str]:
    start = Figure(Side(**ARMS_OUT), at_floor())
    end = Figure(Side(trunk=62, head=70, near_leg=(-8, -112, 0), far_leg=(-12, -114, 0),
                      near_arm=(-8, 0), far_arm=(-4, 4)), at_floor())
    centred(start)
    centred(end)
    return floor() + start.svg(), floor() + end.svg() + ring(end["hip"], r=13)


DRAWINGS = {
    "glute_bridge": glute_bridge,
    "single_leg_stability": single_leg_stability,
    "supported_single_leg_stability": supported_single_leg_stability,
    "single_leg_hip_hinge": single_leg_hip_hinge,
    "kickstand_hinge": kickstand_hinge,
    "dowel_hip_hinge": dowel_hip_hinge,
    "internal_rotation_hinge": internal_rotation_hinge,
    "supported_internal_rotation_hinge": supported_internal_rotation_hinge,
    "hip_airplane": hip_airplane,
    "supported_hip_airplane": supported_hip_airplane,
    "test_single_leg_balance": balance_test,
    "test_pelvic_drop": pelvic_drop_test,
    "test_hip_shift": hip_shift_test,
    "test_knee_collapse": knee_collapse_test,
    "test_hip_hinge_with_stick": lambda: dowel_hip_hinge(marks=True),
    "test_seated_hip_rotation": seated_hip_rotation_test,
    "test_knee_to_chest": knee_to_chest_test,
    "test_stuck_hip": stuck_hip_test,
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


TALLER = {"internal_rotation_hinge", "supported_internal_rotation_hinge", "hip_airplane",
          "supported_hip_airplane"}
"""Drawings of a turn, with the body seen from above under the side view (ABOVE taller)."""


def picture(name: str, alt: str) -> str:
    """One picture: start (left), an arrow, end (right); its title is the alt text."""
    start, end = DRAWINGS[name]()
    height = HEIGHT + (ABOVE if name in TALLER else 0)
    mid = PANEL + GAP / 2
    between = (f'<g stroke="{PROP}" stroke-width="3" fill="{PROP}">'
               f'<line x1="{mid - 11}" y1="100" x2="{mid + 5}" y2="100"/>'
               f'<polygon points="{mid + 12},100 {mid + 3},94 {mid + 3},106" stroke="none"/></g>')
    title = _escape(" ".join(alt.split()))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" aria-label="{title}">'
            f"<title>{title}</title>"
            f'<rect width="{WIDTH}" height="{height}" rx="10" fill="#ffffff"/>'
            f'<g fill="none" stroke-width="{STROKE}" stroke-linecap="round" '
            f'stroke-linejoin="round">'
            f"<g>{start}</g>{between}<g transform=\"translate({PANEL + GAP} 0)\">{end}</g>"
            "</g></svg>\n")


def wanted() -> dict[str, str]:
    """picture file -> alt text, from the drill and movement-test catalogues."""
    out: dict[str, str] = {}
    for file in ("drills.yaml", "movement_tests.yaml"):
        for key, entry in yaml.safe_load((DATA / file).read_text(encoding="utf-8")).items():
            name, alt = entry["picture"], " ".join(entry["picture_alt"].split())
            if out.setdefault(name, alt) != alt:
                raise SystemExit(f"{file}: entry '{key}' shares {name} with a different "
                                 "picture_alt; one picture, one text")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the files instead of writing them")
    args = parser.parse_args(argv)
    stale = []
    for name, alt in wanted().items():
        stem = Path(name).stem
        if stem not in DRAWINGS:
            raise SystemExit(f"no drawing for {name}: add one to DRAWINGS")
        svg = picture(stem, alt)
        path = DATA / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != svg:
                stale.append(name)
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(svg, encoding="utf-8")
    if stale:
        print("out of date (run tools/draw_pictures.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


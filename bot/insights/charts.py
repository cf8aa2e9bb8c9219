"""Charts: plain series in, a PNG out — matplotlib's object-oriented API on the Agg backend.

Rules:
- No pyplot and no global state: each chart is its own `Figure` on its own `FigureCanvasAgg`,
  so charts can be drawn on a worker thread while the bot runs (callers never draw on the
  event loop; see `trends`).
- This module counts nothing and reads nothing: it gets labels and numbers (`Chart`) and
  draws them. Stacked bars (a watch's daily articles by outlet) or lines (share of voice).
- Made for a phone screen: 1200×750 pixels, large type, at most `MAX_TICKS` date labels,
  whole-number axis, no frame but the baseline, a light horizontal grid, a palette that
  colour-blind readers can tell apart (Okabe–Ito), the catch-all series in grey.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH, HEIGHT, DPI = 8.0, 5.0, 150  # inches at DPI: 1200 × 750 pixels
MAX_TICKS = 6
NAME_BUDGET = 22
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHERS_COLOUR = "#9E9E9E"


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of numbers, one per label."""

    name: str
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """What to draw: a title, a label per day, the series, and how (stacked bars or lines).

    `others` names a series drawn in grey (the outlets outside the top ones).
    """

    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    stacked: bool
    unit: str
    others: str = ""


def render(chart: Chart) -> bytes:
    """The chart as PNG bytes.

    matplotlib is imported here, on the drawing thread's first chart, not with the module:
    importing it takes over a second, which `pantau` commands and start-up need not pay.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(chart.labels)))
    colours = iter(PALETTE)
    bottom = [0] * len(positions)
    for series in chart.series:
        colour = OTHERS_COLOUR if series.name == chart.others else next(colours)
        name = _short(series.name)
        if chart.stacked:
            axes.bar(positions, series.counts, bottom=bottom, color=colour, label=name, width=0.8)
            bottom = [low + count for low, count in zip(bottom, series.counts, strict=True)]
        else:
            axes.plot(
                positions,
                series.counts,
                color=colour,
                label=name,
                linewidth=3,
                marker="o" if len(positions) <= 31 else None,
                markersize=5,
            )
    _style(axes, chart, positions)
    if chart.series:
        figure.legend(
            loc="outside lower center",
            ncols=min(3, len(chart.series)),
            fontsize=13,
            frameon=False,
        )
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # the figure draws with Agg, never through pyplot
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _style(axes: Axes, chart: Chart, positions: list[int]) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.set_title(chart.title, fontsize=19, loc="left", pad=12)
    axes.set_ylabel(chart.unit, fontsize=14)
    step = max(1, -(-len(positions) // MAX_TICKS))
    ticks = positions[::-1][::step][::-1]
    axes.set_xticks(ticks, [chart.labels[i] for i in ticks])
    axes.tick_params(labelsize=14, length=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    totals = [sum(day) for day in zip(*(s.counts for s in chart.series), strict=True)]
    peak = (
        (max(totals) if chart.stacked else max(max(s.counts) for s in chart.series))
        if totals
        else 0
    )
    axes.set_ylim(0, max(1.0, peak * 1.08))
    axes.set_xlim(-0.6, len(positions) - 0.4)
    axes.grid(axis="y", color="#DDDDDD", linewidth=1)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)


def _short(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= NAME_BUDGET else name[: NAME_BUDGET - 1].rstrip() + "…"

"""Charts as server-rendered SVG: the geometry here, the markup in reporting/_charts.html.

No JavaScript and nothing from another site. Colours come from a fixed palette chosen for
contrast on white and told apart without colour by the legend order and the data table that
every chart carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PALETTE = ("#0b3d6b", "#c75300", "#2b7a3d", "#7b3fa0", "#a3122f", "#4d5b66", "#00717a")
WIDTH = 640
LABEL_WIDTH = 240
BAR_HEIGHT = 22
GAP = 8
COLUMN_AREA = 200
TOP_PADDING = 22  # room for the axis' top value above the tallest column


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    shown: str  # the value as the reader sees it (money, a count, "<5")
    y: int
    width: int
    colour: str


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars: categories down the left, lengths proportional to the values."""

    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def bar_chart(items: list[tuple[str, int, str]], *, colour: str = PALETTE[0]) -> BarChart:
    """``items`` are (label, value, value as shown)."""
    largest = max((value for _label, value, _shown in items), default=0) or 1
    # Room right of the longest bar for its value ("USD 113,323,308.00"): about 7 px a
    # character at the chart's 12 px font.
    longest_value = max((len(shown) for _label, _value, shown in items), default=0)
    room = WIDTH - LABEL_WIDTH - max(60, longest_value * 7 + 12)
    bars = [
        Bar(
            label=label,
            value=value,
            shown=shown,
            y=index * (BAR_HEIGHT + GAP),
            width=max(0, round(room * value / largest)),
            colour=colour,
        )
        for index, (label, value, shown) in enumerate(items)
    ]
    return BarChart(bars=bars, height=max(1, len(bars)) * (BAR_HEIGHT + GAP))


@dataclass(frozen=True)
class Segment:
    series: str
    value: int
    y: int
    height: int
    colour: str


@dataclass(frozen=True)
class Column:
    label: str
    x: int
    width: int
    total: int
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class LegendEntry:
    name: str
    colour: str


@dataclass(frozen=True)
class ColumnChart:
    """Stacked columns: one per category (a year, a month), one colour per series."""

    columns: list[Column]
    legend: list[LegendEntry]
    top: int  # the value of the top of the axis
    width: int = WIDTH
    padding: int = TOP_PADDING
    area: int = COLUMN_AREA
    height: int = TOP_PADDING + COLUMN_AREA + 30

    @property
    def baseline(self) -> int:
        return self.padding + self.area

    @property
    def empty(self) -> bool:
        return not any(column.total for column in self.columns)


def column_chart(categories: list[str], series: list[tuple[str, list[int]]]) -> ColumnChart:
    """``series`` are (name, one value per category); negative values count as zero."""
    totals = [sum(max(0, values[i]) for _name, values in series) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    slot = (WIDTH - 60) / max(1, len(categories))
    width = max(4, min(60, int(slot * 0.7)))
    columns = []
    for i, label in enumerate(categories):
        x = 50 + int(slot * i + (slot - width) / 2)
        base = TOP_PADDING + COLUMN_AREA
        segments = []
        for index, (name, values) in enumerate(series):
            value = max(0, values[i])
            height = round(COLUMN_AREA * value / top)
            base -= height
            if value:
                segments.append(Segment(name, value, base, height, PALETTE[index % len(PALETTE)]))
        columns.append(Column(label=label, x=x, width=width, total=totals[i], segments=segments))
    legend = [
        LegendEntry(name, PALETTE[index % len(PALETTE)]) for index, (name, _v) in enumerate(series)
    ]
    return ColumnChart(columns=columns, legend=legend, top=top)

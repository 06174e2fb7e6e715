"""Charts drawn on the server with matplotlib: one drawing serves the page and the report."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

plt.rcParams["svg.fonttype"] = "none"  # keep text as text: Vietnamese stays searchable


def category_totals(stats: dict) -> list[tuple[str, int]]:
    """Resolved dossiers by category name, largest first: what the chart draws."""
    totals: dict[str, int] = {}
    for row in stats.get("by_category", []):
        if row["status"] == "resolved":
            totals[row["name"]] = totals.get(row["name"], 0) + row["count"]
    return sorted(totals.items(), key=lambda kv: -kv[1])


def _bar_chart(labels: list[str], values: list[int], title: str) -> Figure:
    height = max(2.0, 0.45 * len(labels) + 1.0)
    fig = Figure(figsize=(7.5, height), dpi=100)
    ax = fig.subplots()
    positions = list(range(len(labels)))
    bars = ax.barh(positions, values, color="#1d4f91")
    ax.set_yticks(positions, labels=labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11, loc="left")
    ax.bar_label(bars, padding=3, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.12)
    fig.tight_layout()
    return fig


def bar_chart_svg(labels: list[str], values: list[int], title: str) -> bytes:
    """A horizontal bar chart as SVG bytes."""
    out = io.BytesIO()
    _bar_chart(labels, values, title).savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def bar_chart_png(labels: list[str], values: list[int], title: str, dpi: int = 200) -> bytes:
    """The same chart as PNG bytes, for the DOCX and PDF reports."""
    out = io.BytesIO()
    _bar_chart(labels, values, title).savefig(out, format="png", dpi=dpi)
    return out.getvalue()

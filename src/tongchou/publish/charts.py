"""What the PNG charts share: matplotlib from the optional extra, and a checked PNG path."""

from __future__ import annotations

from pathlib import Path

from tongchou.errors import InputError, Problem, TongchouError


def load_pyplot():
    """matplotlib's pyplot on a file backend, or a clear error naming the extra."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise TongchouError(
            "charts need matplotlib, in the optional extra 'plot': pip install 'tongchou[plot]'"
        ) from None
    return pyplot


def png_path(path: Path | str, chart: str) -> Path:
    """The path of a chart, which is written as PNG."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InputError(
            Problem(
                "--plot",
                f"the {chart} is written as PNG",
                value=str(path),
                nearest=str(path.with_suffix(".png")),
            )
        )
    return path

"""Every analyst notebook runs top to bottom (short horizons keep each well under 2 minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_five_notebooks():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_uses_only_the_public_api(path):
    """Notebooks import ``simulation`` (its ``__all__``), never a submodule."""
    import re

    import simulation

    book = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in book.cells if cell.cell_type == "code")
    assert not re.findall(r"(?:from|import) simulation\.\w", code)
    for name in re.findall(r"(?:from simulation import|simulation\.)\s*(\w+)", code):
        assert name in simulation.__all__, name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    outputs = [out for cell in book.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.get("output_type") == "error"]
    # the figures are shown (``%matplotlib inline``), not printed as "<Figure size ...>"
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert images, f"{path.name} shows no figure"
    printed = [
        out["data"]["text/plain"]
        for out in outputs
        if "image/png" not in out.get("data", {})
        and str(out.get("data", {}).get("text/plain", "")).startswith("<Figure")
    ]
    assert not printed


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None

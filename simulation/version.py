"""The package's version, read once from its installed metadata (pyproject.toml's)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("govsim")
except PackageNotFoundError:  # a source tree on sys.path without `pip install -e .`
    __version__ = "0+unknown"

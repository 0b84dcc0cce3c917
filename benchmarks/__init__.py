"""Performance benchmarks of govsim against Ciw and a hand-written event loop.

Run them with ``python -m benchmarks.run [--quick]`` (see ``benchmarks/README.md``).
"""

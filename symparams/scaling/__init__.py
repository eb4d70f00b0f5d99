"""How a model grows: the algebra of its totals (algebra.py), training memory (memory.py)
and the report of ``symparams scale`` (report.py).

The algebra is this package's API, as ``symparams.scaling.expanded(total)`` and the rest."""

from .algebra import (Crossover, ScalingError, Sweep, collected, crossover, degree, expanded, factored, grid,
                      leading_term, leading_terms, limit_shares, plot, polynomial, ratio, shares, size_symbol,
                      smooth, solve_budget, sweep)

__all__ = ["Crossover", "ScalingError", "Sweep", "collected", "crossover", "degree", "expanded", "factored", "grid",
           "leading_term", "leading_terms", "limit_shares", "plot", "polynomial", "ratio", "shares", "size_symbol",
           "smooth", "solve_budget", "sweep"]

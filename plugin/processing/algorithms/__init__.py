"""Processing algorithms of the Land Consolidation provider.

To add an algorithm: write a ``QgsProcessingAlgorithm`` subclass in a module of this
package and append the class to ``ALGORITHMS``; the provider instantiates each entry
(any callable returning an algorithm will do) in ``loadAlgorithms``.
"""
from .compute_balance import ComputeBalanceAlgorithm

ALGORITHMS: list = [ComputeBalanceAlgorithm]

"""Processing algorithms of the Land Consolidation provider.

To add an algorithm: write a ``QgsProcessingAlgorithm`` subclass in a module of this
package and append the class to ``ALGORITHMS``; the provider instantiates each entry
(any callable returning an algorithm will do) in ``loadAlgorithms``.

Ids are stable (models and scripts name them): ``landconsolidation:computebalance``,
``planreport``, ``validateunits``, ``checkconstraints``, ``checkdata``, ``exportplan``, ``suggest``,
``contiguity``,
``setunitstatus``, ``acceptancecheck``, ``progressreport``.
"""
from .check_constraints import CheckConstraintsAlgorithm
from .check_data import CheckDataAlgorithm
from .compute_balance import ComputeBalanceAlgorithm
from .contiguity import ContiguityAlgorithm
from .export_plan import ExportPlanAlgorithm
from .lifecycle import AcceptanceCheckAlgorithm, ProgressReportAlgorithm, SetUnitStatusAlgorithm
from .plan_report import PlanReportAlgorithm
from .suggest import SuggestAlgorithm
from .validate_units import ValidateUnitsAlgorithm

ALGORITHMS: list = [
    ComputeBalanceAlgorithm,
    PlanReportAlgorithm,
    ValidateUnitsAlgorithm,
    CheckConstraintsAlgorithm,
    CheckDataAlgorithm,
    ExportPlanAlgorithm,
    SuggestAlgorithm,
    ContiguityAlgorithm,
    SetUnitStatusAlgorithm,
    AcceptanceCheckAlgorithm,
    ProgressReportAlgorithm,
]

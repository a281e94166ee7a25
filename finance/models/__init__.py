from .budgets import (  # noqa: F401
    BudgetEvent,
    BudgetLine,
    BudgetType,
    Contribution,
    FundingOverride,
    TenderNeed,
)
from .scenarios import (  # noqa: F401
    FinancingChoice,
    MonteCarloResult,
    ScenarioAssumptions,
    ScenarioCashFlow,
    ScenarioRun,
    ScenarioSummary,
    SensitivityResult,
)

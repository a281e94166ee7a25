from .budgets import (  # noqa: F401
    BudgetEvent,
    BudgetLine,
    BudgetType,
    Contribution,
    FundingOverride,
    TenderNeed,
)
from .payments import ContributionPayment  # noqa: F401
from .scenarios import (  # noqa: F401
    FinancingChoice,
    MonteCarloResult,
    ScenarioAssumptions,
    ScenarioCashFlow,
    ScenarioRun,
    ScenarioSummary,
    SensitivityResult,
)

"""Models of the CVM side, one module per concept."""

from .conversions import Conversion  # noqa: F401
from .core import (  # noqa: F401
    E164,
    Campaign,
    CampaignQuerySet,
    Customer,
    CustomerQuerySet,
    Offer,
    OfferContent,
    OfferQuerySet,
    Product,
    code_validator,
    contactable_in,
)
from .decisions import (  # noqa: F401
    ContactPolicy,
    Decision,
    DeclineReason,
    EligibilityRule,
    Presentation,
    Response,
    UndoneOutcome,
)
from .feedback import OfferFeedback  # noqa: F401
from .preferences import (  # noqa: F401
    ContactPreferenceChange,
    PreferenceField,
    PreferenceSource,
)
from .rollups import (  # noqa: F401
    COUNTERS,
    DailyExecution,
    DailyReason,
    FirstContact,
    Grain,
    ResultsRefresh,
)
from .targeting import (  # noqa: F401
    LoadReject,
    LoadRun,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)

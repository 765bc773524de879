"""Models of the CVM side, one module per concept."""

from .approvals import ApprovalRecord, ApprovalStep  # noqa: F401
from .channel_costs import ChannelCost  # noqa: F401
from .channels import Channel, channel_code_validator  # noqa: F401
from .content import OfferContent  # noqa: F401
from .conversions import Conversion  # noqa: F401
from .core import (  # noqa: F401
    E164,
    Campaign,
    CampaignQuerySet,
    Customer,
    CustomerQuerySet,
    Offer,
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
from .degraded import DegradedDecisions  # noqa: F401
from .feedback import OfferFeedback  # noqa: F401
from .intents import Intent  # noqa: F401
from .kill_switch import (  # noqa: F401
    CampaignInquiry,
    CampaignStop,
    FloodAlert,
    FloodBasis,
    StopScope,
)
from .learning import LearnedPropensity, LearningRun, PropensitySource  # noqa: F401
from .needs import NeedTag  # noqa: F401
from .preferences import (  # noqa: F401
    ContactPreferenceChange,
    PreferenceField,
    PreferenceSource,
)
from .revisions import CampaignRevision, RevisionStatus  # noqa: F401
from .roadmap import Initiative, RoadmapItem, RoadmapStatus  # noqa: F401
from .rollups import (  # noqa: F401
    COUNTERS,
    DailyExecution,
    DailyReason,
    FirstContact,
    Grain,
    ResultsRefresh,
)
from .service import (  # noqa: F401
    ServiceContact,
    SupportOption,
    SupportRoutingPolicy,
    SupportRoutingRule,
)
from .targeting import (  # noqa: F401
    LoadReject,
    LoadRun,
    TargetGroup,
    TargetGroupMember,
    TargetGroupVersion,
)

"""Application services: decisions, overrides, policies and replay over the store and core.

Each service takes the ``ownergate.store.Database`` (and, where it decides, the shared
``Deciders``), runs one store transaction per call, and takes the acting principal's name
as ``actor`` for every write. Errors are the store's (``NotFoundError``, ``ConflictError``,
``PermissionDeniedError``) and ``InputError``/``PolicyError`` naming the bad field.
"""

from ownergate.service.accounts import AccountDecision, AccountFields, AccountService
from ownergate.service.audit import AuditService
from ownergate.service.decider import Decider, Outcome
from ownergate.service.deciding import Decided, Resolution, Subject
from ownergate.service.decision_list import CurrentDecision, DecisionListService, DecisionPage
from ownergate.service.links import LinkReviewService, ReviewAnswer, ReviewPage
from ownergate.service.overrides import OverrideService, ReapprovalItem, ReapprovalPage
from ownergate.service.pairs import Deciders, Pair, active_pair
from ownergate.service.policies import PolicyRecord, PolicyService
from ownergate.service.portfolio import PortfolioService
from ownergate.service.portfolio_runs import RunReport
from ownergate.service.replay import ReplayReport, ReplayService
from ownergate.service.screening import InlineHolding, ScreenService
from ownergate.service.snapshots import SnapshotRecord, SnapshotService
from ownergate.service.verdict_cache import VerdictCache
from ownergate.service.verdicts import DecisionRecord, EffectiveVerdict, OverrideRecord

__all__ = [
    "CurrentDecision",
    "DecisionListService",
    "DecisionPage",
    "ReapprovalItem",
    "ReapprovalPage",
    "LinkReviewService",
    "ReviewAnswer",
    "ReviewPage",
    "PortfolioService",
    "RunReport",
    "AccountDecision",
    "AccountFields",
    "AccountService",
    "AuditService",
    "Decided",
    "Decider",
    "Deciders",
    "DecisionRecord",
    "EffectiveVerdict",
    "InlineHolding",
    "Outcome",
    "OverrideRecord",
    "OverrideService",
    "Pair",
    "PolicyRecord",
    "PolicyService",
    "ReplayReport",
    "ReplayService",
    "Resolution",
    "ScreenService",
    "SnapshotRecord",
    "SnapshotService",
    "Subject",
    "VerdictCache",
    "active_pair",
]

"""Every table of the application, imported once so that SQLAlchemy's metadata,
Alembic and create_all() see them all."""
from .admin.models import Setting, UserChange  # noqa: F401
from .audit import AuditEntry  # noqa: F401
from .auth.models import PasswordToken, ResetRequest, User  # noqa: F401
from .contributions.models import (  # noqa: F401
    Commitment,
    Deposit,
    ExchangeRate,
    Instalment,
    InterestEntry,
    Objective,
    Pledge,
    Pool,
    PoolTransfer,
    TransferProposal,
)
from .countries.models import Country, LdcPeriod  # noqa: F401
from .data_version import DataVersion  # noqa: F401
from .documents.models import Document, DocumentContent  # noqa: F401
from .donors.models import Donor, SaaStatusChange  # noqa: F401
from .fund.entries import (  # noqa: F401
    ClosingPart,
    ClosingProposal,
    FinalStatement,
    FundEntry,
    PoolClosing,
    WriteOff,
    WriteOffProposal,
)
from .fund.models import (  # noqa: F401
    AccountingYear,
    Fund,
    YearDonorPosition,
    YearPoolPosition,
    YearShare,
)
from .mail.models import MailDigest, OutboxMessage  # noqa: F401
from .submissions import FormSubmission  # noqa: F401
from .travel.models import Delegate, Event, TravelGrant  # noqa: F401

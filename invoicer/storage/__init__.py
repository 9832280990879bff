"""Persistence: SQL tables, the draft update log, finalisation and the hash chain."""

from .db import DEFAULT_URL as DEFAULT_URL
from .db import Database as Database
from .errors import AlreadyFinal as AlreadyFinal
from .errors import Conflict as Conflict
from .errors import DraftRejected as DraftRejected
from .errors import IdempotencyConflict as IdempotencyConflict
from .errors import Invalid as Invalid
from .errors import NotFound as NotFound
from .errors import StorageError as StorageError
from .finalise import FinalisedInvoice as FinalisedInvoice
from .ledger import ChainReport as ChainReport
from .ledger import verify_chain as verify_chain
from .store import Store as Store
from .updates import UpdateLog as UpdateLog

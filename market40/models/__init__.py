"""Typed SQLAlchemy 2.0 models, one module per aggregate."""

from market40.models.audit import AuditEntry
from market40.models.bank import Bank
from market40.models.base import Base, utcnow
from market40.models.enrollment import MarketJoinKey, SelfRegistration
from market40.models.export import ExportJob
from market40.models.geo import Commune, CommuneChange, District
from market40.models.history import VendorStatusEvent
from market40.models.live import Device, PaymentEvent
from market40.models.market import Listing, Market
from market40.models.rollup import DailyRollup, MarketDailyRollup, VendorQrMonth
from market40.models.snapshot import IdempotencyRecord, Indicator, Snapshot
from market40.models.transaction import Transaction, UnmatchedNotification
from market40.models.user import ApiToken, User, user_markets
from market40.models.vendor import Vendor
from market40.models.version import DataVersion
from market40.models.websession import WebSession

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Bank",
    "Base",
    "Commune",
    "CommuneChange",
    "DailyRollup",
    "DataVersion",
    "Device",
    "District",
    "ExportJob",
    "IdempotencyRecord",
    "Indicator",
    "Listing",
    "Market",
    "MarketDailyRollup",
    "MarketJoinKey",
    "PaymentEvent",
    "SelfRegistration",
    "Snapshot",
    "Transaction",
    "UnmatchedNotification",
    "User",
    "Vendor",
    "VendorQrMonth",
    "VendorStatusEvent",
    "WebSession",
    "user_markets",
    "utcnow",
]

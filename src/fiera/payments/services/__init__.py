"""Writes of the payments app, one module per area, all importable from here:

* ``outlets``: points of sale (one by one or imported by the thousand), their status and
  terminals, and the ECB reference rates;
* ``wallets``: open a wallet, top it up through a ``FundingGateway``;
* ``fx``: FX quotes and conversions (the one way money changes currency);
* ``charges``: pay a checkout with the wallet, refund any wallet payment;
* ``qr``: pay a scanned EMVCo QR code at a point of sale (S/F/U);
* ``settlement``: the daily payout run per merchant;
* ``escrow``: trade-assurance holds for B2B orders.

Every money movement goes through ``fiera.ledger.services``; the ledger accounts and the
settings are described in ``base``.
"""

from __future__ import annotations

from fiera.payments.selectors import (
    EscrowNotFound,
    OutletNotFound,
    PaymentNotFound,
    QrPaymentNotFound,
    SettlementOperatorsOnly,
)
from fiera.payments.services.base import (
    CurrencyMismatch,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequestId,
    LedgerRefused,
    NoWallet,
    RequestIdReused,
    UnsupportedCurrency,
    WalletNotFound,
    WalletRoleRequired,
    settlement_currency,
    wallet_currencies,
)
from fiera.payments.services.charges import (
    Charge,
    ChargePart,
    InvalidCharge,
    RefundExceedsPayment,
    wallet_charge_for_checkout,
    wallet_refund,
)
from fiera.payments.services.escrow import (
    EscrowExpired,
    EscrowResolved,
    escrow_hold,
    escrow_refund,
    escrow_release,
)
from fiera.payments.services.fx import (
    AmountTooSmall,
    QuoteAmountsInvalid,
    QuoteExpired,
    QuoteNotFound,
    fx_convert,
    fx_quote_create,
)
from fiera.payments.services.outlets import (
    CSV_FORMAT_HELP,
    DEFAULT_MCC,
    IMPORT_COLUMNS,
    IMPORT_MAX_ROWS,
    IMPORT_STATUSES,
    OUTLET_TRANSITIONS,
    REQUIRED_COLUMNS,
    WRITE_ROLES,
    FxImportReport,
    ImportReport,
    OutletCodeTaken,
    OutletImportInvalid,
    OutletRow,
    OutletTransitionRefused,
    RowError,
    TerminalIdTaken,
    check_outlet_rows,
    fx_rates_import,
    fx_rates_import_bundled,
    fx_rates_import_file,
    outlet_register,
    outlet_set_status,
    outlets_import_csv,
    outlets_import_rows,
    parse_outlet_csv,
    terminal_add,
)
from fiera.payments.services.qr import (
    AmountMismatch,
    AmountRequired,
    NotAFieraQr,
    OutletNotAccepting,
    PaymentTimeout,
    UnknownOutlet,
    qr_payment_query,
    qr_payment_submit,
    set_qr_fault,
)
from fiera.payments.services.settlement import DayNotOver, SettlementReport, settlement_run
from fiera.payments.services.wallets import (
    FundingDeclined,
    InvalidFundingReference,
    wallet_open,
    wallet_top_up,
)

__all__ = [
    "CSV_FORMAT_HELP",
    "DEFAULT_MCC",
    "IMPORT_COLUMNS",
    "IMPORT_MAX_ROWS",
    "IMPORT_STATUSES",
    "OUTLET_TRANSITIONS",
    "REQUIRED_COLUMNS",
    "WRITE_ROLES",
    "AmountMismatch",
    "AmountRequired",
    "AmountTooSmall",
    "Charge",
    "ChargePart",
    "CurrencyMismatch",
    "DayNotOver",
    "EscrowExpired",
    "EscrowNotFound",
    "EscrowResolved",
    "FundingDeclined",
    "FxImportReport",
    "ImportReport",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidCharge",
    "InvalidFundingReference",
    "InvalidRequestId",
    "LedgerRefused",
    "NoWallet",
    "NotAFieraQr",
    "OutletCodeTaken",
    "OutletImportInvalid",
    "OutletNotAccepting",
    "OutletNotFound",
    "OutletRow",
    "OutletTransitionRefused",
    "PaymentNotFound",
    "PaymentTimeout",
    "QrPaymentNotFound",
    "QuoteAmountsInvalid",
    "QuoteExpired",
    "QuoteNotFound",
    "RefundExceedsPayment",
    "RequestIdReused",
    "RowError",
    "SettlementOperatorsOnly",
    "SettlementReport",
    "TerminalIdTaken",
    "UnknownOutlet",
    "UnsupportedCurrency",
    "WalletNotFound",
    "WalletRoleRequired",
    "check_outlet_rows",
    "escrow_hold",
    "escrow_refund",
    "escrow_release",
    "fx_convert",
    "fx_quote_create",
    "fx_rates_import",
    "fx_rates_import_bundled",
    "fx_rates_import_file",
    "outlet_register",
    "outlet_set_status",
    "outlets_import_csv",
    "outlets_import_rows",
    "parse_outlet_csv",
    "qr_payment_query",
    "qr_payment_submit",
    "set_qr_fault",
    "settlement_currency",
    "settlement_run",
    "terminal_add",
    "wallet_charge_for_checkout",
    "wallet_currencies",
    "wallet_open",
    "wallet_refund",
    "wallet_top_up",
]

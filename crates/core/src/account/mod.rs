//! Monetary accounts (bunq `MonetaryAccountBank` / `MonetaryAccountExternal`): the record,
//! its enums, and the rules for opening and changing one (see [`rules`]). Money is integer
//! minor units throughout (see [`amount`]).

pub mod amount;
pub mod batch;
pub mod bunqme;
pub mod iban;
pub mod note;
pub mod payment;
pub mod pointer;
pub mod request;
pub mod rules;
pub mod schedule;

use crate::{
    model::{MonetaryAccountId, UserId},
    provision::enums::wire_enum,
    time::Timestamp,
};

wire_enum! {
    /// Which of bunq's account types an account is.
    AccountKind {
        Bank = "BANK",
        External = "EXTERNAL",
    }
}

impl AccountKind {
    /// The bunq object type the account is rendered as.
    pub fn object_type(self) -> &'static str {
        match self {
            AccountKind::Bank => "MonetaryAccountBank",
            AccountKind::External => "MonetaryAccountExternal",
        }
    }
}

wire_enum! {
    /// `MonetaryAccountBank.status` (the external accounts use a subset).
    AccountStatus {
        Active = "ACTIVE",
        Blocked = "BLOCKED",
        Cancelled = "CANCELLED",
        PendingReopen = "PENDING_REOPEN",
        PendingAcceptance = "PENDING_ACCEPTANCE",
        PendingClosure = "PENDING_CLOSURE",
        Frozen = "FROZEN",
    }
}

wire_enum! {
    /// `MonetaryAccountBank.sub_status`.
    AccountSubStatus {
        None = "NONE",
        RedemptionVoluntary = "REDEMPTION_VOLUNTARY",
        RedemptionInvoluntary = "REDEMPTION_INVOLUNTARY",
        OnlyAcceptingIncoming = "ONLY_ACCEPTING_INCOMING",
    }
}

/// The only currency a bank account holds; other currencies live in external accounts.
pub const BANK_CURRENCY: &str = "EUR";
/// The one service behind external accounts.
pub const EXTERNAL_SERVICE: &str = "CURRENCY_CLOUD";
/// The highest daily limit, in minor units (10,000.00).
pub const MAX_DAILY_LIMIT_MINOR: i64 = 1_000_000;
/// The daily limit of an account opened without one (1,000.00).
pub const DEFAULT_DAILY_LIMIT_MINOR: i64 = 100_000;
/// The description of an account opened without one, as bunq's swagger gives it.
pub const DEFAULT_DESCRIPTION: &str = "bunq account";
/// The description of the account every new partner starts with.
pub const MAIN_ACCOUNT_DESCRIPTION: &str = "Main account";

/// A monetary account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonetaryAccount {
    pub id: MonetaryAccountId,
    pub user_id: UserId,
    pub kind: AccountKind,
    /// For the avatar; bunq gives every account one.
    pub public_uuid: String,
    pub currency: String,
    pub description: String,
    pub display_name: String,
    pub daily_limit_minor: i64,
    pub balance_minor: i64,
    /// Electronic form, e.g. `NL12BUNQ0123456789`.
    pub iban: String,
    pub status: AccountStatus,
    pub sub_status: AccountSubStatus,
    pub reason: Option<String>,
    pub reason_description: Option<String>,
    /// `CURRENCY_CLOUD` for external accounts, none for bank accounts.
    pub service: Option<String>,
    /// The avatar set with `avatar_uuid`; none shows the account's default avatar.
    pub avatar_uuid: Option<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// A validated account to open (the store adds the IBAN and the ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub kind: AccountKind,
    pub currency: String,
    pub description: String,
    pub display_name: String,
    pub daily_limit_minor: i64,
    pub service: Option<String>,
    /// An avatar's uuid, checked by the store in the write that opens the account.
    pub avatar_uuid: Option<String>,
}

impl NewAccount {
    /// The EUR account a new partner starts with.
    pub fn main_account(display_name: &str) -> NewAccount {
        NewAccount {
            kind: AccountKind::Bank,
            currency: BANK_CURRENCY.into(),
            description: MAIN_ACCOUNT_DESCRIPTION.into(),
            display_name: display_name.to_owned(),
            daily_limit_minor: DEFAULT_DAILY_LIMIT_MINOR,
            service: None,
            avatar_uuid: None,
        }
    }
}

/// A validated change to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountUpdate {
    pub description: Option<String>,
    /// Minor units, with the currency it was given in (checked against the account's).
    pub daily_limit: Option<(i64, String)>,
    pub status: Option<AccountStatus>,
    pub sub_status: Option<AccountSubStatus>,
    pub reason: Option<String>,
    pub reason_description: Option<String>,
    /// A currency sent with the update: it must be the account's own.
    pub currency: Option<String>,
    /// A new avatar, checked by the store in the write that sets it.
    pub avatar_uuid: Option<String>,
}

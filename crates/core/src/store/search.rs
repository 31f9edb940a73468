//! The dashboard's search: one text, every kind of thing it may name, across all partners.
//! An operator's view (no user scope): it is served only where the operator API is.

use async_trait::async_trait;

use super::StoreResult;
use crate::{
    card::action::{AuthorisationStatus, SettlementStatus},
    model::{Page, PageQuery},
    time::Timestamp,
};

/// What a search result is; each kind has its own dashboard page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Provision,
    User,
    Account,
    Card,
    Payment,
}

impl HitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HitKind::Provision => "Provision",
            HitKind::User => "User",
            HitKind::Account => "Monetary account",
            HitKind::Card => "Card",
            HitKind::Payment => "Payment",
        }
    }
}

/// One thing the text names: its id, the user it belongs to (a user's own id for a user) and,
/// for a payment, its account; `label` says what it is in a few words, `matched` which of its
/// fields the text matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: HitKind,
    pub id: i64,
    pub user_id: Option<i64>,
    pub account_id: Option<i64>,
    pub label: String,
    pub matched: &'static str,
}

/// The most hits a search answers (a search names things; it is not a list).
pub const MAX_HITS: usize = 50;

/// Which users a list shows; `None` is any. API-key users (a grant, not a person) are never
/// listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// The partner: its provisioned users, and the partner itself.
    pub partner: Option<i64>,
    /// `PARTNER`, `PERSON` or `COMPANY`.
    pub kind: Option<String>,
    /// The status of the user's provision (a partner has none).
    pub provision_status: Option<String>,
}

/// A user as a list shows it, with its provision when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: i64,
    pub kind: String,
    pub name: String,
    /// `ACTIVE` or `CLOSED`.
    pub status: String,
    pub partner_id: Option<i64>,
    pub provision_id: Option<i64>,
    pub provision_status: Option<String>,
    pub provision_sub_status: Option<String>,
    pub created: Timestamp,
}

/// Which accounts, cards or payments a list across users shows; `None` is any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerFilter {
    /// The partner: its provisioned users' and its own.
    pub partner: Option<i64>,
    /// The account's or card's status (payments have none).
    pub status: Option<String>,
}

/// A row of a list across users: the thing's id, its owner (id and name), its account (an
/// account's own id for an account), what it is in a few words, its status, an amount in minor
/// units with its currency (an account's balance, a payment's amount; a card's limit) and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRow {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub account_id: i64,
    pub label: String,
    /// An IBAN, a card's last four digits, a payment's counterparty.
    pub detail: String,
    pub status: String,
    pub amount_minor: i64,
    pub currency: String,
    pub created: Timestamp,
}

/// A card transaction in the list across users: the transaction, its owner and card, and
/// what decides which operator actions apply to it (its authorisation and settlement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardTransactionRow {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub account_id: i64,
    pub card_id: i64,
    pub merchant_name: String,
    pub merchant_country: String,
    pub amount_minor: i64,
    pub currency: String,
    pub decision: String,
    pub authorisation_status: AuthorisationStatus,
    pub settlement_status: SettlementStatus,
    pub created: Timestamp,
}

/// A webhook delivery as a user's page lists it: what was sent where, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDelivery {
    pub id: i64,
    pub category: String,
    pub event_type: String,
    pub object_id: i64,
    pub target: String,
    /// `PENDING`, `DELIVERED` or `FAILED`.
    pub status: String,
    pub attempts: i64,
    /// The last attempt's HTTP status, if it got one.
    pub response_code: Option<i64>,
    pub created: Timestamp,
}

#[async_trait]
pub trait SearchStore: Send + Sync {
    /// Everything `text` names exactly: an id (provision, user, account, card, payment), an
    /// `external_uuid`, an email (a provision's or a user's EMAIL pointer), an IBAN, a card's
    /// last four digits. Blank text names nothing.
    async fn search(&self, text: &str) -> StoreResult<Vec<Hit>>;
    /// Users across partners, newest first, paged by id.
    async fn list_users(
        &self,
        filter: &UserFilter,
        page: PageQuery,
    ) -> StoreResult<Page<UserSummary>>;
    /// One user as the list shows it (any kind).
    async fn user_summary(&self, id: i64) -> StoreResult<Option<UserSummary>>;
    /// Monetary accounts across users, newest first, paged by id.
    async fn list_accounts(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<OwnedRow>>;
    /// Cards across users, newest first, paged by id.
    async fn list_cards(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<OwnedRow>>;
    /// Payments across users (both sides of each), newest first, paged by id.
    async fn list_payments(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<OwnedRow>>;
    /// Card transactions across users, newest first, paged by id; `filter.status` is the
    /// authorisation status.
    async fn list_card_transactions(
        &self,
        filter: &OwnerFilter,
        page: PageQuery,
    ) -> StoreResult<Page<CardTransactionRow>>;
    /// The webhook deliveries made for `user` (its events, whoever they were sent to), newest
    /// first, at most `limit`.
    async fn user_deliveries(&self, user: i64, limit: u32) -> StoreResult<Vec<UserDelivery>>;
    /// A mark that changes whenever a user, provision, account, payment, card, card
    /// transaction, request for money, draft, schedule, event, webhook delivery or OAuth grant
    /// is added or changed: the dashboard's live pages poll it to know when to fetch
    /// themselves again.
    async fn change_mark(&self) -> StoreResult<String>;
}

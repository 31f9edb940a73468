//! Monetary accounts and payments on the ledger.

use async_trait::async_trait;

use crate::{
    account::{
        payment::{Credit, Ledger, NewPayment, Payment, PaymentPolicy},
        AccountKind, AccountUpdate, MonetaryAccount, NewAccount,
    },
    idempotency::IdempotencyKey,
    model::{MonetaryAccountId, Page, PageQuery, PaymentId, UserId},
    time::Timestamp,
};

use super::StoreResult;

/// Monetary accounts of partners and provisioned users.
#[async_trait]
pub trait MonetaryAccountStore: Send + Sync {
    /// Opens an account with a fresh, unique IBAN. A user whose provision is over is refused
    /// (`UserFrozen`) inside the write.
    async fn create_account(
        &self,
        user: UserId,
        account: &NewAccount,
        now: Timestamp,
    ) -> StoreResult<MonetaryAccount>;
    /// The user's account; `None` for an unknown id or another user's account.
    async fn account(
        &self,
        user: UserId,
        id: MonetaryAccountId,
    ) -> StoreResult<Option<MonetaryAccount>>;
    /// The user's accounts of `kind` (all kinds when `None`), newest first.
    async fn accounts(
        &self,
        user: UserId,
        kind: Option<AccountKind>,
        page: PageQuery,
    ) -> StoreResult<Page<MonetaryAccount>>;
    /// Applies `update` by `account::rules::apply` to the account as the write finds it
    /// (locked), and stores the result if the account is still as it was read. `None` when the
    /// user has no such account of `kind`; a refused update is `StoreError::Refused`.
    async fn update_account(
        &self,
        user: UserId,
        kind: AccountKind,
        id: MonetaryAccountId,
        update: &AccountUpdate,
        now: Timestamp,
    ) -> StoreResult<Option<MonetaryAccount>>;
}

/// Payments, on the ledger of account balances.
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Pays from the user's `account` in one transaction: the payer is debited only if it is
    /// ACTIVE and holds the amount, today's outgoing payments stay within its daily limit, the
    /// payee (an account held here, else an IBAN elsewhere if `policy` allows) is credited,
    /// both sides' Payments are written with their balance after, and their PAYMENT and
    /// MUTATION webhooks are queued. A refusal (`StoreError::Refused`, `UserFrozen`) writes
    /// nothing. `None` when the user has no such account. Answers the payer's side.
    ///
    /// With `once`, the key is claimed in the payment's transaction: a key already kept
    /// answers the payment it made (nothing is paid again), and with another body is
    /// `Refused` (see `crate::idempotency`). So do the other money movements.
    async fn pay(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: &NewPayment,
        policy: &PaymentPolicy,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<Payment>>;
    /// Money in from an IBAN elsewhere (an operator's credit), as an incoming `EBA_SCT`.
    async fn credit(
        &self,
        account: MonetaryAccountId,
        credit: &Credit,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<Payment>>;
    async fn payment(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: PaymentId,
    ) -> StoreResult<Option<Payment>>;
    /// The account's payments, newest first.
    async fn payments(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<Payment>>;
    /// The whole ledger's totals.
    async fn ledger(&self) -> StoreResult<Ledger>;
}

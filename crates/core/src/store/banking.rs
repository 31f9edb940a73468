//! Monetary accounts and payments on the ledger.

use async_trait::async_trait;

use crate::{
    account::{
        batch::{DraftPayment, DraftStatus, PaymentBatch},
        bunqme::{BunqMeTab, NewTab, TabPayer},
        note::PaymentNote,
        payment::{Credit, Ledger, NewPayment, Payment, PaymentPolicy},
        request::{Answer, MoneyRequest, NewRequest, RequestTarget},
        schedule::{NewSchedule, PaymentSchedule, ScheduleInstance},
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

/// Requests for money between accounts (`RequestInquiry` / `RequestResponse`).
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Asks for money into the user's `account`, in one transaction with its webhooks. An IBAN
    /// of an account here gets a `RequestResponse` (a request to the same account, another
    /// currency, or a closed user's account is refused); an IBAN elsewhere leaves the request
    /// PENDING; Sugar Daddy accepts it at once, crediting the account as money in from
    /// outside. `None` when the user has no such account.
    async fn create_request(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        request: &NewRequest,
        target: &RequestTarget,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<MoneyRequest>>;
    /// A request the user's `account` made (`None`: unknown here).
    async fn request_inquiry(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<MoneyRequest>>;
    /// The requests the account made, newest first.
    async fn request_inquiries(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<MoneyRequest>>;
    /// A request made to the user's `account`.
    async fn request_response(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<MoneyRequest>>;
    /// The requests made to the account, newest first.
    async fn request_responses(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<MoneyRequest>>;
    /// The inquirer takes its PENDING request back (REVOKED), with both sides' webhooks.
    async fn revoke_request(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Option<MoneyRequest>>;
    /// The responder accepts (paying the inquirer: an internal payment with its webhooks) or
    /// rejects a PENDING request, in one transaction with both statuses and their webhooks. A
    /// refusal (not PENDING, another amount, insufficient balance) changes nothing.
    async fn answer_request(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        answer: &Answer,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<MoneyRequest>>;
}

/// bunq.me tabs, paid from IBANs elsewhere or accounts held here (the operator plays the
/// stranger).
#[async_trait]
pub trait BunqMeTabStore: Send + Sync {
    /// Opens a tab on the user's `account` (in its currency); `None` for no such account.
    async fn create_tab(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        tab: &NewTab,
        now: Timestamp,
    ) -> StoreResult<Option<BunqMeTab>>;
    async fn tab(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<BunqMeTab>>;
    /// The account's tabs, newest first.
    async fn tabs(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<BunqMeTab>>;
    /// Cancels a tab WAITING_FOR_PAYMENT (else refused).
    async fn cancel_tab(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Option<BunqMeTab>>;
    /// `payer` pays the tab's amount, recorded among the tab's results, in one transaction: a
    /// stranger's is money in from outside (an incoming `EBA_SCT` with its webhooks); an
    /// account held here pays as an internal payment does (`BUNQ` on both sides, with their
    /// webhooks; refused, changing nothing, when that account cannot pay it), and the tab's
    /// side is the result. A cancelled tab refuses. `None` for an unknown tab.
    async fn pay_tab(
        &self,
        id: i64,
        payer: &TabPayer,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<BunqMeTab>>;
}

/// Payment batches and draft payments: several payments from one account in one transaction.
#[async_trait]
pub trait BatchStore: Send + Sync {
    /// Pays every payment from the user's `account` in one transaction, each as
    /// [`PaymentStore::pay`] would (its rows, its webhooks), recorded as one batch. If one
    /// cannot be paid, nothing is: the refusal (`StoreError::Refused`) names it by index
    /// (`payments[i]: …`). `None` when the user has no such account.
    async fn pay_batch(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payments: &[NewPayment],
        policy: &PaymentPolicy,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<PaymentBatch>>;
    async fn batch(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<PaymentBatch>>;
    /// The account's batches, newest first.
    async fn batches(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<PaymentBatch>>;
    /// Stores a PENDING draft with its `DRAFT_PAYMENT` webhook. `None` when the user has no
    /// such account.
    async fn create_draft(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        entries: &[NewPayment],
        now: Timestamp,
    ) -> StoreResult<Option<DraftPayment>>;
    /// Answers a PENDING draft: ACCEPTED pays its entries as one batch (all or nothing), with
    /// the status change and its webhook in the same transaction; REJECTED only changes the
    /// status. A draft already answered is refused (`StoreError::Refused`), changing nothing.
    // The draft's place (user, account, id), the answer, the payment rule, the time and the
    // retry's key: each a different thing, none worth a struct of its own.
    #[allow(clippy::too_many_arguments)]
    async fn answer_draft(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        answer: DraftStatus,
        policy: &PaymentPolicy,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<DraftPayment>>;
    async fn draft(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<DraftPayment>>;
    /// The account's drafts, newest first.
    async fn drafts(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<DraftPayment>>;
}

/// Scheduled payments and their runs on the virtual clock.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Stores an ACTIVE schedule and the timer of its first run, in one transaction. `None`
    /// when the user has no such account.
    async fn create_schedule(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        schedule: &NewSchedule,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentSchedule>>;
    /// Replaces an ACTIVE schedule's payment and timing; its next run is the first occurrence
    /// of the new timing at or after `now`. A schedule no longer ACTIVE is refused.
    async fn update_schedule(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        schedule: &NewSchedule,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentSchedule>>;
    /// CANCELLED, with its timer gone; cancelling a schedule that is no longer ACTIVE is
    /// refused.
    async fn cancel_schedule(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentSchedule>>;
    async fn schedule(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<PaymentSchedule>>;
    async fn schedules(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<PaymentSchedule>>;
    /// A schedule's runs, newest first; `None` when the schedule is not the account's.
    async fn schedule_instances(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        schedule: i64,
        page: PageQuery,
    ) -> StoreResult<Option<Page<ScheduleInstance>>>;
    async fn schedule_instance(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        schedule: i64,
        id: i64,
    ) -> StoreResult<Option<ScheduleInstance>>;
    /// Runs every schedule timer due at `now` (up to `limit`), each at its own time and in
    /// time order, including the runs they make due in turn: each run's payment or failure,
    /// its webhooks and the next timer commit together.
    async fn run_schedules(&self, now: Timestamp, limit: u32) -> StoreResult<usize>;
    async fn next_schedule_run_at(&self) -> StoreResult<Option<Timestamp>>;
}

/// Notes on payments (`NoteTextPayment`). Each call names the payment by its owner, account
/// and id; `None` (or `false`) when the user has no such payment or note. A closed user's
/// notes are frozen (`UserFrozen`).
#[async_trait]
pub trait PaymentNoteStore: Send + Sync {
    async fn add_note(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        content: &str,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentNote>>;
    async fn note(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        id: i64,
    ) -> StoreResult<Option<PaymentNote>>;
    /// The payment's notes, newest first; `None` when there is no such payment.
    async fn notes(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        page: PageQuery,
    ) -> StoreResult<Option<Page<PaymentNote>>>;
    async fn update_note(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        id: i64,
        content: &str,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentNote>>;
    async fn delete_note(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: PaymentId,
        id: i64,
    ) -> StoreResult<bool>;
}

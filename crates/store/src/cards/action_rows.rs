//! Card transactions as stored (with the card's line and the account's label joined in), and
//! their webhooks.

use provisio_core::{
    card::action::{
        AuthorisationStatus, ClearingStatus, MasterCardAction, Merchant, SettlementStatus,
    },
    model::{CardId, MasterCardActionId, MonetaryAccountId, PaymentId, UserId},
    time::Timestamp,
    StoreError,
};
use provisio_wire::{cards::mastercard_action as render, Item};
use sqlx::AnyConnection;

use crate::rows::{corrupt, parse};

pub(super) const ACTION_COLUMNS: &str = "a.id, a.card_id, a.monetary_account_id, a.user_id, \
     a.amount_minor, a.currency, a.merchant_name, a.merchant_city, a.merchant_country, \
     a.merchant_id, a.merchant_category_code, a.pan_entry_mode, a.decision, \
     a.decision_description, a.authorisation_status, a.settlement_status, a.clearing_status, \
     a.applied_limit, a.additional_authentication_status, a.payment_id, a.reversal_payment_id, \
     c.second_line AS card_second_line, m.iban AS alias_iban, m.display_name AS alias_name, \
     a.created, a.updated";
pub(super) const ACTION_TABLES: &str = "mastercard_actions a JOIN cards c ON c.id = a.card_id \
     JOIN monetary_accounts m ON m.id = a.monetary_account_id";

#[derive(sqlx::FromRow)]
pub(super) struct ActionRow {
    id: i64,
    card_id: i64,
    monetary_account_id: i64,
    user_id: i64,
    amount_minor: i64,
    currency: String,
    merchant_name: String,
    merchant_city: String,
    merchant_country: String,
    merchant_id: String,
    merchant_category_code: String,
    pan_entry_mode: String,
    decision: String,
    decision_description: String,
    authorisation_status: String,
    settlement_status: String,
    clearing_status: String,
    applied_limit: Option<String>,
    additional_authentication_status: Option<String>,
    payment_id: Option<i64>,
    reversal_payment_id: Option<i64>,
    card_second_line: String,
    alias_iban: String,
    alias_name: String,
    created: i64,
    updated: i64,
}

impl TryFrom<ActionRow> for MasterCardAction {
    type Error = StoreError;

    fn try_from(r: ActionRow) -> Result<Self, StoreError> {
        Ok(MasterCardAction {
            id: MasterCardActionId(r.id),
            card_id: CardId(r.card_id),
            monetary_account_id: MonetaryAccountId(r.monetary_account_id),
            user_id: UserId(r.user_id),
            amount_minor: r.amount_minor,
            currency: r.currency,
            merchant: Merchant {
                name: r.merchant_name,
                city: r.merchant_city,
                country: r.merchant_country,
                id: r.merchant_id,
                category_code: r.merchant_category_code,
            },
            pan_entry_mode: r.pan_entry_mode,
            decision: r.decision,
            decision_description: r.decision_description,
            authorisation_status: parse(AuthorisationStatus::parse, &r.authorisation_status)?,
            settlement_status: parse(SettlementStatus::parse, &r.settlement_status)?,
            clearing_status: parse(ClearingStatus::parse, &r.clearing_status)?,
            applied_limit: r.applied_limit,
            additional_authentication_status: r.additional_authentication_status,
            payment_id: r.payment_id.map(PaymentId),
            reversal_payment_id: r.reversal_payment_id.map(PaymentId),
            card_second_line: r.card_second_line,
            alias_iban: r.alias_iban,
            alias_name: r.alias_name,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

pub(super) async fn action_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<MasterCardAction>, sqlx::Error> {
    let row: Option<ActionRow> = sqlx::query_as(&format!(
        "SELECT {ACTION_COLUMNS} FROM {ACTION_TABLES} WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(MasterCardAction::try_from)
        .transpose()
        .map_err(corrupt)
}

pub(super) async fn emit(
    conn: &mut AnyConnection,
    action: &MasterCardAction,
    category: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    crate::webhooks::outbox::emit_user_event(
        conn,
        action.user_id.0,
        category,
        category,
        action.id.0,
        &Item::MasterCardAction(render(action)),
        now,
    )
    .await
}

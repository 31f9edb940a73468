//! Payments' rules that depend on the server's profile, and money in (shared by the operator
//! API and `provisio account credit`).

use provisio_core::{
    account::payment::{self, Payment, PaymentPolicy},
    idempotency::IdempotencyKey,
    model::{MonetaryAccountId, UserKind, UserRecord},
    store::Store,
    time::Clock,
    DomainError,
};

use crate::Profile;

/// Whom `payer` may pay. In `strict`, a provisioned user may pay only its own accounts and its
/// partner's (bunq's rule for partners without a PSD2 licence), never an IBAN elsewhere; in
/// `dev`, and for the partner itself, any account here and any valid IBAN elsewhere (an
/// outgoing `EBA_SCT`).
pub fn policy(profile: Profile, payer: &UserRecord) -> PaymentPolicy {
    match (profile, payer.kind, payer.partner_id) {
        (Profile::Strict, UserKind::Person | UserKind::Company, Some(partner)) => PaymentPolicy {
            payees: Some(vec![payer.id, partner]),
            external: false,
        },
        _ => PaymentPolicy::OPEN,
    }
}

/// Credits `account` from an IBAN elsewhere, as an incoming `EBA_SCT` with its webhooks. With
/// `once`, a retry answers the first credit (see `provisio_core::idempotency`).
#[allow(clippy::too_many_arguments)]
pub async fn credit(
    store: &dyn Store,
    clock: &dyn Clock,
    account: MonetaryAccountId,
    amount: &str,
    from_iban: Option<&str>,
    from_name: Option<&str>,
    description: Option<&str>,
    once: Option<&IdempotencyKey>,
) -> Result<Payment, DomainError> {
    let credit = payment::credit(amount, from_iban, from_name, description)?;
    store
        .credit(account, &credit, clock.now(), once)
        .await?
        .ok_or_else(|| DomainError::not_found("MonetaryAccount"))
}

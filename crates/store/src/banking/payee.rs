//! Whom a payment pays: the payee its pointer names, resolved inside the payment's
//! transaction and checked against the payer and the user's payment policy.

use provisio_core::{
    account::{
        payment::{NewPayment, PaymentPolicy},
        pointer::Pointer,
        MonetaryAccount,
    },
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::pointers::resolve;
use crate::frozen;

/// A payment's refusal, with `message` as its reason.
pub(super) fn refused(message: impl Into<String>) -> sqlx::Error {
    frozen::refuse(StoreError::Refused(message.into()))
}

/// Whom a payment pays: the account held here (`None` for money leaving provisio) and the
/// counterparty the payer's side records.
pub(super) struct Payee {
    pub(super) account: Option<MonetaryAccount>,
    pub(super) iban: String,
    pub(super) name: String,
}

/// The payee the payment's pointer names (resolved here, inside the payment's transaction),
/// checked against the payer and the policy.
pub(super) async fn payee(
    conn: &mut AnyConnection,
    payer: &MonetaryAccount,
    payment: &NewPayment,
    policy: &PaymentPolicy,
    now: Timestamp,
) -> Result<Payee, sqlx::Error> {
    let resolved = resolve(conn, &payment.counterparty, now).await?;
    let elsewhere = |iban: String, name: String| {
        if policy.external {
            Ok(Payee {
                account: None,
                iban,
                name,
            })
        } else {
            Err(refused(
                "This user may pay only to its own accounts and its partner's (PSD2); the IBAN is not one of them.",
            ))
        }
    };
    let resolved = match (resolved, &payment.counterparty) {
        (None, Pointer::Iban { iban, name }) => return elsewhere(iban.clone(), name.clone()),
        (None, pointer) => return Err(refused(unknown_pointer(pointer))),
        (Some(r), _) if r.pays_out() => return elsewhere(r.iban, r.name),
        (Some(r), _) => r,
    };
    let user = resolved.user;
    let Some(account) = resolved.account else {
        return Err(refused(format!(
            "{} has no active account to receive this payment.",
            resolved.name
        )));
    };
    if account.id == payer.id {
        return Err(refused("An account cannot pay itself."));
    }
    if let Some(allowed) = &policy.payees {
        if !allowed.contains(&user) {
            return Err(refused(format!(
                "This user may pay only to its own accounts and its partner's (PSD2); the {} belongs to someone else.",
                match payment.counterparty {
                    Pointer::Iban { .. } => "IBAN",
                    Pointer::Email(_) => "email address",
                    Pointer::Phone(_) => "phone number",
                }
            )));
        }
    }
    if account.currency != payer.currency {
        return Err(refused(format!(
            "The receiving account holds {}, not {}; payments are in one currency.",
            account.currency, payer.currency
        )));
    }
    Ok(Payee {
        iban: resolved.iban,
        name: resolved.name,
        account: Some(account),
    })
}

/// The refusal of an email address or phone number that names no user here.
fn unknown_pointer(pointer: &Pointer) -> String {
    let what = match pointer {
        Pointer::Phone(_) => "phone number",
        _ => "email address",
    };
    format!(
        "The counterparty's {what} {} does not belong to a bunq user; pay an IBAN instead.",
        provisio_core::text::quoted(pointer.value())
    )
}

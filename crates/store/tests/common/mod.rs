//! What the store's money tests share: a fixed start time, a partner with its main account,
//! money in from outside and a payment to an account.
//!
//! Each test file is its own crate and uses only some of these, hence the allowance.
#![allow(dead_code)]

use provisio_core::{
    account::{
        payment::{Credit, NewPayment},
        pointer::Pointer,
        AccountKind, MonetaryAccount,
    },
    model::{PageBound, PageQuery, UserId},
    secret::SecretHash,
    store::Store,
    time::Timestamp,
};

pub const T0: Timestamp = Timestamp(1_700_000_000_000_000);

/// A partner and its main account.
pub async fn partner(store: &dyn Store, n: u32) -> (UserId, MonetaryAccount) {
    let p = store
        .create_partner(
            &format!("P{n}"),
            &format!("uuid-{n}"),
            &SecretHash::of(&format!("key-{n}")),
            T0,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = PageQuery {
        count: 10,
        bound: PageBound::Newest,
    };
    let main = store
        .accounts(p.id, Some(AccountKind::Bank), page)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
        .pop()
        .unwrap_or_else(|| panic!("no main account"));
    (p.id, main)
}

/// Money in from an IBAN elsewhere.
pub fn credit(minor: i64) -> Credit {
    Credit {
        amount_minor: minor,
        from_iban: "NL20INGB0001234567".into(),
        from_name: "Employer".into(),
        description: "Salary".into(),
    }
}

/// A payment of `minor` to `to`, by its IBAN.
pub fn payment(to: &MonetaryAccount, minor: i64) -> NewPayment {
    NewPayment {
        amount_minor: minor,
        currency: "EUR".into(),
        counterparty: Pointer::Iban {
            iban: to.iban.clone(),
            name: to.display_name.clone(),
        },
        description: "Rent".into(),
        merchant_reference: None,
    }
}

/// The account's balance in minor units (-1 when it cannot be read).
pub async fn balance(store: &dyn Store, user: UserId, account: &MonetaryAccount) -> i64 {
    store
        .account(user, account.id)
        .await
        .ok()
        .flatten()
        .map(|a| a.balance_minor)
        .unwrap_or(-1)
}

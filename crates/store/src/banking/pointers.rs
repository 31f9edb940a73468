//! Pointers to accounts: what an IBAN, an email address or a phone number names here, resolved
//! inside the caller's transaction (a payment's, a request's), and the well-known users every
//! store has outside any tenant.
//!
//! An EMAIL or PHONE_NUMBER pointer names a user (`aliases`), and through it the user's primary
//! account: its oldest ACTIVE bank account. Two users exist in every store: `bravo@bunq.com`, a
//! sandbox person with an account of its own that others pay (internal BUNQ payments, so the
//! ledger holds as for any two accounts), and `sugardaddy@bunq.com`, bunq's giver of test
//! money, which has no account here: money paid to it leaves provisio (an outgoing EBA_SCT to
//! its IBAN, counted as paid out), and money it gives comes from outside. Both come into being
//! the first time a pointer names them (in that transaction), so a reset or a fresh database
//! has them as soon as they are used, and no tenant's removal touches them.

use provisio_core::{
    account::{
        iban,
        pointer::Pointer,
        request::{SUGARDADDY_EMAIL, SUGARDADDY_IBAN, SUGARDADDY_NAME},
        MonetaryAccount, NewAccount,
    },
    model::{UserId, DEFAULT_SESSION_TIMEOUT_SECS},
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::accounts::{self, AccountRow, ACCOUNT_COLUMNS};
use crate::{batch::Statement, rows::corrupt};

/// What a pointer names here.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) user: UserId,
    /// The account that receives; `None` when the money leaves provisio (sugardaddy).
    pub(crate) account: Option<MonetaryAccount>,
    /// The IBAN a payer's side records as its counterparty.
    pub(crate) iban: String,
    /// The holder's name as the payer's side records it.
    pub(crate) name: String,
}

/// A user every store has: named by its email address, owned by no tenant.
struct WellKnown {
    email: &'static str,
    name: &'static str,
    public_uuid: &'static str,
    /// The account number of its account here (see [`iban::nl_bunq`]); `None`: it has no
    /// account here, and money paid to it leaves provisio.
    account_number: Option<u64>,
}

/// bunq's giver of test money: paying it is paying out.
pub(crate) const SUGAR_DADDY: &str = SUGARDADDY_EMAIL;
/// A sandbox person others pay and ask.
pub(crate) const BRAVO: &str = "bravo@bunq.com";

const WELL_KNOWN: [WellKnown; 2] = [
    WellKnown {
        email: SUGAR_DADDY,
        name: SUGARDADDY_NAME,
        public_uuid: "00000000-0000-4000-8000-5a9a0dadd1e5",
        account_number: None,
    },
    WellKnown {
        email: BRAVO,
        name: "Bravo Sandbox",
        public_uuid: "00000000-0000-4000-8000-00000b4a7001",
        account_number: Some(9_999_000_002),
    },
];

/// The IBAN of sugardaddy@bunq.com (no account here: payments to it are paid out, and the
/// test money it gives comes in from it).
pub fn sugar_daddy_iban() -> String {
    SUGARDADDY_IBAN.to_owned()
}

/// Makes sure the well-known user behind `email` exists (idempotent, safe against a racing
/// transaction: every insert is `ON CONFLICT DO NOTHING`).
async fn ensure_well_known(
    conn: &mut AnyConnection,
    known: &WellKnown,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (kind, public_uuid, name, session_timeout, sandbox_kind, created, updated) \
         VALUES ('PERSON', $1, $2, $3, 'PERSON', $4, $4) ON CONFLICT (public_uuid) DO NOTHING",
    )
    .bind(known.public_uuid)
    .bind(known.name)
    .bind(DEFAULT_SESSION_TIMEOUT_SECS)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    let user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE public_uuid = $1")
        .bind(known.public_uuid)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO aliases (user_id, type, value, created) VALUES ($1, 'EMAIL', $2, $3) \
         ON CONFLICT (type, value) DO NOTHING",
    )
    .bind(user)
    .bind(known.email)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    if let Some(number) = known.account_number {
        let accounts: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM monetary_accounts WHERE user_id = $1")
                .bind(user)
                .fetch_one(&mut *conn)
                .await?;
        if accounts == 0 {
            let main = NewAccount::main_account(known.name);
            let iban = iban::nl_bunq(number);
            accounts::insert(conn, user, &main, &iban, now).await?;
        }
    }
    Ok(())
}

/// The account an IBAN names here. This and the reads below are statements of their own
/// (see `batch`): on SQLite's writer, no trip to sqlx's thread.
async fn by_iban(
    conn: &mut AnyConnection,
    iban: &str,
) -> Result<Option<MonetaryAccount>, sqlx::Error> {
    let row: Option<AccountRow> = Statement::new(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM monetary_accounts WHERE iban = $1"
    ))
    .bind(iban)
    .fetch_optional_as(conn)
    .await?;
    row.map(MonetaryAccount::try_from)
        .transpose()
        .map_err(corrupt)
}

/// The user's primary account: its oldest ACTIVE bank account.
async fn primary_account(
    conn: &mut AnyConnection,
    user: i64,
) -> Result<Option<MonetaryAccount>, sqlx::Error> {
    let row: Option<AccountRow> = Statement::new(format!(
        "SELECT {ACCOUNT_COLUMNS} FROM monetary_accounts \
         WHERE user_id = $1 AND kind = 'BANK' AND status = 'ACTIVE' ORDER BY id LIMIT 1"
    ))
    .bind(user)
    .fetch_optional_as(conn)
    .await?;
    row.map(MonetaryAccount::try_from)
        .transpose()
        .map_err(corrupt)
}

/// What `pointer` names here, inside the caller's transaction; `None` when nothing held here
/// answers to it (an IBAN elsewhere, an email address or phone number no user has), for the
/// caller to decide. A user named by email or phone whose accounts are all closed resolves
/// with no account and its name, like sugardaddy: the caller refuses it unless it is sugardaddy
/// ([`Resolved::pays_out`]).
pub(crate) async fn resolve(
    conn: &mut AnyConnection,
    pointer: &Pointer,
    now: Timestamp,
) -> Result<Option<Resolved>, sqlx::Error> {
    if let Pointer::Iban { iban, name } = pointer {
        return Ok(by_iban(conn, iban).await?.map(|account| Resolved {
            user: account.user_id,
            iban: account.iban.clone(),
            name: name.clone(),
            account: Some(account),
        }));
    }
    if let Some(known) = WELL_KNOWN.iter().find(|k| k.email == pointer.value()) {
        ensure_well_known(conn, known, now).await?;
    }
    let user: Option<(i64, String)> = Statement::new(
        "SELECT u.id, u.name FROM aliases a JOIN users u ON u.id = a.user_id \
         WHERE a.type = $1 AND a.value = $2",
    )
    .bind(pointer.kind())
    .bind(pointer.value())
    .fetch_optional_as(conn)
    .await?;
    let Some((user, name)) = user else {
        return Ok(None);
    };
    let account = primary_account(conn, user).await?;
    let iban = match &account {
        Some(a) => a.iban.clone(),
        None if pointer.value() == SUGAR_DADDY => sugar_daddy_iban(),
        None => String::new(),
    };
    Ok(Some(Resolved {
        user: UserId(user),
        account,
        iban,
        name,
    }))
}

impl Resolved {
    /// Money paid to this pointer leaves provisio (sugardaddy@bunq.com has no account here).
    pub(crate) fn pays_out(&self) -> bool {
        self.account.is_none() && self.iban == sugar_daddy_iban()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_ibans_are_valid_and_distinct() {
        let mut ibans: Vec<String> = WELL_KNOWN
            .iter()
            .filter_map(|k| k.account_number.map(iban::nl_bunq))
            .collect();
        ibans.push(sugar_daddy_iban());
        assert!(ibans.iter().all(|i| iban::is_valid(i)), "{ibans:?}");
        assert_ne!(ibans[0], ibans[1]);
    }
}

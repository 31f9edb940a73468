//! Card secrets at rest (see `provisio_core::sealing` for the key and what it protects): the
//! store's sealing key, sealing a value for a column and opening it, and sealing at start the
//! rows written before sealing existed (or under a previous key).

use std::sync::Arc;

use provisio_core::{
    sealing::{SealingError, SealingKey},
    StoreError,
};
use sqlx::AnyConnection;

use crate::{rows::corrupt, SqlStore};

/// The purposes values are sealed for: a value opens only in its own column.
pub(super) const PAN: &str = "cards.pan";
pub(super) const CVC2: &str = "card_cvc2s.cvc2";

/// A PAN as stored: sealed, its keyed hash (unique) and the last four digits a card shows.
pub(super) struct StoredPan {
    pub sealed: String,
    pub digest: String,
    pub last_four: String,
}

impl StoredPan {
    pub fn seal(key: &SealingKey, pan: &str) -> Result<StoredPan, SealingError> {
        Ok(StoredPan {
            sealed: key.seal(PAN, pan)?,
            digest: key.digest(PAN, pan),
            last_four: pan
                .get(pan.len().saturating_sub(4)..)
                .unwrap_or("")
                .to_owned(),
        })
    }
}

/// A sealing failure inside a transaction: the stored data is not what it should be.
pub(super) fn unreadable(err: SealingError) -> sqlx::Error {
    corrupt(StoreError::Corrupt(err.to_string()))
}

impl SqlStore {
    /// The key card secrets are sealed with; refused until the server has given it.
    pub(super) fn sealing_key(&self) -> Result<Arc<SealingKey>, StoreError> {
        self.sealing.get().cloned().ok_or_else(|| {
            StoreError::Corrupt("no key to seal card secrets with was given to the store".into())
        })
    }

    /// Takes `key`; a store already holding another key refuses it (one process, one key).
    pub(super) fn take_sealing_key(&self, key: Arc<SealingKey>) -> Result<(), StoreError> {
        let held = self.sealing.get_or_init(|| key.clone());
        if held.id() == key.id() {
            Ok(())
        } else {
            Err(StoreError::Refused(
                "this store already seals card secrets with another key".into(),
            ))
        }
    }
}

/// The plain value of `stored`: sealed with `previous` (being replaced), with `key`, or not
/// sealed at all (written before sealing). Another key's value is refused by `key.open`.
fn plain_of(
    key: &SealingKey,
    previous: Option<&SealingKey>,
    purpose: &str,
    stored: &str,
) -> Result<String, SealingError> {
    match previous {
        Some(old) if old.sealed_here(stored) => old.open(purpose, stored),
        _ => key.open(purpose, stored),
    }
}

/// Seals under `key` every PAN and CVC2 not sealed with it yet; how many it sealed. Each
/// update is a compare-and-set on the value read, so two processes starting together do not
/// seal one value twice over.
pub(super) async fn seal_rows(
    conn: &mut AnyConnection,
    key: &SealingKey,
    previous: Option<&SealingKey>,
) -> Result<u64, sqlx::Error> {
    let sealed_here = format!("sealed1.{}.%", key.id());
    let mut sealed = 0;
    let cards: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, pan FROM cards WHERE pan_digest IS NULL OR pan NOT LIKE $1 ORDER BY id",
    )
    .bind(&sealed_here)
    .fetch_all(&mut *conn)
    .await?;
    for (id, stored) in cards {
        let plain = plain_of(key, previous, PAN, &stored).map_err(unreadable)?;
        let pan = StoredPan::seal(key, &plain).map_err(unreadable)?;
        let changed = sqlx::query(
            "UPDATE cards SET pan = $3, pan_digest = $4, pan_last_four = $5 \
             WHERE id = $1 AND pan = $2",
        )
        .bind(id)
        .bind(stored)
        .bind(pan.sealed)
        .bind(pan.digest)
        .bind(pan.last_four)
        .execute(&mut *conn)
        .await?;
        sealed += changed.rows_affected();
    }
    let cvc2s: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, cvc2 FROM card_cvc2s WHERE cvc2 NOT LIKE $1 ORDER BY id")
            .bind(&sealed_here)
            .fetch_all(&mut *conn)
            .await?;
    for (id, stored) in cvc2s {
        let plain = plain_of(key, previous, CVC2, &stored).map_err(unreadable)?;
        let changed = sqlx::query("UPDATE card_cvc2s SET cvc2 = $3 WHERE id = $1 AND cvc2 = $2")
            .bind(id)
            .bind(stored)
            .bind(key.seal(CVC2, &plain).map_err(unreadable)?)
            .execute(&mut *conn)
            .await?;
        sealed += changed.rows_affected();
    }
    Ok(sealed)
}

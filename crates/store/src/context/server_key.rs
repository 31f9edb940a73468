use async_trait::async_trait;
use provisio_core::{store::ServerKeyStore, time::Timestamp, StoreError};
use sqlx::Row;

use crate::{db_err, SqlStore};

#[async_trait]
impl ServerKeyStore for SqlStore {
    async fn server_key(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT private_key_pkcs8 FROM server_key WHERE id = 1")
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        row.map(|r| r.try_get::<Vec<u8>, _>("private_key_pkcs8"))
            .transpose()
            .map_err(db_err)
    }

    async fn server_key_or_insert(
        &self,
        candidate: &[u8],
        now: Timestamp,
    ) -> Result<Vec<u8>, StoreError> {
        let candidate = candidate.to_vec();
        self.write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO server_key (id, private_key_pkcs8, created) VALUES (1, $1, $2) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(candidate)
                .bind(now.micros())
                .execute(&mut *conn)
                .await?;
                sqlx::query("SELECT private_key_pkcs8 FROM server_key WHERE id = 1")
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get::<Vec<u8>, _>("private_key_pkcs8")
            })
        })
        .await
    }
}

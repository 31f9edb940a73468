//! Newest-first pages with exclusive `older_id`/`newer_id` bounds (spec A.7, J-21), for any
//! list: one query for the page (`count + 1` rows tell whether more lie in the scan direction)
//! and, only when a bound was given, one existence check for the other direction.

use provisio_core::model::{Page, PageBound, PageQuery};
use sqlx::{any::AnyArguments, query::QueryAs, Any, AnyPool, FromRow};

use crate::db_err;

/// A value for a filter placeholder.
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

fn bind<'q, O>(
    mut query: QueryAs<'q, Any, O, AnyArguments<'q>>,
    args: &'q [Arg],
) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
    for arg in args {
        query = match arg {
            Arg::Int(v) => query.bind(*v),
            Arg::Text(v) => query.bind(v.as_str()),
        };
    }
    query
}

#[derive(FromRow)]
struct Found {
    found: i64,
}

/// `table_where` is `"<tables> WHERE <filter>"` using placeholders `$1..$n` for `args`;
/// `columns` are selected; rows are identified by the `id` column (qualified when joining).
pub(crate) async fn fetch_page<R>(
    pool: &AnyPool,
    columns: &str,
    id: &str,
    table_where: &str,
    args: &[Arg],
    page: PageQuery,
) -> Result<Page<R>, provisio_core::StoreError>
where
    R: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let n = args.len();
    let (bound_sql, bound, order) = match page.bound {
        PageBound::Newest => (String::new(), None, "DESC"),
        PageBound::OlderThan(b) => (format!(" AND {id} < ${}", n + 2), Some(b), "DESC"),
        // The page just above `newer_id` is the `count` oldest of the newer rows.
        PageBound::NewerThan(b) => (format!(" AND {id} > ${}", n + 2), Some(b), "ASC"),
    };
    let sql = format!(
        "SELECT {columns} FROM {table_where}{bound_sql} ORDER BY {id} {order} LIMIT ${}",
        n + 1
    );
    let mut query = bind(sqlx::query_as::<_, R>(&sql), args).bind(i64::from(page.count) + 1);
    if let Some(bound) = bound {
        query = query.bind(bound);
    }
    let mut items = query.fetch_all(pool).await.map_err(db_err)?;
    let more = items.len() > page.count as usize;
    items.truncate(page.count as usize);
    if order == "ASC" {
        items.reverse();
    }
    let beyond_bound = |op: &str, b: i64| {
        let sql = format!(
            "SELECT COUNT(*) AS found FROM (SELECT {id} FROM {table_where} AND {id} {op} ${} LIMIT 1) AS beyond",
            n + 1
        );
        async move {
            let found: Found = bind(sqlx::query_as::<_, Found>(&sql), args)
                .bind(b)
                .fetch_one(pool)
                .await
                .map_err(db_err)?;
            Ok::<bool, provisio_core::StoreError>(found.found > 0)
        }
    };
    let (has_older, has_newer) = match page.bound {
        PageBound::Newest => (more, false),
        PageBound::OlderThan(b) => (more, beyond_bound(">=", b).await?),
        PageBound::NewerThan(b) => (beyond_bound("<=", b).await?, more),
    };
    Ok(Page {
        items,
        has_older,
        has_newer,
    })
}

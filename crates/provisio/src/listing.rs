//! What every `… list` command shares: the filters, walking every page of a store list, the
//! aligned table people read and the `--json` scripts read.
//!
//! A table is plain text on purpose: no colour and no cut, on a terminal or not, so a wide
//! IBAN or UUID is always whole and `grep`/`awk` see what a person sees.

use clap::Args;
use provisio_core::{
    model::{Page, PageBound, PageQuery, UserId, MAX_PAGE_COUNT},
    provision::record::{Provision, ProvisionFilter},
    store::{Store, StoreResult},
};
use provisio_wire::{Item, ResponseEnvelope};

use crate::args::StorageArgs;

/// `--json` and the store: what every list takes.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Print the API's JSON (`{"Response":[…]}`, as bunq's list routes answer) instead of a
    /// table, for scripts.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// Every item of a newest-first list, page after page (`fetch` gets one page after a bound).
pub async fn every_page<T, F, Fut>(id_of: fn(&T) -> i64, mut fetch: F) -> StoreResult<Vec<T>>
where
    F: FnMut(PageQuery) -> Fut,
    Fut: std::future::Future<Output = StoreResult<Page<T>>>,
{
    let mut all: Vec<T> = Vec::new();
    let mut bound = PageBound::Newest;
    loop {
        let page = fetch(PageQuery {
            count: MAX_PAGE_COUNT,
            bound,
        })
        .await?;
        let last = page.items.last().map(id_of);
        all.extend(page.items);
        match last {
            Some(id) if page.has_older => bound = PageBound::OlderThan(id),
            _ => return Ok(all),
        }
    }
}

/// The partners a list covers: the one `--partner` names (refused when unknown), or all.
pub async fn partners(store: &dyn Store, partner: Option<i64>) -> anyhow::Result<Vec<UserId>> {
    match partner {
        Some(id) => match store.partner(UserId(id)).await? {
            Some(partner) => Ok(vec![partner.id]),
            None => anyhow::bail!("no partner {id}; `provisio partner list` lists them"),
        },
        None => Ok(store
            .list_partners()
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect()),
    }
}

/// Every provision of `partners` that `filter` lets through, oldest first.
pub async fn provisions(
    store: &dyn Store,
    partners: &[UserId],
    filter: &ProvisionFilter,
) -> anyhow::Result<Vec<Provision>> {
    let mut all = Vec::new();
    for &partner in partners {
        let mut page = every_page(
            |p: &Provision| p.id.0,
            |query| store.list_provisions(partner, filter, query),
        )
        .await?;
        page.reverse();
        all.extend(page);
    }
    all.sort_by_key(|p| p.id.0);
    Ok(all)
}

/// The users whose accounts or cards a list covers: `--user` alone, else each partner covered
/// and the users its provisions made.
pub async fn owners(
    store: &dyn Store,
    partner: Option<i64>,
    user: Option<i64>,
) -> anyhow::Result<Vec<UserId>> {
    if let Some(id) = user {
        if store.user(UserId(id)).await?.is_none() {
            anyhow::bail!("no user {id}; `provisio user list` lists them");
        }
        return Ok(vec![UserId(id)]);
    }
    let partners = partners(store, partner).await?;
    let made = provisions(store, &partners, &ProvisionFilter::default()).await?;
    let mut owners = partners;
    owners.extend(made.iter().filter_map(|p| p.user.as_ref().map(|u| u.id)));
    owners.sort_by_key(|u| u.0);
    owners.dedup();
    Ok(owners)
}

/// Parses `--status` values against a status enum's names; the error lists the names.
pub fn statuses<T: Copy>(
    given: &[String],
    all: &[T],
    name: fn(T) -> &'static str,
) -> anyhow::Result<Vec<T>> {
    given
        .iter()
        .map(|text| {
            let upper = text.trim().to_ascii_uppercase();
            all.iter()
                .copied()
                .find(|s| name(*s) == upper)
                .ok_or_else(|| {
                    let names: Vec<_> = all.iter().map(|s| name(*s)).collect();
                    anyhow::anyhow!(
                        "--status {} is not one of {}",
                        provisio_core::text::quoted(text),
                        names.join(", ")
                    )
                })
        })
        .collect()
}

/// Prints `items` as the API answers a list, on one line.
pub fn print_json(items: Vec<Item>) -> anyhow::Result<()> {
    let mut line = serde_json::to_vec(&ResponseEnvelope::of(items))?;
    line.push(b'\n');
    write_out(&line)
}

/// Writes to stdout; a reader that has stopped reading (`… | head`) ends the output quietly,
/// where `println!` would panic.
pub fn write_out(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        done => Ok(done?),
    }
}

/// An aligned table: a header, then one line per row, columns two spaces apart, numbers to
/// the right. Nothing is cut.
pub struct Table {
    headers: Vec<&'static str>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// `headers` ending in `#` are numeric (right-aligned); the `#` is not printed.
    pub fn new(headers: &[&'static str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.trim_end_matches('#')).collect(),
            numeric: headers.iter().map(|h| h.ends_with('#')).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let width = |column: usize| {
            self.rows
                .iter()
                .filter_map(|r| r.get(column))
                .map(|c| c.chars().count())
                .chain([self.headers[column].chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.headers.len()).map(width).collect();
        let header: Vec<String> = self.headers.iter().map(|h| (*h).to_owned()).collect();
        let mut out = String::new();
        for cells in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (column, cell) in cells.iter().enumerate() {
                let pad = widths[column].saturating_sub(cell.chars().count());
                if column > 0 {
                    line.push_str("  ");
                }
                if self.numeric[column] {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The table, or `empty` (a sentence saying what to do) when it has no rows.
    pub fn print(&self, empty: &str) -> anyhow::Result<()> {
        if self.rows.is_empty() {
            write_out(format!("{empty}\n").as_bytes())
        } else {
            write_out(self.render().as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn columns_align_and_nothing_is_cut() {
        let mut table = Table::new(&["ID#", "IBAN", "NAME"]);
        table.row(vec!["7".into(), "NL12BUNQ0123456789".into(), "Eva".into()]);
        table.row(vec![
            "123".into(),
            "NL1".into(),
            "A very long name indeed".into(),
        ]);
        assert_eq!(
            table.render(),
            " ID  IBAN                NAME\n  \
               7  NL12BUNQ0123456789  Eva\n\
             123  NL1                 A very long name indeed\n"
        );
    }
}

//! bunq pagination (spec A.7, J-21): `count` (default 10, at most 200), `older_id`,
//! `newer_id`, and a `Pagination` object whose three URLs are always present.

use std::collections::HashMap;

use axum::{
    extract::{FromRequestParts, Query},
    http::request::Parts,
};
use provisio_core::model::{Page, PageBound, PageQuery, DEFAULT_PAGE_COUNT, MAX_PAGE_COUNT};
use provisio_wire::Pagination;

use super::error::ApiError;

/// The paging parameters of a list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub query: PageQuery,
    /// `count` as the client sent it; repeated in the URLs only when it was sent.
    count_given: Option<u32>,
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(params) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request("The query string is malformed."))?;
        Paging::parse(&params)
    }
}

impl Paging {
    pub fn parse(params: &HashMap<String, String>) -> Result<Paging, ApiError> {
        let id = |name: &str| -> Result<Option<i64>, ApiError> {
            params
                .get(name)
                .map(|v| {
                    v.parse::<i64>().ok().filter(|id| *id >= 0).ok_or_else(|| {
                        ApiError::bad_request(format!("{name} must be a non-negative integer."))
                    })
                })
                .transpose()
        };
        let count_given = params
            .get("count")
            .map(|v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|c| (1..=MAX_PAGE_COUNT).contains(c))
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "count must be an integer from 1 to {MAX_PAGE_COUNT}."
                        ))
                    })
            })
            .transpose()?;
        let bound = match (id("older_id")?, id("newer_id")?) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_request(
                    "older_id and newer_id cannot be used together.",
                ))
            }
            (Some(older), None) => PageBound::OlderThan(older),
            (None, Some(newer)) => PageBound::NewerThan(newer),
            (None, None) => PageBound::Newest,
        };
        Ok(Paging {
            query: PageQuery {
                count: count_given.unwrap_or(DEFAULT_PAGE_COUNT),
                bound,
            },
            count_given,
        })
    }

    /// The `Pagination` object for `page`, listed at `path` (which starts with `/v1/`).
    /// `id` identifies the page's items, which are newest first.
    pub fn links<T>(&self, path: &str, page: &Page<T>, id: impl Fn(&T) -> i64) -> Pagination {
        self.links_with(path, &[], page, id)
    }

    /// As [`Paging::links`], repeating the list's filters (`filters` are already encoded).
    pub fn links_with<T>(
        &self,
        path: &str,
        filters: &[(&str, String)],
        page: &Page<T>,
        id: impl Fn(&T) -> i64,
    ) -> Pagination {
        let mut prefix: String = filters.iter().map(|(k, v)| format!("{k}={v}&")).collect();
        if let Some(count) = self.count_given {
            prefix.push_str(&format!("count={count}&"));
        }
        let url = |param: &str, value: i64| format!("{path}?{prefix}{param}={value}");
        let newest = page.items.first().map(&id);
        let oldest = page.items.last().map(&id);
        // Where the page is empty, the edges are the bound itself.
        let (newest_edge, oldest_edge) = match self.query.bound {
            PageBound::Newest => (newest.unwrap_or(0), oldest.unwrap_or(0)),
            PageBound::OlderThan(b) => (newest.unwrap_or(b - 1), oldest.unwrap_or(b)),
            PageBound::NewerThan(b) => (newest.unwrap_or(b), oldest.unwrap_or(b + 1)),
        };
        Pagination {
            older_url: page.has_older.then(|| url("older_id", oldest_edge)),
            newer_url: page.has_newer.then(|| url("newer_id", newest_edge)),
            future_url: (!page.has_newer).then(|| url("newer_id", newest_edge)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn page(ids: &[i64], has_older: bool, has_newer: bool) -> Page<i64> {
        Page {
            items: ids.to_vec(),
            has_older,
            has_newer,
        }
    }

    #[test]
    fn defaults_and_limits() {
        let paging = Paging::parse(&params(&[])).ok();
        assert_eq!(paging.map(|p| p.query.count), Some(10));
        assert!(Paging::parse(&params(&[("count", "200")])).is_ok());
        assert!(Paging::parse(&params(&[("count", "201")])).is_err());
        assert!(Paging::parse(&params(&[("count", "0")])).is_err());
        assert!(Paging::parse(&params(&[("older_id", "x")])).is_err());
        assert!(Paging::parse(&params(&[("older_id", "1"), ("newer_id", "2")])).is_err());
    }

    #[test]
    fn first_page_of_several() {
        let paging = Paging::parse(&params(&[("count", "2")])).unwrap_or_else(|_| panic!());
        let links = paging.links("/v1/x", &page(&[9, 8], true, false), |i| *i);
        assert_eq!(links.older_url.as_deref(), Some("/v1/x?count=2&older_id=8"));
        assert_eq!(links.newer_url, None);
        assert_eq!(
            links.future_url.as_deref(),
            Some("/v1/x?count=2&newer_id=9")
        );
    }

    #[test]
    fn a_middle_page_has_no_future_url() {
        let paging = Paging::parse(&params(&[("older_id", "8")])).unwrap_or_else(|_| panic!());
        let links = paging.links("/v1/x", &page(&[7, 6], true, true), |i| *i);
        assert_eq!(links.older_url.as_deref(), Some("/v1/x?older_id=6"));
        assert_eq!(links.newer_url.as_deref(), Some("/v1/x?newer_id=7"));
        assert_eq!(links.future_url, None);
    }

    #[test]
    fn an_empty_list_can_still_be_polled() {
        let paging = Paging::parse(&params(&[])).unwrap_or_else(|_| panic!());
        let links = paging.links("/v1/x", &page(&[], false, false), |i| *i);
        assert_eq!(links.future_url.as_deref(), Some("/v1/x?newer_id=0"));
        assert_eq!((links.older_url, links.newer_url), (None, None));
    }
}

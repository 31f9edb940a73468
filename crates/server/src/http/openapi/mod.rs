//! The OpenAPI description, built from the same registrations that build the router, so a
//! route cannot be served without being described.
//!
//! # Documenting a new route
//!
//! Register it on an [`Api`] in its domain's route table (`cards/routes/mod.rs` for a card
//! route; `router::api` merges every domain's table) with one [`Op`] per method; that one
//! call both serves it and describes it:
//!
//! ```ignore
//! .route("/user/{user_id}/card", [
//!     post(cards::create, Op::new("Order a card").body::<CardRequest>().answers(&["Id"])),
//!     get(cards::list, Op::new("List cards").paged().answers(&["CardDebit"])),
//! ])
//! ```
//!
//! Request and response types are the wire types with `#[derive(ToSchema)]`; an answer names
//! the [`provisio_wire::Item`] variants it holds. Nothing else is needed: `GET
//! /_provisio/openapi.json`, `provisio openapi` and the tests pick it up. The `openapi` tests
//! fail for a route registered on a plain axum `Router` instead (only the dashboard's HTML
//! pages under `/_provisio/ui` are exempt: they are not API).

pub(crate) mod document;
mod op;

use axum::{handler::Handler, routing::MethodRouter, Router};

pub use document::build;
pub use op::{Auth, Op};

use crate::AppState;

/// One method of a route: how it is served and how it is described.
pub struct Endpoint {
    method: &'static str,
    router: MethodRouter<AppState>,
    op: Op,
}

macro_rules! endpoint {
    ($name:ident, $method:literal) => {
        #[doc = concat!("`", $method, "` served by `handler`, described by `op`.")]
        pub fn $name<H, T>(handler: H, op: Op) -> Endpoint
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            Endpoint {
                method: $method,
                router: axum::routing::$name(handler),
                op,
            }
        }
    };
}

endpoint!(get, "GET");
endpoint!(post, "POST");
endpoint!(put, "PUT");
endpoint!(delete, "DELETE");

// Shorthands the route tables share.

/// The answer of a route that creates something: its id.
pub const ID: &[&str] = &["Id"];

/// Creates something from a `T` body, answering its id.
pub fn create<T: utoipa::ToSchema>(summary: &'static str) -> Op {
    Op::new(summary).body::<T>().answers(ID)
}

/// Answers one `item`.
pub fn one(summary: &'static str, item: &'static str) -> Op {
    Op::new(summary).answers(&[item])
}

/// Answers a page of `item`s.
pub fn list(summary: &'static str, item: &'static str) -> Op {
    Op::new(summary).paged().answers(&[item])
}

/// An operation of the operator API (`/_provisio`, the admin token).
pub fn admin(summary: &'static str) -> Op {
    Op::new(summary).auth(Auth::Admin)
}

/// The generic account segment, and the type-specific prefixes bunq serves an account's
/// sub-resources under as well (`…/monetary-account-bank/{id}/payment` is
/// `…/monetary-account/{id}/payment`): bunq's SDKs use the generic one, clients written by hand
/// often the other. Either reaches the account whatever its type, as the generic one does.
const ACCOUNT_SEGMENT: &str = "/monetary-account/{id}/";
const ACCOUNT_PREFIXES: [&str; 2] = ["monetary-account-bank", "monetary-account-external"];

/// The other paths `path` is served under: one per type-specific prefix when `path` is a
/// sub-resource of an account, none otherwise.
pub fn account_aliases(path: &str) -> Vec<String> {
    if !path.contains(ACCOUNT_SEGMENT) {
        return Vec::new();
    }
    ACCOUNT_PREFIXES
        .iter()
        .map(|prefix| path.replacen(ACCOUNT_SEGMENT, &format!("/{prefix}/{{id}}/"), 1))
        .collect()
}

/// A described operation: `method` at `path` (the full path, `/v1/…` or `/_provisio/…`).
#[derive(Debug, Clone)]
pub struct Described {
    pub method: &'static str,
    pub path: String,
    pub op: Op,
}

/// An axum router whose every route is described.
pub struct Api {
    router: Router<AppState>,
    described: Vec<Described>,
}

impl Default for Api {
    fn default() -> Self {
        Api::new()
    }
}

impl Api {
    pub fn new() -> Api {
        Api {
            router: Router::new(),
            described: Vec::new(),
        }
    }

    /// Serves and describes `path` with these methods, and an account's sub-resource under
    /// each type-specific prefix as well (see [`account_aliases`]).
    pub fn route(mut self, path: &str, endpoints: impl IntoIterator<Item = Endpoint>) -> Api {
        let mut methods = MethodRouter::new();
        let mut described = Vec::new();
        for endpoint in endpoints {
            methods = methods.merge(endpoint.router);
            described.push(Described {
                method: endpoint.method,
                path: path.to_owned(),
                op: endpoint.op,
            });
        }
        for alias in account_aliases(path) {
            self.router = self.router.route(&alias, methods.clone());
            self.described.extend(described.iter().map(|d| Described {
                path: alias.clone(),
                ..d.clone()
            }));
        }
        self.described.extend(described);
        self.router = self.router.route(path, methods);
        self
    }

    /// Serves `other`'s routes under `prefix` (which may hold a path parameter).
    pub fn nest(mut self, prefix: &str, other: Api) -> Api {
        self.router = self.router.nest(prefix, other.router);
        self.described
            .extend(other.described.into_iter().map(|d| Described {
                path: format!("{prefix}{}", d.path),
                ..d
            }));
        self
    }

    pub fn merge(mut self, other: Api) -> Api {
        self.router = self.router.merge(other.router);
        self.described.extend(other.described);
        self
    }

    /// Changes the router only (layers), never what is served.
    pub fn map_router(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Api {
        self.router = f(self.router);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<Described>) {
        (self.router, self.described)
    }
}

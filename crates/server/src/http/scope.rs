//! Who may touch what, as extractors (spec B.5, J-8, J-9).
//!
//! - [`PartnerSession`]: partner-level routes (provisions, OAuth clients) need the partner's own
//!   session; a provisioned user's session gets 403.
//! - [`CompanyPath`]: `/user/{user_id}/oauth-client…` must name the caller's own company (404
//!   otherwise); the same routes without the prefix act on the caller's company.
//! - [`UserScope`]: `/user/{user_id}/…` for a provisioned user accepts the user's id and its
//!   `UserApiKey` id, from the user's own session or from the partner that provisioned it.
//!   Anyone else gets 404, as if the user did not exist. A change to a user whose provision
//!   is over is refused here, for every route that names a user (closed users stay closed).
//! - [`AccountOwner`]: monetary accounts belong to the partner's company and to its users.

use std::collections::HashMap;

use axum::{
    extract::{FromRequestParts, Path},
    http::{request::Parts, Method, StatusCode},
};
use provisio_core::{
    model::{Principal, UserId, UserKind, UserRecord},
    StoreError,
};

use super::{error::ApiError, extract::SessionAuth};
use crate::AppState;

/// A named path segment as a positive integer; anything else names nothing (404).
pub async fn path_id(parts: &mut Parts, name: &str) -> Result<i64, ApiError> {
    let not_found = || ApiError::not_found("The requested object was not found.");
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, &())
        .await
        .map_err(|_| not_found())?;
    params
        .get(name)
        .and_then(|raw| raw.parse::<i64>().ok())
        .filter(|id| *id > 0)
        .ok_or_else(not_found)
}

/// A struct naming one `{segment}` of the path as a positive id (anything else answers 404):
/// `path_segment!(/** doc */ pub struct PaymentPath(pub PaymentId) = "payment_id");`. The
/// inner type is `i64` or an id made from one.
macro_rules! path_segment {
    ($(#[$doc:meta])* $vis:vis struct $name:ident($inner:vis $ty:ty) = $segment:literal) => {
        $(#[$doc])*
        $vis struct $name($inner $ty);

        impl<S: Send + Sync> axum::extract::FromRequestParts<S> for $name {
            type Rejection = $crate::http::error::ApiError;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                _: &S,
            ) -> Result<Self, Self::Rejection> {
                let id = $crate::http::scope::path_id(parts, $segment).await?;
                Ok($name(<$ty>::from(id)))
            }
        }
    };
}
pub(crate) use path_segment;

async fn has_path_param(parts: &mut Parts, name: &str) -> bool {
    Path::<HashMap<String, String>>::from_request_parts(parts, &())
        .await
        .is_ok_and(|Path(params)| params.contains_key(name))
}

/// The partner's own session.
pub struct PartnerSession {
    pub partner: UserId,
}

impl FromRequestParts<AppState> for PartnerSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let auth = SessionAuth::from_request_parts(parts, state).await?;
        match auth.session.context.principal {
            Principal::Partner(partner) => Ok(PartnerSession { partner }),
            Principal::UserApiKey { .. } => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "This call needs the partner's own session, not a provisioned user's.",
            )),
        }
    }
}

/// The company an OAuth route acts on: the caller's own, named in the path or implied.
pub struct CompanyPath {
    pub partner: UserId,
}

impl FromRequestParts<AppState> for CompanyPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let PartnerSession { partner } = PartnerSession::from_request_parts(parts, state).await?;
        if has_path_param(parts, "user_id").await && path_id(parts, "user_id").await? != partner.0 {
            return Err(ApiError::not_found("User not found."));
        }
        Ok(CompanyPath { partner })
    }
}

/// What `{user_id}` resolved to for this caller.
///
/// Closed users stay closed: a call that changes something (any method but GET and HEAD) on a
/// provisioned user whose provision is CANCELLED, CLOSED or FAILED is refused with a 400 before
/// its body is read. Every route that names a user passes here (directly, or through
/// [`OwnUser`] and [`AccountOwner`]), so a new route is covered without a word; the route table
/// test (`closed_routes`) holds every write route with `{user_id}` to it. Reads stay allowed:
/// the partner keeps access to what its closed user provided and did, and reading changes
/// nothing. The store refuses the same writes again inside their transaction
/// (`provisio-store`'s `frozen`), so a closure racing with a write cannot slip between this
/// check and the write. Deliberately not frozen: the partner's company itself (it has no
/// provision), and the OAuth routes, which name only the partner's company ([`CompanyPath`]).
pub enum UserScope {
    /// The partner company itself.
    Partner(UserRecord),
    /// A user the partner provisioned, reached as the user or through its `UserApiKey`.
    Provisioned {
        user: UserRecord,
        /// The `UserApiKey` named in the path, when it was one.
        api_key: Option<UserRecord>,
        partner: UserId,
        /// The partner's session is acting on behalf of the user (J-8).
        by_partner: bool,
    },
}

impl FromRequestParts<AppState> for UserScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let auth = SessionAuth::from_request_parts(parts, state).await?;
        let id = UserId(path_id(parts, "user_id").await?);
        let not_found = || ApiError::not_found("User not found.");
        let named = state.store.user(id).await?.ok_or_else(not_found)?;
        // A `UserApiKey` id stands for the user who granted it (J-9).
        let (user, api_key) = match named.kind {
            UserKind::ApiKey => {
                let granted = named.granted_user_id.ok_or_else(not_found)?;
                (
                    state.store.user(granted).await?.ok_or_else(not_found)?,
                    Some(named),
                )
            }
            _ => (named, None),
        };
        let scope = match (auth.session.context.principal, user.kind) {
            (Principal::Partner(partner), UserKind::Partner) if user.id == partner => {
                Ok(UserScope::Partner(user))
            }
            (Principal::Partner(partner), UserKind::Person | UserKind::Company)
                if user.partner_id == Some(partner) =>
            {
                Ok(UserScope::Provisioned {
                    user,
                    api_key,
                    partner,
                    by_partner: true,
                })
            }
            // A sandbox user (a partner) reached through an OAuth grant's `UserApiKey` is a
            // user like a provisioned one: its accounts, not the partner's company's routes.
            (
                Principal::UserApiKey {
                    granted, partner, ..
                },
                UserKind::Person | UserKind::Company | UserKind::Partner,
            ) if user.id == granted => Ok(UserScope::Provisioned {
                user,
                api_key,
                partner,
                by_partner: false,
            }),
            _ => Err(not_found()),
        }?;
        if let UserScope::Provisioned { user, .. } = &scope {
            if !matches!(parts.method, Method::GET | Method::HEAD) {
                refuse_if_frozen(state, user).await?;
            }
        }
        Ok(scope)
    }
}

/// A provisioned user's onboarding and compliance routes: the user's own session, or its
/// partner's on the user's behalf unless `user_session_only` (J-8). The partner's company has
/// no onboarding (404).
/// Like every user-scoped route, a change to a closed user is refused in [`UserScope`].
pub struct OwnUser {
    pub user: UserRecord,
}

impl FromRequestParts<AppState> for OwnUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let scope = UserScope::from_request_parts(parts, state).await?;
        OwnUser::from_scope(scope, state)
    }
}

impl OwnUser {
    /// The provisioned user `scope` names, as the extractor decides it.
    pub fn from_scope(scope: UserScope, state: &AppState) -> Result<Self, ApiError> {
        match scope {
            UserScope::Provisioned { by_partner: true, .. } if state.config.user_session_only() => {
                Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "This call needs the provisioned user's own session (opened with its credential); this server does not accept the partner's session for it.",
                ))
            }
            UserScope::Provisioned { user, .. } => Ok(OwnUser { user }),
            UserScope::Partner(_) => Err(ApiError::not_found(
                "Onboarding and compliance belong to provisioned users, not to the partner's company.",
            )),
        }
    }
}

/// The owner of `/user/{user_id}/monetary-account…` routes: the partner's company itself (its
/// own session) or a user it provisioned (the user's session, or the partner's unless
/// `user_session_only`). A change to a user whose provision is over is refused in
/// [`UserScope`] (the store refuses it again inside the write); reads go on.
pub struct AccountOwner {
    pub user: UserRecord,
}

impl FromRequestParts<AppState> for AccountOwner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let scope = UserScope::from_request_parts(parts, state).await?;
        AccountOwner::from_scope(scope, state)
    }
}

impl AccountOwner {
    /// The user `scope` names, as the extractor decides it (also whose profile a
    /// `PUT /user-person|user-company/{id}` changes).
    pub fn from_scope(scope: UserScope, state: &AppState) -> Result<Self, ApiError> {
        match scope {
            UserScope::Partner(user) => Ok(AccountOwner { user }),
            UserScope::Provisioned {
                user, by_partner, ..
            } => {
                if by_partner && state.config.user_session_only() {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "This call needs the provisioned user's own session (opened with its credential); this server does not accept the partner's session for it.",
                    ));
                }
                Ok(AccountOwner { user })
            }
        }
    }
}

/// 400 when the user's provision is over (see [`UserScope`]), in the words the store uses.
async fn refuse_if_frozen(state: &AppState, user: &UserRecord) -> Result<(), ApiError> {
    match state.store.user_provision_status(user.id).await? {
        Some(status) if status.freezes_user() => Err(StoreError::UserFrozen(status).into()),
        _ => Ok(()),
    }
}

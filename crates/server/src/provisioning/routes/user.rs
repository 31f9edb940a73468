//! `GET /v1/user/{user_id}`: the user a path names, as the caller may see it (J-8, J-9);
//! `GET /v1/user`, the session's own; `GET /v1/user-person/{user_id}` and
//! `GET /v1/user-company/{user_id}`, the same user when it is of that type.

use axum::extract::State;
use provisio_core::{
    model::{ApiKeyUser, Principal, ProvisionedUser, UserKind, UserRecord},
    provision::UserVerifiedType,
    sandbox_user::SandboxUserKind,
};
use provisio_wire::{objects::AnyUser, render, Item};

use crate::{
    http::{
        error::ApiError,
        extract::SessionAuth,
        respond::{ApiResult, Bunq},
        scope::UserScope,
    },
    AppState,
};

fn provisioned(user: &UserRecord) -> ProvisionedUser {
    ProvisionedUser {
        id: user.id,
        public_uuid: user.public_uuid.clone(),
        display_name: user.name.clone(),
        kind: match user.kind {
            UserKind::Company => UserVerifiedType::Company,
            _ => UserVerifiedType::Person,
        },
        session_timeout_secs: user.session_timeout_secs,
        created: user.created,
        updated: user.updated,
    }
}

/// The user a scope names, as bunq renders it: the partner's company (a sandbox user as the
/// person or company it was created as, with its pointers), a provisioned user reached through
/// its `UserApiKey` as that key, any other provisioned user as itself.
async fn rendered(state: &AppState, scope: UserScope) -> Result<Item, ApiError> {
    let not_found = || ApiError::not_found("User not found.");
    match scope {
        UserScope::Partner(user) => {
            if let Some(sandbox) = state.store.sandbox_user(user.id).await? {
                return Ok(match render::sandbox_user(&sandbox) {
                    AnyUser::UserPerson(p) => Item::UserPerson(p),
                    AnyUser::UserCompany(c) => Item::UserCompany(c),
                });
            }
            let partner = state.store.partner(user.id).await?.ok_or_else(not_found)?;
            Ok(Item::UserCompany(render::user_company(&partner)))
        }
        UserScope::Provisioned {
            user,
            api_key: Some(key),
            partner,
            ..
        } => {
            let partner = state.store.partner(partner).await?.ok_or_else(not_found)?;
            let key = ApiKeyUser {
                id: key.id,
                created: key.created,
                updated: key.updated,
            };
            let mut granted = provisioned(&user);
            // A sandbox user who granted a key through OAuth is the person or company it was
            // created as.
            if let Some(sandbox) = state.store.sandbox_user(user.id).await? {
                if sandbox.kind == SandboxUserKind::Company {
                    granted.kind = UserVerifiedType::Company;
                }
            }
            Ok(Item::UserApiKey(render::user_api_key(
                &key, &partner, &granted,
            )))
        }
        UserScope::Provisioned { user, .. } => {
            Ok(match render::provisioned_user(&provisioned(&user)) {
                AnyUser::UserPerson(p) => Item::UserPerson(p),
                AnyUser::UserCompany(c) => Item::UserCompany(c),
            })
        }
    }
}

/// `GET /v1/user/{user_id}`.
pub async fn get(State(state): State<AppState>, scope: UserScope) -> ApiResult {
    Bunq::items(vec![rendered(&state, scope).await?])
}

/// `GET /v1/user`: the session's own user, the one element of the list (bunq's SDKs read
/// the first).
pub async fn list(State(state): State<AppState>, auth: SessionAuth) -> ApiResult {
    let not_found = || ApiError::not_found("User not found.");
    let scope = match auth.session.context.principal {
        Principal::Partner(partner) => {
            UserScope::Partner(state.store.user(partner).await?.ok_or_else(not_found)?)
        }
        Principal::UserApiKey {
            api_key_user,
            partner,
            granted,
        } => UserScope::Provisioned {
            user: state.store.user(granted).await?.ok_or_else(not_found)?,
            api_key: Some(
                state
                    .store
                    .user(api_key_user)
                    .await?
                    .ok_or_else(not_found)?,
            ),
            partner,
            by_partner: false,
        },
    };
    Bunq::items(vec![rendered(&state, scope).await?])
}

/// The user itself: a `UserApiKey` id names the user who granted it, rendered as that user.
fn itself(scope: UserScope) -> UserScope {
    match scope {
        UserScope::Provisioned {
            user,
            partner,
            by_partner,
            ..
        } => UserScope::Provisioned {
            user,
            api_key: None,
            partner,
            by_partner,
        },
        partner => partner,
    }
}

/// `GET /v1/user-person/{user_id}`: the user, if it is a person.
pub async fn person(State(state): State<AppState>, scope: UserScope) -> ApiResult {
    match rendered(&state, itself(scope)).await? {
        item @ Item::UserPerson(_) => Bunq::items(vec![item]),
        _ => Err(ApiError::not_found("UserPerson not found.")),
    }
}

/// `GET /v1/user-company/{user_id}`: the user, if it is a company.
pub async fn company(State(state): State<AppState>, scope: UserScope) -> ApiResult {
    match rendered(&state, itself(scope)).await? {
        item @ Item::UserCompany(_) => Bunq::items(vec![item]),
        _ => Err(ApiError::not_found("UserCompany not found.")),
    }
}

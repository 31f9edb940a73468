//! `GET /v1/user/{user_id}`: the user a path names, as the caller may see it (J-8, J-9);
//! `GET /v1/user`, the session's own; `GET /v1/user-person/{user_id}` and
//! `GET /v1/user-company/{user_id}`, the same user when it is of that type; the avatar a user
//! shows (`avatar_uuid` of `PUT /v1/user-person/{user_id}`, whose other fields are
//! onboarding's, and of `PUT /v1/user-company/{user_id}`).

use axum::{extract::State, http::HeaderMap};
use provisio_core::{
    model::{ApiKeyUser, Principal, ProvisionedUser, UserKind, UserRecord},
    provision::UserVerifiedType,
    public_attachment::parse_avatar_uuid,
    sandbox_user::SandboxUserKind,
};
use provisio_wire::{objects::AnyUser, render, requests::UserCompanyRequest, Item};

use crate::{
    http::{
        avatar,
        error::ApiError,
        extract::{Json, SessionAuth},
        respond::{ApiResult, Bunq},
        scope::{AccountOwner, UserScope},
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
async fn rendered_default(state: &AppState, scope: UserScope) -> Result<Item, ApiError> {
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

/// The user a scope names (as [`rendered_default`]), showing the avatars set with
/// `avatar_uuid`: the user's own, and on a `UserApiKey` the requesting partner's too.
async fn rendered(
    state: &AppState,
    scope: UserScope,
    headers: &HeaderMap,
) -> Result<Item, ApiError> {
    let (user, partner) = match &scope {
        UserScope::Partner(user) => (user.id, None),
        UserScope::Provisioned {
            user,
            api_key,
            partner,
            ..
        } => (user.id, api_key.as_ref().map(|_| *partner)),
    };
    let mut item = rendered_default(state, scope).await?;
    avatar::show_user(state, headers, user, &mut item).await?;
    if let (Some(partner), Item::UserApiKey(key)) = (partner, &mut item) {
        if let Some(shown) = avatar::of_user(state, headers, partner).await? {
            key.requested_by_user.show_avatar(shown);
        }
    }
    Ok(item)
}

/// `GET /v1/user/{user_id}`.
pub async fn get(State(state): State<AppState>, scope: UserScope, headers: HeaderMap) -> ApiResult {
    Bunq::items(vec![rendered(&state, scope, &headers).await?])
}

/// `GET /v1/user`: the session's own user, the one element of the list (bunq's SDKs read
/// the first).
pub async fn list(
    State(state): State<AppState>,
    auth: SessionAuth,
    headers: HeaderMap,
) -> ApiResult {
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
    Bunq::items(vec![rendered(&state, scope, &headers).await?])
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
pub async fn person(
    State(state): State<AppState>,
    scope: UserScope,
    headers: HeaderMap,
) -> ApiResult {
    match rendered(&state, itself(scope), &headers).await? {
        item @ Item::UserPerson(_) => Bunq::items(vec![item]),
        _ => Err(ApiError::not_found("UserPerson not found.")),
    }
}

/// `GET /v1/user-company/{user_id}`: the user, if it is a company.
pub async fn company(
    State(state): State<AppState>,
    scope: UserScope,
    headers: HeaderMap,
) -> ApiResult {
    match rendered(&state, itself(scope), &headers).await? {
        item @ Item::UserCompany(_) => Bunq::items(vec![item]),
        _ => Err(ApiError::not_found("UserCompany not found.")),
    }
}

/// Whose profile a `PUT /user-person/{id}` or `PUT /user-company/{id}` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Person,
    Company,
}

/// Whether the user `scope` names is a person or a company, as its GET renders it.
async fn profile_of(state: &AppState, scope: &UserScope) -> Result<Profile, ApiError> {
    Ok(match scope {
        UserScope::Partner(user) => match state.store.sandbox_user(user.id).await? {
            Some(sandbox) if sandbox.kind == SandboxUserKind::Person => Profile::Person,
            _ => Profile::Company,
        },
        UserScope::Provisioned { user, .. } if user.kind == UserKind::Company => Profile::Company,
        UserScope::Provisioned { .. } => Profile::Person,
    })
}

/// The user `scope` names shows the avatar `avatar_uuid` from now on (bunq's `avatar_uuid` of
/// `PUT /user-person/{id}` and `PUT /user-company/{id}`); answers the user's `Id`. A user of
/// the other kind is not found (404, as its GET); an avatar uuid no avatar has is refused
/// (400) and nothing changes.
pub async fn set_avatar(
    state: &AppState,
    scope: UserScope,
    profile: Profile,
    avatar_uuid: &str,
) -> ApiResult {
    let avatar_uuid = parse_avatar_uuid(avatar_uuid)?;
    if profile_of(state, &scope).await? != profile {
        return Err(ApiError::not_found(match profile {
            Profile::Person => "UserPerson not found.",
            Profile::Company => "UserCompany not found.",
        }));
    }
    let user = AccountOwner::from_scope(itself(scope), state)?.user;
    state
        .store
        .set_user_avatar(user.id, &avatar_uuid, state.clock.now())
        .await?;
    state.changed();
    Bunq::id(user.id.0)
}

/// `PUT /v1/user-company/{user_id}`: of bunq's fields, `avatar_uuid`.
pub async fn update_company(
    State(state): State<AppState>,
    scope: UserScope,
    Json(body): Json<UserCompanyRequest>,
) -> ApiResult {
    let avatar_uuid = body.avatar_uuid.ok_or_else(|| {
        ApiError::bad_request("Nothing to change: send avatar_uuid (the only field of a UserCompany this server changes).")
    })?;
    set_avatar(&state, scope, Profile::Company, &avatar_uuid).await
}

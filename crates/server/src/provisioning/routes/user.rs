//! `GET /v1/user/{user_id}`: the user a path names, as the caller may see it (J-8, J-9).

use axum::extract::State;
use provisio_core::{
    model::{ApiKeyUser, ProvisionedUser, UserKind, UserRecord},
    provision::UserVerifiedType,
};
use provisio_wire::render;
use provisio_wire::Item;

use crate::{
    http::{
        error::ApiError,
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

pub async fn get(State(state): State<AppState>, scope: UserScope) -> ApiResult {
    match scope {
        UserScope::Partner(user) => {
            let partner = state
                .store
                .partner(user.id)
                .await?
                .ok_or_else(|| ApiError::not_found("User not found."))?;
            Bunq::items(vec![Item::UserCompany(render::user_company(&partner))])
        }
        UserScope::Provisioned {
            user,
            api_key: Some(key),
            partner,
            ..
        } => {
            let partner = state
                .store
                .partner(partner)
                .await?
                .ok_or_else(|| ApiError::not_found("User not found."))?;
            let key = ApiKeyUser {
                id: key.id,
                created: key.created,
                updated: key.updated,
            };
            Bunq::items(vec![Item::UserApiKey(render::user_api_key(
                &key,
                &partner,
                &provisioned(&user),
            ))])
        }
        UserScope::Provisioned { user, .. } => {
            let item = match render::provisioned_user(&provisioned(&user)) {
                provisio_wire::objects::AnyUser::UserPerson(p) => Item::UserPerson(p),
                provisio_wire::objects::AnyUser::UserCompany(c) => Item::UserCompany(c),
            };
            Bunq::items(vec![item])
        }
    }
}

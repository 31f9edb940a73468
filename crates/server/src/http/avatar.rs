//! The avatar a user or an account shows: its default (rendered by `provisio-wire`), or the
//! one set with `avatar_uuid`, read through the store and shown with its image's URL as the
//! caller reached this server. Also where a public attachment's content is served from.

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use provisio_core::{model::UserId, public_attachment::Avatar};
use provisio_wire::{objects, public_attachments::shown_avatar, Item};

use crate::{http::error::ApiError, AppState};

/// `path` as the caller reached it, absolute (behind a TLS proxy, https).
pub fn absolute(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}{path}", if https { "https" } else { "http" })
}

/// Where `GET /attachment-public/{uuid}/content` serves the public attachment `uuid`.
pub fn content_url(headers: &HeaderMap, uuid: &str) -> String {
    absolute(headers, &format!("/v1/attachment-public/{uuid}/content"))
}

/// `avatar` as a user or an account shows it.
pub fn shown(headers: &HeaderMap, avatar: &Avatar) -> objects::Avatar {
    shown_avatar(avatar, content_url(headers, &avatar.attachment.uuid))
}

/// The avatar `user` set, as it shows it; `None` for its default.
pub async fn of_user(
    state: &AppState,
    headers: &HeaderMap,
    user: UserId,
) -> Result<Option<objects::Avatar>, ApiError> {
    Ok(state
        .store
        .user_avatar(user)
        .await?
        .map(|a| shown(headers, &a)))
}

/// Shows on `item` (a user) the avatar `user` set, if any.
pub async fn show_user(
    state: &AppState,
    headers: &HeaderMap,
    user: UserId,
    item: &mut Item,
) -> Result<(), ApiError> {
    if let Some(avatar) = of_user(state, headers, user).await? {
        item.show_avatar(avatar);
    }
    Ok(())
}

/// Shows on each account item the avatar the `avatar_uuid` beside it names (`None`: its
/// default), reading each avatar once however many accounts show it.
pub async fn show_accounts(
    state: &AppState,
    headers: &HeaderMap,
    accounts: Vec<(Option<String>, Item)>,
) -> Result<Vec<Item>, ApiError> {
    let mut read: HashMap<String, Option<objects::Avatar>> = HashMap::new();
    let mut items = Vec::with_capacity(accounts.len());
    for (uuid, mut item) in accounts {
        if let Some(uuid) = uuid {
            if !read.contains_key(&uuid) {
                let found = state.store.avatar(&uuid).await?;
                read.insert(uuid.clone(), found.map(|a| shown(headers, &a)));
            }
            if let Some(Some(avatar)) = read.get(&uuid) {
                item.show_avatar(avatar.clone());
            }
        }
        items.push(item);
    }
    Ok(items)
}

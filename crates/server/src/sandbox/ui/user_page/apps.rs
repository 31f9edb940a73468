//! "Connected apps": the OAuth grants a user gave partners' clients, with a Revoke button
//! (issue 19). bunq documents no API route for a user to list or end its grants (a person
//! does that in bunq's app), so here the dashboard plays the app: the button calls the service
//! the operator's `POST /_provisio/oauth/grants/{id}/revoke` calls, and the grant's sessions
//! answer 401 at once.

use axum::{
    extract::{Path, State},
    response::Response,
};
use maud::{html, Markup};
use provisio_core::{
    model::{OauthGrantId, UserId},
    provision::consent::{GrantFilter, GrantStatus},
};

use super::section;
use crate::{
    http::error::ApiError,
    provisioning::consent,
    ui::{
        actions::done_or_refused,
        layout,
        session::{Operator, Posted},
    },
    AppState,
};

pub async fn section_of(
    state: &AppState,
    operator: &Operator,
    user: i64,
) -> Result<Markup, ApiError> {
    let grants = state
        .store
        .oauth_grants(GrantFilter::User(UserId(user)))
        .await?;
    // A grant names its client and partner by id; the page names them (a handful of reads:
    // a user connects few apps).
    let mut rows = Vec::with_capacity(grants.len());
    for g in grants {
        let client = state.store.oauth_client_by_client_id(&g.client_id).await?;
        let partner = state.store.user_summary(g.partner.0).await?;
        let app = client.and_then(|c| c.display_name);
        let partner = partner.map_or_else(|| format!("#{}", g.partner.0), |p| p.name);
        rows.push((g, app, partner));
    }
    Ok(section(
        "apps",
        "Connected apps",
        html! {
            p.muted { "The OAuth grants this user gave partners' apps, as bunq's app shows them to the user. Revoking one ends its access token's sessions at once." }
            @if rows.is_empty() {
                p.muted { "No connected apps: this user has approved no partner's OAuth client." }
            } @else {
                div.table-wrap {
                    table.stack #user-apps {
                        thead { tr { th.num { "Grant" } th { "App" } th { "Partner" } th { "Status" } th { "Connected" } th.row-actions { "Actions" } } }
                        tbody {
                            @for (g, app, partner) in &rows {
                                tr {
                                    td.num data-label="Grant" { (g.id.0) }
                                    td data-label="App" {
                                        @if let Some(name) = app { (name) br; }
                                        code { (g.client_id) }
                                    }
                                    td data-label="Partner" { a href={ "/_provisio/ui/users/" (g.partner.0) } { (partner) } }
                                    td data-label="Status" { (layout::status(g.status.as_str())) }
                                    td data-label="Connected" { time { (layout::time(g.created)) } }
                                    td.row-actions data-label="Actions" {
                                        @if g.status == GrantStatus::Active {
                                            (layout::button(operator, &format!("/_provisio/ui/users/{user}/grants/{}/revoke", g.id.0), "Revoke", "danger"))
                                        } @else {
                                            span.muted { "revoked " time { (layout::time(g.updated)) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// `POST /_provisio/ui/users/{user}/grants/{id}/revoke`: the grant must be this user's (the
/// page it was pressed on); then back to that page with what came of it.
pub async fn revoke(
    State(state): State<AppState>,
    Path((user, id)): Path<(i64, i64)>,
    _: Posted,
) -> Response {
    let to = format!("/_provisio/ui/users/{user}#apps");
    let result = async {
        let grant = state.store.oauth_grant(OauthGrantId(id)).await?;
        if grant.is_none_or(|g| g.user != UserId(user)) {
            return Err(ApiError::not_found("This user gave no such OAuth grant."));
        }
        consent::revoke(&state, OauthGrantId(id)).await.map(drop)
    }
    .await;
    done_or_refused(
        result,
        &format!("Grant {id} revoked: its app's sessions end now."),
        &to,
    )
}

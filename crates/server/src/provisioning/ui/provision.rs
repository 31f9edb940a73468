//! One provision: its state, the operator actions (and the buttons that run them), and its
//! timeline.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use maud::html;
use provisio_core::{
    inquiry,
    model::ProvisionId,
    provision::{plan, record::Provision, CredentialStatus},
    time::Timestamp,
};

use super::timeline;
use crate::{
    http::{error::ApiError, extract::PathId},
    provisioning::routes::{operator, provision::request_status},
    ui::{
        actions::{done_or_refused, OPERATOR},
        layout::{self, Section},
        session::{Flash, Operator, Posted},
    },
    AppState,
};

/// (path segment, label, style): the buttons of the operator actions on a provision.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("approve", "Approve onboarding", ""),
    ("deny", "Deny onboarding", "danger"),
    ("fail", "Fail pending step", "danger"),
    ("expire-credential", "Expire credential", "secondary"),
    ("cancel", "Cancel provision", "danger"),
];

/// Whether the provision's state allows `action`, asked of the same rules the operator calls
/// apply (`core::provision::plan`), so a button is shown only where pressing it can work.
pub fn allowed(provision: &Provision, action: &str) -> bool {
    let Some(phase) = provision.phase() else {
        return false;
    };
    match action {
        "approve" | "deny" => plan::decide_onboarding(phase, action == "approve", "").is_ok(),
        "fail" => plan::fail(phase, "").is_ok(),
        "cancel" => plan::cancel(phase, Timestamp(0), std::time::Duration::ZERO, "").is_ok(),
        "expire-credential" => provision
            .credential
            .as_ref()
            .is_some_and(|c| c.status == CredentialStatus::PendingFirstUse),
        _ => false,
    }
}

/// Why the buttons missing from a provision's page are missing, in the state's words.
fn why_not(provision: &Provision) -> String {
    let state = format!(
        "{}/{}",
        provision.state.status.as_str(),
        provision.state.sub_status.as_str()
    );
    let ended = matches!(
        provision.state.status.as_str(),
        "CANCELLED" | "CLOSED" | "FAILED"
    );
    if ended {
        format!("The provision is {state}: it has ended, so no operator action applies to it.")
    } else {
        format!(
            "The provision is {state}: approve and deny need CREATED/PENDING_PROCESS_USER_ONBOARDING, \
             fail a step being processed, expire-credential an unused credential."
        )
    }
}

pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    PathId(id): PathId,
) -> Response {
    let provision = match state.store.provision(ProvisionId(id)).await {
        Ok(Some(provision)) => provision,
        Ok(None) => return layout::missing(&operator, &format!("There is no provision {id}.")),
        Err(err) => return ApiError::from(err).into_response(),
    };
    let events = match timeline::events(&state, &operator, &provision).await {
        Ok(events) => events,
        Err(err) => return err.into_response(),
    };
    let p = &provision;
    let products: Vec<&str> = p.products.iter().map(|x| x.as_str()).collect();
    let body = html! {
        h1 { "Provision " (p.id.0) " " span #state { (layout::status(p.state.status.as_str())) " " span.muted { (p.state.sub_status.as_str()) } } }
        div.grid2 {
            section.card aria-labelledby="facts-h" {
                h2 #facts-h { "Details" }
                dl.facts {
                    dt { "Partner" } dd { a href={ "/_provisio/ui/partners/" (p.partner.id.0) } { (p.partner.name) } }
                    dt { "External UUID" } dd { code { (p.external_uuid) } }
                    dt { "Type" } dd { (p.user_verified_type.as_str()) }
                    dt { "Products" } dd { (products.join(", ")) }
                    dt { "Email" } dd { (p.email.as_deref().unwrap_or("—")) }
                    dt { "Phone" } dd { (p.phone_number.as_deref().unwrap_or("—")) }
                    dt { "User" } dd {
                        @match &p.user {
                            Some(user) => {
                                (user.display_name) " (#" (user.id.0) ") · "
                                a href={ "/_provisio/ui/accounts?user=" (user.id.0) } { "accounts" } " · "
                                a href={ "/_provisio/ui/cards?user=" (user.id.0) } { "cards" }
                            },
                            None => span.muted { "not created yet" },
                        }
                    }
                    dt { "Credential" } dd {
                        @match &p.credential {
                            Some(c) => { (layout::status(c.status.as_str())) " until " time { (layout::time(c.expiry_time)) } },
                            None => span.muted { "none" },
                        }
                    }
                    dt { "Created" } dd { time { (layout::time(p.created)) } }
                    dt { "Updated" } dd { time { (layout::time(p.updated)) } }
                }
            }
            section.card aria-labelledby="actions-h" {
                h2 #actions-h { "Operator actions" }
                p.muted { "Each runs the operator API's own call; only those the state allows are shown." }
                div.actions #actions {
                    @for (action, label, class) in ACTIONS {
                        @if allowed(p, action) {
                            (layout::button(&operator, &format!("/_provisio/ui/provisions/{}/{action}", p.id.0), label, class))
                        }
                    }
                }
                @if ACTIONS.iter().any(|(action, _, _)| !allowed(p, action)) {
                    p.muted.state-why #why-not { (why_not(p)) }
                }
                @if let Some(user) = &p.user {
                    h3 { "Raise an inquiry" }
                    form.filters method="post" action={ "/_provisio/ui/users/" (user.id.0) "/inquiries" } {
                        (layout::token(&operator))
                        div {
                            label for="purpose" { "Purpose" }
                            select #purpose name="purpose" {
                                @for purpose in inquiry::PURPOSES { option value=(purpose) { (purpose) } }
                            }
                        }
                        div {
                            label for="entry_types" { "Entry types (comma-separated)" }
                            input #entry_types name="entry_types" list="entry-type-list" placeholder=(inquiry::ENTRY_TYPES[0]);
                            datalist #entry-type-list { @for t in inquiry::ENTRY_TYPES { option value=(t) {} } }
                        }
                        div { button type="submit" { "Raise inquiry" } }
                    }
                }
            }
        }
        h2 { "Timeline" }
        (timeline::render(&events))
    };
    layout::page(
        &format!("Provision {}", p.id.0),
        Section::Partners,
        &operator,
        flash,
        body,
    )
}

/// `POST /_provisio/ui/provisions/{id}/{action}`.
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    _: Posted,
) -> Response {
    let to = format!("/_provisio/ui/provisions/{id}");
    let path = PathId(id);
    let s = State(state.clone());
    let result = match action.as_str() {
        "approve" => operator::approve(s, OPERATOR, path).await.map(drop),
        "deny" => operator::deny(s, OPERATOR, path).await.map(drop),
        "fail" => operator::fail(s, OPERATOR, path).await.map(drop),
        "expire-credential" => operator::expire_credential(s, OPERATOR, path)
            .await
            .map(drop),
        "cancel" => request_status(&state, ProvisionId(id), "CANCELLED").await,
        _ => return Flash::redirect(false, "No such action.", &to),
    };
    let label = ACTIONS
        .iter()
        .find(|(name, _, _)| *name == action)
        .map_or(action.as_str(), |(_, label, _)| label);
    done_or_refused(result, &format!("{label}: done."), &to)
}

//! A provision's timeline: every transition, the credential, its user's onboarding
//! fulfillments, identity verifications and inquiries, and the webhooks they caused, in the
//! order they happened, each with the operator actions that apply to it.

use maud::{html, Markup};
use provisio_core::{
    identity::IdvStatus,
    inquiry::{Inquiry, InquiryFilter, InquiryStatus},
    model::{PageBound, PageQuery, UserId},
    provision::record::Provision,
    time::Timestamp,
};

use crate::{
    http::error::ApiError,
    provisioning::ops,
    ui::{layout, session::Operator},
    webhooks::{dispatch::Inspector, ui as deliveries},
    AppState,
};

/// How many of the newest deliveries are searched for this provision's.
const DELIVERIES_SEARCHED: u32 = 200;

pub struct Event {
    /// bunq's timestamp text, which sorts as time does.
    at: String,
    kind: &'static str,
    body: Markup,
}

fn at(t: Timestamp) -> String {
    provisio_wire::time::format(t.micros())
}

fn event(at_text: String, kind: &'static str, body: Markup) -> Event {
    Event {
        at: at_text,
        kind,
        body,
    }
}

/// Every event of `provision`, oldest first.
pub async fn events(
    state: &AppState,
    operator: &Operator,
    provision: &Provision,
) -> Result<Vec<Event>, ApiError> {
    let store = state.store.as_ref();
    let mut events = Vec::new();
    for h in ops::history(store, provision.id).await? {
        let from = h.from.map(|(s, sub)| format!("{s}/{sub}"));
        events.push(event(at(h.at), "Transition", html! {
            p { @if let Some(from) = from { span.muted { (from) " → " } } strong { (h.to.0) "/" (h.to.1) } }
            p.muted { (h.cause) }
        }));
    }
    if let Some(c) = &provision.credential {
        events.push(event(at(c.created), "Credential", html! {
            p { "Credential " (c.id.0) " issued, expires " time { (layout::time(c.expiry_time)) } }
        }));
        if c.updated != c.created {
            events.push(event(
                at(c.updated),
                "Credential",
                html! {
                    p { "Credential " (c.id.0) " is now " (layout::status(c.status.as_str())) }
                },
            ));
        }
    }
    let mut inquiry_ids = Vec::new();
    let mut onboarding_id = None;
    if let Some(user) = &provision.user {
        onboarding_id =
            user_events(state, operator, user.id, &mut events, &mut inquiry_ids).await?;
    }
    let deliveries = Inspector::new(state.signer.clone())
        .deliveries(store, None, DELIVERIES_SEARCHED)
        .await?;
    for d in deliveries.iter().filter(|d| match d.category.as_str() {
        "PARTNER_USER_PROVISION" => d.object_id == provision.id.0,
        "USER_INFORMATION_INQUIRY" => inquiry_ids.contains(&d.object_id),
        "USER_ONBOARDING" => onboarding_id == Some(d.object_id),
        _ => false,
    }) {
        events.push(event(
            d.created.clone(),
            "Webhook",
            deliveries::card(operator, d, false),
        ));
    }
    events.sort_by(|a, b| a.at.cmp(&b.at));
    Ok(events)
}

/// The user's onboarding, identity verifications and inquiries; answers the onboarding's id.
async fn user_events(
    state: &AppState,
    operator: &Operator,
    user: UserId,
    events: &mut Vec<Event>,
    inquiry_ids: &mut Vec<i64>,
) -> Result<Option<i64>, ApiError> {
    let store = state.store.as_ref();
    let onboarding = store.find_onboarding(user).await?;
    if let Some(o) = &onboarding {
        events.push(event(
            at(o.created),
            "Onboarding",
            html! {
                p { "Onboarding " (o.kind) " started; now " (layout::status(o.status.as_str()))
                    " (action required: " (o.action_required.as_str()) ")" }
            },
        ));
    }
    for f in store.fulfillments(user).await? {
        events.push(event(
            at(f.updated),
            "Fulfillment",
            html! {
                p { (f.kind.as_str()) " provided " span.muted { "(fulfillment " (f.id) ")" } }
            },
        ));
    }
    let recent = PageQuery {
        count: 50,
        bound: PageBound::Newest,
    };
    for v in store.identity_verifications(user, recent).await?.items {
        events.push(event(
            at(v.created),
            "Identity verification",
            verification(operator, &v),
        ));
    }
    let inquiries = store
        .inquiries(user, &InquiryFilter::default(), recent)
        .await?;
    for i in &inquiries.items {
        inquiry_ids.push(i.id);
        events.push(event(at(i.created), "Inquiry", inquiry(operator, i)));
    }
    Ok(onboarding.map(|o| o.id))
}

fn verification(operator: &Operator, v: &provisio_core::identity::IdentityVerification) -> Markup {
    let action = format!("/_provisio/ui/identity-verifications/{}/decide", v.id);
    html! {
        p { "Session " (v.id) " (" (v.country) "): " (layout::status(v.status.as_str()))
            @if let Some(verdict) = &v.verdict {
                " " (layout::status(verdict.result.as_str()))
                @if !verdict.fail_reasons.is_empty() { " " span.muted { (verdict.fail_reasons.join(", ")) } }
            }
        }
        @if v.status != IdvStatus::Processed {
            form.filters method="post" action=(action) {
                (layout::token(operator))
                div {
                    label for={ "reasons-" (v.id) } { "Fail reasons (for a rejection, comma-separated)" }
                    input id={ "reasons-" (v.id) } name="all_fail_reason" placeholder="DOCUMENT_NOT_VALID";
                }
                div.actions {
                    button type="submit" name="result" value="APPROVED" { "Approve verification" }
                    button.danger type="submit" name="result" value="REJECTED" { "Reject verification" }
                }
            }
        }
    }
}

fn inquiry(operator: &Operator, i: &Inquiry) -> Markup {
    html! {
        p { "Inquiry " (i.id) " · " (i.purpose) " · " (layout::status(i.status.as_str())) }
        ul {
            @for e in &i.entries {
                li {
                    (e.kind) " " (layout::status(e.status.as_str()))
                    @if let Some(reason) = &e.reject_reason { " " span.muted { (reason) } }
                    @if e.data_submitted != "[]" && !e.data_submitted.is_empty() {
                        (layout::json_block(&e.data_submitted))
                    }
                    @if !e.status.is_final() && e.status != provisio_core::inquiry::EntryStatus::Pending {
                        (review_form(operator, e.id))
                    }
                }
            }
        }
        @if i.status != InquiryStatus::Finalized {
            (layout::button(operator, &format!("/_provisio/ui/inquiries/{}/finalize", i.id), "Finalize inquiry", "secondary"))
        }
    }
}

fn review_form(operator: &Operator, entry: i64) -> Markup {
    html! {
        form.filters method="post" action={ "/_provisio/ui/inquiry-entries/" (entry) "/review" } {
            (layout::token(operator))
            div {
                label for={ "reason-" (entry) } { "Reason (for a rejection)" }
                input id={ "reason-" (entry) } name="reject_reason";
            }
            div {
                label for={ "reopen-" (entry) } { "Ask again after a rejection" }
                select id={ "reopen-" (entry) } name="reopen" {
                    option value="false" { "No" }
                    option value="true" { "Yes" }
                }
            }
            div.actions {
                button type="submit" name="status" value="APPROVED" { "Approve entry" }
                button.danger type="submit" name="status" value="REJECTED" { "Reject entry" }
            }
        }
    }
}

/// The timeline as a list.
pub fn render(events: &[Event]) -> Markup {
    html! {
        ol.timeline #timeline {
            @for e in events {
                li {
                    div.event-head {
                        span.event-kind { (e.kind) }
                        time { (e.at.chars().take(19).collect::<String>()) }
                    }
                    (e.body)
                }
            }
        }
    }
}

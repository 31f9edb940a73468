//! Partners, and a partner's provisions with bunq's filters plus `sub_status`, newest first.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use maud::html;
use provisio_core::{
    model::UserId,
    provision::{record::ProvisionFilter, Status, SubStatus},
    text::quoted,
};

use crate::{
    http::{error::ApiError, extract::PathId},
    ui::{
        layout::{self, page_query, Section},
        session::{Flash, Operator},
    },
    AppState,
};

const PAGE_SIZE: u32 = 20;

pub async fn index(State(state): State<AppState>, operator: Operator, flash: Flash) -> Response {
    let partners = match state.store.list_partners().await {
        Ok(partners) => partners,
        Err(err) => return ApiError::from(err).into_response(),
    };
    // A sandbox user is a partner that is also a bunq person or company: say which.
    let kinds: HashMap<i64, &'static str> = match state.store.sandbox_user_kinds().await {
        Ok(kinds) => kinds
            .into_iter()
            .map(|(id, kind)| (id.0, kind.as_str()))
            .collect(),
        Err(err) => return ApiError::from(err).into_response(),
    };
    let body = html! {
        h1 { "Partners" }
        p { a href="/_provisio/ui/sandbox" { "Create a partner, run a scenario, move the clock" } " · " a href="/_provisio/ui/users" { "every user" } }
        @if partners.is_empty() {
            p.muted { "No partners yet: " code { "POST /_provisio/partners" } " or " code { "provisio partner create" } "." }
        } @else {
            div.table-wrap {
                table.stack {
                    thead { tr { th.num { "Id" } th { "Name" } th { "Kind" } th { "Created" } th { "Public UUID" } } }
                    tbody {
                        @for p in &partners {
                            tr {
                                td.num data-label="Id" { (p.id.0) }
                                td data-label="Name" {
                                    a href={ "/_provisio/ui/partners/" (p.id.0) } { (p.name) } " · "
                                    a href={ "/_provisio/ui/users?partner=" (p.id.0) } { "users" }
                                }
                                td data-label="Kind" {
                                    @match kinds.get(&p.id.0) {
                                        Some(kind) => { "sandbox user: " (kind) },
                                        None => span.muted { "partner" },
                                    }
                                }
                                td data-label="Created" { time { (layout::time(p.created)) } }
                                td data-label="Public UUID" { code { (p.public_uuid) } }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page("Partners", Section::Partners, &operator, flash, body)
}

/// The query of the provisions page, as typed (shown back in the form).
struct Filters {
    status: String,
    sub_status: String,
    external_uuid: String,
}

fn parse_filters(shown: &Filters) -> Result<ProvisionFilter, String> {
    let mut filter = ProvisionFilter::default();
    if !shown.status.is_empty() {
        let status = Status::parse(&shown.status).ok_or_else(|| {
            format!(
                "status {} is not a provision status.",
                quoted(&shown.status)
            )
        })?;
        filter.statuses.push(status);
    }
    if !shown.sub_status.is_empty() {
        let sub_status = SubStatus::parse(&shown.sub_status).ok_or_else(|| {
            format!(
                "sub_status {} is not a sub-status.",
                quoted(&shown.sub_status)
            )
        })?;
        filter.sub_statuses.push(sub_status);
    }
    if !shown.external_uuid.is_empty() {
        // As the API compares it: the canonical, hyphenated form.
        let uuid = uuid::Uuid::parse_str(&shown.external_uuid).map_err(|_| {
            format!(
                "external_uuid {} is not a valid UUID.",
                quoted(&shown.external_uuid)
            )
        })?;
        filter.external_uuid = Some(uuid.hyphenated().to_string());
    }
    Ok(filter)
}

fn select(name: &str, label: &str, options: &[&str], chosen: &str) -> maud::Markup {
    html! {
        div {
            label for=(name) { (label) }
            select #(name) name=(name) {
                option value="" selected[chosen.is_empty()] { "Any" }
                @for option in options {
                    option value=(option) selected[*option == chosen] { (option) }
                }
            }
        }
    }
}

pub async fn provisions(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    PathId(id): PathId,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let partner = match state.store.partner(UserId(id)).await {
        Ok(Some(partner)) => partner,
        Ok(None) => return ApiError::not_found("Partner not found.").into_response(),
        Err(err) => return ApiError::from(err).into_response(),
    };
    let shown = parse_shown(&params);
    let (filter, problem) = match parse_filters(&shown) {
        Ok(filter) => (filter, None),
        Err(problem) => (ProvisionFilter::default(), Some(problem)),
    };
    let page = match problem {
        Some(_) => provisio_core::model::Page::whole(Vec::new()),
        None => match state
            .store
            .list_provisions(partner.id, &filter, page_query(&params, PAGE_SIZE))
            .await
        {
            Ok(page) => page,
            Err(err) => return ApiError::from(err).into_response(),
        },
    };
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let sub_statuses: Vec<&str> = SubStatus::ALL.iter().map(|s| s.as_str()).collect();
    let base = format!(
        "/_provisio/ui/partners/{id}?status={}&sub_status={}&external_uuid={}",
        layout::query_value(&shown.status),
        layout::query_value(&shown.sub_status),
        layout::query_value(&shown.external_uuid)
    );
    let body = html! {
        h1 { "Provisions of " (partner.name) }
        form.card.filters method="get" role="search" aria-label="Filter provisions" {
            (select("status", "Status", &statuses, &shown.status))
            (select("sub_status", "Sub-status", &sub_statuses, &shown.sub_status))
            div {
                label for="external_uuid" { "External UUID" }
                input #external_uuid name="external_uuid" value=(shown.external_uuid) inputmode="text" autocomplete="off";
            }
            div { button type="submit" { "Filter" } }
        }
        @if let Some(problem) = problem {
            p.flash.error role="alert" { (problem) }
        }
        @if page.items.is_empty() {
            p.muted { "No provisions match." }
        } @else {
            div.table-wrap {
                table.stack #provisions {
                    thead { tr { th.num { "Id" } th { "State" } th { "External UUID" } th { "User" } th { "Updated" } } }
                    tbody {
                        @for p in &page.items {
                            tr {
                                td.num data-label="Id" { a href={ "/_provisio/ui/provisions/" (p.id.0) } { (p.id.0) } }
                                td data-label="State" { (layout::status(p.state.status.as_str())) " " span.muted { (p.state.sub_status.as_str()) } }
                                td data-label="External UUID" { code { (p.external_uuid) } }
                                td data-label="User" {
                                    @match &p.user {
                                        Some(user) => { (user.display_name) " " span.muted { "#" (user.id.0) } },
                                        None => span.muted { "none yet" },
                                    }
                                }
                                td data-label="Updated" { time { (layout::time(p.updated)) } }
                            }
                        }
                    }
                }
            }
        }
        (layout::pager(
            &base,
            page.has_newer,
            page.has_older,
            page.items.first().map_or(0, |p| p.id.0),
            page.items.last().map_or(0, |p| p.id.0),
        ))
    };
    layout::page("Provisions", Section::Partners, &operator, flash, body)
}

fn parse_shown(params: &HashMap<String, String>) -> Filters {
    let text = |name: &str| {
        params
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    Filters {
        status: text("status"),
        sub_status: text("sub_status"),
        external_uuid: text("external_uuid"),
    }
}

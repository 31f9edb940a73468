//! One user's page: everything provisio holds of that user, gathered from every domain
//! (issue 21, and issue 25's "requests, drafts, schedules and events of a user"): its details,
//! accounts, cards and newest payments (`money`), its requests for money, drafts and
//! schedules (`requests`), its event feed and the webhooks sent for it (`activity`), its
//! provision's timeline (the provision page's own), and the OAuth grants it gave (`apps`,
//! where the dashboard plays bunq's app and revokes one).
//!
//! Every section says when it is empty; lists that grow are capped at the newest
//! [`SHOWN`], with a link that shows up to [`MORE`] of that one section. The page is live: the
//! whole of it but the heading is one `data-live` element, refetched when the change mark does.

mod activity;
mod apps;
mod money;
mod requests;

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use maud::{html, Markup};
use provisio_core::model::{PageBound, PageQuery, ProvisionId, MAX_PAGE_COUNT};

pub use apps::revoke;

use super::users::{live_note, provision_cell, LIVE};
use crate::{
    http::{error::ApiError, extract::PathId},
    provisioning::ui::timeline,
    ui::{
        layout::{self, Section},
        session::{Flash, Operator},
    },
    AppState,
};

/// How many of the newest a capped section shows.
const SHOWN: u32 = 10;
/// How many it shows once its "more" link was followed (the store's largest page).
const MORE: u32 = MAX_PAGE_COUNT;

/// What the page was asked for: whose page, and which section (if any) to show more of.
pub(super) struct Ask {
    pub user: i64,
    more: Option<String>,
}

impl Ask {
    /// The newest `cap(section)` of a section, as a store page.
    pub fn newest(&self, section: &str) -> PageQuery {
        PageQuery {
            count: self.cap(section),
            bound: PageBound::Newest,
        }
    }

    pub fn cap(&self, section: &str) -> u32 {
        if self.more.as_deref() == Some(section) {
            MORE
        } else {
            SHOWN
        }
    }

    /// Under a capped list: the link that shows more of it, when there is more to show.
    pub fn more_link(&self, section: &str, has_more: bool) -> Markup {
        html! {
            @if has_more {
                @if self.cap(section) == SHOWN {
                    p.more { a href={ "/_provisio/ui/users/" (self.user) "?more=" (section) "#" (section) } { "Show more (up to " (MORE) ")" } }
                } @else {
                    p.muted.more { "The newest " (MORE) " are shown." }
                }
            }
        }
    }
}

/// A section with its heading, which names it for screen readers; `id` is its anchor.
pub(super) fn section(id: &str, title: &str, body: Markup) -> Markup {
    html! {
        section #(id) aria-labelledby={ (id) "-h" } {
            h2 id={ (id) "-h" } { (title) }
            (body)
        }
    }
}

/// `GET /_provisio/ui/users/{id}[?more=SECTION]`.
pub async fn page(
    State(state): State<AppState>,
    operator: Operator,
    flash: Flash,
    PathId(id): PathId,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let ask = Ask {
        user: id,
        more: params.get("more").cloned(),
    };
    match body(&state, &operator, &ask).await {
        Ok(Some((title, body))) => layout::page(&title, Section::Users, &operator, flash, body),
        Ok(None) => layout::missing(&operator, &format!("There is no user {id}.")),
        Err(err) => err.into_response(),
    }
}

async fn body(
    state: &AppState,
    operator: &Operator,
    ask: &Ask,
) -> Result<Option<(String, Markup)>, ApiError> {
    let id = ask.user;
    let Some(user) = state.store.user_summary(id).await? else {
        return Ok(None);
    };
    let money = money::load(state, id).await?;
    let requests = requests::sections(state, ask, &money.accounts).await?;
    let activity = activity::sections(state, operator, ask).await?;
    let apps = apps::section_of(state, operator, id).await?;
    let timeline = provision_timeline(state, operator, user.provision_id).await?;
    let body = html! {
        h1 { (user.name) " " span.muted { (user.kind) " #" (user.id) } }
        (live_note())
        div #user-live data-live=(LIVE) {
            section.card aria-labelledby="facts-h" {
                h2 #facts-h { "Details" }
                dl.facts {
                    dt { "Status" } dd { (layout::status(&user.status)) }
                    dt { "Partner" } dd {
                        @match user.partner_id {
                            Some(p) => a href={ "/_provisio/ui/partners/" (p) } { "#" (p) },
                            None => span.muted { "— (a partner itself)" },
                        }
                    }
                    dt { "Provision" } dd { (provision_cell(&user)) }
                    dt { "Created" } dd { time { (layout::time(user.created)) } }
                }
                p.muted {
                    "On this page: "
                    a href="#accounts" { "accounts" } " · " a href="#cards" { "cards" } " · "
                    a href="#payments" { "payments" } " · " a href="#requests" { "requests" } " · "
                    a href="#drafts" { "drafts" } " · " a href="#schedules" { "schedules" } " · "
                    a href="#events" { "events" } " · " a href="#webhooks" { "webhooks" } " · "
                    a href="#apps" { "connected apps" } " · " a href="#provision" { "provision" }
                }
            }
            (money::render(&money))
            (requests)
            (activity)
            (apps)
            (section("provision", "Provision timeline", timeline))
        }
        script src="/_provisio/ui/assets/live.js" defer {}
    };
    Ok(Some((format!("User {id}"), body)))
}

/// The provision page's own timeline, inline (with its buttons), or why there is none.
async fn provision_timeline(
    state: &AppState,
    operator: &Operator,
    provision: Option<i64>,
) -> Result<Markup, ApiError> {
    let Some(id) = provision else {
        return Ok(
            html! { p.muted { "This user was not provisioned: a partner or a sandbox user has no provision." } },
        );
    };
    let Some(provision) = state.store.provision(ProvisionId(id)).await? else {
        return Ok(html! { p.muted { "Its provision is gone." } });
    };
    let events = timeline::events(state, operator, &provision).await?;
    Ok(html! {
        p { a href={ "/_provisio/ui/provisions/" (id) } { "Provision " (id) } " with its operator actions." }
        (timeline::render(&events))
    })
}

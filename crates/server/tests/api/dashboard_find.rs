//! The dashboard as the place the sandbox is used from (issue 21): the search in every page's
//! header, the users list and a user's page, the sandbox controls as forms, only the actions a
//! provision's state allows, and the dashboard's own 404. Every test on both backends.

use provisio_core::model::{CardId, MonetaryAccountId, PageBound, PageQuery, ProvisionId, UserId};
use reqwest::{header, StatusCode};

use crate::{
    dashboard::{fetch, form_token, location, post, sign_in},
    helpers::*,
    provisioning::*,
};

const NEWEST: PageQuery = PageQuery {
    count: 50,
    bound: PageBound::Newest,
};

pub(crate) async fn html(app: &TestApp, cookie: &str, path: &str) -> String {
    let response = fetch(app, path, Some(cookie)).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{path} {cookie} → {}",
        location(&response)
    );
    response.text().await.unwrap_or_default()
}

/// The cookies a form's answer set (`name=value`): its one-time message, and a renewed session.
fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect()
}

/// Posts a dashboard form; answers the response and the page it leads to (with its message).
/// A renewed session replaces `cookie`.
pub(crate) async fn submit(
    app: &TestApp,
    cookie: &mut String,
    path: &str,
    form: &str,
) -> (reqwest::Response, String) {
    let response = post(app, path, Some(cookie), Some(&app.base_url), form).await;
    let mut flash = String::new();
    for set in set_cookies(&response) {
        if set.starts_with("provisio_ui=") {
            *cookie = set;
        } else {
            flash = set;
        }
    }
    let to = location(&response).to_owned();
    let next = format!("{cookie}; {flash}");
    let page = if to.is_empty() {
        String::new()
    } else {
        html(app, &next, &to).await
    };
    (response, page)
}

/// What the live pages poll: changes with what they show.
pub(crate) async fn version(app: &TestApp, cookie: &str) -> String {
    let body = html(app, cookie, "/_provisio/ui/version").await;
    serde_json::from_str::<serde_json::Value>(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
        ["version"]
        .as_str()
        .unwrap_or_else(|| panic!("no version in {body}"))
        .to_owned()
}

for_each_backend! { TestApp::spawn =>
    async fn the_search_finds_each_kind_of_thing_and_links_to_its_page(app: TestApp) {
        let (_, _, _, account, card, provision) = crate::card_transactions::card_holder(&app, "20.00").await;
        let found = app.store.provision(ProvisionId(provision)).await.ok().flatten()
            .unwrap_or_else(|| panic!("no provision"));
        let owner = found.user.as_ref().unwrap_or_else(|| panic!("no user")).id;
        let iban = app.store.account(owner, MonetaryAccountId(account)).await.ok().flatten()
            .unwrap_or_else(|| panic!("no account")).iban;
        let last_four = app.store.card(owner, CardId(card)).await.ok().flatten()
            .unwrap_or_else(|| panic!("no card")).pan_last_four;
        let payment = app.store.payments(owner, MonetaryAccountId(account), NEWEST).await
            .unwrap_or_else(|e| panic!("{e}")).items[0].id.0;
        let cookie = sign_in(&app).await;

        // The search form is in every page's header.
        let home = html(&app, &cookie, "/_provisio/ui/").await;
        assert!(home.contains("action=\"/_provisio/ui/search\""), "{home}");

        let search = |q: String| {
            let (app, cookie) = (&app, &cookie);
            async move {
                let path = format!("/_provisio/ui/search?q={}", urlencode(&q));
                html(app, cookie, &path).await
            }
        };
        let provision_link = format!("href=\"/_provisio/ui/provisions/{provision}\"");
        let by_id = search(provision.to_string()).await;
        assert!(by_id.contains(&provision_link), "{by_id}");
        let by_uuid = search(found.external_uuid.to_uppercase()).await;
        assert!(by_uuid.contains(&provision_link) && by_uuid.contains("matched its external_uuid"), "{by_uuid}");
        let by_user = search(owner.0.to_string()).await;
        assert!(by_user.contains(&format!("href=\"/_provisio/ui/users/{}\"", owner.0)), "{by_user}");
        let account_link = format!("href=\"/_provisio/ui/users/{}/accounts/{account}\"", owner.0);
        // An IBAN as people paste it: grouped, lower case.
        let grouped: String = iban.to_lowercase().chars().collect::<Vec<_>>().chunks(4)
            .map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ");
        let by_iban = search(grouped).await;
        assert!(by_iban.contains(&account_link) && by_iban.contains("matched its IBAN"), "{by_iban}");
        let by_four = search(last_four.clone()).await;
        let card_link = format!("href=\"/_provisio/ui/users/{}#card-{card}\"", owner.0);
        assert!(by_four.contains(&card_link) && by_four.contains("matched its last four digits"), "{by_four}");
        let by_payment = search(payment.to_string()).await;
        let payment_link = format!("/_provisio/ui/users/{}/accounts/{account}?older={}", owner.0, payment + 1);
        assert!(by_payment.contains(&payment_link) && by_payment.contains("20.00 EUR"), "{by_payment}");
        let email = found.email.clone().unwrap_or_else(|| panic!("the provision has an email"));
        let by_email = search(email.to_uppercase()).await;
        assert!(by_email.contains(&provision_link) && by_email.contains("matched its email"), "{by_email}");

        // Nothing found says so, and what was typed is shown escaped.
        let nothing = search("<b>NL00NOPE</b>".into()).await;
        assert!(nothing.contains("id=\"no-hits\"") && nothing.contains("&lt;b&gt;"), "{nothing}");
        assert!(!nothing.contains("<b>NL00NOPE"), "escaped");

        // The links lead to pages that show the thing.
        let user_page = html(&app, &cookie, &format!("/_provisio/ui/users/{}", owner.0)).await;
        assert!(user_page.contains("20.00 EUR") && user_page.contains(&iban), "the account and its balance: {user_page}");
        assert!(user_page.contains(&format!("id=\"card-{card}\"")) && user_page.contains(&last_four), "the card: {user_page}");
        assert!(user_page.contains(&provision_link), "the provision: {user_page}");
        let payments = html(&app, &cookie, &payment_link).await;
        assert!(payments.contains(&format!("data-label=\"Id\">{payment}<")), "{payments}");

        // The lists across users, by partner and status.
        let partner = found.partner.id.0;
        let accounts = html(&app, &cookie, &format!("/_provisio/ui/lists/accounts?partner={partner}&status=ACTIVE")).await;
        assert!(accounts.contains(&account_link) && accounts.contains("20.00 EUR"), "{accounts}");
        assert!(accounts.contains("data-live=\"/_provisio/ui/version\""), "the list follows changes: {accounts}");
        let blocked = html(&app, &cookie, "/_provisio/ui/lists/accounts?status=BLOCKED").await;
        assert!(!blocked.contains(&account_link) && blocked.contains("Nothing matches."), "{blocked}");
        let cards = html(&app, &cookie, &format!("/_provisio/ui/lists/cards?partner={partner}&status=ACTIVE")).await;
        assert!(cards.contains(&last_four) && cards.contains(&format!("/accounts/{account}/card-transactions")), "{cards}");
        let cancelled = html(&app, &cookie, "/_provisio/ui/lists/cards?status=CANCELLED").await;
        assert!(!cancelled.contains(&last_four), "{cancelled}");
        let paid = html(&app, &cookie, &format!("/_provisio/ui/lists/payments?partner={partner}")).await;
        assert!(paid.contains(&format!("data-label=\"Id\">{payment}<")) && paid.contains(&account_link), "{paid}");
        let elsewhere = html(&app, &cookie, &format!("/_provisio/ui/lists/payments?partner={}", partner + 1000)).await;
        assert!(elsewhere.contains("Nothing matches."), "another partner's list holds none of it");
        let wrong = html(&app, &cookie, "/_provisio/ui/lists/cards?status=SHINY").await;
        assert!(wrong.contains("role=\"alert\"") && wrong.contains("status is one of"), "{wrong}");
    }

    async fn a_users_page_shows_its_requests_drafts_and_schedules_as_events(app: TestApp) {
        let alice = crate::sandbox_users::connect(&app, &crate::sandbox_users::create(&app, "/v1/sandbox-user-person").await).await;
        let provisio_client::wire::Item::UserPerson(a) = crate::sandbox_users::me(&alice).await else { panic!() };
        let account = crate::accounts::banks(&alice, a.id).await[0].id;
        let base = format!("/v1/user/{}/monetary-account/{account}", a.id);
        let ok = |r: Result<provisio_client::wire::ResponseEnvelope, provisio_client::ClientError>| r.unwrap_or_else(|e| panic!("{e}"));
        let shop = serde_json::json!({"amount": {"value": "1.00", "currency": "EUR"},
            "counterparty_alias": {"type": "IBAN", "value": "NL91ABNA0417164300", "name": "Shop"}, "description": "x"});
        ok(alice.post(&format!("{base}/request-inquiry"), &serde_json::json!({"amount_inquired": {"value": "50.00", "currency": "EUR"},
            "counterparty_alias": {"type": "EMAIL", "value": "sugardaddy@bunq.com"}, "description": "Test money", "allow_bunqme": false})).await);
        ok(alice.post(&format!("{base}/draft-payment"), &serde_json::json!({"number_of_required_accepts": 1, "entries": [shop]})).await);
        ok(alice.post(&format!("{base}/schedule-payment"), &serde_json::json!({"payment": shop,
            "schedule": {"time_start": "2099-01-01 09:00:00.000000", "recurrence_unit": "MONTHLY", "recurrence_size": 1}})).await);

        let cookie = sign_in(&app).await;
        let page = html(&app, &cookie, &format!("/_provisio/ui/users/{}", a.id)).await;
        let events = page.split("id=\"user-events\"").nth(1).unwrap_or_else(|| panic!("no events table: {page}"));
        for kind in ["RequestInquiry", "Payment", "DraftPayment", "SchedulePayment", "AWAITING_REPLY"] {
            assert!(events.contains(kind), "{kind} not on the user's page: {events}");
        }
    }

    async fn users_are_listed_by_partner_kind_and_provision_state(app: TestApp) {
        let client = ready_partner(&app).await;
        let (waiting, _) = onboarding(&app, &client).await;
        let (_, _, _, active) = crate::accounts::active_user(&app).await;
        let user_of = |id: i64| {
            let app = &app;
            async move {
                app.store.provision(ProvisionId(id)).await.ok().flatten()
                    .and_then(|p| p.user).unwrap_or_else(|| panic!("no user")).id.0
            }
        };
        let (waiting_user, active_user) = (user_of(waiting).await, user_of(active).await);
        let link = |user: i64| format!("href=\"/_provisio/ui/users/{user}\"");
        let mut cookie = sign_in(&app).await;

        let all = html(&app, &cookie, "/_provisio/ui/users").await;
        assert!(all.contains(&link(waiting_user)) && all.contains(&link(active_user)), "{all}");
        let only_active = html(&app, &cookie, "/_provisio/ui/users?provision_status=ACTIVE").await;
        assert!(only_active.contains(&link(active_user)), "{only_active}");
        assert!(!only_active.contains(&link(waiting_user)), "the waiting user is filtered out");
        assert!(only_active.contains("<option value=\"ACTIVE\" selected>"), "the filter is shown back");
        let partner = app.store.user(UserId(waiting_user)).await.ok().flatten()
            .and_then(|u| u.partner_id).unwrap_or_else(|| panic!("no partner")).0;
        let partners = html(&app, &cookie, "/_provisio/ui/users?kind=PARTNER").await;
        assert!(partners.contains(&link(partner)) && !partners.contains(&link(active_user)), "{partners}");
        let wrong = html(&app, &cookie, "/_provisio/ui/users?kind=ROBOT").await;
        assert!(wrong.contains("role=\"alert\"") && wrong.contains("kind is one of"), "{wrong}");

        // A partner's users: its own, never another partner's.
        let token = form_token(&app, &cookie, "/_provisio/ui/sandbox").await;
        let other = post(&app, "/_provisio/ui/sandbox/partners", Some(&cookie), Some(&app.base_url),
            &format!("form_token={token}&name=Other")).await;
        assert_eq!(other.status(), StatusCode::OK);
        let other = app.store.list_partners().await.unwrap_or_else(|e| panic!("{e}"))
            .into_iter().find(|p| p.name == "Other").unwrap_or_else(|| panic!("no partner Other")).id.0;
        let (ran, _) = submit(&app, &mut cookie, "/_provisio/ui/sandbox/scenarios",
            &format!("form_token={token}&partner={other}&scenario=onboarding-user")).await;
        let theirs: i64 = location(&ran).rsplit('/').next().and_then(|i| i.parse().ok()).unwrap_or_else(|| panic!("ran"));
        let their_user = user_of(theirs).await;
        let mine = html(&app, &cookie, &format!("/_provisio/ui/users?partner={partner}")).await;
        assert!(mine.contains(&link(waiting_user)) && mine.contains(&link(active_user)), "{mine}");
        assert!(!mine.contains(&link(their_user)), "{mine}");
        let theirs = html(&app, &cookie, &format!("/_provisio/ui/users?partner={other}")).await;
        assert!(theirs.contains(&link(their_user)) && !theirs.contains(&link(waiting_user)), "{theirs}");

        // Pages of one: the newest first, then the older ones.
        let first = html(&app, &cookie, &format!("/_provisio/ui/users?partner={partner}&older={}", waiting_user + 1)).await;
        assert!(first.contains(&link(waiting_user)), "{first}");
        let older = html(&app, &cookie, &format!("/_provisio/ui/users?partner={partner}&older={waiting_user}")).await;
        assert!(!older.contains(&link(waiting_user)), "{older}");
    }

    async fn the_sandbox_is_driven_from_its_forms(app: TestApp) {
        let mut cookie = sign_in(&app).await;
        let sandbox = html(&app, &cookie, "/_provisio/ui/sandbox").await;
        assert!(sandbox.contains("Acme BV (#1)") && sandbox.contains("id=\"clock\""), "the partners to run a scenario for, the clock: {sandbox}");
        let token = form_token(&app, &cookie, "/_provisio/ui/sandbox").await;

        // A partner, its key shown once on the answer and stored only as its hash.
        let created = post(&app, "/_provisio/ui/sandbox/partners", Some(&cookie), Some(&app.base_url),
            &format!("form_token={token}&name=Acme+%26+Co")).await;
        assert_eq!(created.status(), StatusCode::OK);
        let shown = created.text().await.unwrap_or_default();
        let key = shown.split("id=\"api-key\">").nth(1).and_then(|k| k.split('<').next())
            .unwrap_or_else(|| panic!("no key in {shown}")).to_owned();
        let (partner, _) = app.store.partner_by_api_key(&provisio_core::secret::SecretHash::of(&key)).await
            .ok().flatten().unwrap_or_else(|| panic!("the key shown is the partner's"));
        assert_eq!(partner.name, "Acme & Co");
        let (_, blank) = submit(&app, &mut cookie, "/_provisio/ui/sandbox/partners", &format!("form_token={token}&name=")).await;
        assert!(blank.contains("Refused: "), "{blank}");

        // A scenario, then the provision it made.
        let (ran, page) = submit(&app, &mut cookie, "/_provisio/ui/sandbox/scenarios",
            &format!("form_token={token}&partner={}&scenario=active-user", partner.id.0)).await;
        assert_eq!(ran.status(), StatusCode::SEE_OTHER);
        let id: i64 = location(&ran).rsplit('/').next().and_then(|i| i.parse().ok())
            .unwrap_or_else(|| panic!("to {}", location(&ran)));
        assert!(page.contains("Scenario active-user ran") && page.contains("is ACTIVE/NONE"), "{page}");
        let provision = app.store.provision(ProvisionId(id)).await.ok().flatten().unwrap_or_else(|| panic!("none"));
        assert_eq!(provision.state.status.as_str(), "ACTIVE");
        let (_, unknown) = submit(&app, &mut cookie, "/_provisio/ui/sandbox/scenarios",
            &format!("form_token={token}&partner={}&scenario=nope", partner.id.0)).await;
        assert!(unknown.contains("Refused: choose a scenario."), "{unknown}");

        // Money in, then the account's payments.
        let owner = provision.user.unwrap_or_else(|| panic!("no user")).id;
        let account = app.store.accounts(owner, None, NEWEST).await.unwrap_or_else(|e| panic!("{e}")).items[0].clone();
        let unchanged = version(&app, &cookie).await;
        assert_eq!(version(&app, &cookie).await, unchanged, "nothing changed, nor does the version");
        let user_page = html(&app, &cookie, &format!("/_provisio/ui/users/{}", owner.0)).await;
        assert!(user_page.contains("data-live=\"/_provisio/ui/version\"") && user_page.contains("live.js"), "{user_page}");
        let (credited, page) = submit(&app, &mut cookie, "/_provisio/ui/sandbox/credit",
            &format!("form_token={token}&account={}&amount=5.25&description=Top-up", account.id.0)).await;
        assert_eq!(location(&credited), format!("/_provisio/ui/users/{}/accounts/{}", owner.0, account.id.0));
        assert!(page.contains("Credited 5.25 EUR") && page.contains("1005.25 EUR"), "{page}");
        assert_ne!(version(&app, &cookie).await, unchanged, "a live page sees the payment");
        let (_, refused) = submit(&app, &mut cookie, "/_provisio/ui/sandbox/credit",
            &format!("form_token={token}&account={}&amount=-1", account.id.0)).await;
        assert!(refused.contains("Refused: "), "{refused}");
        let after = app.store.account(owner, account.id).await.ok().flatten().unwrap_or_else(|| panic!("none"));
        assert_eq!(after.balance_minor, 100_525, "the refusal moved nothing");

        // The clock: shown on every page, moved by a step or by any duration; the operator who
        // moved it stays signed in (sessions run out on this clock) with a new session.
        let old = cookie.clone();
        let before = app.store.clock_offset().await.unwrap_or_else(|e| panic!("{e}"));
        let (moved, page) = submit(&app, &mut cookie, "/_provisio/ui/clock/advance", &format!("form_token={token}&by=1d")).await;
        assert_eq!(moved.status(), StatusCode::SEE_OTHER);
        assert!(page.contains("Clock advanced by 1d") && page.contains("id=\"clock-now\""), "{page}");
        let after = app.store.clock_offset().await.unwrap_or_else(|e| panic!("{e}"));
        assert!(after - before >= 86_400_000_000, "{before} → {after}");
        assert_ne!(old, cookie, "a new session");
        assert_eq!(location(&fetch(&app, "/_provisio/ui/", Some(&old)).await), "/_provisio/ui/login", "the old one ended");
        let token = form_token(&app, &cookie, "/_provisio/ui/sandbox").await;
        let (_, bad) = submit(&app, &mut cookie, "/_provisio/ui/clock/advance", &format!("form_token={token}&by=soon")).await;
        assert!(bad.contains("Refused: "), "{bad}");
        assert_eq!(app.store.clock_offset().await.unwrap_or_else(|e| panic!("{e}")), after, "a refusal does not move it");
        // Another site cannot press the clock's buttons.
        let foreign = post(&app, "/_provisio/ui/clock/advance", Some(&cookie), Some("http://evil.example"), &format!("form_token={token}&by=7d")).await;
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    }

    async fn a_provision_shows_only_the_actions_its_state_allows(app: TestApp) {
        let client = ready_partner(&app).await;
        let (waiting, _) = onboarding(&app, &client).await;
        let cookie = sign_in(&app).await;
        let button = |id: i64, action: &str| format!("action=\"/_provisio/ui/provisions/{id}/{action}\"");
        let page = html(&app, &cookie, &format!("/_provisio/ui/provisions/{waiting}")).await;
        for shown in ["approve", "deny", "expire-credential", "cancel"] {
            assert!(page.contains(&button(waiting, shown)), "{shown}: {page}");
        }
        assert!(!page.contains(&button(waiting, "fail")), "no step is being processed");
        assert!(page.contains("id=\"why-not\""), "{page}");

        put(&client, waiting, "CANCELLED").await.unwrap_or_else(|e| panic!("{e}"));
        app.drain().await;
        let closed = html(&app, &cookie, &format!("/_provisio/ui/provisions/{waiting}")).await;
        assert!(closed.contains("CLOSED"), "{closed}");
        for action in ["approve", "deny", "fail", "expire-credential", "cancel"] {
            assert!(!closed.contains(&button(waiting, action)), "{action} on a closed provision: {closed}");
        }
        assert!(closed.contains("it has ended, so no operator action applies"), "{closed}");
    }

    async fn unknown_dashboard_pages_answer_the_dashboards_404(app: TestApp) {
        let cookie = sign_in(&app).await;
        for path in ["/_provisio/ui/nothing/here", "/_provisio/ui/provisions/999999", "/_provisio/ui/users/999999"] {
            let response = fetch(&app, path, Some(&cookie)).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            assert!(kind.starts_with("text/html"), "{path}: {kind}");
            let page = response.text().await.unwrap_or_default();
            assert!(page.contains("<h1>Not found</h1>") && page.contains("aria-label=\"Sections\""), "{page}");
        }
        // Signed out, an unknown page is the way in, as every page.
        let signed_out = fetch(&app, "/_provisio/ui/nothing", None).await;
        assert_eq!(location(&signed_out), "/_provisio/ui/login");
        // A sandbox user is listed among the partners with its kind.
        let made = app.send(provisio_client::Request::new(reqwest::Method::POST, "/v1/sandbox-user-company").body("{}")).await;
        assert_eq!(made.status, 200, "{}", String::from_utf8_lossy(&made.body));
        let partners = html(&app, &cookie, "/_provisio/ui/").await;
        assert!(partners.contains("sandbox user: COMPANY"), "{partners}");
        // The stylesheet follows the system's dark scheme.
        let css = fetch(&app, "/_provisio/ui/assets/style.css", None).await.text().await.unwrap_or_default();
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

//! Payment batches, draft payments and scheduled payments over real HTTP: a batch pays all or
//! nothing and names the payment that cannot pay; a draft pays when its account holder accepts
//! it and only once; a schedule runs on the virtual clock, each run on its own date, and goes on
//! after a run that failed. The ledger holds after each.

use provisio_client::{
    wire::{
        batches::{
            AnchorObject, DraftPaymentObject, DraftPaymentRequest, PaymentBatchObject,
            PaymentBatchRequest,
        },
        payments::PaymentRequest,
        requests::{NotificationFilterRequest, NotificationFiltersRequest},
        schedules::{
            ScheduleInstanceObject, SchedulePaymentObject, SchedulePaymentRequest, ScheduleRequest,
        },
        time::ts,
        Item,
    },
    Client, ClientError,
};
use provisio_core::time::{Clock, Timestamp};

use crate::{
    accounts::{active_user, bank, banks, open, own_id},
    helpers::*,
    payments::{fund, payments, to},
    provisioning::first_id,
    sandbox_clock::advance,
};
use reqwest::Method;

const DAY: i64 = 86_400_000_000;

fn ok<T>(result: Result<T, ClientError>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn refused<T: std::fmt::Debug>(result: Result<T, ClientError>, status: u16, text: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.status(), Some(status), "{e}");
            let description = e.description().unwrap_or_default();
            assert!(description.contains(text), "{description:?} lacks {text:?}");
        }
        Ok(found) => panic!("accepted: {found:?}"),
    }
}

/// The user's first bank account: (id, IBAN).
async fn first_account(client: &Client, user: i64) -> (i64, String) {
    let account = banks(client, user)
        .await
        .pop()
        .unwrap_or_else(|| panic!("no account"));
    (account.id, account.alias[0].value.clone())
}

/// Opens the provisioned user's account (through its partner): (id, IBAN).
async fn user_account(partner: &Client, user: &Client, key: i64) -> (i64, String) {
    let id = open(partner, key, "bank", &bank("EUR", "Salary")).await;
    let account = banks(user, key)
        .await
        .into_iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no account {id}"));
    (id, account.alias[0].value.clone())
}

async fn balance(client: &Client, user: i64, account: i64) -> String {
    banks(client, user)
        .await
        .into_iter()
        .find(|a| a.id == account)
        .map(|a| a.balance.value)
        .unwrap_or_default()
}

async fn ledger_holds(app: &TestApp) {
    let ledger = app.store.ledger().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(ledger.holds(), "{ledger:?}");
}

async fn subscribe(client: &Client, user: i64, receiver: &Receiver, categories: &[&str]) {
    let filters = NotificationFiltersRequest {
        notification_filters: categories
            .iter()
            .map(|c| NotificationFilterRequest {
                category: Some((*c).into()),
                notification_target: Some(receiver.url.clone()),
            })
            .collect(),
    };
    ok(client
        .post(
            &format!("/v1/user/{user}/notification-filter-url"),
            &filters,
        )
        .await);
}

/// `(event_type, id of the object)` of every webhook received, sorted.
fn events(receiver: &Receiver, object: &str) -> Vec<String> {
    let mut all: Vec<String> = receiver
        .received()
        .iter()
        .filter_map(|r| {
            let n = r.json()["NotificationUrl"].clone();
            n["object"]
                .get(object)
                .map(|_| n["event_type"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    all.sort();
    all
}

fn batch_of(items: &[Item]) -> PaymentBatchObject {
    match items {
        [Item::PaymentBatch(b)] => b.clone(),
        other => panic!("{other:?}"),
    }
}

fn draft_of(items: &[Item]) -> DraftPaymentObject {
    match items {
        [Item::DraftPayment(d)] => d.clone(),
        other => panic!("{other:?}"),
    }
}

async fn post_batch(
    client: &Client,
    user: i64,
    account: i64,
    payments: Vec<PaymentRequest>,
) -> Result<i64, ClientError> {
    let body = PaymentBatchRequest {
        payments: Some(payments),
    };
    client
        .post(
            &format!("/v1/user/{user}/monetary-account/{account}/payment-batch"),
            &body,
        )
        .await
        .map(|e| first_id(&e.response))
}

async fn post_draft(client: &Client, user: i64, account: i64, entries: Vec<PaymentRequest>) -> i64 {
    let body = DraftPaymentRequest {
        entries: Some(entries),
        number_of_required_accepts: Some(1),
        ..Default::default()
    };
    first_id(
        &ok(client
            .post(
                &format!("/v1/user/{user}/monetary-account/{account}/draft-payment"),
                &body,
            )
            .await)
        .response,
    )
}

async fn answer(
    client: &Client,
    user: i64,
    account: i64,
    draft: i64,
    status: &str,
) -> Result<i64, ClientError> {
    let body = DraftPaymentRequest {
        status: Some(status.into()),
        ..Default::default()
    };
    client
        .put(
            &format!("/v1/user/{user}/monetary-account/{account}/draft-payment/{draft}"),
            &body,
        )
        .await
        .map(|e| first_id(&e.response))
}

async fn get_draft(client: &Client, user: i64, account: i64, draft: i64) -> DraftPaymentObject {
    draft_of(
        &ok(client
            .get(&format!(
                "/v1/user/{user}/monetary-account/{account}/draft-payment/{draft}"
            ))
            .await)
        .response,
    )
}

fn schedule_body(
    payment: PaymentRequest,
    start: Timestamp,
    end: Option<Timestamp>,
    unit: &str,
) -> SchedulePaymentRequest {
    SchedulePaymentRequest {
        payment: Some(payment),
        schedule: Some(ScheduleRequest {
            time_start: Some(ts(start)),
            time_end: end.map(ts),
            recurrence_unit: Some(unit.into()),
            recurrence_size: Some(1),
        }),
    }
}

async fn instances(
    client: &Client,
    user: i64,
    account: i64,
    schedule: i64,
) -> Vec<ScheduleInstanceObject> {
    ok(client.get(&format!("/v1/user/{user}/monetary-account/{account}/schedule/{schedule}/schedule-instance?count=200")).await)
        .response.into_iter().map(|i| match i { Item::ScheduleInstance(s) => s, other => panic!("{other:?}") }).collect()
}

async fn schedule_of(
    client: &Client,
    user: i64,
    account: i64,
    schedule: i64,
) -> SchedulePaymentObject {
    match ok(client
        .get(&format!(
            "/v1/user/{user}/monetary-account/{account}/schedule-payment/{schedule}"
        ))
        .await)
    .response
    .as_slice()
    {
        [Item::SchedulePayment(s)] => s.clone(),
        other => panic!("{other:?}"),
    }
}

for_each_backend! { TestApp::spawn =>
    async fn a_batch_pays_every_payment_on_both_sides_with_their_webhooks(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let me = own_id(&partner).await;
        let (main, _) = first_account(&partner, me).await;
        let (salary, salary_iban) = user_account(&partner, &user, key).await;
        let receiver = Receiver::start().await;
        subscribe(&partner, me, &receiver, &["PAYMENT", "MUTATION"]).await;
        subscribe(&user, key, &receiver, &["PAYMENT", "MUTATION"]).await;
        fund(&app, main, "100.00").await;

        let batch = ok(post_batch(&partner, me, main, vec![
            to(&salary_iban, "10.00"), to(&salary_iban, "20.00"), to("NL91ABNA0417164300", "5.00"),
        ]).await);
        assert_eq!(balance(&partner, me, main).await, "65.00");
        assert_eq!(balance(&user, key, salary).await, "30.00");
        let found = batch_of(&ok(partner.get(&format!("/v1/user/{me}/monetary-account/{main}/payment-batch/{batch}")).await).response);
        let paid: Vec<(&str, &str, &str)> = found.payments.payment.iter()
            .map(|p| (p.amount.value.as_str(), p.kind.as_str(), p.balance_after_mutation.value.as_str())).collect();
        assert_eq!(paid, vec![("-10.00", "BUNQ", "90.00"), ("-20.00", "BUNQ", "70.00"), ("-5.00", "EBA_SCT", "65.00")]);
        let listed = ok(partner.get(&format!("/v1/user/{me}/monetary-account/{main}/payment-batch")).await).response;
        assert!(matches!(listed.as_slice(), [Item::PaymentBatch(b)] if b.id == batch), "{listed:?}");
        let received: Vec<String> = payments(&user, key, salary).await.iter().map(|p| p.amount.value.clone()).collect();
        assert_eq!(received, vec!["20.00", "10.00"], "the receiving side, newest first");
        // Another account's batch id under this account does not exist.
        let elsewhere = partner.get(&format!("/v1/user/{key}/monetary-account/{salary}/payment-batch/{batch}")).await;
        assert_eq!(elsewhere.err().and_then(|e| e.status()), Some(404));

        app.deliver().await;
        let created = events(&receiver, "Payment");
        assert_eq!(created.iter().filter(|e| *e == "PAYMENT_CREATED").count(), 3);
        assert_eq!(created.iter().filter(|e| *e == "MUTATION_CREATED").count(), 3);
        assert_eq!(created.iter().filter(|e| *e == "PAYMENT_RECEIVED").count(), 3, "the credit and two payments in");
        ledger_holds(&app).await;
    }

    async fn a_batch_with_one_payment_that_cannot_pay_moves_nothing(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let me = own_id(&partner).await;
        let (main, _) = first_account(&partner, me).await;
        let (salary, salary_iban) = user_account(&partner, &user, key).await;
        fund(&app, main, "30.00").await;
        let before = (payments(&partner, me, main).await, payments(&user, key, salary).await,
            app.store.deliveries(None, 1000).await.map(|d| d.len()).unwrap_or_default());

        refused(post_batch(&partner, me, main, vec![to(&salary_iban, "10.00"), to(&salary_iban, "25.00"), to(&salary_iban, "1.00")]).await,
            400, "payments[1]: Insufficient balance: the account holds 20.00 EUR");
        refused(post_batch(&partner, me, main, vec![to(&salary_iban, "1.00"), to("NL92ABNA0417164300", "1.00")]).await,
            400, "payments[1]: counterparty_alias.value is not a valid IBAN");
        refused(post_batch(&partner, me, main, vec![to(&salary_iban, "1.00"), to(&salary_iban, "0.001")]).await, 400, "payments[1]: ");
        refused(post_batch(&partner, me, main, Vec::new()).await, 400, "at least one payment");
        refused(post_batch(&partner, me, main, vec![to(&salary_iban, "0.01"); 351]).await, 400, "at most 350");
        refused(post_batch(&partner, me, 999_999, vec![to(&salary_iban, "1.00")]).await, 404, "MonetaryAccount not found");

        assert_eq!(balance(&partner, me, main).await, "30.00");
        assert_eq!(balance(&user, key, salary).await, "0.00");
        let after = (payments(&partner, me, main).await, payments(&user, key, salary).await,
            app.store.deliveries(None, 1000).await.map(|d| d.len()).unwrap_or_default());
        assert_eq!(before, after);
        let listed = ok(partner.get(&format!("/v1/user/{me}/monetary-account/{main}/payment-batch")).await).response;
        assert!(listed.is_empty(), "{listed:?}");
        // 350 payments are one batch.
        ok(post_batch(&partner, me, main, vec![to(&salary_iban, "0.01"); 350]).await);
        assert_eq!(balance(&partner, me, main).await, "26.50");
        assert_eq!(balance(&user, key, salary).await, "3.50");
        ledger_holds(&app).await;
    }

    async fn a_draft_pays_when_accepted_never_when_rejected_and_only_once(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let me = own_id(&partner).await;
        let (main, main_iban) = first_account(&partner, me).await;
        let (salary, _) = user_account(&partner, &user, key).await;
        let receiver = Receiver::start().await;
        subscribe(&user, key, &receiver, &["DRAFT_PAYMENT"]).await;
        fund(&app, salary, "50.00").await;

        // The partner prepares it for its user; the user's own session accepts it.
        let draft = post_draft(&partner, key, salary, vec![to(&main_iban, "10.00"), to(&main_iban, "5.00")]).await;
        let pending = get_draft(&user, key, salary, draft).await;
        assert_eq!((pending.status.as_str(), pending.entries.len(), pending.object.is_none()), ("PENDING", 2, true));
        assert_eq!(pending.entries[0].amount.value, "10.00");
        assert_eq!(balance(&user, key, salary).await, "50.00", "a draft moves nothing");
        assert_eq!(ok(answer(&user, key, salary, draft, "ACCEPTED").await), draft);
        assert_eq!(balance(&user, key, salary).await, "35.00");
        assert_eq!(balance(&partner, me, main).await, "15.00");
        let accepted = get_draft(&partner, key, salary, draft).await;
        assert_eq!(accepted.status, "ACCEPTED");
        match &accepted.object {
            Some(AnchorObject::PaymentBatch(b)) => assert_eq!(b.payments.payment.len(), 2),
            other => panic!("{other:?}"),
        }
        // Answered once: neither answer is taken again, and nothing moves.
        refused(answer(&user, key, salary, draft, "ACCEPTED").await, 400, "already ACCEPTED");
        refused(answer(&user, key, salary, draft, "REJECTED").await, 400, "already ACCEPTED");
        assert_eq!(balance(&user, key, salary).await, "35.00");

        let dropped = post_draft(&user, key, salary, vec![to(&main_iban, "1.00")]).await;
        ok(answer(&user, key, salary, dropped, "REJECTED").await);
        refused(answer(&user, key, salary, dropped, "ACCEPTED").await, 400, "already REJECTED");
        assert_eq!(get_draft(&user, key, salary, dropped).await.status, "REJECTED");
        assert_eq!(balance(&user, key, salary).await, "35.00");

        // A draft that cannot pay stays PENDING, its refusal naming the entry.
        let too_much = post_draft(&user, key, salary, vec![to(&main_iban, "1.00"), to(&main_iban, "40.00")]).await;
        refused(answer(&user, key, salary, too_much, "ACCEPTED").await, 400, "entries[1]: Insufficient balance");
        refused(answer(&user, key, salary, too_much, "MAYBE").await, 400, "ACCEPTED or REJECTED");
        assert_eq!(get_draft(&user, key, salary, too_much).await.status, "PENDING");
        assert_eq!(balance(&user, key, salary).await, "35.00");
        let missing = answer(&user, key, salary, 999_999, "ACCEPTED").await;
        refused(missing, 404, "DraftPayment not found");
        let listed = ok(user.get(&format!("/v1/user/{key}/monetary-account/{salary}/draft-payment")).await).response;
        assert_eq!(listed.len(), 3);

        app.deliver().await;
        let seen = events(&receiver, "DraftPayment");
        assert_eq!(seen.iter().filter(|e| *e == "DRAFT_PAYMENT_CREATED").count(), 3);
        assert_eq!(seen.iter().filter(|e| *e == "DRAFT_PAYMENT_UPDATED").count(), 2, "accepted and rejected");
        ledger_holds(&app).await;
    }

    async fn a_monthly_schedule_runs_each_month_and_goes_on_after_a_failed_run(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let me = own_id(&partner).await;
        let (main, _) = first_account(&partner, me).await;
        let (salary, salary_iban) = user_account(&partner, &user, key).await;
        let receiver = Receiver::start().await;
        subscribe(&partner, me, &receiver, &["SCHEDULE_RESULT"]).await;
        fund(&app, main, "15.00").await;
        let start = Timestamp(app.clock.now().micros() + DAY);
        let body = schedule_body(to(&salary_iban, "10.00"), start, None, "MONTHLY");
        let schedule = first_id(&ok(partner.post(&format!("/v1/user/{me}/monetary-account/{main}/schedule-payment"), &body).await).response);
        let made = schedule_of(&partner, me, main, schedule).await;
        assert_eq!((made.status.as_str(), made.schedule.recurrence_unit.as_str(), made.payment.amount.value.as_str()), ("ACTIVE", "MONTHLY", "10.00"));
        app.drain().await;
        assert!(instances(&partner, me, main, schedule).await.is_empty(), "not due yet");

        advance(&app, "2d").await;
        app.drain().await;
        assert_eq!(instances(&partner, me, main, schedule).await.len(), 1);
        assert_eq!(balance(&partner, me, main).await, "5.00");
        advance(&app, "31d").await;
        app.drain().await;
        let runs = instances(&partner, me, main, schedule).await;
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].state, "FAILED_USER_ERROR");
        assert!(runs[0].result_object.is_none());
        assert!(runs[0].error_message[0].error_description.contains("Insufficient balance"), "{:?}", runs[0].error_message);
        assert_eq!(balance(&partner, me, main).await, "5.00", "a failed run moves nothing");
        fund(&app, main, "20.00").await;
        advance(&app, "31d").await;
        app.drain().await;

        let runs = instances(&partner, me, main, schedule).await;
        let states: Vec<&str> = runs.iter().map(|r| r.state.as_str()).collect();
        assert_eq!(states, vec!["FINISHED_SUCCESSFULLY", "FAILED_USER_ERROR", "FINISHED_SUCCESSFULLY"], "newest first");
        assert_eq!(runs[2].time_start, ts(start));
        match &runs[0].result_object {
            Some(AnchorObject::Payment(p)) => assert_eq!((p.amount.value.as_str(), p.created.as_str()), ("-10.00", runs[0].time_start.as_str())),
            other => panic!("{other:?}"),
        }
        let one = ok(partner.get(&format!("/v1/user/{me}/monetary-account/{main}/schedule/{schedule}/schedule-instance/{}", runs[1].id)).await).response;
        assert!(matches!(one.as_slice(), [Item::ScheduleInstance(i)] if i.state == "FAILED_USER_ERROR"));
        assert_eq!(balance(&partner, me, main).await, "15.00");
        assert_eq!(balance(&user, key, salary).await, "20.00");
        assert_eq!(payments(&user, key, salary).await.len(), 2);
        assert_eq!(schedule_of(&partner, me, main, schedule).await.status, "ACTIVE", "it goes on");

        app.deliver().await;
        assert_eq!(events(&receiver, "ScheduleInstance"), vec!["SCHEDULE_RESULT"; 3]);
        ledger_holds(&app).await;
    }

    async fn one_clock_advance_runs_every_due_run_on_its_own_date_in_order(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let (main, _) = first_account(&partner, me).await;
        fund(&app, main, "100.00").await;
        let start = Timestamp(app.clock.now().micros() + DAY / 24);
        let end = Timestamp(start.micros() + 4 * DAY);
        let daily = schedule_body(to("NL91ABNA0417164300", "1.00"), start, Some(end), "DAILY");
        let path = format!("/v1/user/{me}/monetary-account/{main}/schedule-payment");
        let schedule = first_id(&ok(partner.post(&path, &daily).await).response);
        let cancelled = first_id(&ok(partner.post(&path, &daily).await).response);
        ok(partner.delete(&format!("{path}/{cancelled}")).await);
        assert_eq!(schedule_of(&partner, me, main, cancelled).await.status, "CANCELLED");
        refused(partner.put(&format!("{path}/{cancelled}"), &daily).await.map(|e| first_id(&e.response)), 400, "CANCELLED");
        let bad = SchedulePaymentRequest { schedule: Some(ScheduleRequest { recurrence_unit: Some("FORTNIGHTLY".into()), ..Default::default() }), ..daily.clone() };
        refused(partner.post(&path, &bad).await.map(|e| first_id(&e.response)), 400, "schedule.time_start is required");

        advance(&app, "10d").await;
        app.drain().await;
        let mut runs = instances(&partner, me, main, schedule).await;
        runs.reverse();
        let starts: Vec<String> = runs.iter().map(|r| r.time_start.clone()).collect();
        let expected: Vec<String> = (0..5).map(|k| ts(Timestamp(start.micros() + k * DAY))).collect();
        assert_eq!(starts, expected, "five runs, a day apart, oldest first");
        assert!(runs.iter().all(|r| r.state == "FINISHED_SUCCESSFULLY"));
        let paid: Vec<String> = payments(&partner, me, main).await.iter().filter(|p| p.amount.value == "-1.00").map(|p| p.created.clone()).rev().collect();
        assert_eq!(paid, expected, "each payment dated at its run");
        assert_eq!(schedule_of(&partner, me, main, schedule).await.status, "FINISHED");
        assert!(instances(&partner, me, main, cancelled).await.is_empty());
        assert_eq!(balance(&partner, me, main).await, "95.00");
        ledger_holds(&app).await;
    }

    async fn removing_a_partner_removes_its_batches_drafts_and_schedules(app: TestApp) {
        let (partner, user, key, _) = active_user(&app).await;
        let me = own_id(&partner).await;
        let (main, main_iban) = first_account(&partner, me).await;
        let (salary, salary_iban) = user_account(&partner, &user, key).await;
        fund(&app, main, "50.00").await;
        ok(post_batch(&partner, me, main, vec![to(&salary_iban, "10.00")]).await);
        let draft = post_draft(&user, key, salary, vec![to(&main_iban, "1.00")]).await;
        ok(answer(&user, key, salary, draft, "ACCEPTED").await);
        post_draft(&partner, me, main, vec![to(&salary_iban, "1.00")]).await;
        let start = Timestamp(app.clock.now().micros() + DAY / 24);
        let path = format!("/v1/user/{me}/monetary-account/{main}/schedule-payment");
        ok(partner.post(&path, &schedule_body(to(&salary_iban, "1.00"), start, None, "DAILY")).await);
        advance(&app, "2d").await;
        app.drain().await;
        assert!(app.store.next_schedule_run_at().await.ok().flatten().is_some());

        let deleted = operator(&app, Method::DELETE, &format!("/_provisio/partners/{}", app.partner_id), None).await;
        assert_eq!(deleted.status, 200, "{}", String::from_utf8_lossy(&deleted.body));
        assert_eq!(app.store.next_schedule_run_at().await.ok().flatten(), None, "its timers went too");
        advance(&app, "2d").await;
        app.drain().await;
        ledger_holds(&app).await;
    }

    async fn a_closed_users_schedules_stop_and_its_drafts_cannot_be_answered(app: TestApp) {
        let (partner, user, key, provision) = active_user(&app).await;
        let me = own_id(&partner).await;
        let (main, main_iban) = first_account(&partner, me).await;
        let (salary, _) = user_account(&partner, &user, key).await;
        fund(&app, salary, "50.00").await;
        let start = Timestamp(app.clock.now().micros() + DAY / 24);
        let path = format!("/v1/user/{key}/monetary-account/{salary}/schedule-payment");
        let schedule = first_id(&ok(user.post(&path, &schedule_body(to(&main_iban, "1.00"), start, None, "DAILY")).await).response);
        let draft = post_draft(&user, key, salary, vec![to(&main_iban, "1.00")]).await;

        ok(crate::provisioning::put(&partner, provision, "CANCELLED").await);
        app.drain().await;
        advance(&app, "3d").await;
        app.drain().await;
        assert!(instances(&partner, key, salary, schedule).await.is_empty(), "no run after the end");
        assert_eq!(balance(&partner, key, salary).await, "50.00");
        assert_eq!(balance(&partner, me, main).await, "0.00");
        refused(answer(&partner, key, salary, draft, "ACCEPTED").await, 400, "provision is");
        assert_eq!(get_draft(&partner, key, salary, draft).await.status, "PENDING");
        ledger_holds(&app).await;
    }

    async fn a_changed_schedule_runs_only_on_its_new_timing(app: TestApp) {
        let partner = app.client().await;
        let me = own_id(&partner).await;
        let (main, _) = first_account(&partner, me).await;
        fund(&app, main, "10.00").await;
        let now = app.clock.now().micros();
        let path = format!("/v1/user/{me}/monetary-account/{main}/schedule-payment");
        let first = schedule_body(to("NL91ABNA0417164300", "1.00"), Timestamp(now + DAY / 24), None, "DAILY");
        let schedule = first_id(&ok(partner.post(&path, &first).await).response);
        let later = Timestamp(now + 2 * DAY);
        let changed = schedule_body(to("NL91ABNA0417164300", "2.00"), later, None, "ONCE");
        assert_eq!(first_id(&ok(partner.put(&format!("{path}/{schedule}"), &changed).await).response), schedule);
        let shown = schedule_of(&partner, me, main, schedule).await;
        assert_eq!((shown.payment.amount.value.as_str(), shown.schedule.recurrence_unit.as_str()), ("2.00", "ONCE"));

        advance(&app, "1d").await;
        app.drain().await;
        assert!(instances(&partner, me, main, schedule).await.is_empty(), "the old timing does not run");
        advance(&app, "2d").await;
        app.drain().await;
        let runs = instances(&partner, me, main, schedule).await;
        assert_eq!(runs.iter().map(|r| r.time_start.clone()).collect::<Vec<_>>(), vec![ts(later)]);
        assert_eq!(balance(&partner, me, main).await, "8.00");
        assert_eq!(schedule_of(&partner, me, main, schedule).await.status, "FINISHED");
        let again = schedule_body(to("NL91ABNA0417164300", "2.00"), Timestamp(app.clock.now().micros() + DAY), None, "ONCE");
        refused(partner.put(&format!("{path}/{schedule}"), &again).await.map(|e| first_id(&e.response)), 400, "FINISHED");
        ledger_holds(&app).await;
    }
}

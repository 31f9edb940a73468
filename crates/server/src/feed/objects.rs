//! An event's object: looked up by its kind (bunq's object key) and id, for the event's user
//! and account, and rendered with the renderer its own routes use.

use provisio_core::{
    feed::{
        Event, DRAFT_PAYMENT, MASTER_CARD_ACTION, PAYMENT, REQUEST_INQUIRY, REQUEST_RESPONSE,
        SCHEDULE_PAYMENT,
    },
    model::{MasterCardActionId, PaymentId},
    StoreError,
};
use provisio_wire::{
    batches::draft_payment,
    card_transactions::mastercard_action,
    money_requests::{request_inquiry, request_response},
    payments::payment,
    schedules::schedule_payment,
    Item,
};

use crate::AppState;

/// The object `event` is about, as it is now; `None` for a kind not known here or an object
/// that is gone.
pub(crate) async fn load(state: &AppState, event: &Event) -> Result<Option<Item>, StoreError> {
    let Some(account) = event.monetary_account_id else {
        return Ok(None);
    };
    let user = event.user_id;
    Ok(match event.kind.as_str() {
        PAYMENT => state
            .store
            .payment(user, account, PaymentId(event.object_id))
            .await?
            .map(|p| Item::Payment(payment(&p))),
        MASTER_CARD_ACTION => state
            .store
            .mastercard_action(user, account, MasterCardActionId(event.object_id))
            .await?
            .map(|a| Item::MasterCardAction(mastercard_action(&a))),
        REQUEST_INQUIRY => state
            .store
            .request_inquiry(user, account, event.object_id)
            .await?
            .map(|r| Item::RequestInquiry(request_inquiry(&r))),
        REQUEST_RESPONSE => state
            .store
            .request_response(user, account, event.object_id)
            .await?
            .and_then(|r| request_response(&r).map(Item::RequestResponse)),
        DRAFT_PAYMENT => state
            .store
            .draft(user, account, event.object_id)
            .await?
            .map(|d| Item::DraftPayment(draft_payment(&d))),
        SCHEDULE_PAYMENT => state
            .store
            .schedule(user, account, event.object_id)
            .await?
            .map(|s| Item::SchedulePayment(schedule_payment(&s))),
        _ => None,
    })
}

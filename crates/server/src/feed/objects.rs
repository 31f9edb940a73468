//! An event's object: looked up by its kind (bunq's object key) and id, for the event's user
//! and account, and rendered with the renderer its own routes use.

use provisio_core::{
    feed::{Event, MASTER_CARD_ACTION, PAYMENT},
    model::{MasterCardActionId, PaymentId},
    StoreError,
};
use provisio_wire::{card_transactions::mastercard_action, payments::payment, Item};

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
        _ => None,
    })
}

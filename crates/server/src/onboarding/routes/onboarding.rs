//! Onboarding (spec E.2, E.3): the user's onboarding model and the fulfillments that feed it.
//! Reachable by the provisioned user's own session and by its partner's (J-8, J-9).

use axum::extract::State;
use chrono::DateTime;
use provisio_core::{
    inquiry::{self, NewInquiry},
    model::UserId,
    onboarding::{self, Fulfillment, FulfillmentType, Onboarding},
    text,
};
use provisio_wire::{
    kyc,
    requests::{
        Address, AddressRequest, NationalityRequest, OnboardingRequest, TaxResidentRequest,
        UserPersonRequest,
    },
    Item,
};
use serde_json::json;

use crate::{
    http::{
        error::ApiError,
        extract::{Json, PathId},
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::{OwnUser, UserScope},
    },
    provisioning::routes::user::{self, Profile},
    AppState,
};

const MAX_TEXT: usize = 255;

fn check_desired(body: &OnboardingRequest) -> Result<(), ApiError> {
    if body
        .user_status_desired
        .as_deref()
        .is_some_and(|s| s != "ACTIVE")
    {
        return Err(ApiError::bad_request(
            "user_status_desired can only be ACTIVE.",
        ));
    }
    if body
        .user_verification_status_desired
        .as_deref()
        .is_some_and(|s| s != "VERIFIED")
    {
        return Err(ApiError::bad_request(
            "user_verification_status_desired can only be VERIFIED.",
        ));
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    Json(body): Json<OnboardingRequest>,
) -> ApiResult {
    let user = user.id;
    check_desired(&body)?;
    let kind = match body
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(kind) => text::required("type", Some(kind), MAX_TEXT)?,
        None => "PARTNER_USER".to_owned(),
    };
    let kind = kind.as_str();
    // The configured automatic inquiry comes with a new onboarding, in its transaction.
    let questions = &state.config.onboarding.onboarding_inquiry;
    let inquiry = (!questions.is_empty())
        .then(|| NewInquiry::validate(inquiry::ONBOARDING, questions.clone(), None))
        .transpose()?;
    let onboarding = state
        .store
        .onboarding(user, kind, inquiry.as_ref(), state.clock.now())
        .await?;
    if inquiry.is_some() {
        // Its webhook may be waiting.
        state.changed();
    }
    Bunq::id(onboarding.id)
}

async fn current(
    state: &AppState,
    user: UserId,
    id: Option<i64>,
) -> Result<(Onboarding, Vec<Fulfillment>), ApiError> {
    let onboarding = state
        .store
        .find_onboarding(user)
        .await?
        .filter(|o| id.is_none_or(|id| o.id == id))
        .ok_or_else(|| ApiError::not_found("UserOnboarding not found."))?;
    let done = state.store.fulfillments(user).await?;
    Ok((onboarding, done))
}

pub async fn list(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    paging: Paging,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> ApiResult {
    let user = user.id;
    let items = match current(&state, user, None).await {
        Ok((o, done)) => vec![kyc::onboarding(&o, &done)],
        Err(_) => Vec::new(),
    };
    // A user has at most one onboarding: one page, always.
    let page = provisio_core::model::Page::whole(items);
    let links = paging.links(uri.path(), &page, |o| o.id);
    Bunq::page(
        page.items.into_iter().map(Item::UserOnboarding).collect(),
        links,
    )
}

pub async fn get(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    PathId(id): PathId,
) -> ApiResult {
    let (o, done) = current(&state, user.id, Some(id)).await?;
    Bunq::items(vec![Item::UserOnboarding(kyc::onboarding(&o, &done))])
}

/// Asking for `ACTIVE`/`VERIFIED` while blocking fulfillments are missing lists them (E.2, J-34).
pub async fn update(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    PathId(id): PathId,
    Json(body): Json<OnboardingRequest>,
) -> ApiResult {
    check_desired(&body)?;
    let user = user.id;
    let (o, done) = current(&state, user, Some(id)).await?;
    let missing = onboarding::missing(&done);
    if !missing.is_empty() {
        let all: Vec<_> = kyc::fulfillments(user.0, &done, o.created)
            .into_iter()
            .filter(|f| missing.iter().any(|m| m.as_str() == f.kind))
            .collect();
        return Err(ApiError::bad_request(
            "You need to provide additional information in order to perform this action.",
        )
        .with_additional(
            json!([{ "AdditionalFulfillmentParameter": { "all_fulfillment": all } }]),
        ));
    }
    Bunq::id(o.id)
}

fn address(field: &str, a: Option<Address>) -> Result<String, ApiError> {
    let a = a.ok_or_else(|| ApiError::bad_request(format!("{field} is required.")))?;
    let part = |name: &str, v: &Option<String>| {
        onboarding::required(&format!("{field}.{name}"), v.as_deref(), MAX_TEXT)
    };
    let value = json!({
        "street": part("street", &a.street)?,
        "house_number": part("house_number", &a.house_number)?,
        "postal_code": part("postal_code", &a.postal_code)?,
        "city": part("city", &a.city)?,
        "country": onboarding::country(&format!("{field}.country"), a.country.as_deref().unwrap_or_default())?,
    });
    Ok(value.to_string())
}

async fn store(
    state: &AppState,
    user: UserId,
    items: &[(FulfillmentType, String)],
    name: Option<&str>,
) -> ApiResult {
    let ids = state
        .store
        .fulfill(user, items, name, state.clock.now())
        .await?;
    state.changed();
    Bunq::id(ids.first().copied().unwrap_or_default())
}

pub async fn address_main(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    Json(body): Json<AddressRequest>,
) -> ApiResult {
    let user = user.id;
    let data = address("address_main", body.address_main)?;
    store(&state, user, &[(FulfillmentType::AddressMain, data)], None).await
}

pub async fn address_postal(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    Json(body): Json<AddressRequest>,
) -> ApiResult {
    let user = user.id;
    let data = address("address_postal", body.address_postal)?;
    store(
        &state,
        user,
        &[(FulfillmentType::AddressPostal, data)],
        None,
    )
    .await
}

/// `PUT /user-person/{id}`: the legal name and date of birth (onboarding's fulfillments, a
/// provisioned user only) and the avatar (`avatar_uuid`, any person). `avatar_uuid` alone
/// changes only the avatar, for a sandbox person too. With both, the body is checked whole
/// first and the avatar set before the fulfillments, so a refused avatar changes nothing.
/// Answers the user's own id: the UserPerson is what this PUT updates, not a fulfillment.
pub async fn user_person(
    State(state): State<AppState>,
    scope: UserScope,
    Json(body): Json<UserPersonRequest>,
) -> ApiResult {
    let Some(avatar_uuid) = body.avatar_uuid.clone() else {
        let OwnUser { user } = OwnUser::from_scope(scope, &state)?;
        let items = legal_items(&state, &body)?;
        return fulfill_legal(&state, user.id, items).await;
    };
    if !body.has_legal_fields() {
        return user::set_avatar(&state, scope, Profile::Person, &avatar_uuid).await;
    }
    let OwnUser { user } = OwnUser::from_scope(scope, &state)?;
    let items = legal_items(&state, &body)?;
    let avatar = provisio_core::public_attachment::parse_avatar_uuid(&avatar_uuid)?;
    state
        .store
        .set_user_avatar(user.id, &avatar, state.clock.now())
        .await?;
    fulfill_legal(&state, user.id, items).await
}

/// The legal name and date of birth of a `PUT /user-person/{id}`, as fulfillments (with the
/// name they give the user), checked whole.
fn legal_items(
    state: &AppState,
    body: &UserPersonRequest,
) -> Result<(String, [(FulfillmentType, String); 2]), ApiError> {
    let first = onboarding::required("first_name", body.first_name.as_deref(), MAX_TEXT)?;
    let last = onboarding::required("last_name", body.last_name.as_deref(), MAX_TEXT)?;
    let middle = body
        .middle_name
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| text::required("middle_name", Some(m), MAX_TEXT))
        .transpose()?;
    let middle = middle.as_deref();
    let today = DateTime::from_timestamp_micros(state.clock.now().micros())
        .unwrap_or_default()
        .date_naive();
    let born = onboarding::date_of_birth(body.date_of_birth.as_deref().unwrap_or_default(), today)?;
    let name = [Some(first.as_str()), middle, Some(last.as_str())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let items = [
        (
            FulfillmentType::LegalName,
            json!({ "first_name": first, "middle_name": middle, "last_name": last }).to_string(),
        ),
        (
            FulfillmentType::DateOfBirth,
            json!({ "date_of_birth": born.to_string() }).to_string(),
        ),
    ];
    Ok((name, items))
}

async fn fulfill_legal(
    state: &AppState,
    user: UserId,
    (name, items): (String, [(FulfillmentType, String); 2]),
) -> ApiResult {
    state
        .store
        .fulfill(user, &items, Some(&name), state.clock.now())
        .await?;
    state.changed();
    Bunq::id(user.0)
}

pub async fn tax_resident(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    Json(body): Json<TaxResidentRequest>,
) -> ApiResult {
    let user = user.id;
    if body.tax_resident.is_empty() {
        return Err(ApiError::bad_request(
            "tax_resident needs at least one country.",
        ));
    }
    let mut items = Vec::with_capacity(body.tax_resident.len());
    for (i, t) in body.tax_resident.iter().enumerate() {
        let country = onboarding::country(
            &format!("tax_resident[{i}].country"),
            t.country.as_deref().unwrap_or_default(),
        )?;
        let number = onboarding::required(
            &format!("tax_resident[{i}].tax_number"),
            t.tax_number.as_deref(),
            MAX_TEXT,
        )?;
        if t.status.as_deref().is_some_and(|s| s != "CONFIRMED") {
            return Err(ApiError::bad_request(format!(
                "tax_resident[{i}].status can only be CONFIRMED."
            )));
        }
        items.push(json!({ "country": country, "tax_number": number, "status": "CONFIRMED" }));
    }
    store(
        &state,
        user,
        &[(
            FulfillmentType::TaxResident,
            serde_json::Value::Array(items).to_string(),
        )],
        None,
    )
    .await
}

pub async fn nationality(
    State(state): State<AppState>,
    OwnUser { user }: OwnUser,
    Json(body): Json<NationalityRequest>,
) -> ApiResult {
    let user = user.id;
    if body.all_nationality.is_empty() {
        return Err(ApiError::bad_request(
            "all_nationality needs at least one country.",
        ));
    }
    let countries = body
        .all_nationality
        .iter()
        .enumerate()
        .map(|(i, c)| onboarding::country(&format!("all_nationality[{i}]"), c))
        .collect::<Result<Vec<_>, _>>()?;
    store(
        &state,
        user,
        &[(FulfillmentType::Nationality, json!(countries).to_string())],
        None,
    )
    .await
}

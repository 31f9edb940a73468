//! Domain records as bunq objects: the one place a record becomes wire format (onboarding and
//! compliance objects: `kyc`).

use crate::objects::{
    self as wire, AnyUser, Avatar, DeviceServer, LabelAvatar, LabelUser, OauthCallbackUrl,
    PartnerUserProvision, ProvisionHistoryEntry, Token, UserApiKey, UserCompany, UserPerson,
};
use provisio_core::{
    account::pointer::Pointer,
    model::{ApiKeyUser, Device, Partner, ProvisionedUser},
    provision::{
        oauth::{CallbackUrl, OauthClient},
        record::{HistoryEntry, Provision},
        UserVerifiedType,
    },
    sandbox_user::{first_and_last, SandboxUser, SandboxUserKind},
    time::Timestamp,
};

use crate::time::ts;

pub fn token(id: i64, created: Timestamp, updated: Timestamp, token: &str) -> Token {
    Token {
        id,
        created: ts(created),
        updated: ts(updated),
        token: token.to_owned(),
    }
}

pub fn user_company(partner: &Partner) -> UserCompany {
    UserCompany {
        id: partner.id.0,
        created: ts(partner.created),
        updated: ts(partner.updated),
        public_uuid: partner.public_uuid.clone(),
        name: partner.name.clone(),
        display_name: partner.name.clone(),
        public_nick_name: partner.name.clone(),
        alias: Vec::new(),
        avatar: avatar(&partner.public_uuid),
        language: "en_US".into(),
        region: "nl_NL".into(),
        session_timeout: partner.session_timeout_secs,
        status: "ACTIVE".into(),
        sub_status: "NONE".into(),
    }
}

pub fn device_server(device: &Device) -> DeviceServer {
    DeviceServer {
        id: device.id.0,
        created: ts(device.created),
        updated: ts(device.updated),
        description: device.description.clone(),
        ip: device.ip.clone(),
        status: device.status.as_str().into(),
    }
}

pub fn user_person(user: &ProvisionedUser) -> UserPerson {
    UserPerson {
        id: user.id.0,
        created: ts(user.created),
        updated: ts(user.updated),
        public_uuid: user.public_uuid.clone(),
        first_name: None,
        last_name: None,
        legal_name: None,
        display_name: user.display_name.clone(),
        public_nick_name: user.display_name.clone(),
        alias: Vec::new(),
        avatar: avatar(&user.public_uuid),
        language: "en_US".into(),
        region: "nl_NL".into(),
        session_timeout: user.session_timeout_secs,
        status: "ACTIVE".into(),
        sub_status: "NONE".into(),
    }
}

/// A provisioned user as the type bunq names it: `UserPerson` or `UserCompany`.
pub fn provisioned_user(user: &ProvisionedUser) -> AnyUser {
    match user.kind {
        UserVerifiedType::Person => AnyUser::UserPerson(user_person(user)),
        UserVerifiedType::Company => {
            let p = user_person(user);
            AnyUser::UserCompany(UserCompany {
                id: p.id,
                created: p.created,
                updated: p.updated,
                public_uuid: p.public_uuid,
                name: p.display_name.clone(),
                display_name: p.display_name,
                public_nick_name: p.public_nick_name,
                alias: p.alias,
                avatar: p.avatar,
                language: p.language,
                region: p.region,
                session_timeout: p.session_timeout,
                status: p.status,
                sub_status: p.sub_status,
            })
        }
    }
}

pub fn user_api_key(key: &ApiKeyUser, partner: &Partner, granted: &ProvisionedUser) -> UserApiKey {
    UserApiKey {
        id: key.id.0,
        created: ts(key.created),
        updated: ts(key.updated),
        requested_by_user: AnyUser::UserCompany(user_company(partner)),
        granted_by_user: provisioned_user(granted),
    }
}

/// A pointer as bunq renders it in a user's `alias` array: `{"type","value","name"}`.
pub fn pointer(pointer: &Pointer, name: &str) -> serde_json::Value {
    serde_json::json!({
        "type": pointer.kind(),
        "value": pointer.value(),
        "name": name,
    })
}

/// A sandbox user as the bunq user it stands for: a person as `UserPerson` (with its first and
/// last name), a company as `UserCompany`; either with its EMAIL and PHONE_NUMBER pointers.
pub fn sandbox_user(user: &SandboxUser) -> AnyUser {
    let name = &user.partner.name;
    let alias: Vec<serde_json::Value> = user.aliases.iter().map(|p| pointer(p, name)).collect();
    match user.kind {
        SandboxUserKind::Company => AnyUser::UserCompany(UserCompany {
            alias,
            ..user_company(&user.partner)
        }),
        SandboxUserKind::Person => {
            let p = &user.partner;
            let (first, last) = first_and_last(name);
            AnyUser::UserPerson(UserPerson {
                id: p.id.0,
                created: ts(p.created),
                updated: ts(p.updated),
                public_uuid: p.public_uuid.clone(),
                first_name: Some(first.to_owned()),
                last_name: Some(last.to_owned()),
                legal_name: Some(name.clone()),
                display_name: name.clone(),
                public_nick_name: first.to_owned(),
                alias,
                avatar: avatar(&p.public_uuid),
                language: "en_US".into(),
                region: "nl_NL".into(),
                session_timeout: p.session_timeout_secs,
                status: "ACTIVE".into(),
                sub_status: "NONE".into(),
            })
        }
    }
}

pub fn avatar(uuid: &str) -> Avatar {
    Avatar {
        uuid: uuid.to_owned(),
        anchor_uuid: uuid.to_owned(),
        image: Vec::new(),
    }
}

pub fn oauth_client(client: &OauthClient) -> wire::OauthClient {
    wire::OauthClient {
        id: client.id.0,
        created: ts(client.created),
        updated: ts(client.updated),
        status: client.status.clone(),
        display_name: client.display_name.clone(),
        client_id: client.client_id.clone(),
        secret: client.secret.clone(),
        callback_url: client.callback_urls.iter().map(callback_url).collect(),
    }
}

pub fn callback_url(url: &CallbackUrl) -> OauthCallbackUrl {
    OauthCallbackUrl {
        id: url.id.0,
        created: ts(url.created),
        updated: ts(url.updated),
        url: url.url.clone(),
    }
}

fn label(uuid: &str, name: &str, kind: &str) -> LabelUser {
    LabelUser {
        uuid: uuid.to_owned(),
        display_name: name.to_owned(),
        country: "NL".into(),
        avatar: LabelAvatar {
            uuid: uuid.to_owned(),
            image: Vec::new(),
            anchor_uuid: uuid.to_owned(),
            style: "NONE".into(),
        },
        public_nick_name: name.to_owned(),
        kind: kind.to_owned(),
    }
}

/// The full `PartnerUserProvision`, as a GET returns it.
pub fn provision(p: &Provision) -> PartnerUserProvision {
    let partner = &p.partner;
    let label_user = p.user.as_ref().map(|u| {
        let kind = match u.kind {
            UserVerifiedType::Person => "PERSON",
            UserVerifiedType::Company => "COMPANY",
        };
        label(&u.public_uuid, &u.display_name, kind)
    });
    let oauth_request = p.oauth_request.as_ref().map(|o| wire::OauthRequest {
        id: p.id.0,
        uuid: o.uuid.clone(),
        created: ts(o.created),
        updated: ts(o.created),
        oauth_client_id: o.oauth_client_id.map(|id| id.0),
        oauth_client_display_name: None,
        client_id: o.client_id.clone(),
        response_type: "code".into(),
        callback_url: o.callback_url.clone(),
        status: "ACCEPTED".into(),
        state: None,
        authorization_code: o.authorization_code.clone(),
        user_alias_created: label(&partner.public_uuid, &partner.name, "COMPANY"),
        redirect_url: o.callback_url.as_ref().map(|url| {
            let join = if url.contains('?') { '&' } else { '?' };
            format!("{url}{join}code={}", o.authorization_code)
        }),
        kind: "BUNQ".into(),
    });
    let credential = p.credential.as_ref().map(|c| wire::Credential {
        id: c.id.0,
        created: ts(c.created),
        updated: ts(c.updated),
        status: c.status.as_str().into(),
        expiry_time: ts(c.expiry_time),
        token_value: c.token_value.clone(),
        permitted_device: c
            .permitted_device
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok()),
    });
    PartnerUserProvision {
        id: p.id.0,
        created: ts(p.created),
        updated: ts(p.updated),
        external_uuid: p.external_uuid.clone(),
        status: p.state.status.as_str().into(),
        sub_status: p.state.sub_status.as_str().into(),
        action_required: p.state.action_required.as_str().into(),
        products: p.products.iter().map(|x| x.as_str().to_owned()).collect(),
        label_user,
        oauth_request,
        credential,
    }
}

pub fn history_entry(entry: &HistoryEntry) -> ProvisionHistoryEntry {
    ProvisionHistoryEntry {
        at: ts(entry.at),
        from_status: entry.from.map(|(s, _)| s.as_str().to_owned()),
        from_sub_status: entry.from.map(|(_, u)| u.as_str().to_owned()),
        to_status: entry.to.0.as_str().to_owned(),
        to_sub_status: entry.to.1.as_str().to_owned(),
        cause: entry.cause.clone(),
    }
}

/// The webhook body announcing a provision's change: the object as a GET returns it now.
pub fn provision_event(p: &Provision, target: &str) -> String {
    crate::kyc::event(
        provisio_core::webhook::PARTNER_USER_PROVISION,
        provisio_core::webhook::PROVISION_UPDATED,
        crate::Item::PartnerUserProvision(provision(p)),
        target,
    )
}

/// A delivery for the inspector, with the `headers` it is sent with (the dispatcher computes
/// them; rendering does not sign).
pub fn webhook_delivery(
    d: &provisio_core::webhook::DeliveryRecord,
    headers: std::collections::BTreeMap<String, String>,
) -> crate::objects::WebhookDelivery {
    crate::objects::WebhookDelivery {
        id: d.id,
        event_id: d.event_uuid.clone(),
        category: d.category.clone(),
        event_type: d.event_type.clone(),
        object_id: d.object_id,
        target: d.target.clone(),
        status: d.status.clone(),
        created: ts(d.created),
        body: d.body.clone(),
        headers,
        attempts: d
            .attempts
            .iter()
            .map(|a| crate::objects::WebhookAttempt {
                at: ts(a.at),
                response_code: a.response_code,
                error: a.error.clone(),
                latency_ms: a.latency.as_secs_f64() * 1000.0,
            })
            .collect(),
    }
}

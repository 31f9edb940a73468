//! Domain records as bunq objects.

use provisio_core::{
    model::{Device, Partner},
    time::Timestamp,
};
use provisio_wire::{
    objects::{Avatar, DeviceServer, Token, UserCompany},
    time,
};

pub fn ts(t: Timestamp) -> String {
    time::format(t.micros())
}

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
        avatar: Avatar {
            uuid: partner.public_uuid.clone(),
            anchor_uuid: partner.public_uuid.clone(),
            image: Vec::new(),
        },
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

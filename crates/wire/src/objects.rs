//! The objects inside `Response` elements (spec B).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Id {
    pub id: i64,
}

/// Installation and session tokens (J-28: the superset `{id, created, updated, token}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerPublicKey {
    pub server_public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Avatar {
    pub uuid: String,
    pub anchor_uuid: String,
    pub image: Vec<serde_json::Value>,
}

/// A company user: for now, always a partner (spec B.4 variant 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCompany {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub public_uuid: String,
    pub name: String,
    pub display_name: String,
    pub public_nick_name: String,
    pub alias: Vec<serde_json::Value>,
    pub avatar: Avatar,
    pub language: String,
    pub region: String,
    pub session_timeout: i64,
    pub status: String,
    pub sub_status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceServer {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub description: String,
    pub ip: String,
    pub status: String,
}

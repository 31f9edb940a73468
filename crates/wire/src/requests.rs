//! Request bodies (spec B). Unknown fields are ignored, as bunq does.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallationRequest {
    pub client_public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceServerRequest {
    pub description: String,
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permitted_ips: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionServerRequest {
    pub secret: String,
}

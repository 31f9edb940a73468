//! bunq's headers as `HeaderName`s, for the layers every request passes through: named as
//! text, each would be parsed and checked again on every request it is looked up or set on.

use axum::http::HeaderName;
use provisio_wire::headers;

pub static CLIENT_AUTHENTICATION: HeaderName =
    HeaderName::from_static(headers::CLIENT_AUTHENTICATION);
pub static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static(headers::CLIENT_REQUEST_ID);
pub static CLIENT_RESPONSE_ID: HeaderName = HeaderName::from_static(headers::CLIENT_RESPONSE_ID);
pub static SERVER_SIGNATURE: HeaderName = HeaderName::from_static(headers::SERVER_SIGNATURE);
pub static SERVER_ENCRYPTION_KEY: HeaderName =
    HeaderName::from_static(headers::SERVER_ENCRYPTION_KEY);
pub static SERVER_ENCRYPTION_IV: HeaderName =
    HeaderName::from_static(headers::SERVER_ENCRYPTION_IV);
pub static SERVER_ENCRYPTION_HMAC: HeaderName =
    HeaderName::from_static(headers::SERVER_ENCRYPTION_HMAC);

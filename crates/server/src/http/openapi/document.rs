//! The whole document: the operations of every registered route, the components their wire
//! types derive, and the security schemes.

use std::collections::BTreeMap;

use provisio_wire::{ErrorEnvelope, Item, Pagination};
use serde_json::{json, Map, Value};
use utoipa::{
    openapi::{RefOr, Schema},
    PartialSchema, ToSchema,
};

use super::Described;

/// The whole document for these registrations (see `router::openapi_json`); `operator`: the
/// operator API is served, so its scheme and its part of the summary belong in it.
pub fn build(described: &[Described], operator: bool) -> Value {
    let mut collected: Vec<(String, RefOr<Schema>)> = Vec::new();
    for (name, schema) in [
        (Item::name(), Item::schema()),
        (ErrorEnvelope::name(), ErrorEnvelope::schema()),
        (Pagination::name(), Pagination::schema()),
    ] {
        collected.push((name.into_owned(), schema));
    }
    Item::schemas(&mut collected);
    ErrorEnvelope::schemas(&mut collected);
    for d in described {
        for collect in &d.op.schemas {
            collect(&mut collected);
        }
    }
    let schemas: BTreeMap<String, Value> = collected
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or_default()))
        .collect();
    let items = item_schemas(schemas.get("Item"));

    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for d in described {
        paths.entry(&d.path).or_default().insert(
            d.method.to_ascii_lowercase(),
            d.op.render(d.method, &d.path, &items),
        );
    }
    let served = if operator {
        "bunq's Partner API as provisio serves it (under /v1), and provisio's operator API (under /_provisio, with the admin token)."
    } else {
        "bunq's Partner API as provisio serves it (under /v1), with health probes and this description under /_provisio."
    };
    let mut security = json!({
        "installationToken": {"type": "apiKey", "in": "header", "name": "X-Bunq-Client-Authentication",
            "description": "The installation token from POST /v1/installation."},
        "sessionToken": {"type": "apiKey", "in": "header", "name": "X-Bunq-Client-Authentication",
            "description": "A session token from POST /v1/session-server."},
    });
    if operator {
        security["adminToken"] = json!({"type": "http", "scheme": "bearer",
            "description": "The admin token (provisio serve --admin-token, or printed at start)."});
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "provisio",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!("{served} Every answer under /v1 is signed by the server (X-Bunq-Server-Signature); request bodies are signed by the client (X-Bunq-Client-Signature). A client may also encrypt a /v1 request body (X-Bunq-Client-Encryption-Key, -Iv and -Hmac; bunq's A.11); the answer to it is then encrypted for its installation."),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": security,
        }
    })
}

/// `Item`'s variants by name: each is `{"Name": {...}}`, one branch of its `oneOf`.
pub fn item_schemas(item: Option<&Value>) -> Map<String, Value> {
    let branches = item
        .and_then(|i| i.get("oneOf"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    branches
        .into_iter()
        .filter_map(|branch| {
            let name = branch.get("required")?.get(0)?.as_str()?.to_owned();
            Some((name, branch))
        })
        .collect()
}

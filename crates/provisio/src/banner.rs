//! What `provisio serve` says on stdout as it starts (where the store is, the demo partner,
//! where to reach the operator API): sentences for people, or with `--log-format json` one JSON
//! object a line, like the log on stderr, so a log shipper reads every line the server prints.
//!
//! In JSON, a value that opens something (an API key, a token, a credential) is in a field whose
//! name starts with `secret_`, and never in `message`: a shipper that drops `secret_*` fields
//! keeps no secret. docs/cli.md documents the fields.

use provisio_server::{
    context::partners::{DemoPartner, DEMO_PARTNER},
    sandbox::seed::Seeded,
};
use serde_json::{json, Map, Value};

use crate::serve_args::LogFormat;

#[derive(Debug, Clone, Copy)]
pub struct Banner {
    json: bool,
}

impl Banner {
    pub fn new(format: LogFormat) -> Banner {
        Banner {
            json: format == LogFormat::Json,
        }
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints `text` (people), or an object with `event`, `message` and `fields` (machines).
    /// `message` must hold no secret; `text` may, as people read it on their terminal.
    pub fn say(&self, event: &str, text: &str, message: &str, fields: Value) {
        if self.json {
            println!("{}", json_line("INFO", event, message, fields));
        } else {
            println!("{text}");
        }
    }

    /// [`Self::say`] when the sentence holds no secret: it is the message too.
    pub fn plain(&self, event: &str, text: &str, fields: Value) {
        self.say(event, text, text, fields);
    }
}

/// The demo partner's key goes to a terminal, where a person reads it; not into a file or a
/// CI log, which keeps it (unless `--print-demo-key` asks).
pub fn show_demo_key(asked: bool) -> bool {
    use std::io::IsTerminal as _;
    asked || std::io::stdout().is_terminal()
}

pub fn announce(banner: Banner, demo: &DemoPartner, show_key: bool) {
    match demo {
        DemoPartner::Created(partner, key) if show_key => banner.say(
            "demo_partner_created",
            &format!(
                "Created the demo partner \"{}\" (UserCompany id {}). Its API key, shown only this once:\n  {}",
                partner.name,
                partner.id,
                key.expose()
            ),
            &format!(
                "Created the demo partner \"{}\" (UserCompany id {}); its API key, shown only this once, is in secret_api_key.",
                partner.name, partner.id
            ),
            json!({ "partner_id": partner.id.0, "name": partner.name, "secret_api_key": key.expose() }),
        ),
        DemoPartner::Created(partner, _) => banner.plain(
            "demo_partner_created",
            &format!(
                "Created the demo partner \"{}\" (UserCompany id {}). Its API key is not printed: \
                 stdout is not a terminal (--print-demo-key prints it; `provisio partner add-key {}` \
                 makes another).",
                partner.name, partner.id, partner.id
            ),
            json!({ "partner_id": partner.id.0, "name": partner.name }),
        ),
        DemoPartner::KeyAdded(partner) => banner.plain(
            "demo_key_added",
            &format!(
                "Added the --demo-api-key key to the demo partner (UserCompany id {}).",
                partner.id
            ),
            json!({ "partner_id": partner.id.0 }),
        ),
        DemoPartner::KeyKnown(partner) => banner.plain(
            "demo_key_known",
            &format!(
                "The --demo-api-key key already opens partner \"{}\" (UserCompany id {}).",
                partner.name, partner.id
            ),
            json!({ "partner_id": partner.id.0, "name": partner.name }),
        ),
        DemoPartner::Ignored => banner.plain(
            "demo_key_ignored",
            &format!(
                "Ignored --demo-api-key: this store has partners but none named \"{DEMO_PARTNER}\"; \
                 `provisio partner add-key PARTNER_ID` gives a partner a new key."
            ),
            json!({}),
        ),
        DemoPartner::Unchanged => {}
    }
}

/// What the seed did: in text the seed's own summary, in JSON one object per partner and per
/// scenario, keys and credentials in `secret_` fields.
pub fn announce_seed(banner: Banner, seeded: &Seeded) {
    let partners = match seeded {
        Seeded::Skipped => {
            return banner.plain(
                "seed_skipped",
                "The store has partners already: the seed was not loaded.",
                json!({}),
            )
        }
        Seeded::Loaded(partners) => partners,
    };
    if !banner.is_json() {
        for line in provisio_server::sandbox::seed::summary(partners) {
            println!("{line}");
        }
        return;
    }
    for s in partners {
        let message = format!(
            "Seeded partner \"{}\" (UserCompany id {}).",
            s.partner.name, s.partner.id
        );
        let key = s.generated_key.as_ref().map(|k| k.expose());
        banner.plain(
            "seed_partner",
            &message,
            json!({ "partner_id": s.partner.id.0, "name": s.partner.name, "secret_api_key": key }),
        );
        for (name, p) in &s.provisions {
            let credential = p.credential.as_ref().and_then(|c| c.token_value.as_deref());
            banner.plain(
                "seed_scenario",
                &format!(
                    "{name}: provision {} {}/{}",
                    p.id, p.state.status, p.state.sub_status
                ),
                json!({
                    "partner_id": s.partner.id.0,
                    "scenario": name,
                    "provision_id": p.id.0,
                    "status": p.state.status.as_str(),
                    "sub_status": p.state.sub_status.as_str(),
                    "secret_credential": credential,
                }),
            );
        }
    }
}

/// One line as tracing's JSON log writes one (`timestamp`, `level`, `target`, then the fields,
/// flattened), with the start-up `event` named.
pub fn json_line(level: &str, event: &str, message: &str, fields: Value) -> String {
    let mut object = Map::new();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    object.insert("timestamp".into(), now.into());
    object.insert("level".into(), level.into());
    object.insert("target".into(), "provisio::banner".into());
    object.insert("event".into(), event.into());
    object.insert("message".into(), message.into());
    if let Value::Object(fields) = fields {
        object.extend(fields);
    }
    Value::Object(object).to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::json_line;

    #[test]
    fn a_line_is_one_object_with_its_fields_flat() {
        let line = json_line("INFO", "listening", "up", json!({"url": "http://x"}));
        let value: Value = serde_json::from_str(&line).unwrap_or_default();
        assert_eq!(value["event"], "listening");
        assert_eq!(value["url"], "http://x");
        assert_eq!(value["target"], "provisio::banner");
        assert!(value["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
    }
}

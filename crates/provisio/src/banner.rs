//! What `provisio serve` says on stdout as it starts (where the store is, the demo partner,
//! where to reach the operator API): sentences for people, or with `--log-format json` one JSON
//! object a line, like the log on stderr, so a log shipper reads every line the server prints.
//!
//! In JSON, a value that opens something (an API key, a token, a credential) is in a field whose
//! name starts with `secret_`, and never in `message`: a shipper that drops `secret_*` fields
//! keeps no secret. docs/cli.md documents the fields.

use serde_json::{Map, Value};

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

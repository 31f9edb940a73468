//! Secrets out of JSON text, for the request log: the value of every field that holds a
//! credential (an API key, a token, a password, a PIN) or a card's PAN or CVC2 becomes `"***"`,
//! and everything else is left as written.
//!
//! A small scanner over the text rather than a parse into `serde_json::Value`: the log keeps a
//! body's first bytes only, and a body cut short is not JSON any more, but its secrets must be
//! masked all the same (`{"cvc2":"12` masks to `{"cvc2":"***"`). What is not JSON at all
//! passes through the same scanner harmlessly.

/// Whether a field's value is a secret. Lower-case names only: bunq's fields are snake_case,
/// and its object wrappers are capitalised (`{"Token":{"id":…,"token":"…"}}`: only the inner
/// `token` is one). Public keys are not secrets and stay readable.
fn is_secret(key: &str) -> bool {
    if key.starts_with(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    let key = key.to_ascii_lowercase();
    matches!(
        key.as_str(),
        "secret"
            | "api_key"
            | "token"
            | "token_value"
            | "password"
            | "pin_code"
            | "cvc"
            | "cvc2"
            | "pan"
            | "primary_account_number"
            | "authorization_code"
            | "code_verifier"
    ) || key.ends_with("_token")
        || key.ends_with("_secret")
        || key.ends_with("_password")
}

const MASK: &str = "\"***\"";

/// `text` with the value of every secret field (and everything inside one that is an object or
/// an array) replaced by `"***"`; `null`, `true` and `false` stay, as they hide nothing.
pub fn mask(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // For each open object or array: whether everything in it is masked.
    let mut open: Vec<bool> = Vec::new();
    // The last key named a secret: its value is masked.
    let mut secret_next = false;
    let mut i = 0;
    while i < bytes.len() {
        let masked = secret_next || open.last().copied().unwrap_or(false);
        match bytes[i] {
            b'"' => {
                let (end, closed) = string_end(bytes, i);
                let raw = &text[i..end];
                let is_key = closed && bytes.get(skip_space(bytes, end)) == Some(&b':');
                if is_key {
                    out.push_str(raw);
                    secret_next = is_secret(&key_text(raw));
                } else {
                    out.push_str(if masked { MASK } else { raw });
                    secret_next = false;
                }
                i = end;
            }
            open_char @ (b'{' | b'[') => {
                open.push(masked);
                secret_next = false;
                out.push(char::from(open_char));
                i += 1;
            }
            close @ (b'}' | b']') => {
                open.pop();
                secret_next = false;
                out.push(char::from(close));
                i += 1;
            }
            c if c == b'-' || c.is_ascii_alphanumeric() => {
                let end = i + bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
                    .count();
                let word = &text[i..end];
                let hides_nothing = matches!(word, "null" | "true" | "false");
                out.push_str(if masked && !hides_nothing { MASK } else { word });
                secret_next = false;
                i = end;
            }
            _ => {
                // Punctuation and space keep `secret_next` (`"pan" : "…"`); anything else is
                // copied a whole character at a time.
                let c = text[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// Where the string starting at `start` ends (after its closing quote), and whether it was
/// closed before the text ran out.
fn string_end(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return (j + 1, true),
            _ => j += 1,
        }
    }
    (bytes.len(), false)
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// A key as JSON means it: `"\u0063vc2"` is `cvc2`.
fn key_text(raw: &str) -> String {
    if raw.contains('\\') {
        serde_json::from_str::<String>(raw).unwrap_or_default()
    } else {
        raw.trim_matches('"').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn credentials_are_masked_and_the_rest_kept() {
        let cases = [
            (
                r#"{"secret":"sandbox_abc","description":"my laptop","permitted_ips":["1.2.3.4"]}"#,
                r#"{"secret":"***","description":"my laptop","permitted_ips":["1.2.3.4"]}"#,
            ),
            (
                r#"{"client_public_key":"-----BEGIN PUBLIC KEY-----\nMII"}"#,
                r#"{"client_public_key":"-----BEGIN PUBLIC KEY-----\nMII"}"#,
            ),
            (
                r#"{"Response":[{"Id":{"id":7}},{"Token":{"id":8,"created":"2026-12-04","token":"a1b2"}}]}"#,
                r#"{"Response":[{"Id":{"id":7}},{"Token":{"id":8,"created":"2026-12-04","token":"***"}}]}"#,
            ),
            (
                r#"{"access_token":"x","refresh_token":"y","client_secret":"z","token_value":"w","api_key":"k"}"#,
                r#"{"access_token":"***","refresh_token":"***","client_secret":"***","token_value":"***","api_key":"***"}"#,
            ),
        ];
        for (given, masked) in cases {
            assert_eq!(mask(given), masked);
        }
    }

    #[test]
    fn card_secrets_are_masked() {
        assert_eq!(
            mask(r#"{"CardPrimaryAccountNumber":{"primary_account_number":"5412751234567890"}}"#),
            r#"{"CardPrimaryAccountNumber":{"primary_account_number":"***"}}"#
        );
        assert_eq!(
            mask(r#"{"cvc2" : "123","pan":5412751234567890,"four_digit":"7890","expiry":null}"#),
            r#"{"cvc2" : "***","pan":"***","four_digit":"7890","expiry":null}"#
        );
        assert_eq!(
            mask(r#"{"pin_code_assignment":[{"type":"PRIMARY","pin_code":"1234"}],"cvc2":null}"#),
            r#"{"pin_code_assignment":[{"type":"PRIMARY","pin_code":"***"}],"cvc2":null}"#
        );
    }

    #[test]
    fn a_secret_object_is_masked_throughout() {
        assert_eq!(
            mask(r#"{"secret":{"a":"b","c":[1,true]},"next":"kept"}"#),
            r#"{"secret":{"a":"***","c":["***",true]},"next":"kept"}"#
        );
    }

    #[test]
    fn a_body_cut_short_is_masked_too() {
        assert_eq!(
            mask(r#"{"amount":{"value":"1.00"},"cvc2":"12"#),
            r#"{"amount":{"value":"1.00"},"cvc2":"***""#
        );
        assert_eq!(mask(r#"{"token":"abc\"#), r#"{"token":"***""#);
        assert_eq!(mask(r#"{"token""#), r#"{"token""#);
    }

    #[test]
    fn escapes_do_not_hide_a_key_or_end_a_string() {
        assert_eq!(mask(r#"{"\u0073ecret":"x"}"#), r#"{"\u0073ecret":"***"}"#);
        assert_eq!(
            mask(r#"{"description":"a \"token\": here","token":"t"}"#),
            r#"{"description":"a \"token\": here","token":"***"}"#
        );
    }

    #[test]
    fn anything_else_passes_unharmed() {
        for text in [
            "",
            "not json at all",
            "ünïcödé {",
            "[1,2",
            "}}]]",
            "\"",
            "\\",
        ] {
            let _ = mask(text);
        }
        assert_eq!(mask("ünïcödé: ok"), "ünïcödé: ok");
    }
}

//! JSON request bodies: the content type they must declare, the object they must be, and
//! refusals in the API's words rather than the parser's.

use axum::{
    extract::Request,
    http::{header, HeaderMap},
};
use provisio_core::text;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use super::{error::ApiError, read::signed_bytes};
use crate::{config::Profile, AppState};

/// Reads, verifies (see `signed_bytes`) and deserialises a JSON object body.
pub(super) async fn read_json<T: DeserializeOwned + Serialize>(
    req: Request,
    state: &AppState,
    signature_required: bool,
) -> Result<T, ApiError> {
    let (parts, body) = req.into_parts();
    let declared = check_content_type(&parts.headers, state.config.profile)?;
    let limit = state.config.body_limit;
    let bytes = signed_bytes(
        &parts,
        body,
        state,
        limit,
        "The request body",
        signature_required,
    )
    .await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "The request body is empty; a JSON object is required.",
        ));
    }
    json_object(&bytes, declared)
}

/// Like [`read_json`], for a body that may also be empty (`T::default()`): bunq's clients send
/// none, or an encrypted empty one, to the PAN and CVC2 routes. Its Content-Type is not
/// checked, as before; what it holds passes the same check as every JSON body.
pub(super) async fn read_optional_json<T: DeserializeOwned + Serialize + Default>(
    req: Request,
    state: &AppState,
) -> Result<T, ApiError> {
    let (parts, body) = req.into_parts();
    let limit = state.config.body_limit;
    let bytes = signed_bytes(&parts, body, state, limit, "The request body", false).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    json_object(&bytes, Declared::Unsaid)
}

/// The one check every JSON body passes: valid JSON, an object (an array, a string, a number
/// or `null` is refused, never read as one), the typed body's fields, and no array read as an
/// object inside.
fn json_object<T: DeserializeOwned + Serialize>(
    bytes: &[u8],
    declared: Declared,
) -> Result<T, ApiError> {
    let value = match (serde_json::from_slice::<serde_json::Value>(bytes), declared) {
        (Ok(value), _) => value,
        // curl's -d sends JSON as a form, fetch as text; dev takes it when it is JSON, else
        // says what is wrong.
        (Err(_), Declared::Form(value)) => return Err(unsupported_type(&value)),
        (Err(err), _) => return Err(json_syntax_error(&err)),
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        ));
    }
    let typed: T = serde_path_to_error::deserialize(&value).map_err(|err| {
        let field = field_name(&err.path().to_string());
        ApiError::bad_request(body_error(&field, &err.into_inner().to_string()))
    })?;
    // serde also reads an object from an array (`"pointer": ["EMAIL", "a@b.nl"]`), in field
    // order: a client that sent one made a mistake, so say so instead of guessing. The typed
    // body written back shows where objects were read.
    if let Some(path) = serde_json::to_value(&typed)
        .ok()
        .and_then(|read| array_for_object(&value, &read, ""))
    {
        return Err(ApiError::bad_request(format!(
            "{} must be an object.",
            field_name(&path)
        )));
    }
    Ok(typed)
}

/// The path of the first place where `input` has an array and `read` (the typed body written
/// back) an object.
fn array_for_object(input: &Value, read: &Value, path: &str) -> Option<String> {
    match (input, read) {
        (Value::Array(_), Value::Object(_)) => Some(path.to_owned()),
        (Value::Object(given), Value::Object(read)) => read.iter().find_map(|(key, value)| {
            let inner = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            array_for_object(given.get(key)?, value, &inner)
        }),
        (Value::Array(given), Value::Array(read)) => given
            .iter()
            .zip(read)
            .enumerate()
            .find_map(|(i, (given, read))| array_for_object(given, read, &format!("{path}[{i}]"))),
        _ => None,
    }
}

fn json_syntax_error(err: &serde_json::Error) -> ApiError {
    ApiError::bad_request(match err.classify() {
        serde_json::error::Category::Eof => {
            "The request body is not valid JSON: it ends too early."
        }
        _ => "The request body is not valid JSON.",
    })
}

/// A path such as `notification_filters[0].category`, as a client may safely be shown it.
fn field_name(path: &str) -> String {
    let clean = path.chars().count() <= text::MAX_ECHO && text::check_text("", path).is_ok();
    if clean {
        path.to_owned()
    } else {
        text::quoted(path)
    }
}

/// serde's wording (``missing field `url` ``, ``invalid type: integer `1`, expected a
/// string``) in the API's: "url is required.", "status must be a string.". The input itself
/// is not repeated.
fn body_error(field: &str, serde_message: &str) -> String {
    let named = |name: &str| {
        if field == "." {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        }
    };
    let between = |text: &str| text.split('`').nth(1).map(str::to_owned);
    if let Some(rest) = serde_message.strip_prefix("missing field ") {
        let name = between(rest).unwrap_or_default();
        return format!("{} is required.", field_name(&named(&name)));
    }
    if let Some(rest) = serde_message.strip_prefix("unknown field ") {
        let name = between(rest).unwrap_or_default();
        return format!("unknown field {}.", text::quoted(&named(&name)));
    }
    if let Some(rest) = serde_message.strip_prefix("duplicate field ") {
        let name = between(rest).unwrap_or_default();
        return format!("{} is given twice.", field_name(&named(&name)));
    }
    let expected = serde_message
        .rsplit_once(", expected ")
        .map(|(_, expected)| expected);
    match expected {
        Some(expected) if field != "." => format!("{field} must be {}.", kind_of(expected)),
        _ => "The request body does not have the expected fields.".to_owned(),
    }
}

/// What serde expected, in words a client understands.
fn kind_of(expected: &str) -> &'static str {
    let integer = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "isize", "usize",
    ];
    match expected {
        e if e.contains("string") || e.contains("char") => "a string",
        e if integer.contains(&e) => "an integer",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        e if e.starts_with("a sequence") || e.starts_with("tuple") => "a list",
        e if e.starts_with("struct") || e.starts_with("a map") => "an object",
        _ => "of another type",
    }
}

/// What the request said its body is.
enum Declared {
    Json,
    /// No Content-Type.
    Unsaid,
    /// `application/x-www-form-urlencoded`, curl's default for `-d`, or `text/plain`, what
    /// `fetch` sends for a string body when the code names no type (`dev` only): taken when
    /// the body is JSON after all.
    Form(String),
}

/// A JSON body may say so, or say nothing: bunq takes a body without Content-Type, and its
/// Python SDK sends none on any call (`api_client.py`), so `strict` takes it too. A body that
/// declares another type is refused, except curl's form default and `fetch`'s `text/plain`,
/// which `dev` forgives.
fn check_content_type(headers: &HeaderMap, profile: Profile) -> Result<Declared, ApiError> {
    match headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) {
        Some(Ok(value)) if is_json(value) => Ok(Declared::Json),
        None => Ok(Declared::Unsaid),
        Some(Ok(value)) if profile == Profile::Dev && dev_forgives(value) => {
            Ok(Declared::Form(value.to_owned()))
        }
        Some(Ok(value)) => Err(unsupported_type(value)),
        Some(Err(_)) => Err(ApiError::bad_request(
            "Content-Type is not readable text; send application/json.",
        )),
    }
}

fn unsupported_type(value: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Content-Type {} is not supported here; send application/json.",
        text::quoted(value)
    ))
}

fn dev_forgives(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|mime| {
        let mime = mime.trim();
        mime.eq_ignore_ascii_case("application/x-www-form-urlencoded")
            || mime.eq_ignore_ascii_case("text/plain")
    })
}

fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::{array_for_object, body_error, dev_forgives, field_name, is_json};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Filter {
        category: String,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        url: String,
        count: Option<i64>,
        filters: Option<Vec<Filter>>,
    }

    fn message(json: &str) -> String {
        let value: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
        match serde_path_to_error::deserialize::<_, Body>(value) {
            Ok(body) => format!("accepted: {body:?}"),
            Err(err) => body_error(
                &field_name(&err.path().to_string()),
                &err.into_inner().to_string(),
            ),
        }
    }

    #[test]
    fn serde_wording_becomes_the_apis() {
        assert_eq!(message("{}"), "url is required.");
        assert_eq!(message(r#"{"url":1}"#), "url must be a string.");
        assert_eq!(message(r#"{"url":null}"#), "url must be a string.");
        assert_eq!(
            message(r#"{"url":"x","count":"3"}"#),
            "count must be an integer."
        );
        assert_eq!(
            message(r#"{"url":"x","filters":{}}"#),
            "filters must be a list."
        );
        assert_eq!(
            message(r#"{"url":"x","filters":[7]}"#),
            "filters[0] must be an object."
        );
        assert_eq!(
            message(r#"{"url":"x","filters":[{}]}"#),
            "filters[0].category is required."
        );
        assert_eq!(
            message(r#"{"url":"x","filters":[{"category":false}]}"#),
            "filters[0].category must be a string."
        );
    }

    #[test]
    fn arrays_read_as_objects_are_found() {
        let check =
            |input: serde_json::Value, read: serde_json::Value| array_for_object(&input, &read, "");
        let pointer = serde_json::json!({"type": "EMAIL", "value": "a@b.nl"});
        assert_eq!(
            check(
                serde_json::json!({"pointer": ["EMAIL", "a@b.nl"]}),
                serde_json::json!({"pointer": pointer})
            ),
            Some("pointer".to_owned())
        );
        assert_eq!(
            check(
                serde_json::json!({"filters": [{"category": "X"}, ["Y"]]}),
                serde_json::json!({"filters": [{"category": "X"}, {"category": "Y"}]})
            ),
            Some("filters[1]".to_owned())
        );
        assert_eq!(
            check(
                serde_json::json!({"pointer": pointer, "products": ["A"]}),
                serde_json::json!({"pointer": pointer, "products": ["A"]})
            ),
            None
        );
    }

    #[test]
    fn json_content_types() {
        assert!(dev_forgives("application/x-www-form-urlencoded"));
        assert!(dev_forgives("text/plain;charset=UTF-8"));
        assert!(!dev_forgives("multipart/form-data"));
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/jsonp"));
    }
}

//! Just enough JSON Schema to check provisio's answers against its own OpenAPI description: the
//! keywords the description uses. Any other keyword is an error, so a schema this does not
//! understand can never pass by being ignored.

use serde_json::{Map, Value};

/// Every operation: `(method, path, operation)`.
pub fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            found.push((method, path.clone(), op));
        }
    }
    found
}

/// The schema of the JSON answer with `status` to `method` at `path`.
pub fn response_schema(doc: &Value, method: &str, path: &str, status: u16) -> Value {
    let responses = &doc["paths"][path][method]["responses"];
    let response = responses
        .get(status.to_string())
        .unwrap_or(&responses["default"]);
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status}: no JSON schema"
    );
    schema.clone()
}

/// Checks `value` against `schema`; the error says where and why it does not match.
pub fn validate(doc: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    check(doc, schema, value, "$")
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{at}: nothing is allowed here")),
        Value::Object(map) => map,
        other => return Err(format!("{at}: {other} is not a schema")),
    };
    for (keyword, argument) in schema {
        match keyword.as_str() {
            "description" | "format" | "summary" => {}
            "$ref" => {
                let name = argument
                    .as_str()
                    .unwrap_or_default()
                    .trim_start_matches("#/components/schemas/");
                let target = doc["components"]["schemas"]
                    .get(name)
                    .ok_or_else(|| format!("{at}: $ref {name} does not resolve"))?;
                check(doc, target, value, at)?;
            }
            "type" => {
                let names: Vec<&str> = match argument {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                if !names.iter().any(|n| type_matches(n, value)) {
                    return Err(format!("{at}: {value} is not of type {argument}"));
                }
            }
            "required" => {
                if let Some(object) = value.as_object() {
                    for name in argument.as_array().into_iter().flatten() {
                        let name = name.as_str().unwrap_or_default();
                        if !object.contains_key(name) {
                            return Err(format!("{at}: {name} is missing"));
                        }
                    }
                }
            }
            "properties" => properties(doc, argument, value, at)?,
            "additionalProperties" => {
                if let (Some(object), Some(known)) = (value.as_object(), schema.get("properties")) {
                    for (name, v) in object
                        .iter()
                        .filter(|(n, _)| known.get(n.as_str()).is_none())
                    {
                        check(doc, argument, v, &format!("{at}.{name}"))?;
                    }
                } else if let Some(object) = value.as_object() {
                    for (name, v) in object {
                        check(doc, argument, v, &format!("{at}.{name}"))?;
                    }
                }
            }
            "propertyNames" => {
                for name in value.as_object().map(Map::keys).into_iter().flatten() {
                    check(
                        doc,
                        argument,
                        &Value::String(name.clone()),
                        &format!("{at} key"),
                    )?;
                }
            }
            "items" => array_items(doc, schema, argument, value, at)?,
            "prefixItems" => {
                for (i, (s, v)) in argument
                    .as_array()
                    .into_iter()
                    .flatten()
                    .zip(value.as_array().into_iter().flatten())
                    .enumerate()
                {
                    check(doc, s, v, &format!("{at}[{i}]"))?;
                }
            }
            "minItems" | "maxItems" => {
                if let (Some(items), Some(bound)) = (value.as_array(), argument.as_u64()) {
                    let n = items.len() as u64;
                    if (keyword == "minItems" && n < bound) || (keyword == "maxItems" && n > bound)
                    {
                        return Err(format!("{at}: {n} items breaks {keyword} {bound}"));
                    }
                }
            }
            "minimum" | "maximum" => {
                if let (Some(n), Some(bound)) = (value.as_f64(), argument.as_f64()) {
                    if (keyword == "minimum" && n < bound) || (keyword == "maximum" && n > bound) {
                        return Err(format!("{at}: {n} breaks {keyword} {bound}"));
                    }
                }
            }
            "oneOf" => {
                let options = argument.as_array().cloned().unwrap_or_default();
                let matching = options
                    .iter()
                    .filter(|s| check(doc, s, value, at).is_ok())
                    .count();
                if matching != 1 {
                    return Err(format!("{at}: {value} matches {matching} of oneOf, not 1"));
                }
            }
            "allOf" => {
                for s in argument.as_array().into_iter().flatten() {
                    check(doc, s, value, at)?;
                }
            }
            "not" => {
                if check(doc, argument, value, at).is_ok() {
                    return Err(format!("{at}: {value} matches a `not`"));
                }
            }
            other => return Err(format!("{at}: the keyword {other} is not understood here")),
        }
    }
    Ok(())
}

fn properties(doc: &Value, argument: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let (Some(object), Some(schemas)) = (value.as_object(), argument.as_object()) {
        for (name, s) in schemas {
            if let Some(v) = object.get(name) {
                check(doc, s, v, &format!("{at}.{name}"))?;
            }
        }
    }
    Ok(())
}

/// `items` applies to the elements after `prefixItems`.
fn array_items(
    doc: &Value,
    schema: &Map<String, Value>,
    argument: &Value,
    value: &Value,
    at: &str,
) -> Result<(), String> {
    let skip = schema
        .get("prefixItems")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    for (i, v) in value
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .skip(skip)
    {
        check(doc, argument, v, &format!("{at}[{i}]"))?;
    }
    Ok(())
}

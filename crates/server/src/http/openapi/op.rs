//! [`Op`]: what one operation takes and answers, rendered into an OpenAPI operation object.
//!
//! Schemas are never written here: a body names its wire type (`body::<T>()`, which brings
//! `T`'s derived schema into the document) and an answer names the [`provisio_wire::Item`]
//! variants it holds, whose schemas are derived from the wire types too.

use serde_json::{json, Map, Value};
use utoipa::{
    openapi::{RefOr, Schema},
    ToSchema,
};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Anyone (`POST /v1/installation`, the health probes, this description).
    Public,
    /// `X-Bunq-Client-Authentication: <installation token>`.
    Installation,
    /// `X-Bunq-Client-Authentication: <session token>`.
    Session,
    /// `Authorization: Bearer <admin token>` (the operator API).
    Admin,
}

/// Adds a type's schema, and those it refers to, to the document's components.
pub(super) type Collect = fn(&mut Vec<(String, RefOr<Schema>)>);

#[derive(Debug, Clone)]
enum Body {
    None,
    /// A JSON body of this component; `signed`: `X-Bunq-Client-Signature` is required.
    Json {
        schema: String,
        signed: bool,
    },
    /// Raw bytes of one of these content types (an attachment).
    Raw(&'static [&'static str]),
}

#[derive(Debug, Clone)]
enum Answer {
    /// `{"Response":[...]}` whose elements are any of these `Item` variants.
    Items(Vec<&'static str>),
    /// `{"Response":[...]}` with exactly these `Item` variants in this order.
    Sequence(Vec<&'static str>),
    /// A JSON object of this component, not in bunq's envelope (the health probes).
    Plain(String),
    /// This JSON value: the document itself.
    Document,
    /// Text or bytes of these content types.
    Bytes(&'static [&'static str]),
}

/// A query parameter: its name, what it does, and whether it is an integer.
#[derive(Debug, Clone, Copy)]
struct Query {
    name: &'static str,
    description: &'static str,
    integer: bool,
}

/// The description of one operation. Start with [`Op::new`]; the defaults are a session-token
/// call without body answering `{"Response":[]}`.
#[derive(Debug, Clone)]
pub struct Op {
    summary: &'static str,
    auth: Auth,
    body: Body,
    answer: Answer,
    paged: bool,
    query: Vec<Query>,
    /// Served only in the sandbox environment (bunq's developer sandbox routes).
    sandbox_only: bool,
    /// Refusals are RFC 6749's `{"error","error_description"}` (the OAuth token endpoint) as
    /// well as bunq's envelope (what the layers in front of the handler answer).
    oauth_errors: bool,
    /// Served only in the dev profile (the built-in webhook sink).
    dev_only: bool,
    pub(super) schemas: Vec<Collect>,
}

fn collect<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}

impl Op {
    pub fn new(summary: &'static str) -> Op {
        Op {
            summary,
            auth: Auth::Session,
            body: Body::None,
            answer: Answer::Items(Vec::new()),
            paged: false,
            query: Vec::new(),
            sandbox_only: false,
            oauth_errors: false,
            dev_only: false,
            schemas: Vec::new(),
        }
    }

    pub fn auth(mut self, auth: Auth) -> Op {
        self.auth = auth;
        self
    }

    /// Who may call it.
    pub fn caller(&self) -> Auth {
        self.auth
    }

    /// Served only in the sandbox environment: in production the route answers as one that
    /// does not exist, and the description leaves it out.
    /// See `oauth_errors`.
    pub fn oauth_errors(mut self) -> Op {
        self.oauth_errors = true;
        self
    }

    pub fn sandbox_only(mut self) -> Op {
        self.sandbox_only = true;
        self
    }

    pub fn is_sandbox_only(&self) -> bool {
        self.sandbox_only
    }

    /// Served only in the dev profile: elsewhere the route answers as one that does not
    /// exist, and the description leaves it out.
    pub fn dev_only(mut self) -> Op {
        self.dev_only = true;
        self
    }

    pub fn is_dev_only(&self) -> bool {
        self.dev_only
    }

    /// A JSON body of type `T`; its signature is checked when sent.
    pub fn body<T: ToSchema>(mut self) -> Op {
        self.body = Body::Json {
            schema: T::name().into_owned(),
            signed: false,
        };
        self.schemas.push(collect::<T>);
        self
    }

    /// A JSON body of type `T` that must be signed (`SignedJson`).
    pub fn signed_body<T: ToSchema>(self) -> Op {
        let mut op = self.body::<T>();
        if let Body::Json { signed, .. } = &mut op.body {
            *signed = true;
        }
        op
    }

    /// Raw bytes of one of `content_types`.
    pub fn raw_body(mut self, content_types: &'static [&'static str]) -> Op {
        self.body = Body::Raw(content_types);
        self
    }

    /// Answers `{"Response":[...]}` with any number of these `Item` variants.
    pub fn answers(mut self, items: &[&'static str]) -> Op {
        self.answer = Answer::Items(items.to_vec());
        self
    }

    /// Answers `{"Response":[...]}` with exactly these `Item` variants, in this order.
    pub fn answers_in_order(mut self, items: &[&'static str]) -> Op {
        self.answer = Answer::Sequence(items.to_vec());
        self
    }

    /// Answers a bare JSON object of type `T`.
    pub fn answers_plain<T: ToSchema>(mut self) -> Op {
        self.answer = Answer::Plain(T::name().into_owned());
        self.schemas.push(collect::<T>);
        self
    }

    /// Answers the OpenAPI document.
    pub fn answers_document(mut self) -> Op {
        self.answer = Answer::Document;
        self
    }

    /// Answers text or bytes of one of `content_types`.
    pub fn answers_bytes(mut self, content_types: &'static [&'static str]) -> Op {
        self.answer = Answer::Bytes(content_types);
        self
    }

    /// A bunq list: `count`, `older_id`, `newer_id` and a `Pagination` beside `Response`.
    pub fn paged(mut self) -> Op {
        self.paged = true;
        self
    }

    /// A text query parameter (a filter).
    pub fn query(mut self, name: &'static str, description: &'static str) -> Op {
        self.query.push(Query {
            name,
            description,
            integer: false,
        });
        self
    }

    /// An integer query parameter.
    pub fn query_integer(mut self, name: &'static str, description: &'static str) -> Op {
        self.query.push(Query {
            name,
            description,
            integer: true,
        });
        self
    }

    /// The `Item` variants this operation names (the test checks each exists).
    #[cfg(test)]
    pub fn item_names(&self) -> &[&'static str] {
        match &self.answer {
            Answer::Items(names) | Answer::Sequence(names) => names,
            _ => &[],
        }
    }

    /// The OpenAPI operation object for `method` at `path` (OpenAPI's `{name}` templates).
    pub fn render(&self, method: &str, path: &str, items: &Map<String, Value>) -> Value {
        let mut parameters: Vec<Value> = path_parameters(path);
        if self.paged {
            parameters.extend(paging_parameters());
        }
        parameters.extend(self.query.iter().map(|q| {
            let schema = if q.integer {
                json!({"type": "integer", "format": "int64", "minimum": 0})
            } else {
                json!({"type": "string"})
            };
            json!({"name": q.name, "in": "query", "required": false,
                   "description": q.description, "schema": schema})
        }));
        parameters.extend(self.header_parameters());
        let mut operation = json!({
            "operationId": operation_id(method, path),
            "summary": self.summary,
            "tags": [tag(path)],
            "parameters": parameters,
            "responses": {
                "200": self.success(items),
                "default": self.refusal()
            },
            "security": security(self.auth),
        });
        if let Some(body) = self.request_body() {
            operation["requestBody"] = body;
        }
        operation
    }

    fn refusal(&self) -> Value {
        let envelope = json!({"$ref": "#/components/schemas/ErrorEnvelope"});
        if !self.oauth_errors {
            return json!({
                "description": "A refusal or failure: bunq's error envelope.",
                "content": {"application/json": {"schema": envelope}}
            });
        }
        let oauth = json!({"type": "object", "required": ["error"], "properties": {
            "error": {"type": "string"}, "error_description": {"type": "string"}}});
        json!({
            "description": "A refusal: RFC 6749's error, or bunq's envelope for a failure.",
            "content": {"application/json": {"schema": {"anyOf": [oauth, envelope]}}}
        })
    }

    fn header_parameters(&self) -> Vec<Value> {
        let mut headers = Vec::new();
        if matches!(self.auth, Auth::Installation | Auth::Session | Auth::Public)
            && !matches!(self.answer, Answer::Plain(_) | Answer::Document)
        {
            headers.push(
                json!({"name": "X-Bunq-Client-Request-Id", "in": "header", "required": false,
                "description": "Echoed in the response.", "schema": {"type": "string"}}),
            );
        }
        if matches!(self.body, Body::Json { .. } | Body::Raw(_))
            && matches!(self.auth, Auth::Installation | Auth::Session)
        {
            let signed = matches!(self.body, Body::Json { signed: true, .. });
            headers.push(json!({"name": "X-Bunq-Client-Signature", "in": "header",
                "required": signed,
                "description": "Base64 RSA-SHA256 (PKCS#1 v1.5) signature of the exact body bytes with the installation's key; verified whenever sent.",
                "schema": {"type": "string"}}));
        }
        if matches!(self.body, Body::Raw(_)) {
            headers.push(
                json!({"name": "X-Bunq-Attachment-Description", "in": "header", "required": false,
                "description": "A description of the attachment.", "schema": {"type": "string"}}),
            );
        }
        headers
    }

    fn request_body(&self) -> Option<Value> {
        match &self.body {
            Body::None => None,
            Body::Json { schema, .. } => Some(json!({
                "required": true,
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}
            })),
            Body::Raw(types) => {
                let content: Map<String, Value> = types
                    .iter()
                    .map(|t| {
                        (
                            t.to_string(),
                            json!({"schema": {"type": "string", "format": "binary"}}),
                        )
                    })
                    .collect();
                Some(json!({"required": true, "content": content}))
            }
        }
    }

    fn success(&self, items: &Map<String, Value>) -> Value {
        let item = |name: &str| {
            items.get(name).cloned().unwrap_or_else(
                || json!({"not": {}, "description": format!("{name} is not an Item variant")}),
            )
        };
        let envelope = |array: Value| {
            let mut properties = json!({"Response": array});
            let mut required = vec!["Response"];
            if self.paged {
                properties["Pagination"] = json!({"$ref": "#/components/schemas/Pagination"});
                required.push("Pagination");
            }
            json!({"type": "object", "required": required, "properties": properties})
        };
        let (content_types, schema): (Vec<&str>, Value) = match &self.answer {
            Answer::Items(names) if names.is_empty() => (
                vec!["application/json"],
                envelope(json!({"type": "array", "maxItems": 0})),
            ),
            Answer::Items(names) if names.len() == 1 => (
                vec!["application/json"],
                envelope(json!({"type": "array", "items": item(names[0])})),
            ),
            Answer::Items(names) => (
                vec!["application/json"],
                envelope(
                    json!({"type": "array", "items": {"oneOf": names.iter().map(|n| item(n)).collect::<Vec<_>>()}}),
                ),
            ),
            Answer::Sequence(names) => (
                vec!["application/json"],
                envelope(
                    json!({"type": "array", "prefixItems": names.iter().map(|n| item(n)).collect::<Vec<_>>(),
                    "items": false, "minItems": names.len()}),
                ),
            ),
            Answer::Plain(schema) => (
                vec!["application/json"],
                json!({"$ref": format!("#/components/schemas/{schema}")}),
            ),
            Answer::Document => (vec!["application/json"], json!({"type": "object"})),
            Answer::Bytes(types) => (types.to_vec(), json!({"type": "string"})),
        };
        let content: Map<String, Value> = content_types
            .into_iter()
            .map(|t| (t.to_owned(), json!({"schema": schema.clone()})))
            .collect();
        let mut response = json!({"description": "Success.", "content": content});
        if self.auth != Auth::Admin && !matches!(self.answer, Answer::Plain(_) | Answer::Document) {
            response["headers"] = json!({
                "X-Bunq-Server-Signature": {"description": "Base64 RSA-SHA256 signature of the body with the server's key (the installation's ServerPublicKey).",
                    "schema": {"type": "string"}},
                "X-Bunq-Client-Response-Id": {"description": "Identifies this response.", "schema": {"type": "string"}}
            });
        }
        response
    }
}

/// `{user_id}` and friends: positive integer ids, except a scenario's `{name}`.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let schema = if name == "name" {
                json!({"type": "string"})
            } else {
                json!({"type": "integer", "format": "int64", "minimum": 1})
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect()
}

fn paging_parameters() -> Vec<Value> {
    vec![
        json!({"name": "count", "in": "query", "required": false,
               "description": "Items per page (default 10).",
               "schema": {"type": "integer", "minimum": 1, "maximum": provisio_core::model::MAX_PAGE_COUNT}}),
        json!({"name": "older_id", "in": "query", "required": false,
               "description": "Items older than this id (not with newer_id).",
               "schema": {"type": "integer", "format": "int64", "minimum": 0}}),
        json!({"name": "newer_id", "in": "query", "required": false,
               "description": "Items newer than this id (not with older_id).",
               "schema": {"type": "integer", "format": "int64", "minimum": 0}}),
    ]
}

fn security(auth: Auth) -> Value {
    match auth {
        Auth::Public => json!([]),
        Auth::Installation => json!([{"installationToken": []}]),
        Auth::Session => json!([{"sessionToken": []}]),
        Auth::Admin => json!([{"adminToken": []}]),
    }
}

/// `POST /v1/user/{user_id}/oauth-client` → `post_v1_user_user_id_oauth_client`: unique per
/// operation, readable, and stable while the route is.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_ascii_lowercase();
    for part in path.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !part.is_empty() {
            id.push('_');
            id.push_str(part);
        }
    }
    id
}

fn tag(path: &str) -> &'static str {
    if path.starts_with("/_provisio") {
        "provisio operator API"
    } else {
        "bunq Partner API"
    }
}

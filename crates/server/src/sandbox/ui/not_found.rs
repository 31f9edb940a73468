//! Any dashboard URL no page answers: the dashboard's 404 (signed in; signed out, the login).

use axum::{extract::Path, response::Response};

use crate::ui::{layout, session::Operator};

pub async fn page(operator: Operator, Path(rest): Path<String>) -> Response {
    let shown: String = rest.chars().take(200).collect();
    layout::missing(
        &operator,
        &format!("There is no dashboard page at /_provisio/ui/{shown}."),
    )
}

//! A bunq route provisio does not implement is told from a typo: "provisio does not implement
//! this bunq route yet" against "The requested route does not exist.", both 404 in bunq's
//! envelope, signed as every `/v1` answer.

use provisio_client::Request;
use reqwest::Method;

use crate::helpers::*;

const NOT_IMPLEMENTED: &str = "provisio does not implement this bunq route yet";
const NO_SUCH_ROUTE: &str = "The requested route does not exist.";

for_each_backend! { TestApp::spawn =>
    async fn bunq_routes_not_implemented_are_told_from_typos(app: TestApp) {
        let token = app.client().await.context().await.map(|c| c.session_token).unwrap_or_default();
        let get = |path: &str| Request::new(Method::GET, path).token(&token);
        let user = app.partner_id;
        for path in [
            format!("/v1/user/{user}/monetary-account/1/whitelist-sdd"),
            format!("/v1/user/{user}/monetary-account-savings"),
            format!("/v1/user/{user}/limit"),
            "/v1/server-error".to_owned(),
            "/v1/attachment-public/3f2c1a9e-0000-4000-8000-000000000000/avatar".to_owned(),
        ] {
            let reply = app.send(get(&path)).await;
            assert_error(&reply, &app.server_key, 404, NOT_IMPLEMENTED);
        }
        for path in [
            format!("/v1/user/{user}/monetary-acount"),
            format!("/v1/user/{user}/monetary-account/1/whitelist-sd"),
            "/v1/user/me/limit".to_owned(),
            "/v1/no-such-thing".to_owned(),
            "/whitelist-sdd".to_owned(),
        ] {
            let reply = app.send(get(&path)).await;
            assert_error(&reply, &app.server_key, 404, NO_SUCH_ROUTE);
        }
        // A route provisio serves, with a method it does not: still the method's refusal.
        let reply = app.send(Request::new(Method::DELETE, "/v1/session-server")).await;
        assert_error(&reply, &app.server_key, 405, "not allowed");
    }
}

//! Public attachments and avatars over real HTTP: an image uploaded signed, read back by any
//! session byte for byte; what is not an image, or not signed, refused; an avatar of it.

use provisio_client::{wire::Item, Request, Signing};
use reqwest::Method;

use crate::{accounts::active_user, helpers::*};

/// A 2×1 PNG header: enough for its type and its size.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x02\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn uuid_of(items: &[Item]) -> String {
    match items {
        [Item::Uuid(u)] => u.uuid.clone(),
        other => panic!("not one Uuid: {other:?}"),
    }
}

for_each_backend! { TestApp::spawn =>
    async fn a_public_image_round_trips_and_makes_an_avatar(app: TestApp) {
        let (partner, user, _, _) = active_user(&app).await;
        let uploaded = user.upload("/v1/attachment-public", "image/png", Some("Logo"), PNG.to_vec())
            .await.unwrap_or_else(|e| panic!("{e}"));
        let uuid = uuid_of(&uploaded.response);

        // Public: the partner's session reads the user's upload.
        let read = partner.get(&format!("/v1/attachment-public/{uuid}")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::AttachmentPublic(a)] = read.response.as_slice() else { panic!("{read:?}") };
        assert_eq!((a.uuid.as_str(), a.attachment.description.as_deref(), a.attachment.content_type.as_str()), (uuid.as_str(), Some("Logo"), "image/png"));
        assert_eq!(a.attachment.urls[0].url, format!("{}/v1/attachment-public/{uuid}/content", app.base_url));
        let (content_type, bytes) = partner.download(&format!("/v1/attachment-public/{uuid}/content")).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((content_type.as_str(), bytes.as_ref()), ("image/png", PNG));
        let missing = partner.get("/v1/attachment-public/00000000-0000-0000-0000-000000000000").await.err();
        assert_eq!(missing.and_then(|e| e.status()), Some(404));

        // Not an image, not what it claims, or unsigned (an empty body is unsigned too): refused,
        // nothing stored.
        for (content_type, body, text) in [
            ("application/pdf", b"%PDF-1.7\n".to_vec(), "not supported for a public attachment"),
            ("image/jpeg", PNG.to_vec(), "not image/jpeg"),
        ] {
            let err = user.upload("/v1/attachment-public", content_type, None, body).await.err();
            assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{content_type}");
            assert!(err.as_ref().and_then(|e| e.description()).is_some_and(|d| d.contains(text)), "{err:?} lacks {text}");
        }
        let token = user.context().await.map(|c| c.session_token).unwrap_or_default();
        let unsigned = app.send(Request::new(Method::POST, "/v1/attachment-public").token(token)
            .content_type(Some("image/png")).body(PNG.to_vec()).signing(Signing::Unsigned)).await;
        assert_error(&unsigned, &app.server_key, 466, "signature is required");
        let stored = app.database().row_counts().await.get("public_attachments").copied();
        assert_eq!(stored, Some(1), "only the first upload");

        // An avatar of it, read by anyone, with the image's size.
        let made = user.post("/v1/avatar", &serde_json::json!({"attachment_public_uuid": uuid})).await.unwrap_or_else(|e| panic!("{e}"));
        let avatar = uuid_of(&made.response);
        let read = partner.get(&format!("/v1/avatar/{avatar}")).await.unwrap_or_else(|e| panic!("{e}"));
        let [Item::Avatar(a)] = read.response.as_slice() else { panic!("{read:?}") };
        assert_eq!((a.uuid.as_str(), a.anchor_uuid.as_str()), (avatar.as_str(), avatar.as_str()));
        let image = &a.image[0];
        assert_eq!((image.attachment_public_uuid.as_str(), image.content_type.as_str(), image.width, image.height), (uuid.as_str(), "image/png", 2, 1));
        let unknown = user.post("/v1/avatar", &serde_json::json!({"attachment_public_uuid": "nope"})).await.err();
        assert_eq!(unknown.and_then(|e| e.status()), Some(404));
        let empty = user.post("/v1/avatar", &serde_json::json!({})).await.err();
        assert_eq!(empty.and_then(|e| e.status()), Some(400));
    }
}

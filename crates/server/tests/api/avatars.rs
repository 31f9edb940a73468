//! `avatar_uuid` over real HTTP (issue 25): accounts (`POST`/`PUT` of `monetary-account-bank`
//! and `monetary-account-external`) and users (`PUT /user-person/{id}`, `PUT
//! /user-company/{id}`) show the avatar set, with its image; an avatar uuid no avatar has is
//! refused with 400 and changes nothing; removing the avatar's owner puts every account and
//! user that showed it back on its default.

use provisio_client::{
    wire::{accounts::MonetaryAccountRequest, objects::Avatar, Item},
    Client,
};
use reqwest::Method;
use serde_json::json;

use crate::{
    accounts::{active_user, bank, external},
    cards::ok,
    helpers::*,
    sandbox_users::{connect, create, me},
};

/// A 2×1 PNG header: enough for its type and its size.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x02\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

const UNKNOWN: &str = "00000000-0000-0000-0000-000000000000";

/// A new avatar of `client`'s, and the uuid of the public attachment it shows.
async fn new_avatar(client: &Client) -> (String, String) {
    let uploaded = ok(client
        .upload(
            "/v1/attachment-public",
            "image/png",
            Some("Logo"),
            PNG.to_vec(),
        )
        .await);
    let [Item::Uuid(image)] = uploaded.response.as_slice() else {
        panic!("{uploaded:?}")
    };
    let made = ok(client
        .post("/v1/avatar", &json!({"attachment_public_uuid": image.uuid}))
        .await);
    let [Item::Uuid(avatar)] = made.response.as_slice() else {
        panic!("{made:?}")
    };
    (avatar.uuid.clone(), image.uuid.clone())
}

/// The avatar `avatar` (made of the image `image`) as an account or a user shows it.
fn assert_shows(shown: &Avatar, (avatar, image): &(String, String), base_url: &str) {
    assert_eq!(
        (shown.uuid.as_str(), shown.anchor_uuid.as_str()),
        (avatar.as_str(), avatar.as_str())
    );
    let [picture] = shown.image.as_slice() else {
        panic!("{shown:?}")
    };
    assert_eq!(picture["attachment_public_uuid"], image.as_str());
    assert_eq!(picture["content_type"], "image/png");
    assert_eq!(
        (&picture["width"], &picture["height"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(
        picture["urls"][0]["url"],
        format!("{base_url}/v1/attachment-public/{image}/content")
    );
}

/// The default avatar: the owner's `public_uuid`, no image.
fn assert_default(shown: &Avatar, public_uuid: &str) {
    assert_eq!(
        (shown.uuid.as_str(), shown.image.len()),
        (public_uuid, 0),
        "{shown:?}"
    );
}

fn account_avatar(item: &Item) -> &Avatar {
    match item {
        Item::MonetaryAccountBank(a) => &a.avatar,
        Item::MonetaryAccountExternal(a) => &a.account.avatar,
        other => panic!("{other:?}"),
    }
}

fn account_uuid(item: &Item) -> &str {
    match item {
        Item::MonetaryAccountBank(a) => &a.public_uuid,
        Item::MonetaryAccountExternal(a) => &a.account.public_uuid,
        other => panic!("{other:?}"),
    }
}

async fn one(client: &Client, path: &str) -> Item {
    let mut items = ok(client.get(path).await).response;
    assert_eq!(items.len(), 1, "{items:?}");
    items.remove(0)
}

fn user_avatar(item: &Item) -> (&Avatar, &str) {
    match item {
        Item::UserPerson(u) => (&u.avatar, &u.public_uuid),
        Item::UserCompany(u) => (&u.avatar, &u.public_uuid),
        other => panic!("{other:?}"),
    }
}

fn with_avatar(body: MonetaryAccountRequest, avatar: &str) -> MonetaryAccountRequest {
    MonetaryAccountRequest {
        avatar_uuid: Some(avatar.into()),
        ..body
    }
}

fn id_of(items: &[Item]) -> i64 {
    match items {
        [Item::Id(id)] => id.id,
        other => panic!("{other:?}"),
    }
}

/// A 400 naming the unknown avatar, in bunq's envelope.
fn assert_unknown_avatar(err: Option<provisio_client::ClientError>) {
    assert_eq!(err.as_ref().and_then(|e| e.status()), Some(400), "{err:?}");
    let text = err
        .as_ref()
        .and_then(|e| e.description())
        .unwrap_or_default();
    assert!(
        text.contains("Avatar not found") && text.contains(UNKNOWN),
        "{text}"
    );
}

for_each_backend! { TestApp::spawn =>
    async fn accounts_show_the_avatar_they_are_given(app: TestApp) {
        let alice = connect(&app, &create(&app, "/v1/sandbox-user-person").await).await;
        let Item::UserPerson(me_) = me(&alice).await else { panic!() };
        let user = me_.id;
        let (first, second) = (new_avatar(&alice).await, new_avatar(&alice).await);

        // Opened with one: every read shows it, the list and the generic route too.
        let opened = ok(alice.post(&format!("/v1/user/{user}/monetary-account-bank"), &with_avatar(bank("EUR", "Savings"), &first.0)).await);
        let id = id_of(&opened.response);
        for path in [format!("/v1/user/{user}/monetary-account-bank/{id}"), format!("/v1/user/{user}/monetary-account/{id}")] {
            assert_shows(account_avatar(&one(&alice, &path).await), &first, &app.base_url);
        }
        let listed = ok(alice.get(&format!("/v1/user/{user}/monetary-account-bank")).await).response;
        let main = listed.iter().find(|a| !matches!(a, Item::MonetaryAccountBank(b) if b.id == id)).unwrap_or_else(|| panic!("{listed:?}"));
        assert_default(account_avatar(main), account_uuid(main));
        let savings = listed.iter().find(|a| matches!(a, Item::MonetaryAccountBank(b) if b.id == id)).unwrap_or_else(|| panic!("{listed:?}"));
        assert_shows(account_avatar(savings), &first, &app.base_url);

        // Changed with PUT, alone in the body.
        let path = format!("/v1/user/{user}/monetary-account-bank/{id}");
        ok(alice.put(&path, &json!({"avatar_uuid": second.0})).await);
        assert_shows(account_avatar(&one(&alice, &path).await), &second, &app.base_url);

        // An avatar no one made: 400, and nothing changes (nor is an account opened).
        let before = app.database().row_counts().await.get("monetary_accounts").copied();
        assert_unknown_avatar(alice.put(&path, &json!({"avatar_uuid": UNKNOWN, "description": "Renamed"})).await.err());
        let now = one(&alice, &path).await;
        assert_shows(account_avatar(&now), &second, &app.base_url);
        let Item::MonetaryAccountBank(b) = &now else { panic!() };
        assert_eq!(b.description, "Savings");
        assert_unknown_avatar(alice.post(&format!("/v1/user/{user}/monetary-account-bank"), &with_avatar(bank("EUR", "X"), UNKNOWN)).await.err());
        assert_eq!(app.database().row_counts().await.get("monetary_accounts").copied(), before);
        let malformed = alice.put(&path, &json!({"avatar_uuid": ""})).await.err();
        assert_eq!(malformed.and_then(|e| e.status()), Some(400));

        // An external account takes one as well, opening and changing.
        let opened = ok(alice.post(&format!("/v1/user/{user}/monetary-account-external"), &with_avatar(external("GBP"), &first.0)).await);
        let ext = id_of(&opened.response);
        let path = format!("/v1/user/{user}/monetary-account-external/{ext}");
        assert_shows(account_avatar(&one(&alice, &path).await), &first, &app.base_url);
        ok(alice.put(&path, &json!({"avatar_uuid": second.0})).await);
        assert_shows(account_avatar(&one(&alice, &path).await), &second, &app.base_url);

        // The partner of a provisioned user sets the user's account's avatar too.
        let (partner, provisioned, key, _) = active_user(&app).await;
        let mine = new_avatar(&partner).await;
        let opened = ok(provisioned.post(&format!("/v1/user/{key}/monetary-account-bank"), &with_avatar(bank("EUR", "Own"), &mine.0)).await);
        let own = id_of(&opened.response);
        assert_shows(account_avatar(&one(&partner, &format!("/v1/user/{key}/monetary-account-bank/{own}")).await), &mine, &app.base_url);
    }

    async fn users_show_the_avatar_they_are_given(app: TestApp) {
        // A sandbox person, with PUT /user-person/{id} and only avatar_uuid.
        let alice = connect(&app, &create(&app, "/v1/sandbox-user-person").await).await;
        let Item::UserPerson(person) = me(&alice).await else { panic!() };
        let picture = new_avatar(&alice).await;
        let answered = ok(alice.put(&format!("/v1/user-person/{}", person.id), &json!({"avatar_uuid": picture.0})).await);
        assert_eq!(id_of(&answered.response), person.id);
        for path in ["/v1/user".to_owned(), format!("/v1/user/{}", person.id), format!("/v1/user-person/{}", person.id)] {
            assert_shows(user_avatar(&one(&alice, &path).await).0, &picture, &app.base_url);
        }
        // A person is no company: 404, as its GET.
        let wrong = alice.put(&format!("/v1/user-company/{}", person.id), &json!({"avatar_uuid": picture.0})).await.err();
        assert_eq!(wrong.and_then(|e| e.status()), Some(404));
        // The session's answer shows it too.
        let again = alice.renew_session().await.unwrap_or_else(|e| panic!("{e}"));
        let user_item = again.session.response.last().unwrap_or_else(|| panic!("{again:?}"));
        assert_shows(user_avatar(user_item).0, &picture, &app.base_url);

        // A sandbox company, with PUT /user-company/{id}; an unknown avatar changes nothing.
        let acme = connect(&app, &create(&app, "/v1/sandbox-user-company").await).await;
        let Item::UserCompany(company) = me(&acme).await else { panic!() };
        assert_unknown_avatar(acme.put(&format!("/v1/user-company/{}", company.id), &json!({"avatar_uuid": UNKNOWN})).await.err());
        let (shown, public_uuid) = (user_avatar(&me(&acme).await).0.clone(), company.public_uuid.clone());
        assert_default(&shown, &public_uuid);
        let nothing = acme.put(&format!("/v1/user-company/{}", company.id), &json!({})).await.err();
        assert_eq!(nothing.and_then(|e| e.status()), Some(400));
        let logo = new_avatar(&acme).await;
        ok(acme.put(&format!("/v1/user-company/{}", company.id), &json!({"avatar_uuid": logo.0})).await);
        assert_shows(user_avatar(&me(&acme).await).0, &logo, &app.base_url);

        // A provisioned user (through its UserApiKey) and its partner's company: the key shows
        // both, each its own.
        let (partner, user, key, _) = active_user(&app).await;
        let face = new_avatar(&user).await;
        ok(user.put(&format!("/v1/user-person/{key}"), &json!({"avatar_uuid": face.0})).await);
        let partner_id = ok(partner.context().await).user_id;
        let brand = new_avatar(&partner).await;
        ok(partner.put(&format!("/v1/user-company/{partner_id}"), &json!({"avatar_uuid": brand.0})).await);
        let Item::UserApiKey(k) = one(&user, "/v1/user").await else { panic!() };
        let (provisio_client::wire::objects::AnyUser::UserPerson(granted), provisio_client::wire::objects::AnyUser::UserCompany(requested)) = (&k.granted_by_user, &k.requested_by_user) else { panic!("{k:?}") };
        assert_shows(&granted.avatar, &face, &app.base_url);
        assert_shows(&requested.avatar, &brand, &app.base_url);
    }

    async fn a_removed_partner_takes_its_avatars_along(app: TestApp) {
        let alice_key = create(&app, "/v1/sandbox-user-person").await;
        let alice = connect(&app, &alice_key).await;
        let bob = connect(&app, &create(&app, "/v1/sandbox-user-person").await).await;
        let Item::UserPerson(a) = me(&alice).await else { panic!() };
        let Item::UserPerson(b) = me(&bob).await else { panic!() };
        // Avatars are public: Bob shows Alice's on his account and on himself.
        let hers = new_avatar(&alice).await;
        let opened = ok(bob.post(&format!("/v1/user/{}/monetary-account-bank", b.id), &with_avatar(bank("EUR", "Shared"), &hers.0)).await);
        let account = format!("/v1/user/{}/monetary-account-bank/{}", b.id, id_of(&opened.response));
        ok(bob.put(&format!("/v1/user-person/{}", b.id), &json!({"avatar_uuid": hers.0})).await);
        ok(alice.put(&format!("/v1/user-person/{}", a.id), &json!({"avatar_uuid": hers.0})).await);
        assert_shows(account_avatar(&one(&bob, &account).await), &hers, &app.base_url);

        let removed = operator(&app, Method::DELETE, &format!("/_provisio/partners/{}", a.id), None).await;
        assert_eq!(removed.status, 200, "{}", String::from_utf8_lossy(&removed.body));
        let counts = app.database().row_counts().await;
        assert_eq!((counts.get("avatars").copied(), counts.get("public_attachments").copied()), (Some(0), Some(0)));
        let shown = one(&bob, &account).await;
        assert_default(account_avatar(&shown), account_uuid(&shown));
        let me_now = me(&bob).await;
        let (avatar, public_uuid) = user_avatar(&me_now);
        assert_default(avatar, public_uuid);
        let gone = bob.get(&format!("/v1/avatar/{}", hers.0)).await.err();
        assert_eq!(gone.and_then(|e| e.status()), Some(404));
    }
}

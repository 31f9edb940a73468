//! Public attachments (`AttachmentPublic`) and avatars (`Avatar`) as bunq renders them, and
//! the `Uuid` a creation answers.

use provisio_core::public_attachment::{Avatar, PublicAttachment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    kyc::{AttachmentObject, AttachmentUrl},
    objects,
    time::ts,
};

/// `{"Uuid":{"uuid":"…"}}`: what creating a public attachment or an avatar answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UuidObject {
    pub uuid: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttachmentPublicObject {
    pub uuid: String,
    pub created: String,
    pub updated: String,
    pub attachment: AttachmentObject,
}

/// `a`, whose bytes `url` serves.
pub fn attachment_public(a: &PublicAttachment, url: String) -> AttachmentPublicObject {
    AttachmentPublicObject {
        uuid: a.uuid.clone(),
        created: ts(a.created),
        updated: ts(a.created),
        attachment: AttachmentObject {
            description: a.description.clone(),
            content_type: a.content_type.clone(),
            urls: vec![AttachmentUrl {
                kind: "ORIGINAL".into(),
                url,
            }],
        },
    }
}

/// One image of an avatar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AvatarImage {
    pub attachment_public_uuid: String,
    pub content_type: String,
    pub height: u32,
    pub width: u32,
    pub urls: Vec<AttachmentUrl>,
}

/// bunq's `Avatar`, with the image it was made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AvatarObject {
    pub uuid: String,
    pub anchor_uuid: String,
    pub image: Vec<AvatarImage>,
}

/// `avatar`, its image served at `url`.
pub fn avatar(avatar: &Avatar, url: String) -> AvatarObject {
    AvatarObject {
        uuid: avatar.uuid.clone(),
        anchor_uuid: avatar.uuid.clone(),
        image: vec![image(avatar, url)],
    }
}

fn image(avatar: &Avatar, url: String) -> AvatarImage {
    AvatarImage {
        attachment_public_uuid: avatar.attachment.uuid.clone(),
        content_type: avatar.attachment.content_type.clone(),
        height: avatar.height,
        width: avatar.width,
        urls: vec![AttachmentUrl {
            kind: "ORIGINAL".into(),
            url,
        }],
    }
}

/// `avatar` as an account or a user shows it in its `avatar` field (set with `avatar_uuid`):
/// the avatar's uuid and its image, as `GET /avatar/{uuid}` answers them.
pub fn shown_avatar(avatar: &Avatar, url: String) -> objects::Avatar {
    objects::Avatar {
        uuid: avatar.uuid.clone(),
        anchor_uuid: avatar.uuid.clone(),
        image: serde_json::to_value(image(avatar, url))
            .into_iter()
            .collect(),
    }
}

/// `POST /avatar`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AvatarRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_public_uuid: Option<String>,
}

//! Public attachments (bunq `AttachmentPublic`) and avatars (`Avatar`): images anyone with a
//! session may read, uploaded once and named by a UUID; an avatar points at one of them.

use crate::{attachment::check_upload, model::UserId, time::Timestamp, DomainError};

/// The types a public attachment may be: images only (an avatar is drawn).
pub const IMAGE_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/gif"];

/// Checks an upload as `attachment::check_upload` does (declared type, non-empty, content of
/// that type), then refuses what is not an image.
pub fn check_public_upload(declared: Option<&str>, content: &[u8]) -> Result<String, DomainError> {
    let declared_type = declared
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if let Some(t) = declared_type.filter(|t| !IMAGE_TYPES.contains(&t.as_str())) {
        return Err(DomainError::invalid(format!(
            "Content-Type {} is not supported for a public attachment; send image/png, image/jpeg or image/gif.",
            crate::text::quoted(&t)
        )));
    }
    check_upload(declared, content)
}

/// A public attachment as stored (its bytes apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAttachment {
    pub uuid: String,
    pub user_id: UserId,
    pub content_type: String,
    pub description: Option<String>,
    pub created: Timestamp,
}

/// An avatar: a UUID of its own for an image, and the image's size in pixels (read from its
/// header when the avatar was made; 0×0 if it says none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    pub uuid: String,
    pub attachment: PublicAttachment,
    pub width: u32,
    pub height: u32,
    pub created: Timestamp,
}

/// The longest `avatar_uuid` taken (a UUID is 36 characters).
pub const MAX_AVATAR_UUID: usize = 64;

/// An `avatar_uuid` as sent with an account or a user: trimmed, not empty, at most
/// [`MAX_AVATAR_UUID`] characters of letters, digits and dashes. Whether an avatar has it is
/// the store's to say, in the write that sets it.
pub fn parse_avatar_uuid(value: &str) -> Result<String, DomainError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(
            "avatar_uuid is empty; send the uuid POST /v1/avatar answered.",
        ));
    }
    if value.chars().count() > MAX_AVATAR_UUID
        || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(DomainError::invalid(format!(
            "avatar_uuid {} is not an avatar's uuid; send the uuid POST /v1/avatar answered.",
            crate::text::quoted(value)
        )));
    }
    Ok(value.to_owned())
}

/// The refusal of an `avatar_uuid` no avatar has (400, as bunq refuses an unknown avatar).
pub fn avatar_not_found(uuid: &str) -> String {
    format!(
        "Avatar not found: no avatar has the uuid {}; make one with POST /v1/avatar.",
        crate::text::quoted(uuid)
    )
}

/// An image's width and height in pixels, read from its header (PNG, GIF, JPEG); `None` when
/// the header does not say.
pub fn dimensions(content: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes([
            *content.get(i)?,
            *content.get(i + 1)?,
        ])))
    };
    if content.starts_with(b"\x89PNG") {
        let be32 = |i: usize| -> Option<u32> {
            Some(u32::from_be_bytes(content.get(i..i + 4)?.try_into().ok()?))
        };
        return Some((be32(16)?, be32(20)?));
    }
    if content.starts_with(b"GIF") {
        let le16 = |i: usize| -> Option<u32> {
            Some(u32::from(u16::from_le_bytes([
                *content.get(i)?,
                *content.get(i + 1)?,
            ])))
        };
        return Some((le16(6)?, le16(8)?));
    }
    // JPEG: walk the segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
    let mut i = 2;
    while i + 9 < content.len() {
        if content[i] != 0xFF {
            return None;
        }
        let marker = content[i + 1];
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            return Some((be16(i + 7)?, be16(i + 5)?));
        }
        i += 2 + usize::try_from(be16(i + 2)?).ok()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 PNG, the smallest real one.
    pub const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn images_only_and_their_size() {
        assert_eq!(dimensions(PNG), Some((3, 2)));
        assert_eq!(dimensions(b"GIF89a\x05\x00\x07\x00"), Some((5, 7)));
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03, 0, 0,
        ];
        assert_eq!(dimensions(&jpeg), Some((32, 16)));
        assert_eq!(dimensions(b"nothing"), None);
        assert!(check_public_upload(Some("application/pdf"), b"%PDF-1.4").is_err());
        assert!(check_public_upload(None, PNG).is_err());
        assert!(
            check_public_upload(Some("image/jpeg"), PNG).is_err(),
            "a renamed file"
        );
        assert_eq!(
            check_public_upload(Some("image/png"), PNG).ok().as_deref(),
            Some("image/png")
        );
    }

    #[test]
    fn an_avatar_uuid_is_a_uuid_shaped_word() {
        let uuid = "3f1c7a0e-5b2d-4c1e-9a8b-0123456789ab";
        assert_eq!(
            parse_avatar_uuid(&format!(" {uuid} ")).ok().as_deref(),
            Some(uuid)
        );
        assert!(parse_avatar_uuid("  ").is_err());
        assert!(parse_avatar_uuid("../etc").is_err());
        assert!(parse_avatar_uuid(&"a".repeat(65)).is_err());
    }
}

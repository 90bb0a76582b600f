//! Photos uploaded with a request.
//!
//! An upload is checked and cleaned before it is stored: its type is read from
//! its content (never from the name or the browser's word), it must be a JPEG,
//! PNG or WebP image of at most [`MAX_BYTES`], and the metadata a phone writes
//! into it (EXIF, with the GPS position and the camera's owner; XMP; comments)
//! is removed, so the council keeps only the picture. It waits unclaimed until
//! the request is sent, when the case claims it in the same transaction;
//! uploads nobody claims are deleted after a day.

use img_parts::jpeg::{markers, Jpeg};
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};
use townhall_audit::{Action, Actor, AuditEvent, Outcome};
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{AttachmentId, CaseId, CouncilId, Timestamp, UserId};

/// The largest upload accepted: 10 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// How long an upload waits for its request to be sent before it is deleted.
const UNCLAIMED_FOR_HOURS: i64 = 24;

/// The image types accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
}

impl ImageType {
    /// Its media type, as served.
    pub fn media_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
        }
    }

    fn from_media_type(s: &str) -> Option<Self> {
        [ImageType::Jpeg, ImageType::Png, ImageType::Webp]
            .into_iter()
            .find(|t| t.media_type() == s)
    }
}

/// Why an upload was refused, worded for the person who chose the file.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Nothing was in the file.
    #[error("The selected file is empty")]
    Empty,
    /// The file is over [`MAX_BYTES`].
    #[error("The selected file must be smaller than 10 MB")]
    TooLarge,
    /// The content is not a JPEG, PNG or WebP image.
    #[error("The selected file must be a JPG, PNG or WebP photo")]
    NotAnImage,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stored photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its id.
    pub id: AttachmentId,
    /// The name of the file as uploaded (shown to staff, never trusted).
    pub filename: String,
    /// Its type, read from its content.
    pub image_type: ImageType,
    /// The cleaned image.
    pub content: Vec<u8>,
}

/// Reads the type of `bytes` from their content and removes the metadata, or
/// says why the file cannot be taken.
pub fn clean_photo(bytes: Vec<u8>) -> Result<(ImageType, Vec<u8>), UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(UploadError::TooLarge);
    }
    let bytes = Bytes::from(bytes);
    let (kind, cleaned) = match sniff(&bytes).ok_or(UploadError::NotAnImage)? {
        ImageType::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(bytes).map_err(|_| UploadError::NotAnImage)?;
            // APP1 holds EXIF and XMP, APP13 Photoshop's IPTC; COM is free text.
            jpeg.segments_mut()
                .retain(|s| !matches!(s.marker(), markers::APP1 | markers::APP13 | markers::COM));
            (ImageType::Jpeg, jpeg.encoder().bytes())
        }
        ImageType::Png => {
            let mut png = Png::from_bytes(bytes).map_err(|_| UploadError::NotAnImage)?;
            png.set_exif(None);
            png.chunks_mut()
                .retain(|c| !matches!(&c.kind(), b"tEXt" | b"zTXt" | b"iTXt" | b"tIME"));
            (ImageType::Png, png.encoder().bytes())
        }
        ImageType::Webp => {
            let mut webp = WebP::from_bytes(bytes).map_err(|_| UploadError::NotAnImage)?;
            webp.set_exif(None);
            webp.remove_chunks_by_id(*b"XMP ");
            (ImageType::Webp, webp.encoder().bytes())
        }
    };
    Ok((kind, cleaned.to_vec()))
}

/// The image type from the file's first bytes.
fn sniff(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageType::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageType::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageType::Webp)
    } else {
        None
    }
}

/// Checks, cleans and stores an upload, unclaimed, and deletes the council's
/// uploads that have waited longer than a day.
pub async fn upload(
    store: &Store,
    council: CouncilId,
    filename: &str,
    bytes: Vec<u8>,
    at: Timestamp,
) -> Result<AttachmentId, UploadError> {
    let (kind, content) = clean_photo(bytes)?;
    let id = AttachmentId::new();
    let name: String = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let mut tx = store.begin().await?;
    sql::query(
        "DELETE FROM attachments WHERE council_id = $1 AND case_id IS NULL AND created_at < $2",
    )
    .bind(council.to_string())
    .bind(at.plus(time::Duration::hours(-UNCLAIMED_FOR_HOURS)).to_db())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    sql::query(
        "INSERT INTO attachments (council_id, attachment_id, case_id, question_id, filename, \
         content_type, size, content, created_at) VALUES ($1, $2, NULL, NULL, $3, $4, $5, $6, $7)",
    )
    .bind(council.to_string())
    .bind(id.to_string())
    .bind(if name.is_empty() {
        "photo".to_owned()
    } else {
        name
    })
    .bind(kind.media_type())
    .bind(i64::try_from(content.len()).unwrap_or(i64::MAX))
    .bind(content)
    .bind(at.to_db())
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(id)
}

/// Whether `id` is an upload of this council that no case has claimed yet.
pub(crate) async fn unclaimed(
    tx: &mut Tx,
    council: CouncilId,
    id: &str,
) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = sql::query_as(
        "SELECT 1 FROM attachments WHERE council_id = $1 AND attachment_id = $2 AND case_id IS NULL",
    )
    .bind(council.to_string())
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// Gives the upload `id` to `case` as the answer to `question`; false when it
/// has meanwhile been claimed or deleted.
pub(crate) async fn claim(
    tx: &mut Tx,
    council: CouncilId,
    case: CaseId,
    question: &str,
    id: &str,
) -> Result<bool, StoreError> {
    let done = sql::query(
        "UPDATE attachments SET case_id = $3, question_id = $4 \
         WHERE council_id = $1 AND attachment_id = $2 AND case_id IS NULL",
    )
    .bind(council.to_string())
    .bind(id)
    .bind(case.to_string())
    .bind(question)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn fetch(
    executor: impl sql::Executor<'_, Database = sql::Any>,
    council: CouncilId,
    case: CaseId,
    id: AttachmentId,
    reporter: Option<UserId>,
) -> Result<Option<Attachment>, StoreError> {
    let row: Option<(String, String, Vec<u8>)> = sql::query_as(
        "SELECT a.filename, a.content_type, a.content FROM attachments a JOIN cases c \
         ON c.council_id = a.council_id AND c.case_id = a.case_id \
         WHERE a.council_id = $1 AND a.case_id = $2 AND a.attachment_id = $3 \
         AND ($4 = '' OR c.resident_id = $4)",
    )
    .bind(council.to_string())
    .bind(case.to_string())
    .bind(id.to_string())
    .bind(reporter.map(|r| r.to_string()).unwrap_or_default())
    .fetch_optional(executor)
    .await?;
    row.map(|(filename, media_type, content)| {
        Ok(Attachment {
            id,
            filename,
            image_type: ImageType::from_media_type(&media_type)
                .ok_or_else(|| StoreError::decode(format!("unknown media type {media_type}")))?,
            content,
        })
    })
    .transpose()
}

/// A photo of a case, for a member of staff allowed to open the case: the
/// read is recorded in the audit log in the same transaction.
pub async fn read_as(
    store: &Store,
    council: CouncilId,
    case: CaseId,
    id: AttachmentId,
    actor: Actor,
    actor_label: &str,
    purpose: &str,
) -> Result<Option<Attachment>, StoreError> {
    let mut tx = store.begin().await?;
    let Some(found) = fetch(&mut *tx, council, case, id, None).await? else {
        return Ok(None);
    };
    let (resident,): (Option<String>,) =
        sql::query_as("SELECT resident_id FROM cases WHERE council_id = $1 AND case_id = $2")
            .bind(council.to_string())
            .bind(case.to_string())
            .fetch_one(&mut *tx)
            .await?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent {
            council,
            actor,
            actor_label: actor_label.to_owned(),
            on_behalf_of: None,
            subject: resident,
            record: format!("case:{case}"),
            fields: vec![format!("attachments.{id}")],
            action: Action::Read,
            purpose: purpose.to_owned(),
            outcome: Outcome::Allowed,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(found))
}

/// A photo the resident sent with their own case (not one sent by someone
/// else whose report they follow).
pub async fn own(
    store: &Store,
    council: CouncilId,
    resident: UserId,
    case: CaseId,
    id: AttachmentId,
) -> Result<Option<Attachment>, StoreError> {
    fetch(store.reader(), council, case, id, Some(resident)).await
}

/// The photos of a case: id, question and file name, in upload order.
pub async fn list(
    store: &Store,
    council: CouncilId,
    case: CaseId,
) -> Result<Vec<(AttachmentId, String, String)>, StoreError> {
    let rows: Vec<(String, String, String)> = sql::query_as(
        "SELECT attachment_id, question_id, filename FROM attachments \
         WHERE council_id = $1 AND case_id = $2 ORDER BY attachment_id",
    )
    .bind(council.to_string())
    .bind(case.to_string())
    .fetch_all(store.reader())
    .await?;
    rows.into_iter()
        .map(|(id, question, filename)| {
            Ok((
                id.parse()
                    .map_err(|_| StoreError::decode("bad attachment id"))?,
                question,
                filename,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid PNG (one transparent pixel) with a text chunk added.
    fn png_with_text() -> Vec<u8> {
        let mut png = Png::from_bytes(Bytes::from_static(PIXEL_PNG)).unwrap();
        png.chunks_mut().insert(
            1,
            img_parts::png::PngChunk::new(*b"tEXt", Bytes::from_static(b"Author\0Jo Bloggs")),
        );
        png.encoder().bytes().to_vec()
    }

    const PIXEL_PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60,
        0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0x7A, 0x5E, 0xAB, 0x3F, 0x00, 0x00, 0x00, 0x00,
        0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn the_type_comes_from_the_content() {
        assert_eq!(sniff(PIXEL_PNG), Some(ImageType::Png));
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert!(matches!(
            clean_photo(b"<svg onload=alert(1)>".to_vec()),
            Err(UploadError::NotAnImage)
        ));
    }

    #[test]
    fn text_metadata_is_removed_and_the_image_kept() {
        let with_text = png_with_text();
        assert!(with_text.windows(9).any(|w| w == b"Jo Bloggs"));
        let (kind, cleaned) = clean_photo(with_text).unwrap();
        assert_eq!(kind, ImageType::Png);
        assert!(!cleaned.windows(9).any(|w| w == b"Jo Bloggs"));
        assert_eq!(cleaned, PIXEL_PNG);
    }

    #[test]
    fn exif_is_removed_from_jpeg() {
        let jpeg = tiny_jpeg_with_exif();
        assert!(jpeg.windows(6).any(|w| w == b"Exif\0\0"));
        let (kind, cleaned) = clean_photo(jpeg).unwrap();
        assert_eq!(kind, ImageType::Jpeg);
        assert!(!cleaned.windows(6).any(|w| w == b"Exif\0\0"));
        assert!(cleaned.starts_with(&[0xFF, 0xD8]), "{cleaned:02X?}");
        assert!(
            cleaned.ends_with(&[0x3F, 0, 0x12, 0x34, 0xFF, 0xD9]),
            "the scan is kept: {cleaned:02X?}"
        );
        assert!(!cleaned.windows(6).any(|w| w == b"Acacia"));
    }

    /// A structurally valid JPEG: SOI, an EXIF APP1, a comment, a scan and EOI.
    fn tiny_jpeg_with_exif() -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        let exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0";
        v.extend([0xFF, 0xE1, 0, (exif.len() + 2) as u8]);
        v.extend(exif);
        let comment = b"taken at 12 Acacia Avenue";
        v.extend([0xFF, 0xFE, 0, (comment.len() + 2) as u8]);
        v.extend(comment);
        v.extend([
            0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0x12, 0x34, 0xFF, 0xD9,
        ]);
        v
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert!(matches!(clean_photo(Vec::new()), Err(UploadError::Empty)));
        let mut big = PIXEL_PNG.to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert!(matches!(clean_photo(big), Err(UploadError::TooLarge)));
    }
}

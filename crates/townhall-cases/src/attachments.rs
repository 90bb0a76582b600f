//! Photos uploaded with a request.
//!
//! An upload is checked and rebuilt before it is stored: its type is read from
//! its content (never from the name or the browser's word), it must be a JPEG,
//! PNG or WebP image of at most [`MAX_BYTES`] and [`MAX_SIDE_PIXELS`] a side,
//! and it is decoded to pixels, turned the way its EXIF orientation says, and
//! encoded afresh. Nothing of the uploaded file but the picture survives: no
//! EXIF (with the GPS position and the camera's owner), XMP, comments, text
//! chunks, a motion photo's video, a Multi-Picture Format file's second image
//! or anything appended after the image's end. It waits unclaimed until the
//! request is sent, when the case claims it in the same transaction; uploads
//! nobody claims are deleted after a day.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_store::{sql, Store, StoreError, Tx};
use townhall_types::{AttachmentId, CaseId, CouncilId, Timestamp, UserId};

/// The largest upload accepted: 10 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The widest and tallest photo accepted, in pixels: more than any phone's
/// camera takes, far less than a decompression bomb declares.
pub const MAX_SIDE_PIXELS: u32 = 12_000;

/// The most memory decoding one photo may take: a 64-megapixel photo with
/// an alpha channel.
const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024 * 4;

/// The JPEG quality photos are stored at (libjpeg's scale, 1 to 100).
const JPEG_QUALITY: u8 = 85;

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

    fn format(self) -> ImageFormat {
        match self {
            ImageType::Jpeg => ImageFormat::Jpeg,
            ImageType::Png => ImageFormat::Png,
            ImageType::Webp => ImageFormat::WebP,
        }
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
    /// The picture is over [`MAX_SIDE_PIXELS`] a side, or would take more
    /// memory to open than a photo does.
    #[error("The selected photo must be at most 12,000 pixels wide and 12,000 pixels high")]
    TooManyPixels,
    /// The content is not a JPEG, PNG or WebP image.
    #[error("The selected file must be a JPG, PNG or WebP photo")]
    NotAnImage,
    /// It starts as an image but cannot be decoded.
    #[error(
        "The selected photo cannot be opened: it may be damaged. Save it again or choose another"
    )]
    Damaged,
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

/// Reads the type of `bytes` from their content and rebuilds the picture
/// from its pixels, or says why the file cannot be taken. PNGs stay PNGs
/// (lossless: screenshots and plans); JPEG and WebP photos are stored as
/// JPEG, since the image crate writes WebP only losslessly, which would make
/// a photo several times larger.
pub fn clean_photo(bytes: &[u8]) -> Result<(ImageType, Vec<u8>), UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(UploadError::TooLarge);
    }
    let uploaded = sniff(bytes).ok_or(UploadError::NotAnImage)?;
    let picture = decode(bytes, uploaded)?;
    let stored = match uploaded {
        ImageType::Png => ImageType::Png,
        ImageType::Jpeg | ImageType::Webp => ImageType::Jpeg,
    };
    let mut out = Vec::new();
    match stored {
        ImageType::Png => picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Png),
        _ => {
            let encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
            // JPEG has no transparency: flatten to RGB (or keep greyscale).
            let flat = if picture.color().has_color() {
                DynamicImage::ImageRgb8(picture.to_rgb8())
            } else {
                DynamicImage::ImageLuma8(picture.to_luma8())
            };
            flat.write_with_encoder(encoder)
        }
    }
    .map_err(|_| UploadError::Damaged)?;
    Ok((stored, out))
}

/// Decodes `bytes` as `kind` within the limits, turned upright.
fn decode(bytes: &[u8], kind: ImageType) -> Result<DynamicImage, UploadError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PIXELS);
    limits.max_image_height = Some(MAX_SIDE_PIXELS);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let refused = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => UploadError::TooManyPixels,
        _ => UploadError::Damaged,
    };
    let mut decoder = reader.into_decoder().map_err(refused)?;
    // A missing or unreadable orientation leaves the picture as it is stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refused)?;
    picture.apply_orientation(orientation);
    Ok(picture)
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
    // Decoding and encoding a photo takes a while: off the async workers.
    let (kind, content) = tokio::task::spawn_blocking(move || clean_photo(&bytes))
        .await
        .map_err(|_| UploadError::Damaged)??;
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
    conn: &mut sql::AnyConnection,
    council: CouncilId,
    id: &str,
) -> Result<bool, StoreError> {
    let found: Option<(i64,)> = sql::query_as(
        "SELECT 1 FROM attachments WHERE council_id = $1 AND attachment_id = $2 AND case_id IS NULL",
    )
    .bind(council.to_string())
    .bind(id)
    .fetch_optional(&mut *conn)
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
        &AuditEvent::new(
            council,
            (actor, actor_label),
            Action::Read,
            RecordRef::Case(case),
        )
        .about(resident)
        .fields([format!("attachments.{id}")])
        .purpose(purpose),
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
    use image::{GenericImageView, Rgb, RgbImage};

    /// A 4 × 2 picture: red on the left half, blue on the right.
    fn picture() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(4, 2, |x, _| {
            if x < 2 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        }))
    }

    fn encoded(format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        picture()
            .write_to(&mut Cursor::new(&mut out), format)
            .unwrap();
        out
    }

    /// `jpeg` with an EXIF APP1 segment after its start-of-image marker.
    fn with_exif(jpeg: &[u8], exif_body: &[u8]) -> Vec<u8> {
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend(exif_body);
        let mut v = jpeg[..2].to_vec();
        v.extend([0xFF, 0xE1]);
        v.extend(u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        v.extend(payload);
        v.extend(&jpeg[2..]);
        v
    }

    /// A big-endian TIFF header with one IFD entry: Orientation = `value`.
    fn orientation_tiff(value: u16) -> Vec<u8> {
        let mut t = b"MM\0*\0\0\0\x08".to_vec();
        t.extend(1u16.to_be_bytes());
        t.extend([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
        t.extend(value.to_be_bytes());
        t.extend([0, 0, 0, 0, 0, 0]);
        t
    }

    #[test]
    fn the_type_comes_from_the_content() {
        assert_eq!(sniff(&encoded(ImageFormat::Png)), Some(ImageType::Png));
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert!(matches!(
            clean_photo(b"<svg onload=alert(1)>"),
            Err(UploadError::NotAnImage)
        ));
        assert!(matches!(
            clean_photo(b"\x89PNG\r\n\x1a\n truncated"),
            Err(UploadError::Damaged)
        ));
    }

    #[test]
    fn the_picture_is_kept_and_its_orientation_applied() {
        let (kind, png) = clean_photo(&encoded(ImageFormat::Png)).unwrap();
        assert_eq!(kind, ImageType::Png);
        assert_eq!(image::load_from_memory(&png).unwrap(), picture());

        // Rotate 90° clockwise (EXIF orientation 6): 4 × 2 becomes 2 × 4.
        let jpeg = with_exif(&encoded(ImageFormat::Jpeg), &orientation_tiff(6));
        let (kind, cleaned) = clean_photo(&jpeg).unwrap();
        assert_eq!(kind, ImageType::Jpeg);
        assert!(!cleaned.windows(6).any(|w| w == b"Exif\0\0"));
        let upright = image::load_from_memory(&cleaned).unwrap().to_rgb8();
        assert_eq!(upright.dimensions(), (2, 4));
        let top = upright.get_pixel(0, 0);
        assert!(top[0] > 200 && top[2] < 60, "red is now on top: {top:?}");

        let (kind, from_webp) = clean_photo(&encoded(ImageFormat::WebP)).unwrap();
        assert_eq!(kind, ImageType::Jpeg, "WebP photos are stored as JPEG");
        assert_eq!(
            image::load_from_memory(&from_webp).unwrap().dimensions(),
            (4, 2)
        );
    }

    #[test]
    fn empty_oversized_and_enormous_files_are_refused() {
        assert!(matches!(clean_photo(&[]), Err(UploadError::Empty)));
        let mut big = encoded(ImageFormat::Png);
        big.resize(MAX_BYTES + 1, 0);
        assert!(matches!(clean_photo(&big), Err(UploadError::TooLarge)));
        let wide = DynamicImage::ImageLuma8(image::GrayImage::new(MAX_SIDE_PIXELS + 1, 1));
        let mut png = Vec::new();
        wide.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        assert!(matches!(clean_photo(&png), Err(UploadError::TooManyPixels)));
    }
}

//! Photos sent with a report: checked by their content, cleaned of metadata,
//! claimed by the case, and shown only to the team and the reporter.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use townhall_identity::Role;
use townhall_testkit::{csrf_of, TestServer, NOT_IN_PARISH};

use crate::accounts::{sign_in, sign_up};
use crate::casework::{staff_client, PASSWORD};

/// A one-pixel PNG carrying a text chunk with a name in it, as cameras and
/// editors write them.
pub fn png_naming(who: &str) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    // 1 x 1 pixel, 8-bit RGBA; one transparent pixel, deflated.
    let header = [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];
    let pixel = [
        0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01,
    ];
    for (kind, data) in [
        (b"IHDR", header.to_vec()),
        (b"tEXt", format!("Author\0{who}").into_bytes()),
        (b"IDAT", pixel.to_vec()),
        (b"IEND", Vec::new()),
    ] {
        png.extend((data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend(kind);
        png.extend(&data);
        let crc = crc32(&png[start..]);
        png.extend(crc.to_be_bytes());
    }
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The graffiti form's answers, but the photo.
fn graffiti_answers() -> Vec<(&'static str, String)> {
    vec![
        ("location-latitude", NOT_IN_PARISH.0.to_string()),
        ("location-longitude", NOT_IN_PARISH.1.to_string()),
        ("offensive", "no".into()),
        ("surface", "bridge".into()),
    ]
}

/// Sends the graffiti form as a browser does when a file is chosen.
async fn send_with_file(
    s: &TestServer,
    c: &reqwest::Client,
    fields: &[(&'static str, String)],
    file: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let token = csrf_of(&s.text(c, "/services/report-graffiti/start").await);
    let mut form = Form::new().text("csrf", token);
    for (k, v) in fields {
        form = form.text(*k, v.clone());
    }
    form = match file {
        Some((name, bytes)) => form.part("photo", Part::bytes(bytes).file_name(name.to_owned())),
        None => form.part("photo", Part::bytes(Vec::new()).file_name("")),
    };
    c.post(s.url("/services/report-graffiti/answers"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Sends the graffiti form's answers (a photo already uploaded among them).
async fn send_graffiti(
    s: &TestServer,
    c: &reqwest::Client,
    fields: &[(&'static str, String)],
) -> reqwest::Response {
    s.submit(
        c,
        "/services/report-graffiti/start",
        "/services/report-graffiti/submit",
        &townhall_testkit::as_fields(fields),
    )
    .await
}

/// The value of the hidden field `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("type=\"hidden\" name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("hidden field") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn files_that_are_not_photos_are_refused_against_the_photo_question() {
    let s = TestServer::start().await;
    let c = s.client();
    let form = s.text(&c, "/services/report-graffiti/start").await;
    assert!(form.contains("enctype=\"multipart/form-data\""));
    assert!(form.contains("type=\"file\" id=\"photo\" name=\"photo\""));

    let r = send_with_file(&s, &c, &graffiti_answers(), None).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("href=\"#photo\">Choose a photo of the graffiti to upload"));

    // A web page named like a photo is judged by what it is.
    let html = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let r = send_with_file(&s, &c, &graffiti_answers(), Some(("wall.jpg", html))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#photo\">The selected file must be a JPG, PNG or WebP photo"));
    assert!(
        page.contains("value=\"bridge\" checked"),
        "answers are kept"
    );

    let mut big = png_naming("x");
    big.resize(townhall_cases::attachments::MAX_BYTES + 1, 0);
    let r = send_with_file(&s, &c, &graffiti_answers(), Some(("big.png", big))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The selected file must be smaller than 10 MB"));

    // A request far over the limit is stopped before it is read.
    let huge = vec![0u8; townhall_cases::attachments::MAX_BYTES + 2 * 1024 * 1024];
    let r = send_with_file(&s, &c, &graffiti_answers(), Some(("huge.png", huge))).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // A multipart form without the CSRF token is refused like any other.
    let forged = Form::new().part("photo", Part::bytes(png_naming("x")).file_name("a.png"));
    let r = c
        .post(s.url("/services/report-graffiti/answers"))
        .multipart(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    assert_eq!(s.count("attachments").await, 0);
    assert_eq!(s.count("cases").await, 0);
}

#[tokio::test]
async fn a_photo_is_cleaned_kept_with_the_case_and_shown_only_to_those_allowed() {
    let s = TestServer::start().await;
    s.add_staff(
        "sam@testshire.example",
        "Sam Lee",
        Role::Caseworker,
        Some("Street Scene"),
        PASSWORD,
    )
    .await;
    s.add_staff(
        "tom@testshire.example",
        "Tom Okafor",
        Role::Caseworker,
        Some("Highways"),
        PASSWORD,
    )
    .await;
    let lizzy = s.client();
    sign_up(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
    sign_in(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;

    // Uploaded with the first answers; check your answers keeps it.
    let r = send_with_file(
        &s,
        &lizzy,
        &graffiti_answers(),
        Some(("IMG_2041.png", png_naming("Lizzy Parker"))),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let check = r.text().await.unwrap();
    assert!(check.contains("Check your answers"));
    assert!(check.contains("Photo uploaded"));
    let photo = hidden(&check, "photo");
    assert_eq!(s.count("attachments").await, 1);

    // Going back to change an answer keeps the photo and says so.
    let mut fields = graffiti_answers();
    fields.push(("photo", photo.clone()));
    fields.push(("photo-filename", "IMG_2041.png".into()));
    let mut changing = fields.clone();
    changing.push(("action", "change".into()));
    let r = send_with_file(&s, &lizzy, &changing, None).await;
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("You have uploaded IMG_2041.png"));

    let sent = send_graffiti(&s, &lizzy, &fields).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let (claimed,): (Option<String>,) =
        townhall_store::sql::query_as("SELECT case_id FROM attachments WHERE attachment_id = $1")
            .bind(&photo)
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert!(claimed.is_some(), "the case claimed the photo");

    // A photo can be claimed once: sending the same answers again is refused.
    let again = send_graffiti(&s, &lizzy, &fields).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("The photo could not be found. Upload it again"));
    assert_eq!(s.count("cases").await, 1);

    // The team sees it: an image, sandboxed, without the name it carried.
    let sam = staff_client(&s, "sam@testshire.example").await;
    let case_page = s.text(&sam, "/staff/cases/TES-000001").await;
    let link = format!("/staff/cases/TES-000001/photos/{photo}");
    assert!(case_page.contains(&format!("href=\"{link}\"")));
    let audited = s.count("audit_log").await;
    let r = sam.get(s.url(&link)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    let body = r.bytes().await.unwrap();
    assert!(body.starts_with(b"\x89PNG"));
    assert!(!body.windows(12).any(|w| w == b"Lizzy Parker"));
    assert_eq!(
        s.count("audit_log").await,
        audited + 1,
        "the view is audited"
    );
    let (fields,): (String,) =
        townhall_store::sql::query_as("SELECT fields FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_one(s.db.store.reader())
            .await
            .unwrap();
    assert!(fields.contains(&format!("attachments.{photo}")));

    // Another team does not.
    let tom = staff_client(&s, "tom@testshire.example").await;
    let r = tom.get(s.url(&link)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The reporter sees their own photo; another resident does not.
    let own = format!("/requests/TES-000001/photos/{photo}");
    assert!(s
        .text(&lizzy, "/requests/TES-000001")
        .await
        .contains(&format!("href=\"{own}\"")));
    let r = lizzy.get(s.url(&own)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let other = s.client();
    sign_up(&s, &other, "omar@mail.example", "another long password").await;
    sign_in(&s, &other, "omar@mail.example", "another long password").await;
    let r = other.get(s.url(&own)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn fly_tipping_is_reported_with_a_photo_and_hazards_go_to_environmental_health() {
    let s = TestServer::start().await;
    let c = s.client();
    let point = [
        ("location-latitude", NOT_IN_PARISH.0.to_string()),
        ("location-longitude", NOT_IN_PARISH.1.to_string()),
    ];
    let post = |fields: Vec<(&'static str, String)>, photo: Option<Vec<u8>>| {
        let s = &s;
        let c = &c;
        async move {
            let token = csrf_of(&s.text(c, "/services/report-fly-tipping/start").await);
            let mut form = Form::new().text("csrf", token);
            for (k, v) in fields {
                form = form.text(k, v);
            }
            if let Some(bytes) = photo {
                form = form.part("photo", Part::bytes(bytes).file_name("tip.png"));
            }
            c.post(s.url("/services/report-fly-tipping/answers"))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };

    // Nothing chosen: each question says what is missing.
    let r = post(point.to_vec(), None).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#what\">Select what has been dumped"));
    assert!(page.contains("href=\"#photo\">Choose a photo of the fly-tipping to upload"));

    let mut answers = point.to_vec();
    answers.extend([
        ("what", "bags".to_owned()),
        ("what", "hazardous".to_owned()),
        ("size", "van".to_owned()),
    ]);
    let r = post(answers.clone(), Some(png_naming("x"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let check = r.text().await.unwrap();
    assert!(
        check.contains("Black bags or household rubbish, Asbestos, chemicals, needles or drums")
    );
    answers.push(("photo", hidden(&check, "photo")));
    let sent = s
        .submit(
            &c,
            "/services/report-fly-tipping/start",
            "/services/report-fly-tipping/submit",
            &townhall_testkit::as_fields(&answers),
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let (team, reason): (String, String) = townhall_store::sql::query_as(
        "SELECT t.name, c.route_reason FROM cases c JOIN teams t \
         ON t.council_id = c.council_id AND t.team_id = c.team_id",
    )
    .fetch_one(s.db.store.reader())
    .await
    .unwrap();
    assert_eq!(team, "Environmental Health");
    assert!(reason.contains("rule 1"), "{reason}");
    assert_eq!(s.count("attachments").await, 1);
}

/// Everything planted in the files below carries this word.
const PLANTED: &[u8] = b"PLANTED";

/// A 64 × 48 picture in the given format, as a camera or editor wrote it.
fn picture(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, 128])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

/// `jpeg` with a segment (`marker`, `payload`) inserted after its start.
fn jpeg_with_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = jpeg[..2].to_vec();
    v.extend([0xFF, marker]);
    v.extend(u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    v.extend(payload);
    v.extend(&jpeg[2..]);
    v
}

/// An EXIF block (TIFF, big-endian) whose one ASCII entry holds `text`.
fn exif(text: &str) -> Vec<u8> {
    let mut e = b"Exif\0\0MM\0*\0\0\0\x08\0\x01".to_vec();
    let value = format!("{text}\0");
    // Tag 0x8825 would point at the GPS IFD; a description tag carries the text.
    e.extend([0x01, 0x0E, 0x00, 0x02]);
    e.extend(u32::try_from(value.len()).unwrap().to_be_bytes());
    e.extend(26u32.to_be_bytes());
    e.extend([0, 0, 0, 0]);
    e.extend(value.as_bytes());
    e
}

/// A phone's motion photo: a JPEG with EXIF (the position) and XMP naming
/// the video, the video appended after the image's end.
fn motion_photo() -> Vec<u8> {
    let jpeg = picture(image::ImageFormat::Jpeg);
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><rdf:Description GCamera:MotionPhoto=\"1\" note=\"PLANTED-XMP\"/></x:xmpmeta>";
    let mut v = jpeg_with_segment(&jpeg, 0xE1, xmp);
    v = jpeg_with_segment(&v, 0xE1, &exif("PLANTED-GPS 51.5072N 0.1276W"));
    v.extend(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom");
    v.extend(b"\0\0\0\x20mdatPLANTED-VIDEO-FRAMES");
    v.extend(exif("PLANTED-TRAILING-EXIF"));
    v
}

/// A Multi-Picture Format file: the first image with an MPF index in APP2,
/// the second image (carrying full EXIF) appended after the first's end.
fn mpf_jpeg() -> Vec<u8> {
    let second = jpeg_with_segment(
        &picture(image::ImageFormat::Jpeg),
        0xE1,
        &exif("PLANTED-SECOND-IMAGE-GPS 53.4808N 2.2426W"),
    );
    let mut index = b"MPF\0MM\0*\0\0\0\x08\0\x01".to_vec();
    index.extend([0xB0, 0x00, 0x00, 0x07, 0, 0, 0, 4]);
    index.extend(b"0100PLANTED-MPF-INDEX");
    let mut v = jpeg_with_segment(&picture(image::ImageFormat::Jpeg), 0xE2, &index);
    v.extend(second);
    v
}

/// A PNG chunk.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    c.extend(kind);
    c.extend(data);
    c.extend(crc32(&c[4..]).to_be_bytes());
    c
}

/// A PNG with EXIF, text and XMP chunks before its data, and more after
/// its end.
fn png_with_metadata() -> Vec<u8> {
    let png = picture(image::ImageFormat::Png);
    let after_header = 8 + 25;
    let mut v = png[..after_header].to_vec();
    v.extend(png_chunk(b"eXIf", &exif("PLANTED-PNG-EXIF")[6..]));
    v.extend(png_chunk(b"tEXt", b"Author\0PLANTED-PNG-AUTHOR"));
    v.extend(png_chunk(
        b"iTXt",
        b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>PLANTED-PNG-XMP</x:xmpmeta>",
    ));
    v.extend(&png[after_header..]);
    v.extend(b"PLANTED-PNG-TRAILER");
    v
}

/// A WebP with EXIF and XMP chunks inside its RIFF container and data after it.
fn webp_with_metadata() -> Vec<u8> {
    let mut v = picture(image::ImageFormat::WebP);
    for (id, data) in [
        (b"EXIF", exif("PLANTED-WEBP-EXIF")[6..].to_vec()),
        (b"XMP ", b"<x:xmpmeta>PLANTED-WEBP-XMP</x:xmpmeta>".to_vec()),
    ] {
        v.extend(id);
        v.extend(u32::try_from(data.len()).unwrap().to_le_bytes());
        v.extend(&data);
        if data.len() % 2 == 1 {
            v.push(0);
        }
    }
    let riff_size = u32::try_from(v.len() - 8).unwrap();
    v[4..8].copy_from_slice(&riff_size.to_le_bytes());
    v.extend(b"PLANTED-WEBP-TRAILER");
    v
}

/// A decompression bomb: a valid 20,000 × 20,000 PNG (400 megapixels of
/// black) in a few hundred kilobytes.
fn png_bomb() -> Vec<u8> {
    use std::io::Write as _;
    const SIDE: u32 = 20_000;
    let mut header = SIDE.to_be_bytes().to_vec();
    header.extend(SIDE.to_be_bytes());
    header.extend([1, 0, 0, 0, 0]); // 1-bit greyscale
    let row = vec![0u8; 1 + (SIDE as usize).div_ceil(8)];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..SIDE {
        z.write_all(&row).unwrap();
    }
    let data = z.finish().unwrap();
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend(png_chunk(b"IHDR", &header));
    v.extend(png_chunk(b"IDAT", &data));
    v.extend(png_chunk(b"IEND", &[]));
    v
}

#[tokio::test]
async fn nothing_of_an_uploaded_file_but_the_picture_is_kept() {
    let s = TestServer::start().await;
    let lizzy = s.client();
    sign_up(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
    sign_in(&s, &lizzy, "lizzy@mail.example", "kettle river jumper").await;
    let files = [
        ("PXL_20261130_motion.jpg", motion_photo(), "image/jpeg"),
        ("DSC_0042_mpf.jpg", mpf_jpeg(), "image/jpeg"),
        ("plan.png", png_with_metadata(), "image/png"),
        ("wall.webp", webp_with_metadata(), "image/jpeg"),
    ];
    for (n, (name, bytes, served_as)) in files.into_iter().enumerate() {
        assert!(bytes.windows(PLANTED.len()).any(|w| w == PLANTED));
        let r = send_with_file(&s, &lizzy, &graffiti_answers(), Some((name, bytes))).await;
        assert_eq!(r.status(), StatusCode::OK, "{name}");
        let photo = hidden(&r.text().await.unwrap(), "photo");
        let mut fields = graffiti_answers();
        fields.push(("photo", photo.clone()));
        let sent = send_graffiti(&s, &lizzy, &fields).await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER, "{name}");
        let link = format!("/requests/TES-{:06}/photos/{photo}", n + 1);
        let r = lizzy.get(s.url(&link)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{name}");
        assert_eq!(r.headers()["content-type"], served_as, "{name}");
        let served = r.bytes().await.unwrap();
        for planted in [PLANTED, b"Exif\0\0", b"ftyp", b"MPF\0", b"xmpmeta"] {
            assert!(
                !served.windows(planted.len()).any(|w| w == planted),
                "{name} still carries {:?}",
                String::from_utf8_lossy(planted)
            );
        }
        let picture = image::load_from_memory(&served).unwrap();
        assert_eq!((picture.width(), picture.height()), (64, 48), "{name}");
    }

    let r = send_with_file(
        &s,
        &lizzy,
        &graffiti_answers(),
        Some(("bomb.png", png_bomb())),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains(
        "href=\"#photo\">The selected photo must be at most 12,000 pixels wide and 12,000 pixels high"
    ));
    assert_eq!(s.count("attachments").await, 4);
}

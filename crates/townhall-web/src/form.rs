//! A posted form as fields and files, whether it came URL-encoded or, when it
//! carries a file, as `multipart/form-data`. Every field's text has passed
//! [`crate::text_input`] (URL-encoded bodies in its middleware, multipart
//! fields here).

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

use crate::error::AppError;

/// A URL-encoded form read into `T`, as `axum::Form` reads it, but refused
/// with a page that says what to do: what the form parser said (a field sent
/// twice, a value of the wrong kind) is for the log, not for people.
pub struct Form<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(e) => {
                tracing::info!(reason = %e.body_text(), "a form could not be read");
                Err(unreadable())
            }
        }
    }
}

/// A query string read into `T`, as `axum::extract::Query` reads it, but
/// refused with a page that says what to do (see [`Form`]).
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequestParts<S>
    for Query<T>
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(e) => {
                tracing::info!(reason = %e.body_text(), "an address's query could not be read");
                Err(AppError::BadRequest(
                    "The address of this page is not one it gives. Go back and follow the link again"
                        .into(),
                ))
            }
        }
    }
}

/// What a person is told of a form that could not be read: what the
/// parser said (a field sent twice, a body cut off) is for the log.
fn unreadable() -> AppError {
    AppError::BadRequest(
        "The form could not be read. Go back, refresh the page and fill it in again".into(),
    )
}

/// A file sent with a form. Empty file inputs (nothing chosen) are left out.
pub struct UploadedFile {
    /// The form field it came in.
    pub field: String,
    /// The name the browser gave it.
    pub filename: String,
    /// Its content, unchecked.
    pub bytes: Vec<u8>,
}

/// The fields of a form in order, and its files.
pub struct Posted {
    /// Each field's name and value, in the order sent.
    pub fields: Vec<(String, String)>,
    /// The files sent.
    pub files: Vec<UploadedFile>,
}

/// Why a posted form could not be read.
#[derive(Debug)]
pub enum FormError {
    /// Not a form, or cut off: what the parser said is logged.
    Unreadable,
    /// Over the upload limit.
    TooLarge,
    /// A field's text was refused by the gate.
    Refused(crate::text_input::Refused),
}

impl From<FormError> for AppError {
    fn from(e: FormError) -> Self {
        match e {
            FormError::Unreadable => unreadable(),
            FormError::TooLarge => AppError::TooLarge,
            FormError::Refused(r) => AppError::BadRequest(r.page_message()),
        }
    }
}

impl axum::response::IntoResponse for FormError {
    fn into_response(self) -> axum::response::Response {
        AppError::from(self).into_response()
    }
}

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = FormError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|_| FormError::Unreadable)?;
            return Ok(Posted {
                fields,
                files: Vec::new(),
            });
        }
        let mut form = Multipart::from_request(req, state).await.map_err(|e| {
            tracing::info!(reason = %e.body_text(), "a form could not be read");
            FormError::Unreadable
        })?;
        let mut posted = Posted {
            fields: Vec::new(),
            files: Vec::new(),
        };
        let broken = |e: axum::extract::multipart::MultipartError| match e.status() {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => FormError::TooLarge,
            _ => {
                tracing::info!(reason = %e.body_text(), "a form could not be read");
                FormError::Unreadable
            }
        };
        while let Some(part) = form.next_field().await.map_err(broken)? {
            let name = part.name().unwrap_or_default().to_owned();
            match part.file_name().map(str::to_owned) {
                Some(filename) => {
                    let bytes = part.bytes().await.map_err(broken)?;
                    if !(filename.is_empty() && bytes.is_empty()) {
                        posted.files.push(UploadedFile {
                            field: name,
                            filename,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => {
                    let text = part.text().await.map_err(broken)?;
                    let text = crate::text_input::clean(&name, &text)
                        .map_err(FormError::Refused)?
                        .into_owned();
                    posted.fields.push((name, text));
                }
            }
        }
        Ok(posted)
    }
}

//! Runs a command once per `Idempotency-Key` and replays its stored
//! response to every later request with that key: any create or command
//! endpoint (`POST /customers`; later `POST /invoices`, `.../finalize`)
//! gets the same guarantees by passing its work to [`once`].

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Serialize;
use shared_models::db::idempotency_keys::{self, NewIdempotencyKey, StoredResponse};

use super::Request;
use crate::error::ApiError;

/// What became of a request.
#[derive(Debug)]
pub enum Outcome<T> {
    /// Done by this request; the handler answers with it.
    Fresh(T),
    /// The response stored for an earlier request with the same key and body.
    Replayed { status: StatusCode, body: serde_json::Value },
}

impl<T> Outcome<T> {
    /// The response: `fresh` builds the one of a command done now (headers
    /// such as `Location` included); a replayed one is the stored status and
    /// body, marked `Idempotent-Replayed: true`.
    pub fn respond(self, fresh: impl FnOnce(T) -> HttpResponse) -> HttpResponse {
        match self {
            Outcome::Fresh(value) => fresh(value),
            Outcome::Replayed { status, body } => HttpResponse::build(status).insert_header(("Idempotent-Replayed", "true")).json(body),
        }
    }
}

/// The work [`once`] runs: an async closure over the transaction's
/// connection. The associated future is named so that it can be required to
/// be `Send`, as diesel-async's transactions need (an `AsyncFnOnce` bound
/// alone cannot say so on stable Rust); every async closure has it.
pub trait Command<'c, T>: FnOnce(&'c mut AsyncPgConnection) -> <Self as Command<'c, T>>::Fut {
    type Fut: Future<Output = Result<T, ApiError>>;
}

impl<'c, T, F, Fut> Command<'c, T> for F
where
    F: FnOnce(&'c mut AsyncPgConnection) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    type Fut = Fut;
}

/// Runs `command` in a transaction, unless `request`'s key was used before:
/// then the stored response is replayed (or, for another body,
/// `idempotency_key_reused`). The response to a fresh request with a key
/// (`success` and `T` as JSON) is stored in the same transaction, so it
/// exists exactly when the command's effects do. Without a key, the command
/// simply runs.
pub async fn once<T, F>(conn: &mut AsyncPgConnection, request: &Request, success: StatusCode, command: F) -> Result<Outcome<T>, ApiError>
where
    T: Serialize + Send,
    for<'c> F: AsyncFnOnce(&'c mut AsyncPgConnection) -> Result<T, ApiError> + Command<'c, T, Fut: Send> + Send,
{
    let response_status = i16::try_from(success.as_u16()).map_err(|e| ApiError::Internal(e.to_string()))?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if let Some(key) = &request.key {
                if let Some(stored) = idempotency_keys::find(conn, request.scope, key).await? {
                    return replay(stored, request, success);
                }
            }
            let value = command(conn).await?;
            if let Some(key) = &request.key {
                let body = serde_json::to_value(&value).map_err(|e| ApiError::Internal(e.to_string()))?;
                let row = NewIdempotencyKey {
                    scope: request.scope,
                    key,
                    request_hash: &request.fingerprint,
                    response_status,
                    response_body: &body,
                };
                idempotency_keys::insert(conn, row).await?;
            }
            Ok(Outcome::Fresh(value))
        })
        .await;

    match (outcome, &request.key) {
        (Ok(outcome), _) => Ok(outcome),
        // A twin request with the same key may have committed first (our
        // insert then lost on the primary key): answer as it did.
        (Err(error), Some(key)) => match idempotency_keys::find(conn, request.scope, key).await? {
            Some(stored) => replay(stored, request, success),
            None => Err(error),
        },
        (Err(error), None) => Err(error),
    }
}

/// The stored response, if it answered the same body.
fn replay<T>(stored: StoredResponse, request: &Request, success: StatusCode) -> Result<Outcome<T>, ApiError> {
    if stored.request_hash != request.fingerprint {
        return Err(ApiError::IdempotencyKeyReused);
    }
    // Every stored status was written from a StatusCode; `success` only
    // stands in for a row written by hand.
    let status = u16::try_from(stored.response_status).ok().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(success);
    Ok(Outcome::Replayed { status, body: stored.response_body })
}

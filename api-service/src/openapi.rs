//! The OpenAPI document and the Swagger UI.
//!
//! The paths and their schemas are collected from the handlers as
//! `routes::configure` registers them (utoipa-actix-web); this module adds
//! what they share: the description, the tags and the error responses.
//! The document is served at `/openapi.json` and Swagger UI, bundled into
//! the binary, at `/docs/`.

use actix_web::web;
use utoipa::openapi::OpenApi as Document;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ErrorBody;
use responses::*;

const DOCUMENT_PATH: &str = "/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "catalog-sync api-service",
        description = "The customer catalog, kept in sync with Stripe. Every change is committed together with its outbox \
                       message and relayed through RabbitMQ to the sync worker.\n\n\
                       Errors always have the shape `{\"error\": {\"code\", \"message\", \"field\"?}}`; `code` is one of \
                       the `ErrorCode` values and `field` names the input field at fault, when one is."
    ),
    tags(
        (name = "customers", description = "The customer catalog."),
        (name = "invoices", description = "The invoice catalog: each invoice bills one of our customers and is kept in sync \
                                           with a Stripe invoice, along Stripe's life cycle (draft, open, paid, uncollectible, void)."),
        (name = "sync", description = "How the sync with the integrations (Stripe) is going."),
        (name = "health", description = "Liveness and readiness."),
    ),
    components(
        schemas(ErrorBody),
        responses(
            InvalidJson,
            InvalidCreateRequest,
            InvalidQuery,
            NotFound,
            EmailTaken,
            AlreadyRunning,
            PayloadTooLarge,
            UnsupportedMediaType,
            ValidationFailed,
            CreateRejected,
            InvoiceRejected,
            CommandRejected,
            NotEditable,
            InvalidTransition,
            CustomerHasOpenInvoices,
            InternalError,
            Unavailable,
            Unauthorized,
            Forbidden,
        )
    )
)]
struct ApiDoc;

/// The document's parts not collected from the handlers.
pub fn base() -> Document {
    ApiDoc::openapi()
}

/// Serves `doc` at `/openapi.json` and Swagger UI at `/docs/` (`/docs`
/// redirects there, so that the page's relative asset URLs resolve).
pub fn serve(cfg: &mut web::ServiceConfig, doc: Document) {
    cfg.service(web::redirect("/docs", "/docs/")).service(SwaggerUi::new("/docs/{_:.*}").url(DOCUMENT_PATH, doc));
}

/// The error responses, by status and the codes each can carry, for the
/// handlers' `responses(...)`: `(status = 404, response = errors::NotFound)`.
pub mod responses {
    // Never built (`ApiError` writes the body): they only describe it.
    #![allow(dead_code)]

    use utoipa::ToResponse;

    use crate::error::ErrorBody;

    /// The body is not JSON.
    #[derive(ToResponse)]
    #[response(examples(("invalid_json" = (value = json!({"error": {
        "code": "invalid_json", "message": "request body is not valid JSON: EOF while parsing an object at line 1 column 13"
    }})))))]
    pub struct InvalidJson(ErrorBody);

    /// The body is not JSON, or the `Idempotency-Key` header is malformed.
    #[derive(ToResponse)]
    #[response(examples(
        ("invalid_json" = (value = json!({"error": {
            "code": "invalid_json", "message": "request body is not valid JSON: EOF while parsing an object at line 1 column 13"
        }}))),
        ("invalid_idempotency_key" = (value = json!({"error": {
            "code": "invalid_idempotency_key", "message": "Idempotency-Key must be 1 to 255 characters"
        }}))),
    ))]
    pub struct InvalidCreateRequest(ErrorBody);

    /// A query parameter is malformed or out of range.
    #[derive(ToResponse)]
    #[response(examples(("invalid_query" = (value = json!({"error": {
        "code": "invalid_query", "message": "limit must be between 1 and 100"
    }})))))]
    pub struct InvalidQuery(ErrorBody);

    /// No live customer has this id (a malformed id included).
    #[derive(ToResponse)]
    #[response(examples(("not_found" = (value = json!({"error": {
        "code": "not_found", "message": "no customer with id '0190d1f0-0000-7000-8000-000000000000'"
    }})))))]
    pub struct NotFound(ErrorBody);

    /// Another live customer has this email (in any case).
    #[derive(ToResponse)]
    #[response(examples(("email_taken" = (value = json!({"error": {
        "code": "email_taken", "message": "a customer with email 'ada@example.com' already exists"
    }})))))]
    pub struct EmailTaken(ErrorBody);

    /// A reconcile is already running: started by this or another
    /// api-service, or by `webhook-service reconcile`.
    #[derive(ToResponse)]
    #[response(examples(("already_running" = (value = json!({"error": {
        "code": "already_running", "message": "another reconcile is running (0190d1f0-0000-7000-8000-000000000000)"
    }})))))]
    pub struct AlreadyRunning(ErrorBody);

    /// The body is larger than 64 KiB.
    #[derive(ToResponse)]
    #[response(examples(("payload_too_large" = (value = json!({"error": {
        "code": "payload_too_large", "message": "request body is larger than the limit of 65536 bytes"
    }})))))]
    pub struct PayloadTooLarge(ErrorBody);

    /// The body is not sent as `application/json`.
    #[derive(ToResponse)]
    #[response(examples(("unsupported_media_type" = (value = json!({"error": {
        "code": "unsupported_media_type", "message": "request body must be JSON (Content-Type: application/json)"
    }})))))]
    pub struct UnsupportedMediaType(ErrorBody);

    /// A value is missing or invalid; `field` names it when it is one field.
    #[derive(ToResponse)]
    #[response(examples(
        ("invalid_email" = (value = json!({"error": {
            "code": "validation_failed", "field": "email", "message": "'ada@localhost' is not a valid email address: the domain must be a name like example.com"
        }}))),
        ("missing_field" = (value = json!({"error": {
            "code": "validation_failed", "field": "name", "message": "name is required"
        }}))),
    ))]
    pub struct ValidationFailed(ErrorBody);

    /// A value is missing or invalid, or the `Idempotency-Key` was already used
    /// with another body.
    #[derive(ToResponse)]
    #[response(examples(
        ("missing_field" = (value = json!({"error": {
            "code": "validation_failed", "field": "email", "message": "email is required"
        }}))),
        ("idempotency_key_reused" = (value = json!({"error": {
            "code": "idempotency_key_reused", "message": "this Idempotency-Key was already used with a different request body"
        }}))),
    ))]
    pub struct CreateRejected(ErrorBody);

    /// A value is missing or invalid (`field` names it, `lines[2].quantity`
    /// say), the customer is unknown or deleted, or the `Idempotency-Key`
    /// was already used with another body.
    #[derive(ToResponse)]
    #[response(examples(
        ("unknown_customer" = (value = json!({"error": {
            "code": "validation_failed", "field": "customer_id",
            "message": "no customer with id '0190d1f0-0000-7000-8000-000000000000' (an invoice needs a live customer)"
        }}))),
        ("bad_line" = (value = json!({"error": {
            "code": "validation_failed", "field": "lines[0].quantity", "message": "quantity must be between 1 and 1000000"
        }}))),
        ("idempotency_key_reused" = (value = json!({"error": {
            "code": "idempotency_key_reused", "message": "this Idempotency-Key was already used with a different request body"
        }}))),
    ))]
    pub struct InvoiceRejected(ErrorBody);

    /// A body was sent (a command takes none), or the `Idempotency-Key` was
    /// already used for another invoice or command.
    #[derive(ToResponse)]
    #[response(examples(
        ("a_body" = (value = json!({"error": {"code": "validation_failed", "message": "finalize takes no request body"}}))),
        ("idempotency_key_reused" = (value = json!({"error": {
            "code": "idempotency_key_reused", "message": "this Idempotency-Key was already used with a different request body"
        }}))),
    ))]
    pub struct CommandRejected(ErrorBody);

    /// The invoice is finalized: only `description` and `metadata` change.
    #[derive(ToResponse)]
    #[response(examples(("not_editable" = (value = json!({"error": {
        "code": "not_editable", "message": "the invoice is open: once finalized only description and metadata can change, not lines"
    }})))))]
    pub struct NotEditable(ErrorBody);

    /// The invoice's status does not allow this command; the message names
    /// the status.
    #[derive(ToResponse)]
    #[response(examples(
        ("wrong_status" = (value = json!({"error": {
            "code": "invalid_transition", "message": "the invoice is paid: void needs it open or uncollectible"
        }}))),
        ("delete_finalized" = (value = json!({"error": {
            "code": "invalid_transition", "message": "the invoice is open: only a draft can be deleted (void it instead)"
        }}))),
    ))]
    pub struct InvalidTransition(ErrorBody);

    /// The customer still has drafts or open invoices.
    #[derive(ToResponse)]
    #[response(examples(("customer_has_open_invoices" = (value = json!({"error": {
        "code": "customer_has_open_invoices",
        "message": "the customer has 2 draft or open invoice(s): delete the drafts and void or settle the open ones first"
    }})))))]
    pub struct CustomerHasOpenInvoices(ErrorBody);

    /// An unexpected failure; the service logs it (the body says nothing
    /// of it).
    #[derive(ToResponse)]
    #[response(examples(("internal_error" = (value = json!({"error": {
        "code": "internal_error", "message": "the request could not be handled; see the service's log"
    }})))))]
    pub struct InternalError(ErrorBody);

    /// The database or the broker cannot be reached for now; retry later.
    #[derive(ToResponse)]
    #[response(examples(("service_unavailable" = (value = json!({"error": {
        "code": "service_unavailable", "message": "the service cannot reach its database or broker right now; try again shortly"
    }})))))]
    pub struct Unavailable(ErrorBody);

    /// No API key, or not a live one (`WWW-Authenticate: Bearer`).
    #[derive(ToResponse)]
    #[response(examples(("unauthorized" = (value = json!({"error": {
        "code": "unauthorized", "message": "this endpoint needs an API key: send `Authorization: Bearer <key>`"
    }})))))]
    pub struct Unauthorized(ErrorBody);

    /// The API key lacks the scope this endpoint needs.
    #[derive(ToResponse)]
    #[response(examples(("forbidden" = (value = json!({"error": {
        "code": "forbidden", "message": "the API key lacks the `write` scope this endpoint needs"
    }})))))]
    pub struct Forbidden(ErrorBody);
}

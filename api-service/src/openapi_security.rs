//! The API keys in the OpenAPI document: a bearer scheme (Swagger UI's
//! Authorize button), and on each operation that needs a key, the scope it
//! needs and its 401 and 403 answers.

use actix_web::http::Method;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};

use crate::auth::needed;

const SCHEME: &str = "api_key";

pub fn secure(doc: &mut OpenApi) {
    let scheme = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .bearer_format("csk_...")
        .description(Some("An API key: `api-service keys create <name> [read,write,operate]` prints one."))
        .build();
    doc.components.get_or_insert_with(Default::default).add_security_scheme(SCHEME, SecurityScheme::Http(scheme));
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            (Method::GET, &mut item.get),
            (Method::POST, &mut item.post),
            (Method::PUT, &mut item.put),
            (Method::PATCH, &mut item.patch),
            (Method::DELETE, &mut item.delete),
        ];
        for (method, operation) in operations {
            if let (Some(operation), Some(scope)) = (operation.as_mut(), needed(&method, path)) {
                require(operation, scope.as_str());
            }
        }
    }
}

fn require(operation: &mut Operation, scope: &str) {
    operation.security = Some(vec![SecurityRequirement::new(SCHEME, [scope])]);
    let note = format!("\n\nNeeds an API key with the `{scope}` scope.");
    operation.description = Some(operation.description.take().unwrap_or_default() + &note);
    let responses = &mut operation.responses.responses;
    responses.insert("401".into(), RefOr::Ref(Ref::from_response_name("Unauthorized")));
    responses.insert("403".into(), RefOr::Ref(Ref::from_response_name("Forbidden")));
}

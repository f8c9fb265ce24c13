//! No code: the tests under `tests/` drive the services together. `outward`
//! is a change made through the API reaching Stripe; `inward` is Stripe's
//! changes reaching the catalog, and the operations over the whole stack.

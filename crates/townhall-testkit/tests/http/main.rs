//! Every test that goes through the real HTTP server, in one binary.
// Tests and their helpers stop at the first unexpected result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod api_keys;
mod audit;
mod backup;
mod browser;
mod cases;
mod casework;
mod conformance;
mod consent;
mod errors;
mod events;
mod exchange;
mod index_api;
mod journeys;
mod notify;
mod open311;
mod partner_pages;
mod payments;
mod photos;
mod places;
mod resident_index;
mod sensors;
mod services;
mod sign_in_protection;
mod sites;
mod store;
mod text_input;
mod triggers;
mod waste;

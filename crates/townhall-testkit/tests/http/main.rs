//! Every test that goes through the real HTTP server, in one binary.

mod accounts;
mod audit;
mod consent;
mod store;

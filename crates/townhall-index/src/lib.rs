//! The single resident index: people from the council's systems, linked into
//! persons. [`files`] reads systems' exports (CSV, with columns recognised by
//! their usual names or mapped) and writes clusters out; [`batch`] links
//! files in one go.

pub mod batch;
pub mod files;

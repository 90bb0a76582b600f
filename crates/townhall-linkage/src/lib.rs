//! Probabilistic record linkage in the Fellegi–Sunter tradition: the engine
//! behind the single resident index. Pure computation: no files, no
//! database, no network.
//!
//! [`normalise`] turns what people typed into comparable values;
//! [`compare`] answers one question about a pair of values (how alike two
//! names are, whether they sound alike or are nicknames, how two dates of
//! birth agree).

pub mod compare;
pub mod normalise;

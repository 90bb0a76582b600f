//! Probabilistic record linkage in the Fellegi–Sunter tradition: the engine
//! behind the single resident index. Pure computation: no files, no
//! database, no network.
//!
//! [`normalise`] turns what people typed into comparable values, and
//! [`column`] the values of columns beyond the core fields (identifiers);
//! [`compare`] answers one question about a pair of values (how alike two
//! names are, whether they sound alike or are nicknames, how two dates of
//! birth agree); [`record`] prepares a person once for many comparisons;
//! [`comparison`] declares, field by field, the levels of agreement a pair
//! can reach; [`contacts`] knows which email addresses and phone numbers are
//! held for more than one person; [`model`] scores a pair and explains the score; [`train`]
//! estimates the model from the data; [`blocking`] finds the pairs worth
//! comparing; [`cluster`] turns linked pairs into persons; [`link`] runs it
//! all on a set of records; [`index`] links records one at a time as they
//! arrive.

pub mod blocking;
pub mod cluster;
pub mod column;
pub mod compare;
pub mod comparison;
pub mod contacts;
pub mod frequency;
pub mod index;
pub mod link;
pub mod model;
pub mod normalise;
pub mod record;
pub mod train;

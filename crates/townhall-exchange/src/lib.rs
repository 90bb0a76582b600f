//! The data-exchange hub: the organisations the council shares data with
//! (GP practices, NHS trusts, the police, housing associations, schools,
//! charities, other councils) connect once, here, and every exchange with
//! them passes one decision: a data-sharing agreement in force for that
//! partner, purpose and record type, the resident's consent, and only the
//! fields the agreement names.
//!
//! [`agreement`] reads and checks the agreements, one TOML file each;
//! [`records`] is what the hub can serve, record type by record type, and
//! which of those fields are special-category data (UK GDPR Article 9).

pub mod agreement;
pub mod records;

pub use agreement::{Agreement, AgreementError, Article9Condition, Condition, Direction};
pub use records::{Field, RecordType, SpecialCategory, RECORD_TYPES};

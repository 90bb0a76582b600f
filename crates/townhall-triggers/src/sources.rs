//! What evaluating the rules needs of the council: its store, consent
//! policy, resident index, collection rounds and agreements.

use townhall_consent::Policy;
use townhall_exchange::Agreements;
use townhall_index::policy::IndexPolicy;
use townhall_store::Store;
use townhall_types::CouncilId;
use townhall_waste::Collections;

/// What evaluating needs of the council.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// The store.
    pub store: &'a Store,
    /// The council.
    pub council: CouncilId,
    /// Its consent policy.
    pub consent: &'a Policy,
    /// Its resident index's policy: systems and their names.
    pub index: &'a IndexPolicy,
    /// Its collection rounds.
    pub collections: &'a Collections,
    /// Its data-sharing agreements.
    pub agreements: &'a Agreements,
}

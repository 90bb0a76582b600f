//! The council's index as the server keeps it: built in memory from the
//! store when the server starts (the last run's model, every record, the
//! reviewers' decisions), then every record that arrives (a resident
//! signing up, a record a system pushes, a record withdrawn) linked at
//! once: its cluster worked out again, each person's id written back,
//! uncertain pairs put to reviewers, the change audited, all in one
//! transaction. Arrivals are taken one at a time.
//!
//! A full `townhall index link` retrains the model, and `townhall index
//! import` brings a system's file in; the server builds its index again
//! before the next change after either.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_events::NewEvent;
use townhall_linkage::blocking::Mode;
use townhall_linkage::column::Column;
use townhall_linkage::frequency::TermFrequencies;
use townhall_linkage::index::Index;
use townhall_linkage::link::{link_with, Verdict};
use townhall_linkage::model::Model;
use townhall_linkage::record::{Person, RawPerson};
use townhall_store::{sql, Progress, Store, StoreError, Tx};
use townhall_types::{CouncilId, PersonId, ReviewId, Timestamp, UserId};

use crate::policy::IndexPolicy;
use crate::records::{self, NewRecord, RecordKey};
use crate::review::Reviewer;
use crate::run::{self, ordered};
use crate::IndexError;

/// Takes the pairs of record `key` that no reviewer has decided off the queue.
async fn forget_open_pairs(
    tx: &mut Tx,
    council: CouncilId,
    key: &RecordKey,
) -> Result<(), StoreError> {
    sql::query(
        "DELETE FROM index_reviews WHERE council_id = $1 AND decision IS NULL AND \
         ((left_system = $2 AND left_record = $3) OR (right_system = $2 AND right_record = $3))",
    )
    .bind(council.to_string())
    .bind(&key.system)
    .bind(&key.record_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the index is marked built from when memory may no longer follow
/// the store: nothing is, so the next change builds the index again.
const STALE: &str = "stale";

/// A record arriving from a system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arriving {
    /// Which record.
    pub key: RecordKey,
    /// The person as the system holds them (its `extra` is ignored).
    pub person: RawPerson,
    /// The values of columns beyond the built-in fields, by name.
    pub extra: BTreeMap<String, String>,
    /// The resident's Townhall account, when the record is one.
    pub account: Option<UserId>,
}

/// Where an arrival was put.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The person the record is now part of.
    pub person: PersonId,
    /// Its best probability to another record of that person (1 alone).
    pub probability: f64,
    /// How many pairs it was put to reviewers in.
    pub review: usize,
}

/// Who made a change, for the audit log.
#[derive(Debug, Clone)]
pub struct By {
    /// The actor.
    pub actor: Actor,
    /// How they are named.
    pub label: String,
}

/// What a search of the index found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found {
    /// One person, with the best probability of a link to their records.
    One(PersonId, f64),
    /// Nobody close enough.
    Nobody,
    /// Several people could be meant, or the only one is in doubt.
    Ambiguous,
}

/// The index in memory, for one council.
pub struct LiveIndex {
    council: CouncilId,
    policy: IndexPolicy,
    state: tokio::sync::Mutex<State>,
}

/// A record given another person by [`State::settle`].
struct Moved {
    /// The record's number in memory.
    member: u32,
    /// Its person now.
    person: PersonId,
    /// How sure the index is of it.
    probability: f64,
    /// Its person before, if it had one.
    was: Option<PersonId>,
}

struct State {
    /// The engine's index; `None` until the council's index has been linked
    /// once (there is no model to link with before).
    index: Option<Index>,
    /// What it was built from: when the last full run and the last import
    /// from a file were made (set to [`STALE`] when memory may no longer
    /// follow the store).
    built_from: String,
    /// The columns records are prepared with: the model's.
    columns: Vec<Column>,
    keys: Vec<RecordKey>,
    numbers: HashMap<RecordKey, u32>,
    persons: Vec<Option<PersonId>>,
}

impl std::fmt::Debug for LiveIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveIndex")
            .field("council", &self.council)
            .finish_non_exhaustive()
    }
}

impl LiveIndex {
    /// Builds the index from the store, telling `progress` how it goes.
    /// Persons the store lacks (records imported since the last run) are
    /// written back.
    pub async fn load(
        store: &Store,
        council: CouncilId,
        policy: IndexPolicy,
        progress: &dyn Progress,
    ) -> Result<Self, IndexError> {
        let state = State::build(store, council, &policy, progress).await?;
        Ok(LiveIndex {
            council,
            policy,
            state: tokio::sync::Mutex::new(state),
        })
    }

    /// The state, built again first if a full run (`townhall index link`)
    /// has linked the index, or a system's file been imported
    /// (`townhall index import`), since it was built.
    async fn fresh<'a>(
        &'a self,
        store: &Store,
    ) -> Result<tokio::sync::MutexGuard<'a, State>, IndexError> {
        let mut state = self.state.lock().await;
        if built_from(store, self.council).await? != state.built_from {
            *state = State::build(store, self.council, &self.policy, &()).await?;
        }
        Ok(state)
    }

    /// Looks someone up as a partner describes them (`person`'s fields,
    /// and the declared columns in `columns` by name, e.g. `nhs_number`),
    /// judged as an arriving record would be but added to nothing: one
    /// person only when their records alone are linked to it and nobody
    /// else's is even in doubt; never a guess.
    pub async fn find(
        &self,
        store: &Store,
        person: &RawPerson,
        columns: &BTreeMap<String, String>,
    ) -> Result<Found, IndexError> {
        let state = self.fresh(store).await?;
        let Some(index) = &state.index else {
            return Ok(Found::Nobody);
        };
        let mut raw = person.clone();
        raw.extra = state
            .columns
            .iter()
            .map(|c| columns.get(&c.name).cloned().unwrap_or_default())
            .collect();
        let probe = Person::prepare_with(&raw, &state.columns);
        let mut linked: Vec<(PersonId, f64)> = Vec::new();
        let mut doubted: Vec<PersonId> = Vec::new();
        for (record, verdict) in index.probe(&probe) {
            let Some(found) = state.persons.get(record as usize).copied().flatten() else {
                continue;
            };
            match verdict {
                Verdict::Link(p) => linked.push((found, p)),
                Verdict::Review(_) => doubted.push(found),
                Verdict::Apart => {}
            }
        }
        let mut people: Vec<PersonId> = linked.iter().map(|(p, _)| *p).collect();
        people.extend(&doubted);
        people.sort();
        people.dedup();
        Ok(match (&people[..], linked.is_empty()) {
            ([], _) => Found::Nobody,
            ([one], false) => Found::One(*one, linked.iter().map(|(_, p)| *p).fold(0.0, f64::max)),
            _ => Found::Ambiguous,
        })
    }

    /// The rules it links under.
    pub fn policy(&self) -> &IndexPolicy {
        &self.policy
    }

    /// How many records it holds (withdrawn ones included).
    pub async fn len(&self) -> usize {
        self.state.lock().await.keys.len()
    }

    /// Whether it holds no records.
    pub async fn is_empty(&self) -> bool {
        self.len().await == 0
    }

    /// Links a record that arrives (or arrives again, changed): stores it,
    /// adds it to its person (or makes it one), writes the persons that
    /// changed, puts uncertain pairs to reviewers and audits the change, in
    /// one transaction.
    pub async fn arrive(
        &self,
        store: &Store,
        arriving: Arriving,
        by: &By,
    ) -> Result<Placed, IndexError> {
        if self.policy.system(&arriving.key.system).is_none() {
            return Err(IndexError::Invalid(format!(
                "'{}' is not a system the index holds",
                arriving.key.system
            )));
        }
        let declared: Vec<Column> = self
            .policy
            .linkage
            .columns
            .iter()
            .map(|c| c.column.clone())
            .collect();
        let mut raw = arriving.person.clone();
        raw.extra = declared
            .iter()
            .map(|c| arriving.extra.get(&c.name).cloned().unwrap_or_default())
            .collect();
        let mut state = self.fresh(store).await?;
        let from = state.changing();
        let placed = self
            .arrive_in(&mut state, store, &arriving, raw, &declared, by)
            .await;
        state.kept(from, placed)
    }

    async fn arrive_in(
        &self,
        state: &mut State,
        store: &Store,
        arriving: &Arriving,
        mut raw: RawPerson,
        declared: &[Column],
        by: &By,
    ) -> Result<Placed, IndexError> {
        let mut tx = store.begin().await?;
        records::import(
            &mut tx,
            self.council,
            &arriving.key.system,
            declared,
            &[NewRecord {
                record_id: arriving.key.record_id.clone(),
                person: raw.clone(),
                account: arriving.account,
            }],
        )
        .await?;
        let known = state.numbers.get(&arriving.key).copied();
        // A record sent again is judged afresh: the pairs put to reviewers
        // for what it held before go, so that its last words alone stand
        // (and a record changed over and over cannot fill the queue).
        if known.is_some() {
            forget_open_pairs(&mut tx, self.council, &arriving.key).await?;
        }
        // A record sent again keeps its person unless its links say otherwise.
        let had = known.and_then(|old| state.persons[old as usize]);
        let mut affected = match known {
            Some(old) => state.withdraw(old),
            None => Vec::new(),
        };
        raw.extra = state
            .columns
            .iter()
            .map(|c| arriving.extra.get(&c.name).cloned().unwrap_or_default())
            .collect();
        let person = Person::prepare_with(&raw, &state.columns);
        let id = u32::try_from(state.keys.len()).unwrap_or(u32::MAX);
        state.keys.push(arriving.key.clone());
        state.numbers.insert(arriving.key.clone(), id);
        state.persons.push(had);
        let decided = decisions_on(&mut tx, self.council, &arriving.key).await?;
        let mut review = Vec::new();
        if let Some(index) = state.index.as_mut() {
            review = index
                .add(person, self.policy.source_of(&arriving.key.system))
                .review;
            // Reviewers' decisions on this record outrank the model, as in a run.
            for (other, same) in decided {
                if let Some(other) = state.numbers.get(&other).copied() {
                    affected.extend(index.decide(id, other, same));
                }
            }
            affected.extend(index.component(id));
        } else {
            affected.push(id);
        }
        let changes = state.settle(&affected);
        let linked = state.write(&mut tx, self.council, &changes).await?;
        let now = Timestamp::now().to_db();
        let index = state.index.as_ref();
        // Only pairs across two persons need a reviewer.
        review.retain(|(other, _)| {
            index.and_then(|i| i.cluster_of(*other)) != index.and_then(|i| i.cluster_of(id))
        });
        for (other, p) in &review {
            let (a, b) = (&state.keys[*other as usize], &arriving.key);
            let (left, right) = ordered(a, b);
            let explanation = state.explain(*other, id, left == a);
            run::queue_review(&mut tx, self.council, left, right, *p, &explanation, &now).await?;
        }
        let action = if known.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        let purpose = "keeping the council's records of a person linked";
        self.audit(
            &mut tx,
            by,
            &arriving.key,
            arriving.account,
            action,
            purpose,
        )
        .await?;
        let person = state.persons[id as usize]
            .ok_or_else(|| IndexError::Invalid(format!("{} was given no person", arriving.key)))?;
        let placed = Placed {
            person,
            probability: state.index.as_ref().map_or(1.0, |i| i.confidence(id)),
            review: review.len(),
        };
        townhall_events::record(&mut tx, &linked).await?;
        tx.commit().await?;
        Ok(placed)
    }

    /// Withdraws a record its system no longer holds: it leaves the index
    /// and its person, whose records are linked again without it.
    pub async fn withdraw(
        &self,
        store: &Store,
        key: &RecordKey,
        by: &By,
    ) -> Result<(), IndexError> {
        let mut state = self.fresh(store).await?;
        let Some(id) = state.numbers.get(key).copied() else {
            return Err(IndexError::NotFound);
        };
        let from = state.changing();
        let done = self.withdraw_in(&mut state, store, key, id, by).await;
        state.kept(from, done)
    }

    /// Appends the audit entry of a change to record `key`, in `tx`.
    async fn audit(
        &self,
        tx: &mut Tx,
        by: &By,
        key: &RecordKey,
        account: Option<UserId>,
        action: Action,
        purpose: &str,
    ) -> Result<(), StoreError> {
        townhall_audit::append(
            tx,
            &AuditEvent::new(
                self.council,
                (by.actor.clone(), &by.label),
                action,
                RecordRef::IndexRecord(key.to_string()),
            )
            .about(account)
            .fields(crate::policy::VIEW_FIELDS.iter().copied())
            .purpose(purpose),
        )
        .await?;
        Ok(())
    }

    async fn withdraw_in(
        &self,
        state: &mut State,
        store: &Store,
        key: &RecordKey,
        id: u32,
        by: &By,
    ) -> Result<(), IndexError> {
        let mut tx = store.begin().await?;
        forget_open_pairs(&mut tx, self.council, key).await?;
        sql::query(
            "DELETE FROM index_records WHERE council_id = $1 AND system = $2 AND record_id = $3",
        )
        .bind(self.council.to_string())
        .bind(&key.system)
        .bind(&key.record_id)
        .execute(&mut *tx)
        .await?;
        let was = state.persons[id as usize];
        let affected = state.withdraw(id);
        let changes = state.settle(&affected);
        let mut linked = state.write(&mut tx, self.council, &changes).await?;
        if let Some(was) =
            was.filter(|w| !changes.iter().any(|c| c.was == Some(*w) || c.person == *w))
        {
            linked.extend(crate::events::person_changed(self.council, [was])?);
        }
        let purpose = "a record withdrawn by the system that held it";
        self.audit(&mut tx, by, key, None, Action::Delete, purpose)
            .await?;
        townhall_events::record(&mut tx, &linked).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a reviewer's decision on the pair `id`
    /// ([`crate::review::decide`]) and takes it into memory, writing the
    /// persons it changed.
    pub async fn decide(
        &self,
        store: &Store,
        id: ReviewId,
        same: bool,
        reviewer: &Reviewer<'_>,
    ) -> Result<(), IndexError> {
        let mut state = self.fresh(store).await?;
        let from = state.changing();
        // The decision is stored first; memory, which has not moved yet, is
        // still the store's when that fails.
        let (left, right) =
            match crate::review::decide(store, self.council, id, same, reviewer).await {
                Ok(pair) => pair,
                Err(e) => return state.kept(from, Ok(())).and(Err(e)),
            };
        let done = Self::decided(&mut state, store, self.council, &left, &right, same).await;
        state.kept(from, done)
    }

    async fn decided(
        state: &mut State,
        store: &Store,
        council: CouncilId,
        left: &RecordKey,
        right: &RecordKey,
        same: bool,
    ) -> Result<(), IndexError> {
        let (Some(a), Some(b)) = (
            state.numbers.get(left).copied(),
            state.numbers.get(right).copied(),
        ) else {
            return Ok(());
        };
        // The store has joined them already: the right record's person
        // became the left's. Memory does the same before it settles.
        if same {
            if let (Some(l), Some(r)) = (state.persons[a as usize], state.persons[b as usize]) {
                for p in state.persons.iter_mut().filter(|p| **p == Some(r)) {
                    *p = Some(l);
                }
            }
        }
        let affected = match state.index.as_mut() {
            Some(index) => index.decide(a, b, same),
            None => return Ok(()),
        };
        let changes = state.settle(&affected);
        let mut tx = store.begin().await?;
        let linked = state.write(&mut tx, council, &changes).await?;
        townhall_events::record(&mut tx, &linked).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What an index built now would be built from: the times of the last full
/// run and of the last import from a file.
async fn built_from(store: &Store, council: CouncilId) -> Result<String, StoreError> {
    let (imported,): (Option<String>,) =
        sql::query_as("SELECT MAX(imported_at) FROM index_imports WHERE council_id = $1")
            .bind(council.to_string())
            .fetch_one(store.reader())
            .await?;
    let run = run::last_run_at(store, council).await?;
    Ok(format!(
        "{}|{}",
        run.unwrap_or_default(),
        imported.unwrap_or_default()
    ))
}

/// The decisions reviewers made on pairs with `key`: the other record, and
/// whether they are the same person.
async fn decisions_on(
    tx: &mut Tx,
    council: CouncilId,
    key: &RecordKey,
) -> Result<Vec<(RecordKey, bool)>, StoreError> {
    let rows: Vec<(String, String, String, String, String)> = sql::query_as(
        "SELECT left_system, left_record, right_system, right_record, decision FROM index_reviews \
         WHERE council_id = $1 AND decision IS NOT NULL AND \
         ((left_system = $2 AND left_record = $3) OR (right_system = $2 AND right_record = $3))",
    )
    .bind(council.to_string())
    .bind(&key.system)
    .bind(&key.record_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(ls, lr, rs, rr, decision)| {
            let (left, right) = (RecordKey::new(ls, lr), RecordKey::new(rs, rr));
            let other = if &left == key { right } else { left };
            (other, decision == crate::review::SAME)
        })
        .collect())
}

impl State {
    /// Marks the index to be built again before a change begins, and gives
    /// back what it was built from. Memory may move ahead of the store while
    /// a change is made (the change fails, or the request making it is
    /// dropped half way): only [`State::kept`] on success clears the mark.
    fn changing(&mut self) -> String {
        std::mem::replace(&mut self.built_from, STALE.into())
    }

    /// `result`, after taking back what the index was built `from` if the
    /// change succeeded; otherwise the mark stays and the next change builds
    /// the index again.
    fn kept<T>(&mut self, from: String, result: Result<T, IndexError>) -> Result<T, IndexError> {
        if result.is_ok() {
            self.built_from = from;
        }
        result
    }

    /// The index as the store holds it: the last run's model, every record
    /// and the reviewers' decisions. Persons the store lacks (records
    /// imported since the last run) are written back.
    async fn build(
        store: &Store,
        council: CouncilId,
        policy: &IndexPolicy,
        progress: &dyn Progress,
    ) -> Result<State, IndexError> {
        progress.step("reading the index", 0, 0);
        let from = built_from(store, council).await?;
        let model = run::last_model(store, council).await?;
        let mut stored = records::all(store, council).await?;
        let columns = model.as_ref().map(Model::columns).unwrap_or_default();
        records::with_columns(&mut stored, &columns);
        let keys: Vec<RecordKey> = stored.iter().map(|r| r.key.clone()).collect();
        let numbers: HashMap<RecordKey, u32> =
            (0u32..).zip(&keys).map(|(i, k)| (k.clone(), i)).collect();
        let persons: Vec<Option<PersonId>> = stored.iter().map(|r| r.person_id).collect();
        let mut state = State {
            index: None,
            built_from: from,
            columns,
            keys,
            numbers,
            persons,
        };
        let Some(model) = model else {
            return Ok(state);
        };
        let decisions = run::decisions(store, council, |k| state.numbers.get(k).copied()).await?;
        let mut settings = run::settings(policy);
        settings.comparisons = model.comparisons.clone();
        // The blocking rules the settings declare on the model's columns; none
        // when the settings no longer declare those columns as the model has
        // them (the next full run trains on the new settings).
        settings.rules.extend(
            policy
                .linkage
                .for_model(&model)
                .map(|a| a.rules)
                .unwrap_or_default(),
        );
        // Preparing and linking a million records takes half a minute of
        // both cores: on a thread for blocking work, so that the server's
        // workers go on answering meanwhile.
        progress.step("linking", 0, 0);
        let columns = state.columns.clone();
        let sources = policy.sources(state.keys.iter().map(|k| k.system.as_str()));
        let index = tokio::task::spawn_blocking(move || {
            let people: Vec<Person> =
                Person::prepare_all(stored.par_iter().map(|r| &r.person), &columns);
            drop(stored);
            let frequencies = TermFrequencies::of(&people);
            let mode = Mode::Sources {
                of: &sources.0,
                deduplicated: &sources.1,
            };
            let linked = link_with(
                &people,
                mode,
                &settings,
                Some((model, frequencies)),
                &decisions,
                &(),
            );
            Index::from_linked(settings, people, sources, linked, &decisions)
        })
        .await
        .map_err(|e| IndexError::Failed(format!("building the index failed: {e}")))?;
        state.index = Some(index);
        progress.step("naming persons", 0, 0);
        let all: Vec<u32> = (0..state.keys.len() as u32).collect();
        let changes = state.settle(&all);
        let mut tx = store.begin().await?;
        let linked = state.write(&mut tx, council, &changes).await?;
        townhall_events::record(&mut tx, &linked).await?;
        tx.commit().await?;
        Ok(state)
    }

    /// Takes record `id` out of the index; the records whose person may
    /// have changed.
    fn withdraw(&mut self, id: u32) -> Vec<u32> {
        let affected = match self.index.as_mut() {
            Some(index) => index.withdraw(id),
            None => vec![id],
        };
        if let Some(key) = self.keys.get(id as usize) {
            if self.numbers.get(key) == Some(&id) {
                self.numbers.remove(key);
            }
        }
        if let Some(p) = self.persons.get_mut(id as usize) {
            *p = None;
        }
        affected
    }

    /// Gives each cluster of the `affected` records its person id (the one
    /// most of its records have, else a new one); the records whose person
    /// changed.
    fn settle(&mut self, affected: &[u32]) -> Vec<Moved> {
        let live = |s: &State, r: u32| s.numbers.get(&s.keys[r as usize]) == Some(&r);
        let mut clusters: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &r in affected {
            if !live(self, r) {
                continue;
            }
            let root = self
                .index
                .as_ref()
                .and_then(|i| i.cluster_of(r))
                .unwrap_or(r);
            clusters.entry(root).or_default();
        }
        for (root, members) in clusters.iter_mut() {
            *members = match self.index.as_ref() {
                Some(index) => index.members(*root),
                None => vec![*root],
            };
        }
        // Larger clusters keep their id first, as a run decides.
        let mut order: Vec<&Vec<u32>> = clusters.values().collect();
        order.sort_by_key(|m| std::cmp::Reverse(m.len()));
        let mut taken = HashSet::new();
        let mut changes = Vec::new();
        for members in order {
            let id = run::person_for(members, |m: u32| self.persons[m as usize], &mut taken);
            for &m in members {
                let was = self.persons[m as usize];
                if was != Some(id) {
                    changes.push(Moved {
                        member: m,
                        person: id,
                        probability: self.index.as_ref().map_or(1.0, |i| i.confidence(m)),
                        was,
                    });
                }
            }
        }
        for c in &changes {
            self.persons[c.member as usize] = Some(c.person);
        }
        changes
    }

    /// Writes the persons that changed; the events of the persons whose
    /// records changed, to record last in `tx`.
    async fn write(
        &self,
        tx: &mut Tx,
        council: CouncilId,
        changes: &[Moved],
    ) -> Result<Vec<NewEvent>, StoreError> {
        for Moved {
            member,
            person,
            probability,
            ..
        } in changes
        {
            let key = &self.keys[*member as usize];
            sql::query(
                "UPDATE index_records SET person_id = $4, probability = $5 \
                 WHERE council_id = $1 AND system = $2 AND record_id = $3",
            )
            .bind(council.to_string())
            .bind(&key.system)
            .bind(&key.record_id)
            .bind(person.to_string())
            .bind(*probability)
            .execute(&mut **tx)
            .await?;
        }
        crate::events::person_changed(
            council,
            changes
                .iter()
                .flat_map(|c| [Some(c.person), c.was])
                .flatten(),
        )
    }

    /// The explanation of the pair `a`, `b` as JSON, `a` first when
    /// `a_first`.
    fn explain(&self, a: u32, b: u32, a_first: bool) -> String {
        let Some(index) = self.index.as_ref() else {
            return String::new();
        };
        let (x, y) = if a_first { (a, b) } else { (b, a) };
        serde_json::to_string(&index.explain(x, y)).unwrap_or_default()
    }
}

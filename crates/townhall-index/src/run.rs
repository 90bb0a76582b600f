//! Linking a council's whole index: every record read, the model trained on
//! them, reviewers' decisions applied over the model's, each cluster given a
//! person id (the one most of its records had, so ids last from run to run),
//! and the uncertain pairs put in the review queue with their explanations.

use std::collections::HashMap;

use rayon::prelude::*;
use townhall_audit::{Action, Actor, AuditEvent, RecordRef};
use townhall_events::NewEvent;
use townhall_linkage::blocking::Mode;
use townhall_linkage::link::{link_with, Decision, SelfAsserted, Settings};
use townhall_linkage::record::Person;
use townhall_linkage::train::Report;
use townhall_store::{sql, Progress, Store, StoreError};
use townhall_types::{CouncilId, PersonId, ReviewId, Timestamp};

use crate::events::Relinked;
use crate::policy::{Details, IndexPolicy};
use crate::records::{self, RecordKey};

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Records linked.
    pub records: usize,
    /// Candidate pairs scored.
    pub pairs: usize,
    /// Pairs linked (reviewers' matches included).
    pub links: usize,
    /// Persons found.
    pub persons: usize,
    /// Pairs waiting for a reviewer.
    pub review: usize,
    /// Reviewers' decisions applied.
    pub decisions: usize,
    /// How training went, rule by rule.
    pub training: Vec<(String, Report)>,
}

/// People's decisions on pairs, in the numbers `number` gives records
/// (pairs of records it does not know are left out).
pub(crate) async fn decisions(
    store: &Store,
    council: CouncilId,
    number: impl Fn(&RecordKey) -> Option<u32>,
) -> Result<Vec<Decision>, StoreError> {
    let decided: Vec<(String, String, String, String, String)> = sql::query_as(
        "SELECT left_system, left_record, right_system, right_record, decision FROM index_reviews \
         WHERE council_id = $1 AND decision IS NOT NULL",
    )
    .bind(council.to_string())
    .fetch_all(store.reader())
    .await?;
    Ok(decided
        .into_iter()
        .filter_map(|(ls, lr, rs, rr, decision)| {
            Some(Decision {
                a: number(&RecordKey::new(ls, lr))?,
                b: number(&RecordKey::new(rs, rr))?,
                same: decision == crate::review::SAME,
            })
        })
        .collect())
}

/// The person id of a cluster whose records are `members`: the one most of
/// them had (the earliest on a tie), so ids last from run to run, unless
/// another cluster took it already; else a new one. `taken` gains it.
pub(crate) fn person_for<T: Copy>(
    members: &[T],
    had: impl Fn(T) -> Option<PersonId>,
    taken: &mut std::collections::HashSet<PersonId>,
) -> PersonId {
    let mut votes: Vec<(PersonId, usize)> = Vec::new();
    for &m in members {
        if let Some(p) = had(m) {
            match votes.iter_mut().find(|(q, _)| *q == p) {
                Some(v) => v.1 += 1,
                None => votes.push((p, 1)),
            }
        }
    }
    votes.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let id = votes
        .into_iter()
        .map(|(p, _)| p)
        .find(|p| !taken.contains(p))
        .unwrap_or_else(PersonId::new);
    taken.insert(id);
    id
}

/// Puts the pair `left`, `right` (in stored order) in the review queue, or
/// brings its probability and explanation up to date if it is waiting
/// there; a pair already decided is left as it is.
pub(crate) async fn queue_review(
    tx: &mut townhall_store::Tx,
    council: CouncilId,
    left: &RecordKey,
    right: &RecordKey,
    probability: f64,
    explanation: &str,
    now: &str,
) -> Result<(), StoreError> {
    sql::query(
        "INSERT INTO index_reviews (council_id, review_id, left_system, left_record, \
         right_system, right_record, probability, explanation, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (council_id, left_system, left_record, right_system, right_record) \
         DO UPDATE SET probability = excluded.probability, explanation = excluded.explanation \
         WHERE index_reviews.decision IS NULL",
    )
    .bind(council.to_string())
    .bind(ReviewId::new().to_string())
    .bind(&left.system)
    .bind(&left.record_id)
    .bind(&right.system)
    .bind(&right.record_id)
    .bind(probability)
    .bind(explanation)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The settings a council's policy gives the engine.
pub fn settings(policy: &IndexPolicy) -> Settings {
    Settings {
        threshold: policy.link_from,
        review_from: policy.review_from,
        vetoes: if policy.review_twins {
            vec![townhall_linkage::link::Veto::twins()]
        } else {
            Vec::new()
        },
        self_asserted: policy
            .systems
            .iter()
            .filter_map(|s| match &s.details {
                Details::SelfAsserted { checked } => Some(SelfAsserted {
                    source: policy.source_of(&s.id),
                    checked: checked.clone(),
                }),
                Details::Kept => None,
            })
            .collect(),
        ..Settings::default()
    }
}

/// A pair in the order it is stored: the smaller key on the left.
pub(crate) fn ordered<'a>(a: &'a RecordKey, b: &'a RecordKey) -> (&'a RecordKey, &'a RecordKey) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Links every record of `council`, keeping reviewers' decisions.
pub async fn run(
    store: &Store,
    council: CouncilId,
    policy: &IndexPolicy,
    progress: &dyn Progress,
) -> Result<RunSummary, StoreError> {
    progress.step("reading records", 0, 0);
    let mut stored = records::all(store, council).await?;
    let active = records::active(&stored, &policy.linkage);
    records::with_columns(&mut stored, &active.columns);
    let position: HashMap<&RecordKey, u32> = stored
        .iter()
        .enumerate()
        .map(|(i, r)| (&r.key, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let decisions = decisions(store, council, |key| position.get(key).copied()).await?;

    progress.step("preparing", 0, 0);
    let people: Vec<Person> =
        Person::prepare_all(stored.par_iter().map(|r| &r.person), &active.columns);
    let mut settings = settings(policy);
    settings.comparisons.extend(active.comparisons);
    settings.rules.extend(active.rules);
    let (sources, deduplicated) = policy.sources(stored.iter().map(|r| r.key.system.as_str()));
    let mut linked = link_with(
        &people,
        Mode::Sources {
            of: &sources,
            deduplicated: &deduplicated,
        },
        &settings,
        None,
        &decisions,
        &crate::Stages(progress),
    );
    // Only pairs across two persons need a reviewer; a pair already joined
    // through other records is settled by those links.
    let clusters = linked.clusters.clone();
    linked
        .review
        .retain(|(a, b, _)| clusters[*a as usize] != clusters[*b as usize]);

    progress.step("naming persons", 0, 0);
    let mut members: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, root) in linked.clusters.iter().enumerate() {
        members.entry(*root).or_default().push(i);
    }
    let mut roots: Vec<u32> = members.keys().copied().collect();
    roots.sort_unstable();
    let mut taken = std::collections::HashSet::new();
    let mut person_of = vec![PersonId::new(); stored.len()];
    for root in &roots {
        let id = person_for(&members[root], |i| stored[i].person_id, &mut taken);
        for &i in &members[root] {
            person_of[i] = id;
        }
    }

    progress.step("saving", 0, 0);
    let council_text = council.to_string();
    let mut tx = store.begin().await?;
    for (i, r) in stored.iter().enumerate() {
        let probability = linked.confidence[i];
        if r.person_id == Some(person_of[i]) && r.probability == Some(probability) {
            continue;
        }
        sql::query(
            "UPDATE index_records SET person_id = $4, probability = $5 \
             WHERE council_id = $1 AND system = $2 AND record_id = $3",
        )
        .bind(&council_text)
        .bind(&r.key.system)
        .bind(&r.key.record_id)
        .bind(person_of[i].to_string())
        .bind(probability)
        .execute(&mut *tx)
        .await?;
    }
    let open: Vec<(String, String, String, String, String)> = sql::query_as(
        "SELECT review_id, left_system, left_record, right_system, right_record FROM index_reviews \
         WHERE council_id = $1 AND decision IS NULL",
    )
    .bind(&council_text)
    .fetch_all(&mut *tx)
    .await?;
    let mut open: HashMap<(RecordKey, RecordKey), String> = open
        .into_iter()
        .map(|(id, ls, lr, rs, rr)| {
            let left = RecordKey::new(ls, lr);
            let right = RecordKey::new(rs, rr);
            ((left, right), id)
        })
        .collect();
    let now = Timestamp::now().to_db();
    for (a, b, p) in &linked.review {
        let (left, right) = ordered(&stored[*a as usize].key, &stored[*b as usize].key);
        let (pa, pb) = if left == &stored[*a as usize].key {
            (*a, *b)
        } else {
            (*b, *a)
        };
        let explanation = linked.model.explain(
            &people[pa as usize],
            &people[pb as usize],
            &linked.frequencies,
        );
        let explanation = serde_json::to_string(&explanation)
            .map_err(|e| StoreError::decode(format!("explanation: {e}")))?;
        match open.remove(&(left.clone(), right.clone())) {
            Some(id) => {
                sql::query(
                    "UPDATE index_reviews SET probability = $3, explanation = $4 \
                     WHERE council_id = $1 AND review_id = $2",
                )
                .bind(&council_text)
                .bind(id)
                .bind(*p)
                .bind(explanation)
                .execute(&mut *tx)
                .await?;
            }
            None => queue_review(&mut tx, council, left, right, *p, &explanation, &now).await?,
        }
    }
    // Pairs no longer in doubt leave the queue.
    for id in open.into_values() {
        sql::query("DELETE FROM index_reviews WHERE council_id = $1 AND review_id = $2")
            .bind(&council_text)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let summary = RunSummary {
        records: stored.len(),
        pairs: linked.pairs,
        links: linked.links.len(),
        persons: roots.len(),
        review: linked.review.len(),
        decisions: decisions.len(),
        training: linked.training,
    };
    sql::query(
        "INSERT INTO index_runs (council_id, run_at, records, pairs, links, persons, review, model) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&council_text)
    .bind(&now)
    .bind(summary.records as i64)
    .bind(summary.pairs as i64)
    .bind(summary.links as i64)
    .bind(summary.persons as i64)
    .bind(summary.review as i64)
    .bind(linked.model.to_json())
    .execute(&mut *tx)
    .await?;
    townhall_audit::append(
        &mut tx,
        &AuditEvent::new(
            council,
            (
                Actor::System("resident-index".into()),
                "The single resident index",
            ),
            Action::Update,
            RecordRef::IndexRun,
        )
        .fields(crate::policy::VIEW_FIELDS.iter().copied())
        .purpose("linking each person's records across the council's systems"),
    )
    .await?;
    let relinked = NewEvent::of(
        council,
        Timestamp::now(),
        &Relinked {
            records: summary.records as u64,
            persons: summary.persons as u64,
        },
    )?;
    townhall_events::record(&mut tx, &[relinked]).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(summary)
}

/// When the council's index was last linked in full, as stored.
pub async fn last_run_at(store: &Store, council: CouncilId) -> Result<Option<String>, StoreError> {
    let row: Option<(Option<String>,)> =
        sql::query_as("SELECT MAX(run_at) FROM index_runs WHERE council_id = $1")
            .bind(council.to_string())
            .fetch_optional(store.reader())
            .await?;
    Ok(row.and_then(|(at,)| at))
}

/// The model of the last run, if there has been one.
pub async fn last_model(
    store: &Store,
    council: CouncilId,
) -> Result<Option<townhall_linkage::model::Model>, StoreError> {
    let row: Option<(String,)> = sql::query_as(
        "SELECT model FROM index_runs WHERE council_id = $1 ORDER BY run_at DESC LIMIT 1",
    )
    .bind(council.to_string())
    .fetch_optional(store.reader())
    .await?;
    row.map(|(text,)| {
        townhall_linkage::model::Model::from_json(&text)
            .map_err(|e| StoreError::decode(e.to_string()))
    })
    .transpose()
}

//! Linking on arrival: an index of records, kept by blocking key, to which a
//! new record is added and linked at once. Only its candidates are scored
//! and only its cluster is worked out again, so the cost of an arrival does
//! not grow with the index. With the same model and frequencies, the
//! clusters are those a batch run over the same records would give.

use std::collections::HashMap;

use crate::blocking::MAX_RULES;
use crate::cluster::{self, Edge};
use crate::frequency::TermFrequencies;
use crate::link::{Judge, Settings, Verdict};
use crate::model::Model;
use crate::record::Person;

/// The records linked so far, their links and clusters.
pub struct Index {
    settings: Settings,
    model: Model,
    frequencies: TermFrequencies,
    people: Vec<Person>,
    /// For each blocking rule, the records holding each key.
    buckets: Vec<HashMap<u64, Vec<u32>>>,
    /// For each record, its links: the other record and the probability.
    links: Vec<Vec<(u32, f64)>>,
    clusters: Vec<u32>,
    review: Vec<Edge>,
}

/// What became of a record added to the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// Its number in the index.
    pub id: u32,
    /// Its cluster: the number of the cluster's first record.
    pub cluster: u32,
    /// The records it was linked to, with the probability.
    pub links: Vec<(u32, f64)>,
    /// The records it should be reviewed against, with the probability.
    pub review: Vec<(u32, f64)>,
}

impl Index {
    /// An empty index that links with `model` and `frequencies`.
    pub fn new(settings: Settings, model: Model, frequencies: TermFrequencies) -> Self {
        let rules = settings.rules.len().min(MAX_RULES);
        Index {
            settings,
            model,
            frequencies,
            people: Vec::new(),
            buckets: vec![HashMap::new(); rules],
            links: Vec::new(),
            clusters: Vec::new(),
            review: Vec::new(),
        }
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// The cluster of record `id`.
    pub fn cluster_of(&self, id: u32) -> Option<u32> {
        self.clusters.get(id as usize).copied()
    }

    /// Every record's cluster, in the order they were added.
    pub fn clusters(&self) -> &[u32] {
        &self.clusters
    }

    /// The pairs waiting for clerical review.
    pub fn review(&self) -> &[Edge] {
        &self.review
    }

    /// Adds a record, links it to the records it matches and updates its
    /// cluster.
    pub fn add(&mut self, person: Person) -> Arrival {
        let id = u32::try_from(self.people.len()).unwrap_or(u32::MAX);
        let keys: Vec<Option<u64>> = self
            .settings
            .rules
            .iter()
            .take(MAX_RULES)
            .map(|r| r.key(&person))
            .collect();
        let mut candidates: Vec<u32> = Vec::new();
        for (bucket, key) in self.buckets.iter().zip(&keys) {
            if let Some(members) = key.and_then(|k| bucket.get(&k)) {
                // As in a batch run, a key shared by too many records pairs nothing.
                if members.len() < self.settings.max_block {
                    candidates.extend(members);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let judge = Judge::new(&self.model, &self.frequencies, &self.settings);
        let mut arrival = Arrival {
            id,
            cluster: id,
            links: Vec::new(),
            review: Vec::new(),
        };
        for other in candidates {
            match judge.assess(&self.people[other as usize], &person) {
                Verdict::Link(p) => arrival.links.push((other, p)),
                Verdict::Review(p) => arrival.review.push((other, p)),
                Verdict::Apart => {}
            }
        }
        for (bucket, key) in self.buckets.iter_mut().zip(keys) {
            if let Some(k) = key {
                bucket.entry(k).or_default().push(id);
            }
        }
        self.people.push(person);
        self.clusters.push(id);
        self.links.push(arrival.links.clone());
        for (other, p) in &arrival.links {
            self.links[*other as usize].push((id, *p));
        }
        self.review
            .extend(arrival.review.iter().map(|(other, p)| (*other, id, *p)));
        self.recluster(id);
        arrival.cluster = self.clusters[id as usize];
        arrival
    }

    /// Works out again the clusters of the records linked, directly or not,
    /// to `id`, exactly as a batch run clusters a component.
    fn recluster(&mut self, id: u32) {
        let mut members = vec![id];
        let mut seen = std::collections::HashSet::from([id]);
        let mut next = 0;
        while next < members.len() {
            let m = members[next];
            next += 1;
            for (other, _) in &self.links[m as usize] {
                if seen.insert(*other) {
                    members.push(*other);
                }
            }
        }
        members.sort_unstable();
        let edges: Vec<Edge> = members
            .iter()
            .flat_map(|a| {
                self.links[*a as usize]
                    .iter()
                    .filter(move |(b, _)| a < b)
                    .map(move |(b, p)| (*a, *b, *p))
            })
            .collect();
        cluster::split(
            &members,
            &edges,
            self.settings.threshold,
            self.settings.max_cluster.max(2),
            &mut self.clusters,
        );
    }
}

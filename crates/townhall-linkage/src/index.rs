//! Linking on arrival: an index of records, kept by blocking key, to which a
//! new record is added and linked at once. Only its candidates are scored
//! and only its cluster is worked out again, so the cost of an arrival does
//! not grow with the index. With the same model and frequencies, the
//! clusters are those a batch run over the same records would give.

use std::collections::HashMap;

use crate::blocking::{Mode, MAX_RULES};
use crate::cluster::{self, Edge};
use crate::contacts::SharedContacts;
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
    /// Pairs people have said are different people.
    apart: Vec<(u32, u32)>,
    /// Records withdrawn by their system: kept as numbers, linked to nothing.
    withdrawn: Vec<bool>,
    /// Each record's source.
    sources: Vec<u32>,
    /// Whether each source holds each person once (see [`Mode::Sources`]).
    deduplicated: Vec<bool>,
    /// Which contacts are held for more than one person.
    contacts: SharedContacts,
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
            apart: Vec::new(),
            withdrawn: Vec::new(),
            sources: Vec::new(),
            deduplicated: Vec::new(),
            contacts: SharedContacts::default(),
        }
    }

    /// The index, told which sources hold each person once: two of their
    /// records are never linked, nor joined in a cluster.
    pub fn with_deduplicated(mut self, deduplicated: Vec<bool>) -> Self {
        self.deduplicated = deduplicated;
        self
    }

    /// Which pairs it makes, as a batch run is told.
    fn mode(&self) -> Mode<'_> {
        Mode::Sources {
            of: &self.sources,
            deduplicated: &self.deduplicated,
        }
    }

    /// An index holding `people` as a batch run `linked` them (with the
    /// model and frequencies it used, and `sources` and `deduplicated` as
    /// its [`Mode::Sources`]: empty when every record's source may hold
    /// duplicates), so that arrivals after it are linked as if they had
    /// been in the run. `decisions` are people's, as the run was given them.
    pub fn from_linked(
        settings: Settings,
        people: Vec<Person>,
        (sources, deduplicated): (Vec<u32>, Vec<bool>),
        linked: crate::link::Linked,
        decisions: &[crate::link::Decision],
    ) -> Self {
        let mut index =
            Index::new(settings, linked.model, linked.frequencies).with_deduplicated(deduplicated);
        index.sources = if sources.is_empty() {
            vec![0; people.len()]
        } else {
            sources
        };
        index.contacts = SharedContacts::of(&people);
        for (id, person) in (0u32..).zip(&people) {
            for (rule, bucket) in index.settings.rules.iter().zip(&mut index.buckets) {
                if let Some(k) = rule.key(person) {
                    bucket.entry(k).or_default().push(id);
                }
            }
        }
        index.links = vec![Vec::new(); people.len()];
        for (a, b, p) in &linked.links {
            index.links[*a as usize].push((*b, *p));
            index.links[*b as usize].push((*a, *p));
        }
        index.withdrawn = vec![false; people.len()];
        index.people = people;
        index.clusters = linked.clusters;
        index.review = linked.review;
        index.apart = decisions
            .iter()
            .filter(|d| !d.same)
            .map(|d| (d.a, d.b))
            .collect();
        index
    }

    /// The records of record `id`'s cluster, itself included.
    pub fn members(&self, id: u32) -> Vec<u32> {
        let Some(root) = self.cluster_of(id) else {
            return Vec::new();
        };
        self.component(id)
            .into_iter()
            .filter(|m| self.clusters[*m as usize] == root)
            .collect()
    }

    /// Why records `a` and `b` score what they do.
    pub fn explain(&self, a: u32, b: u32) -> crate::model::Explanation {
        self.model.explain(
            &self.people[a as usize],
            &self.people[b as usize],
            &self.frequencies,
        )
    }

    /// Record `id`'s best probability to another record of its cluster (1
    /// alone).
    pub fn confidence(&self, id: u32) -> f64 {
        let root = self.cluster_of(id);
        self.links
            .get(id as usize)
            .into_iter()
            .flatten()
            .filter(|(other, _)| self.cluster_of(*other) == root)
            .map(|(_, p)| *p)
            .fold(None, |best: Option<f64>, p| {
                Some(best.map_or(p, |b| b.max(p)))
            })
            .unwrap_or(1.0)
    }

    /// Withdraws record `id` (its system no longer holds it): it is linked
    /// to nothing from now on, and the cluster it was in is worked out
    /// again. Returns the records whose cluster may have changed.
    pub fn withdraw(&mut self, id: u32) -> Vec<u32> {
        let Some(person) = self.people.get(id as usize) else {
            return Vec::new();
        };
        let before = self.component(id);
        for (rule, bucket) in self.settings.rules.iter().zip(&mut self.buckets) {
            if let Some(members) = rule.key(person).and_then(|k| bucket.get_mut(&k)) {
                members.retain(|m| *m != id);
            }
        }
        for (other, _) in std::mem::take(&mut self.links[id as usize]) {
            self.links[other as usize].retain(|(o, _)| *o != id);
        }
        self.review.retain(|(a, b, _)| *a != id && *b != id);
        self.withdrawn[id as usize] = true;
        self.clusters[id as usize] = id;
        for m in before.iter().filter(|m| **m != id) {
            self.recluster(*m);
        }
        before
    }

    /// Applies a person's decision on the pair `a`, `b`: the same person
    /// (linked, whatever the model said) or different people (never in one
    /// cluster). Returns the records whose cluster may have changed.
    pub fn decide(&mut self, a: u32, b: u32, same: bool) -> Vec<u32> {
        let n = self.people.len() as u32;
        if a >= n || b >= n || a == b {
            return Vec::new();
        }
        let mut affected = self.component(a);
        affected.extend(self.component(b));
        self.review
            .retain(|(x, y, _)| (x.min(y), x.max(y)) != (&a.min(b), &a.max(b)));
        self.links[a as usize].retain(|(o, _)| *o != b);
        self.links[b as usize].retain(|(o, _)| *o != a);
        if same {
            self.links[a as usize].push((b, 1.0));
            self.links[b as usize].push((a, 1.0));
            self.apart.retain(|p| *p != (a, b) && *p != (b, a));
        } else {
            self.apart.push((a, b));
        }
        self.recluster(a);
        self.recluster(b);
        affected.sort_unstable();
        affected.dedup();
        affected
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

    /// Adds a record from `source`, links it to the records it matches and
    /// updates its cluster.
    pub fn add(&mut self, person: Person, source: u32) -> Arrival {
        self.withdrawn.push(false);
        self.sources.push(source);
        let id = u32::try_from(self.people.len()).unwrap_or(u32::MAX);
        let keys = self.keys(&person);
        let mut candidates = self.candidates(&keys);
        let mode = self.mode();
        candidates.retain(|other| mode.pairs(*other, id));
        // The arrival's own contacts count: an address it gives with another
        // birthday than a record's is held for two people.
        self.contacts.add(&person);
        let judge = Judge::new(&self.model, &self.frequencies, &self.settings)
            .with_contacts(&self.contacts);
        let mut arrival = Arrival {
            id,
            cluster: id,
            links: Vec::new(),
            review: Vec::new(),
        };
        for other in candidates {
            let from = [self.sources[other as usize], source];
            match judge.assess(&self.people[other as usize], &person, Some(from)) {
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

    /// `person`'s blocking keys, one per rule.
    fn keys(&self, person: &Person) -> Vec<Option<u64>> {
        self.settings
            .rules
            .iter()
            .take(MAX_RULES)
            .map(|r| r.key(person))
            .collect()
    }

    /// The records sharing a blocking key with `keys`, each once, in order.
    fn candidates(&self, keys: &[Option<u64>]) -> Vec<u32> {
        let mut candidates: Vec<u32> = Vec::new();
        for (bucket, key) in self.buckets.iter().zip(keys) {
            if let Some(members) = key.and_then(|k| bucket.get(&k)) {
                // As in a batch run, a key shared by too many records pairs nothing.
                if members.len() < self.settings.max_block {
                    candidates.extend(members);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// The records `person` would be linked to or reviewed against, with
    /// the verdict on each, without adding it: a search (a partner looking
    /// someone up), judged as an arrival from nowhere in particular.
    pub fn probe(&self, person: &Person) -> Vec<(u32, Verdict)> {
        let judge = Judge::new(&self.model, &self.frequencies, &self.settings)
            .with_contacts(&self.contacts);
        self.candidates(&self.keys(person))
            .into_iter()
            .filter(|other| !self.withdrawn[*other as usize])
            .map(|other| {
                (
                    other,
                    judge.assess(&self.people[other as usize], person, None),
                )
            })
            .filter(|(_, verdict)| *verdict != Verdict::Apart)
            .collect()
    }

    /// The records linked, directly or not, to `id` (itself included),
    /// sorted: those whose clusters a change to `id` can move.
    pub fn component(&self, id: u32) -> Vec<u32> {
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
        members
    }

    /// Works out again the clusters of the records linked, directly or not,
    /// to `id`, exactly as a batch run clusters a component, and keeps
    /// apart the records people said are different.
    fn recluster(&mut self, id: u32) {
        let members = self.component(id);
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
        let mut apart: Vec<(u32, u32)> = self
            .apart
            .iter()
            .copied()
            .filter(|(a, b)| members.binary_search(a).is_ok() && members.binary_search(b).is_ok())
            .collect();
        // As a batch run keeps its clusters coherent (`Linked::cohere`),
        // and sends the links it leaves out to review.
        let links = &self.links;
        let conflicts = crate::link::incoherent(
            &self.clusters,
            &members,
            &self.people,
            self.mode(),
            |a, b| links[a as usize].iter().any(|(o, _)| *o == b),
        );
        let refusing = !conflicts.is_empty();
        let before: Vec<u32> = members.iter().map(|m| self.clusters[*m as usize]).collect();
        apart.extend(conflicts);
        if !apart.is_empty() {
            cluster::keep_apart(&mut self.clusters, &members, &edges, &apart);
        }
        if refusing {
            let was = |m: u32| before[members.binary_search(&m).unwrap_or_default()];
            let clusters = &self.clusters;
            let refused: Vec<Edge> = edges
                .iter()
                .copied()
                .filter(|(a, b, _)| {
                    was(*a) == was(*b) && clusters[*a as usize] != clusters[*b as usize]
                })
                .collect();
            self.review
                .retain(|e| !refused.iter().any(|r| (r.0, r.1) == (e.0, e.1)));
            self.review.extend(refused);
        }
    }
}

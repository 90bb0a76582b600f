//! Linking records one at a time, as they arrive, gives the persons a batch
//! run over the same records gives, whatever order they arrive in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use townhall_linkage::blocking::Mode;
use townhall_linkage::index::Index;
use townhall_linkage::link::link;
use townhall_linkage::record::Person;

/// A partition of record numbers: the set of each cluster's members.
fn partition(clusters: &[u32], number: impl Fn(usize) -> usize) -> BTreeSet<BTreeSet<usize>> {
    let mut groups: std::collections::BTreeMap<u32, BTreeSet<usize>> = Default::default();
    for (i, c) in clusters.iter().enumerate() {
        groups.entry(*c).or_default().insert(number(i));
    }
    groups.into_values().collect()
}

#[test]
fn arrivals_one_by_one_make_the_clusters_of_a_batch_run() {
    let (people, _, settings) = common::prepared(600, 9, 100_000);
    let batch = link(&people, Mode::Dedupe, &settings, None);
    let expected = partition(&batch.clusters, |i| i);
    assert!(expected.len() < people.len(), "the run links something");

    let mut in_order = Index::new(
        settings.clone(),
        batch.model.clone(),
        batch.frequencies.clone(),
    );
    for p in &people {
        in_order.add(p.clone(), 0);
    }
    assert_eq!(partition(in_order.clusters(), |i| i), expected);
    assert_eq!(in_order.review().len(), batch.review.len());

    // In another order, the same persons.
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(3));
    let mut shuffled = Index::new(
        settings.clone(),
        batch.model.clone(),
        batch.frequencies.clone(),
    );
    for &i in &order {
        let arrival = shuffled.add(people[i].clone(), 0);
        assert_eq!(arrival.id as usize, shuffled.len() - 1);
    }
    assert_eq!(partition(shuffled.clusters(), |k| order[k]), expected);

    // And so does a batch run over the records in that order.
    let reordered: Vec<Person> = order.iter().map(|&i| people[i].clone()).collect();
    let again = link(
        &reordered,
        Mode::Dedupe,
        &settings,
        Some((batch.model.clone(), batch.frequencies.clone())),
    );
    assert_eq!(partition(&again.clusters, |k| order[k]), expected);
}

#[test]
fn an_index_built_from_a_run_withdraws_records_and_takes_decisions() {
    let (people, _, settings) = common::prepared(600, 11, 100_000);
    // The run holds all but the last record, which then arrives.
    let (held, last) = people.split_at(people.len() - 1);
    let run = link(held, Mode::Dedupe, &settings, None);
    let (model, frequencies) = (run.model.clone(), run.frequencies.clone());
    let mut from_run = Index::from_linked(
        settings.clone(),
        held.to_vec(),
        Default::default(),
        run,
        &[],
    );
    let mut one_by_one = Index::new(settings.clone(), model, frequencies);
    for p in held {
        one_by_one.add(p.clone(), 0);
    }
    assert_eq!(
        partition(from_run.clusters(), |i| i),
        partition(one_by_one.clusters(), |i| i)
    );
    from_run.add(last[0].clone(), 0);
    one_by_one.add(last[0].clone(), 0);
    assert_eq!(
        partition(from_run.clusters(), |i| i),
        partition(one_by_one.clusters(), |i| i),
        "an arrival after a run is linked as one after arrivals"
    );

    // A person of several records: withdrawn, a record leaves them; decided
    // different, two records part; decided the same, they join again.
    let id = (0..from_run.len() as u32)
        .find(|i| from_run.members(*i).len() >= 3)
        .expect("a person with three records");
    let members = from_run.members(id);
    let (a, b) = (members[0], members[1]);
    let changed = from_run.decide(a, b, false);
    assert!(changed.contains(&a) && changed.contains(&b));
    assert_ne!(from_run.cluster_of(a), from_run.cluster_of(b));
    from_run.decide(a, b, true);
    assert_eq!(from_run.cluster_of(a), from_run.cluster_of(b));
    assert_eq!(from_run.confidence(a), 1.0, "decided the same: certain");
    let gone = members[2];
    from_run.withdraw(gone);
    assert_eq!(from_run.members(gone), [gone], "withdrawn: alone");
    assert!(!from_run.members(a).contains(&gone));
    assert!(from_run
        .review()
        .iter()
        .all(|(x, y, _)| *x != gone && *y != gone));
}

#[test]
fn an_index_never_links_two_records_of_a_source_that_holds_each_person_once() {
    let (people, _, settings) = common::prepared(600, 13, 100_000);
    let trained = link(&people, Mode::Dedupe, &settings, None);
    // Source 1 holds each person once; source 0 may hold anyone twice.
    let mut index = Index::new(settings, trained.model, trained.frequencies)
        .with_deduplicated(vec![false, true]);
    let first = index.add(people[0].clone(), 1);
    let again = index.add(people[0].clone(), 1);
    assert!(again.links.is_empty(), "{again:?}");
    assert_ne!(again.cluster, first.cluster);
    // The same record in the other source links to both, yet joins one.
    let elsewhere = index.add(people[0].clone(), 0);
    assert_eq!(elsewhere.links.len(), 2, "{elsewhere:?}");
    let clusters = index.clusters();
    assert_ne!(clusters[0], clusters[1]);
    assert!(clusters[2] == clusters[0] || clusters[2] == clusters[1]);
    assert_eq!(index.review().len(), 1, "the link left out is reviewed");
}

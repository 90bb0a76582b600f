//! Linking people with the mistakes council systems really hold: typos,
//! nicknames, swapped day and month, moves, missing values, and twins at one
//! address who must stay apart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

mod common;

use townhall_linkage::blocking::Mode;
use townhall_linkage::link::{link, Settings, Veto};

fn pairs(ids: &[usize]) -> HashSet<(usize, usize)> {
    let mut out = HashSet::new();
    for i in 0..ids.len() {
        for j in i + 1..ids.len() {
            if ids[i] == ids[j] {
                out.insert((i, j));
            }
        }
    }
    out
}

#[test]
fn people_are_found_across_mistakes_and_twins_kept_apart() {
    let (people, truth_ids, settings) = common::prepared(1500, 42, 200_000);
    let settings = Settings {
        vetoes: vec![Veto::twins()],
        ..settings
    };
    let linked = link(&people, Mode::Dedupe, &settings, None);
    let predicted: Vec<usize> = linked.clusters.iter().map(|c| *c as usize).collect();
    let truth = pairs(&truth_ids);
    let found = pairs(&predicted);
    let right = truth.intersection(&found).count() as f64;
    let precision = right / found.len() as f64;
    let recall = right / truth.len() as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    eprintln!(
        "{} records: precision {precision:.4}, recall {recall:.4}, F1 {f1:.4}, {} candidate pairs, {} for review",
        people.len(),
        linked.pairs,
        linked.review.len()
    );
    assert!(
        f1 > 0.95,
        "precision {precision:.3}, recall {recall:.3}, F1 {f1:.3}; {} candidate pairs; m {:?}",
        linked.pairs,
        linked.model.m
    );
    // Every training run converged, and the estimates make sense: an exact
    // surname is far likelier among matches than among non-matches.
    assert!(
        linked.training.iter().all(|(_, r)| r.converged),
        "{:?}",
        linked.training
    );
    assert!(linked.model.weight(1, 0) > 3.0);
    for (a, b) in truth
        .iter()
        .filter(|(a, b)| truth_ids[*a] >= 100_000 || truth_ids[*b] >= 100_000)
    {
        assert_eq!(predicted[*a], predicted[*b], "{a} {b}");
    }
    let twins_merged = (0..people.len())
        .filter(|i| truth_ids[*i] >= 100_000)
        .filter(|i| (0..people.len()).any(|j| j != *i && predicted[j] == predicted[*i]))
        .count();
    assert_eq!(twins_merged, 0, "twins are different people");
    // Their pairs are not lost: a person decides.
    let twin_pairs = linked
        .review
        .iter()
        .filter(|(a, b, _)| truth_ids[*a as usize] >= 100_000 || truth_ids[*b as usize] >= 100_000)
        .count();
    assert!(twin_pairs >= 55, "{twin_pairs} twin pairs in review");
}

#[test]
fn confirmed_pairs_teach_the_model_and_every_decision_is_kept() {
    use townhall_linkage::link::{link_with, Decision};

    let (people, truth_ids, settings) = common::prepared(1500, 7, 200_000);
    let plain = link(&people, Mode::Dedupe, &settings, None);
    let first_name = 0;
    let nickname = plain.model.comparisons[first_name]
        .tests
        .iter()
        .position(|t| matches!(t, townhall_linkage::comparison::Test::Nickname))
        .unwrap();
    // Reviewers confirm true pairs whose first names are nicknames, and
    // part two records of different people that share a surname.
    let confirmed: Vec<Decision> = pairs(&truth_ids)
        .into_iter()
        .filter(|(a, b)| {
            plain.model.comparisons[first_name].level(&people[*a], &people[*b])
                == Some(u8::try_from(nickname).unwrap())
        })
        .take(60)
        .map(|(a, b)| Decision {
            a: a as u32,
            b: b as u32,
            same: true,
        })
        .collect();
    assert!(confirmed.len() >= 20, "{} nickname pairs", confirmed.len());
    // The pair parted: two different people the plain run joined if there
    // are any, else two different people with one surname.
    let all_pairs = || (0..people.len()).flat_map(|i| (i + 1..people.len()).map(move |j| (i, j)));
    let different = |(i, j): &(usize, usize)| truth_ids[*i] != truth_ids[*j];
    let (x, y) = all_pairs()
        .filter(different)
        .find(|(i, j)| plain.clusters[*i] == plain.clusters[*j])
        .or_else(|| {
            all_pairs().filter(different).find(|(i, j)| {
                people[*i].surname.is_some() && people[*i].surname == people[*j].surname
            })
        })
        .unwrap();
    let mut decisions = confirmed.clone();
    decisions.push(Decision {
        a: x as u32,
        b: y as u32,
        same: false,
    });
    let taught = link_with(&people, Mode::Dedupe, &settings, None, &decisions, &());
    assert!(
        taught.model.m[first_name][nickname] > plain.model.m[first_name][nickname],
        "{} should exceed {}",
        taught.model.m[first_name][nickname],
        plain.model.m[first_name][nickname]
    );
    for d in &confirmed {
        assert_eq!(taught.clusters[d.a as usize], taught.clusters[d.b as usize]);
    }
    assert_ne!(
        taught.clusters[x], taught.clusters[y],
        "parted stays parted"
    );
}

//! Estimating a model from the data: `u` from pairs taken at random (almost
//! all of which are different people), `m` and the share of matches by
//! expectation–maximisation over the candidate pairs, with a report of how it
//! went.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

use crate::comparison::{Field, Level};
use crate::model::{Model, Vector};
use crate::record::Person;

/// [`Model::u_home`]: for each comparison of a value a household shares,
/// how often different people at one home agree on it.
///
/// The candidate pairs at one home are of two kinds: one person's records,
/// and two people of one household (parent and child, brothers, people
/// sharing a house). Which kind a pair is shows in the values nobody in a
/// household shares: first name, date of birth, identifiers of a person
/// (not a UPRN, which everyone at one home shares). With `m` and `u` of
/// those already estimated, expectation–maximisation over the pairs at one
/// home finds the share of them that are two people and, from each pair's
/// chance of being two people, how often household members agree on each
/// shared value. Where pairs that disagree on first name and date of birth
/// are about as many as one person's records give by typing slips and
/// changed names (a file without households), few pairs count as two
/// people and `u_home` stays close to `u`. The counts are smoothed towards
/// `u` with the weight of [`HOME_PRIOR`] pairs; with no pair at one home
/// there is no `u_home`, and home is weighed as anywhere. `levels` holds
/// each pair's levels one after the other ([`Model::fill_levels`]), `homes`
/// whether its records are at one home ([`comparison::same_home`]); `m`
/// must be estimated first.
pub fn estimate_u_home(model: &mut Model, levels: &[Option<Level>], homes: &[bool]) {
    let n = model.comparisons.len();
    let household: Vec<bool> = model.comparisons.iter().map(|c| c.household).collect();
    if n == 0 || !household.contains(&true) {
        return;
    }
    // What tells one person's records from two people of one household:
    // values no household shares. Where they live is the same for every
    // pair here, and a UPRN, a town or a column of unknown meaning may be
    // shared by everyone at one home: none of them counts.
    let personal: Vec<bool> = model
        .comparisons
        .iter()
        .map(|c| matches!(c.field, Field::FirstName | Field::DateOfBirth) || c.identifies())
        .collect();
    // A pair with none of those values says nothing of its kind.
    let at_home: Vec<&[Option<Level>]> = levels
        .par_chunks(n)
        .zip(homes.par_iter())
        .filter(|(v, home)| **home && v.iter().zip(&personal).any(|(l, p)| *p && l.is_some()))
        .map(|(v, _)| v)
        .collect();
    if at_home.is_empty() {
        // Nothing to learn from: home is weighed as anywhere.
        model.u_home = Vec::new();
        return;
    }
    let mut tally: HashMap<&[Option<Level>], f64, foldhash::fast::FixedState> = HashMap::default();
    for v in at_home {
        *tally.entry(v).or_default() += 1.0;
    }
    let mut u_home: Vec<Vec<f64>> = model.u.clone();
    let mut apart = 0.5;
    for _ in 0..200 {
        let mut counts: Vec<Vec<f64>> = model.u.iter().map(|l| vec![0.0; l.len()]).collect();
        let (mut two, mut total) = (0.0, 0.0);
        for (v, count) in &tally {
            let (mut one, mut other) = (1.0 - apart, apart);
            for (c, level) in v.iter().enumerate() {
                let Some(l) = level.map(usize::from) else {
                    continue;
                };
                if personal[c] {
                    one *= model.m[c][l];
                    other *= model.u[c][l];
                } else if household[c] {
                    one *= model.m[c][l];
                    other *= u_home[c][l];
                }
            }
            let p = if one + other > 0.0 {
                other / (one + other)
            } else {
                0.0
            };
            two += count * p;
            total += count;
            for (c, level) in v.iter().enumerate() {
                if let (Some(l), true) = (level, household[c]) {
                    counts[c][usize::from(*l)] += count * p;
                }
            }
        }
        let mut largest = 0.0f64;
        for c in (0..n).filter(|c| household[*c]) {
            let weight: f64 = counts[c].iter().sum();
            for (l, u) in model.u[c].iter().enumerate() {
                let new = (counts[c][l] + HOME_PRIOR * u) / (weight + HOME_PRIOR);
                largest = largest.max((new - u_home[c][l]).abs());
                u_home[c][l] = new;
            }
        }
        if total > 0.0 {
            apart = two / total;
        }
        if largest < 1e-7 {
            break;
        }
    }
    model.u_home = (0..n)
        .map(|c| {
            if household[c] {
                u_home[c].clone()
            } else {
                Vec::new()
            }
        })
        .collect();
}

/// How many pairs' worth of weight `u` has when [`estimate_u_home`]
/// smooths its counts towards it.
pub const HOME_PRIOR: f64 = 100.0;

/// Sets `u` from `samples` pairs of different records taken at random.
/// Each level's count is smoothed by one, so no level is ever impossible.
/// The samples are drawn in chunks on all cores, each chunk from its own
/// seed, so a run repeats exactly whatever the number of cores.
///
/// Each chunk first draws [`MEMBERS`] records at random, then its pairs
/// among them: any two records are as likely to be paired as when every
/// pair is drawn from all records, and the members' values stay in the
/// processor's cache, where pairs drawn from a million records would
/// each wait on memory (training at a million records took 1.5 s instead
/// of 2.5 s). Each level's expected count is unchanged; pairs that share a
/// record are not independent, so a level most records share (one town)
/// is estimated a little less closely, from 65,536 records for a million
/// pairs (16 chunks of 4,096) rather than two million.
pub fn estimate_u(model: &mut Model, people: &[Person], samples: usize, seed: u64) -> Sample {
    const CHUNK: usize = 1 << 16;
    let empty: Vec<Vec<f64>> = model.u.iter().map(|l| vec![0.0; l.len()]).collect();
    if people.len() < 2 {
        return Sample { counts: empty };
    }
    let members = MEMBERS.min(people.len());
    let chunks = samples.div_ceil(CHUNK);
    let counts = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = StdRng::seed_from_u64(seed.wrapping_add(chunk as u64));
            let mut counts = empty.clone();
            let mut levels = vec![None; model.comparisons.len()];
            let chosen = rand::seq::index::sample(&mut rng, people.len(), members);
            let n = CHUNK.min(samples - chunk * CHUNK);
            for _ in 0..n {
                let a = rng.gen_range(0..members);
                let mut b = rng.gen_range(0..members - 1);
                if b >= a {
                    b += 1;
                }
                let (i, j) = (chosen.index(a), chosen.index(b));
                model.fill_levels(&people[i], &people[j], &mut levels);
                for (c, level) in levels.iter().enumerate() {
                    if let Some(l) = level {
                        counts[c][usize::from(*l)] += 1.0;
                    }
                }
            }
            counts
        })
        .reduce(
            || empty.clone(),
            |mut a, b| {
                for (x, y) in a.iter_mut().flatten().zip(b.iter().flatten()) {
                    *x += y;
                }
                a
            },
        );
    let sample = Sample { counts };
    sample.set_u(model, 0.0);
    sample
}

/// The levels the random pairs of [`estimate_u`] reached: for each
/// comparison, how many pairs reached each level.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    counts: Vec<Vec<f64>>,
}

impl Sample {
    /// Sets `u` from the sample, of whose pairs a share `matched` are one
    /// person's. Random pairs are a mixture: besides different people they
    /// hold, by chance, as many matches as there are in all pairs, and for
    /// an identifier, which only one person has, those few matches are
    /// most of the pairs that agree on it (in FEBRL4, nine in ten). For
    /// identifiers, their expected count at each level (`matched` times
    /// the comparison's pairs times `m`) is taken away, so that `u` is how
    /// often different people agree, as the model means it. Names, dates
    /// and addresses keep the plain sample: different people agree on them
    /// together (twins on a surname, a date and a home), which the model,
    /// weighing each field on its own, does not see, and the matches in
    /// their sample are what keeps it from linking twins (at 100,000
    /// records of the first synthetic council, taking them out of dates
    /// of birth lowered F1 from 0.984 to 0.978). With `matched` 0 this is
    /// the plain sample. Each level's count is smoothed by one, so no
    /// level is ever impossible. The plain sample's share of exact matches
    /// is kept as [`Model::agree_at_random`].
    pub fn set_u(&self, model: &mut Model, matched: f64) {
        model.agree_at_random = self
            .counts
            .iter()
            .map(|counts| {
                let first = counts.first().copied().unwrap_or(0.0);
                (first + 1.0) / (counts.iter().sum::<f64>() + counts.len() as f64)
            })
            .collect();
        for (c, counts) in self.counts.iter().enumerate() {
            let pairs: f64 = counts.iter().sum();
            let smoothed: Vec<f64> = counts
                .iter()
                .enumerate()
                .map(|(l, n)| {
                    let m = if model.comparisons[c].identifies() {
                        model.m[c].get(l).copied().unwrap_or(0.0)
                    } else {
                        0.0
                    };
                    (n - matched * pairs * m).max(0.0) + 1.0
                })
                .collect();
            let total: f64 = smoothed.iter().sum();
            model.u[c] = smoothed.iter().map(|n| n / total).collect();
        }
    }
}

/// The records each chunk of [`estimate_u`]'s pairs is drawn among.
const MEMBERS: usize = 4_096;

/// The distinct comparison vectors of a set of pairs, and which one each
/// pair reached: EM works on tallies of vectors, so its cost does not grow
/// with the number of pairs, and a tally of any subset of the pairs (a
/// blocking rule's) then counts small integers instead of hashing vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patterns {
    /// The distinct vectors, in order.
    pub vectors: Vec<Vector>,
    /// Each pair's vector, as an index into `vectors`.
    pub of_pair: Vec<u32>,
}

impl Patterns {
    /// The patterns of pairs whose levels are `levels`, `k` per pair one
    /// after the other ([`Model::fill_levels`]).
    pub fn of(levels: &[Option<Level>], k: usize) -> Self {
        type Seen<'a> = HashMap<&'a [Option<Level>], u32, foldhash::fast::FixedState>;
        // A part's distinct vectors, and each of its pairs' among them.
        type Part<'a> = (Vec<&'a [Option<Level>]>, Vec<u32>);
        // Each part of the pairs finds its own patterns side by side; the
        // parts' patterns are then merged, sorted, and the pairs renumbered.
        const PART: usize = 1 << 20;
        let k = k.max(1);
        let parts: Vec<Part> = levels
            .par_chunks(k * PART)
            .map(|part| {
                let mut seen = Seen::default();
                let mut found = Vec::new();
                let ids = part
                    .chunks(k)
                    .map(|v| {
                        *seen.entry(v).or_insert_with(|| {
                            found.push(v);
                            u32::try_from(found.len() - 1).unwrap_or(u32::MAX)
                        })
                    })
                    .collect();
                (found, ids)
            })
            .collect();
        let mut vectors: Vec<&[Option<Level>]> = parts
            .iter()
            .flat_map(|(found, _)| found.iter().copied())
            .collect();
        vectors.sort_unstable();
        vectors.dedup();
        let position: Seen = vectors
            .iter()
            .enumerate()
            .map(|(i, v)| (*v, u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        let of_pair = parts
            .par_iter()
            .flat_map_iter(|(found, ids)| {
                let renumber: Vec<u32> = found.iter().map(|v| position[v]).collect();
                ids.iter().map(move |id| renumber[*id as usize])
            })
            .collect();
        Patterns {
            vectors: vectors.into_iter().map(<[_]>::to_vec).collect(),
            of_pair,
        }
    }

    /// Each vector reached by the pairs `keep` keeps (given their
    /// positions), and by how many of them.
    pub fn tally(&self, keep: impl Fn(usize) -> bool) -> Vec<(Vector, u64)> {
        let mut counts = vec![0u64; self.vectors.len()];
        for (_, id) in self.of_pair.iter().enumerate().filter(|(i, _)| keep(*i)) {
            counts[*id as usize] += 1;
        }
        self.vectors
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(v, n)| (v.clone(), n))
            .collect()
    }
}

/// How many pairs EM's estimate of `m` counts as against reviewers' labels:
/// with this many confirmed matches, the two weigh the same.
pub const LABEL_WEIGHT: f64 = 200.0;

/// Moves `m` towards the levels that pairs reviewers confirmed as matches
/// reach (`labelled`, their vectors): each counts as one observation, EM's
/// estimate as [`LABEL_WEIGHT`]. A comparison a pair has no value for is not
/// moved by it. Non-matches are not used: reviewers see hard cases, not the
/// random pairs `u` stands for.
pub fn learn_from_matches(model: &mut Model, labelled: &[Vector]) {
    for c in 0..model.comparisons.len() {
        let mut counts = vec![0.0; model.m[c].len()];
        for level in labelled.iter().filter_map(|v| v.get(c).copied().flatten()) {
            if let Some(n) = counts.get_mut(usize::from(level)) {
                *n += 1.0;
            }
        }
        let seen: f64 = counts.iter().sum();
        if seen == 0.0 {
            continue;
        }
        for (m, n) in model.m[c].iter_mut().zip(&counts) {
            *m = (*m * LABEL_WEIGHT + n) / (LABEL_WEIGHT + seen);
        }
    }
}

/// How a training run went.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Iterations run.
    pub iterations: usize,
    /// Whether the largest change in `m` fell below the tolerance.
    pub converged: bool,
    /// The largest change in `m` at each iteration.
    pub changes: Vec<f64>,
    /// The share of the candidate pairs estimated to be matches.
    pub match_share: f64,
}

/// Estimates `m` (with `u` fixed) and the share of matches among the
/// candidate pairs by expectation–maximisation, from `start` until no `m`
/// moves by more than `tolerance` or `max_iterations` have run.
/// Comparisons listed in `ignored` are left out of the likelihood and keep
/// their `m`: those a blocking rule made agree on every candidate pair carry
/// no evidence there, and counting them would call every pair a match.
pub fn estimate_m(
    model: &mut Model,
    tallied: &[(Vector, u64)],
    start: f64,
    ignored: &[usize],
    max_iterations: usize,
    tolerance: f64,
) -> Report {
    let mut share = start;
    let mut changes = Vec::new();
    for _ in 0..max_iterations {
        let mut m_sum: Vec<Vec<f64>> = model.m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut matched = 0.0;
        let mut total = 0.0;
        for (v, n) in tallied {
            let n = *n as f64;
            let p = posterior(model, v, share, ignored);
            matched += n * p;
            total += n;
            for (c, level) in v.iter().enumerate() {
                if let Some(l) = level {
                    m_sum[c][usize::from(*l)] += n * p;
                }
            }
        }
        let mut largest = 0.0f64;
        for (c, sums) in m_sum.into_iter().enumerate() {
            let weight: f64 = sums.iter().sum();
            if ignored.contains(&c) || weight <= 0.0 {
                continue;
            }
            for (l, s) in sums.into_iter().enumerate() {
                let new = (s / weight).max(1e-6);
                largest = largest.max((new - model.m[c][l]).abs());
                model.m[c][l] = new;
            }
        }
        if total > 0.0 {
            share = matched / total;
        }
        changes.push(largest);
        if largest < tolerance {
            return Report {
                iterations: changes.len(),
                converged: true,
                changes,
                match_share: share,
            };
        }
    }
    Report {
        iterations: changes.len(),
        converged: false,
        changes,
        match_share: share,
    }
}

/// The probability that a pair with vector `v` matches, when a share
/// `share` of pairs do, counting every comparison but those `ignored`.
fn posterior(model: &Model, v: &[Option<u8>], share: f64, ignored: &[usize]) -> f64 {
    let (mut lm, mut lu) = (share, 1.0 - share);
    for (c, level) in v.iter().enumerate() {
        if let (Some(l), false) = (level, ignored.contains(&c)) {
            lm *= model.m[c][usize::from(*l)];
            lu *= model.u[c][usize::from(*l)];
        }
    }
    if lm + lu > 0.0 {
        lm / (lm + lu)
    } else {
        0.0
    }
}

/// The share of the pairs in `tallied` that match, with `m` and `u` as they
/// are: EM on the share alone, from `start`.
pub fn match_share(model: &Model, tallied: &[(Vector, u64)], start: f64) -> f64 {
    let total: f64 = tallied.iter().map(|(_, n)| *n as f64).sum();
    if total <= 0.0 {
        return start;
    }
    let mut share = start;
    for _ in 0..200 {
        let matched: f64 = tallied
            .iter()
            .map(|(v, n)| *n as f64 * posterior(model, v, share, &[]))
            .sum();
        let next = matched / total;
        if (next - share).abs() < 1e-12 {
            return next;
        }
        share = next;
    }
    share
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comparison::{self, Comparison, Field, Test};

    /// Three comparisons of three levels with known m, u and share of matches.
    fn truth() -> Model {
        let comparison = |field| Comparison {
            field,
            tests: vec![Test::Exact, Test::JaroWinkler(0.9)],
            household: false,
            column: None,
        };
        Model {
            comparisons: vec![
                comparison(Field::FirstName),
                comparison(Field::Surname),
                comparison(Field::Postcode),
            ],
            m: vec![
                vec![0.85, 0.10, 0.05],
                vec![0.75, 0.15, 0.10],
                vec![0.70, 0.20, 0.10],
            ],
            u: vec![
                vec![0.02, 0.08, 0.90],
                vec![0.01, 0.04, 0.95],
                vec![0.05, 0.15, 0.80],
            ],
            prior: 0.0,
            u_home: Vec::new(),
            agree_at_random: Vec::new(),
        }
    }

    fn tally(vectors: &[Vector]) -> Vec<(Vector, u64)> {
        let k = vectors[0].len();
        Patterns::of(&vectors.concat(), k).tally(|_| true)
    }

    #[test]
    fn patterns_number_pairs_by_their_vectors() {
        let levels = [Some(1), None, Some(0), Some(0), Some(1), None];
        let patterns = Patterns::of(&levels, 2);
        assert_eq!(
            patterns.vectors,
            vec![vec![Some(0), Some(0)], vec![Some(1), None]]
        );
        assert_eq!(patterns.of_pair, vec![1, 0, 1]);
        assert_eq!(patterns.tally(|i| i > 0).len(), 2);
        assert_eq!(patterns.tally(|i| i != 1), vec![(vec![Some(1), None], 2)]);
    }

    #[test]
    fn the_matches_among_random_pairs_are_taken_out_of_an_identifiers_u_only() {
        let id = crate::column::Column {
            name: "nhs_number".into(),
            kind: crate::column::Kind::NhsNumber,
        };
        let mut model = Model::new(vec![
            comparison::people().remove(0),
            Comparison::of_column(0, id, vec![Test::Exact, Test::DamerauLevenshtein(1)]),
        ]);
        model.m[1] = vec![0.9, 0.05, 0.05];
        // A million random pairs, one in ten thousand one person's: 100
        // of them, 90 of which agree exactly on the identifier.
        let first_name = [vec![100.0], vec![0.0; 6], vec![999_900.0]].concat();
        let sample = Sample {
            counts: vec![first_name, vec![100.0, 0.0, 999_900.0]],
        };
        sample.set_u(&mut model, 1e-4);
        // Counts less the expected matches (90, 5 and 5), each plus one.
        let total = 11.0 + 1.0 + 999_896.0;
        let want = [11.0 / total, 1.0 / total, 999_896.0 / total];
        for (u, w) in model.u[1].iter().zip(want) {
            assert!((u - w).abs() < 1e-12, "{u} against {w}");
        }
        // The first name keeps the plain sample.
        let plain = 101.0 / 1_000_008.0;
        assert!((model.u[0][0] - plain).abs() < 1e-12);
        // Both keep how often random records agree, matches and all.
        let agree = [plain, 101.0 / 1_000_003.0];
        for (a, w) in model.agree_at_random.iter().zip(agree) {
            assert!((a - w).abs() < 1e-12, "{a} against {w}");
        }
    }

    fn draw(p: &[f64], rng: &mut StdRng) -> u8 {
        let x: f64 = rng.gen();
        let mut acc = 0.0;
        for (i, pi) in p.iter().enumerate() {
            acc += pi;
            if x < acc {
                return i as u8;
            }
        }
        (p.len() - 1) as u8
    }

    #[test]
    fn confirmed_matches_move_m_towards_what_they_show() {
        let mut model = truth();
        let before = model.m[0].clone();
        // 200 confirmed matches, all at the second level of the first
        // comparison, none with a value for the others.
        let labelled = vec![vec![Some(1), None, None]; 200];
        learn_from_matches(&mut model, &labelled);
        assert!((model.m[0][1] - (before[1] + 1.0) / 2.0).abs() < 1e-12);
        assert!((model.m[0].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(model.m[1], truth().m[1], "no values, no change");
    }

    #[test]
    fn em_recovers_known_parameters_from_simulated_pairs() {
        let truth = truth();
        let share = 0.2;
        let mut rng = StdRng::seed_from_u64(7);
        let vectors: Vec<Vector> = (0..200_000)
            .map(|_| {
                let probs = if rng.gen::<f64>() < share {
                    &truth.m
                } else {
                    &truth.u
                };
                probs.iter().map(|p| Some(draw(p, &mut rng))).collect()
            })
            .collect();
        let mut model = Model::new(truth.comparisons.clone());
        model.u = truth.u.clone();
        let report = estimate_m(&mut model, &tally(&vectors), 0.5, &[], 200, 1e-7);
        assert!(report.converged, "{report:?}");
        assert!((report.match_share - share).abs() < 0.01, "{report:?}");
        for (got, want) in model.m.iter().flatten().zip(truth.m.iter().flatten()) {
            assert!((got - want).abs() < 0.02, "m {got} against {want}");
        }
        // Each iteration moves m less than the one before, once under way.
        assert!(report
            .changes
            .windows(2)
            .skip(3)
            .all(|w| w[1] <= w[0] + 1e-12));
    }

    #[test]
    fn ignored_comparisons_keep_their_m() {
        let truth = truth();
        let mut model = Model::new(truth.comparisons.clone());
        let before = model.m[2].clone();
        let vectors: Vec<Vector> = vec![vec![Some(0), Some(0), Some(0)]; 10];
        estimate_m(&mut model, &tally(&vectors), 0.5, &[2], 5, 1e-9);
        assert_eq!(model.m[2], before);
    }

    /// Someone living at `home`, with its family's surname and phone.
    fn living_at(first: &str, dob: &str, home: usize) -> Person {
        Person::prepare(&crate::record::RawPerson {
            first_name: first.into(),
            surname: format!("Family{home}"),
            date_of_birth: dob.into(),
            postcode: format!("RV{} {}AB", 1 + home / 10, home % 10),
            address: format!("{} Rowan Terrace", home + 1),
            phone: format!("07700 9{home:05}"),
            ..Default::default()
        })
    }

    /// A family at each of `homes` homes: a parent and a child, with one
    /// surname, one phone and one home.
    fn families(homes: usize) -> (Vec<Person>, Vec<(u32, u32, u32)>) {
        let mut people = Vec::new();
        let mut pairs = Vec::new();
        for home in 0..homes {
            people.push(living_at("Isabella", "1976-11-27", home));
            people.push(living_at("Lily", "2016-06-17", home));
            let n = u32::try_from(people.len()).unwrap();
            pairs.push((n - 2, n - 1, 1));
        }
        (people, pairs)
    }

    fn homes_of(people: &[Person], pairs: &[(u32, u32, u32)]) -> Vec<bool> {
        pairs
            .iter()
            .map(|(a, b, _)| comparison::same_home(&people[*a as usize], &people[*b as usize]))
            .collect()
    }

    fn levels_of(
        model: &Model,
        people: &[Person],
        pairs: &[(u32, u32, u32)],
    ) -> Vec<Option<Level>> {
        let mut levels = vec![None; pairs.len() * model.comparisons.len()];
        for (p, chunk) in pairs.iter().zip(levels.chunks_mut(model.comparisons.len())) {
            model.fill_levels(&people[p.0 as usize], &people[p.1 as usize], chunk);
        }
        levels
    }

    #[test]
    fn families_at_one_home_teach_what_household_members_share() {
        let mut model = Model::new(comparison::people());
        let (people, pairs) = families(400);
        let levels = levels_of(&model, &people, &pairs);
        estimate_u_home(&mut model, &levels, &homes_of(&people, &pairs));
        let surname = model
            .comparisons
            .iter()
            .position(|c| c.field == Field::Surname)
            .unwrap();
        let phone = model
            .comparisons
            .iter()
            .position(|c| c.field == Field::Phone)
            .unwrap();
        let dob = model
            .comparisons
            .iter()
            .position(|c| c.field == Field::DateOfBirth)
            .unwrap();
        // 400 families against 100 pairs' worth of u: 80% of household
        // members share the surname and phone, as these families all do.
        let expected = (400.0 + HOME_PRIOR * model.u[surname][0]) / (400.0 + HOME_PRIOR);
        assert!((model.u_home[surname][0] - expected).abs() < 1e-3);
        assert!(model.u_home[phone][0] > 0.79);
        assert!(model.u_home[dob].is_empty(), "not a household's value");
        // At one home a shared surname is worth little; elsewhere it counts.
        assert!(model.weight_at(surname, 0, true) < 1.0);
        assert!(model.weight_at(surname, 0, false) > 1.0);
        assert_eq!(model.weight_at(dob, 0, true), model.weight(dob, 0));
        let (parent, child) = (&people[0], &people[1]);
        assert!(model.at_home(parent, child));
        let moved = Person {
            postcode: people[3].postcode.clone(),
            address: people[3].address.clone(),
            ..child.clone()
        };
        assert!(!model.at_home(parent, &moved));
    }

    #[test]
    fn one_persons_records_with_changed_names_and_dates_are_no_household() {
        // 2,000 pairs of one person's records at their home; one in a
        // hundred has both first name and date of birth changed, as often
        // as m says slips and changes give. They are no household members,
        // and a shared surname at home keeps its weight.
        let mut model = Model::new(comparison::people());
        let position = |field| {
            model
                .comparisons
                .iter()
                .position(|c| c.field == field)
                .unwrap()
        };
        let (first, dob, surname) = (
            position(Field::FirstName),
            position(Field::DateOfBirth),
            position(Field::Surname),
        );
        for c in [first, dob] {
            let k = model.m[c].len();
            model.m[c] = vec![0.9 / (k - 1) as f64; k];
            model.m[c][k - 1] = 0.1;
        }
        let (mut people, mut pairs) = (Vec::new(), Vec::new());
        for home in 0..2_000 {
            people.push(living_at("Isabella", "1976-11-27", home));
            people.push(if home % 100 == 0 {
                living_at("Bushra", "2001-02-03", home)
            } else {
                living_at("Isabella", "1976-11-27", home)
            });
            let n = u32::try_from(people.len()).unwrap();
            pairs.push((n - 2, n - 1, 1));
        }
        let levels = levels_of(&model, &people, &pairs);
        estimate_u_home(&mut model, &levels, &homes_of(&people, &pairs));
        assert!(
            model.u_home[surname][0] < model.u[surname][0] + 0.02,
            "{} against {}",
            model.u_home[surname][0],
            model.u[surname][0]
        );
    }

    #[test]
    fn without_households_home_is_weighed_as_anywhere() {
        let mut model = Model::new(comparison::people());
        let (people, pairs) = families(400);
        // The pairs are people living apart: nothing is learned at home.
        let apart: Vec<(u32, u32, u32)> = pairs
            .iter()
            .map(|(a, _, r)| (*a, (*a + 3) % 800, *r))
            .collect();
        let levels = levels_of(&model, &people, &apart);
        estimate_u_home(&mut model, &levels, &homes_of(&people, &apart));
        assert!(model.u_home.is_empty());
        let surname = model
            .comparisons
            .iter()
            .position(|c| c.field == Field::Surname)
            .unwrap();
        assert_eq!(model.weight_at(surname, 0, true), model.weight(surname, 0));
    }
}

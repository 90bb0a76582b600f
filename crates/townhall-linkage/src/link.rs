//! Linking a set of records in one go: block, estimate the model from the
//! data, score every candidate pair, and cluster the pairs into persons.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::blocking::{self, KeyPart, Mode, Rule};
use crate::cluster::{self, Edge};
use crate::compare;
use crate::comparison::{self, Comparison, Field, Level};
use crate::contacts::SharedContacts;
use crate::frequency::TermFrequencies;
use crate::model::{self, Model, Vector};
use crate::record::Person;
use crate::train::{self, Report};

/// A pattern that sends a pair to review instead of a link: one field
/// disagreeing entirely ("anything else") while others agree at some level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veto {
    /// The field that disagrees entirely.
    pub disagree: Field,
    /// The fields that agree, at any level better than "anything else".
    pub agree: Vec<Field>,
}

impl Veto {
    /// Twins: first names that disagree entirely on records whose dates of
    /// birth agree (or nearly: a typing slip). A probabilistic model weighs fields independently, so
    /// it links twins (same surname, birthday and home); this sends such
    /// pairs to a person instead. It also holds back true matches whose
    /// first name was replaced outright (on FEBRL4, about 8% of them).
    pub fn twins() -> Self {
        Veto {
            disagree: Field::FirstName,
            agree: vec![Field::DateOfBirth],
        }
    }
}

/// A source whose records hold what people typed about themselves (an
/// online account's sign-up form): nobody checked them but for `checked`.
/// Anyone can type a neighbour's name and birthday, so a pair with one of
/// its records is linked without a person's review only when a checked
/// contact (an email address its owner confirmed, or a phone number) agrees
/// exactly and is held for nobody else ([`SharedContacts`]); otherwise it
/// goes to review, however high it scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfAsserted {
    /// The source, as [`Mode::Sources`] numbers it.
    pub source: u32,
    /// The contacts, by [`Comparison::name`] (`email`, `phone`), the
    /// source has checked.
    pub checked: Vec<String>,
}

/// How to link.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The comparisons, field by field.
    pub comparisons: Vec<Comparison>,
    /// The blocking rules.
    pub rules: Vec<Rule>,
    /// Pairs at or above this probability are the same person.
    pub threshold: f64,
    /// Pairs from this probability up to the threshold go to clerical review.
    pub review_from: f64,
    /// Pairs that are never linked without a person's review, however high
    /// they score (none by default; see [`Veto::twins`]).
    pub vetoes: Vec<Veto>,
    /// Sources whose records people typed themselves (none by default).
    pub self_asserted: Vec<SelfAsserted>,
    /// The most records one person may have before their cluster is split
    /// at a stricter threshold.
    pub max_cluster: usize,
    /// Random pairs sampled to estimate `u`.
    pub u_samples: usize,
    /// The seed of that sampling, so runs repeat exactly.
    pub seed: u64,
    /// Records sharing one blocking key beyond which the key pairs nothing.
    pub max_block: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            comparisons: comparison::people(),
            rules: blocking::people(),
            threshold: 0.95,
            review_from: 0.5,
            vetoes: vec![],
            self_asserted: vec![],
            max_cluster: 50,
            u_samples: 1_000_000,
            seed: 1,
            max_block: 5_000,
        }
    }
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Linked {
    /// The model, as estimated (or as given).
    pub model: Model,
    /// The frequencies exact matches were weighed by.
    pub frequencies: TermFrequencies,
    /// How training went, one report per blocking rule that had pairs.
    pub training: Vec<(String, Report)>,
    /// Each record's cluster: the index of its first record.
    pub clusters: Vec<u32>,
    /// Each record's best match probability to another record of its
    /// cluster (1 for a record alone).
    pub confidence: Vec<f64>,
    /// Candidate pairs scored.
    pub pairs: usize,
    /// Scored pairs at or above the threshold, linked.
    pub links: Vec<Edge>,
    /// Pairs for clerical review: scored from `review_from` up to the
    /// threshold, or above it but vetoed.
    pub review: Vec<Edge>,
}

/// Estimates a model for `people` from their candidate pairs: `u` from
/// random pairs, then `m` by EM on each rule's pairs with the fields that
/// rule blocks on held fixed, averaged over the rules that are the best
/// [`Evidence`] of each field; and the prior from the share of candidates that match. `levels`
/// holds each pair's levels one after the other ([`Model::fill_levels`]),
/// `homes` whether each pair's records are at one home.
pub fn train(
    people: &[Person],
    pairs: &[(u32, u32, u32)],
    levels: &[Option<Level>],
    homes: &[bool],
    settings: &Settings,
    total_pairs: f64,
    decisions: &[Decision],
) -> (Model, Vec<(String, Report)>) {
    let mut model = Model::new(settings.comparisons.clone());
    let comparisons = model.comparisons.len();
    // No more samples than there are pairs: small inputs train quickly.
    let samples = settings.u_samples.min(total_pairs as usize);
    let sample = train::estimate_u(&mut model, people, samples, settings.seed);
    let patterns = train::Patterns::of(levels, comparisons);
    // Each comparison's m from the sessions of one [`Evidence`], the best
    // there is for its field: sessions whose rule fixes only identifiers,
    // else those whose rule leaves the field alone, else those whose rule
    // leans it towards agreement ([`KeyPart::leans`]: a rule on a birth
    // year pairs few matches whose dates differ wholly, so m learned there
    // under-weighs such dates).
    let mut sums: Vec<[Vec<f64>; 3]> = model
        .m
        .iter()
        .map(|l| std::array::from_fn(|_| vec![0.0; l.len()]))
        .collect();
    let mut sessions = vec![[0usize; 3]; model.comparisons.len()];
    let mut reports = Vec::new();
    for (r, rule) in settings.rules.iter().enumerate() {
        // A rule that fixes only what a household shares (surname, address,
        // phone) pairs families; EM would learn "same household" as its
        // match class, and a parent would then match their child. A first
        // initial or a birth year with the address is no better: couples,
        // twins and siblings share them. Only a whole first name, a whole
        // date of birth or an identifier makes a rule's pairs mostly one
        // person's.
        let personal = rule.parts.iter().any(|p| {
            p.covers(Field::FirstName)
                || p.covers(Field::DateOfBirth)
                || identifier(p, &model.comparisons)
        });
        if !personal {
            continue;
        }
        let of_rule = patterns.tally(|i| pairs[i].2 & (1 << r) != 0);
        if of_rule.is_empty() {
            continue;
        }
        let fixed: Vec<usize> = model
            .comparisons
            .iter()
            .enumerate()
            .filter(|(_, c)| rule.parts.iter().any(|p| p.covers(c.field)))
            .map(|(i, _)| i)
            .collect();
        let mut session = model.clone();
        let report = train::estimate_m(&mut session, &of_rule, 0.05, &fixed, 100, 1e-5);
        for c in (0..model.comparisons.len()).filter(|c| !fixed.contains(c)) {
            let evidence =
                Evidence::of(rule, model.comparisons[c].field, &model.comparisons) as usize;
            for (s, m) in sums[c][evidence].iter_mut().zip(&session.m[c]) {
                *s += m;
            }
            sessions[c][evidence] += 1;
        }
        reports.push((rule.name.clone(), report));
    }
    for (c, counts) in sessions.iter().enumerate() {
        let Some(best) = counts.iter().position(|n| *n > 0) else {
            continue;
        };
        let (sums, n) = (&sums[c][best], counts[best]);
        // Some matches fall at every level (a date mistyped beyond a
        // slip, a surname changed): a level no training pair reached is
        // rare, not impossible, or one disagreement would outweigh all
        // other evidence. A share of M_SPREAD is spread evenly.
        let even = M_SPREAD / sums.len() as f64;
        model.m[c] = sums
            .iter()
            .map(|s| (1.0 - M_SPREAD) * s / n as f64 + even)
            .collect();
    }
    // Pairs people have confirmed are labels: m learns from them too.
    let confirmed: Vec<Vector> = decisions
        .iter()
        .filter(|d| d.same)
        .map(|d| model.vector(&people[d.a as usize], &people[d.b as usize]))
        .collect();
    train::learn_from_matches(&mut model, &confirmed);
    // The matches among the random pairs `u` came from, now that m tells
    // them apart, are taken out of it.
    let candidates = patterns.tally(|_| true);
    let share = train::match_share(&model, &candidates, 0.05);
    let n = people.len() as f64;
    let sampled = n * (n - 1.0) / 2.0;
    sample.set_u(
        &mut model,
        (share * pairs.len() as f64 / sampled.max(1.0)).min(1.0),
    );
    // Household members at one home, told apart from one person's records
    // by the values m and u now weigh.
    train::estimate_u_home(&mut model, levels, homes);
    // The prior: matches expected among the candidates, over all pairs.
    let share = train::match_share(&model, &candidates, share);
    let expected = share * pairs.len() as f64;
    model.prior = (expected / total_pairs.max(1.0)).clamp(1e-12, 0.5);
    (model, reports)
}

/// What a training session's rule makes of a field's `m`, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// The rule fixes only identifiers (an NHS number, a system's id): its
    /// pairs agree on a value given to a person, not derived from their
    /// name, birth or home, so its matches err in every other field as all
    /// matches do, and it pairs no twins or household members, whom EM
    /// would take for one person's records (as Splink learns m from a label
    /// column).
    Identifier,
    /// The rule leaves the field alone, though its other parts may pair
    /// twins and household members.
    Apart,
    /// The rule leans the field towards agreement ([`KeyPart::leans`]).
    Narrowed,
}

impl Evidence {
    /// What `rule` makes of `field`'s `m`, among `comparisons`.
    fn of(rule: &Rule, field: Field, comparisons: &[Comparison]) -> Self {
        if rule.parts.iter().all(|p| identifier(p, comparisons)) {
            Evidence::Identifier
        } else if rule.parts.iter().any(|p| p.leans(field)) {
            Evidence::Narrowed
        } else {
            Evidence::Apart
        }
    }
}

/// Whether a key part is an identifier among `comparisons`.
fn identifier(part: &KeyPart, comparisons: &[Comparison]) -> bool {
    comparisons
        .iter()
        .any(|c| part.covers(c.field) && c.identifies())
}

/// The share of `m` spread evenly over a comparison's levels after training.
const M_SPREAD: f64 = 0.02;

/// What to do with a pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The same person, with this probability.
    Link(f64),
    /// A person should decide: uncertain, or vetoed.
    Review(f64),
    /// Different people.
    Apart,
}

/// Decides pairs with a model, the frequencies it weighs exact matches by,
/// and the thresholds and vetoes of the settings.
pub struct Judge<'a> {
    model: &'a Model,
    frequencies: &'a TermFrequencies,
    threshold: f64,
    review_from: f64,
    /// For each veto: the comparison that must disagree entirely, and those
    /// that must agree at some level.
    vetoes: Vec<(usize, Vec<usize>)>,
    /// Self-asserted sources, with the comparisons they checked.
    self_asserted: Vec<(u32, Vec<usize>)>,
    /// Contacts held for more than one person, which vouch for nobody.
    contacts: Option<&'a SharedContacts>,
}

impl<'a> Judge<'a> {
    /// A judge for `settings`.
    pub fn new(model: &'a Model, frequencies: &'a TermFrequencies, settings: &Settings) -> Self {
        Judge {
            model,
            frequencies,
            threshold: settings.threshold,
            // A threshold below the review floor links what it would review.
            review_from: settings.review_from.min(settings.threshold),
            vetoes: settings
                .vetoes
                .iter()
                .filter_map(|v| {
                    let position = |f: Field| model.comparisons.iter().position(|c| c.field == f);
                    let agree: Option<Vec<usize>> = v.agree.iter().map(|f| position(*f)).collect();
                    Some((position(v.disagree)?, agree?))
                })
                .collect(),
            self_asserted: settings
                .self_asserted
                .iter()
                .map(|s| {
                    let checked = model
                        .comparisons
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| matches!(c.field, Field::Email | Field::Phone))
                        .filter(|(_, c)| s.checked.iter().any(|n| n == c.name()))
                        .map(|(i, _)| i)
                        .collect();
                    (s.source, checked)
                })
                .collect(),
            contacts: None,
        }
    }

    /// The judge, told which contacts are held for more than one person
    /// (without it, none are).
    pub fn with_contacts(mut self, contacts: &'a SharedContacts) -> Self {
        self.contacts = Some(contacts);
        self
    }

    /// The verdict on `a` and `b`, from `sources` when their sources are
    /// known ([`Mode::Sources`]).
    pub fn assess(&self, a: &Person, b: &Person, sources: Option<[u32; 2]>) -> Verdict {
        let v = self.model.vector(a, b);
        self.assess_at(&v, comparison::same_home(a, b), a, sources)
    }

    /// [`Judge::assess`] of a pair whose levels ([`Model::vector`]) are `v`,
    /// told whether the records are at one home ([`comparison::same_home`]).
    pub fn assess_at(
        &self,
        v: &[Option<Level>],
        home: bool,
        a: &Person,
        sources: Option<[u32; 2]>,
    ) -> Verdict {
        let p = model::probability(self.model.score_at(v, home, a, self.frequencies));
        if p < self.review_from {
            return Verdict::Apart;
        }
        let comparisons = &self.model.comparisons;
        let anything_else = |i: usize| {
            let c = &comparisons[i];
            u8::try_from(c.levels() - 1).ok()
        };
        let vetoed = self.vetoes.iter().any(|(disagree, agree)| {
            v[*disagree] == anything_else(*disagree)
                && agree
                    .iter()
                    .all(|i| v[*i].is_some() && v[*i] != anything_else(*i))
        });
        if p >= self.threshold && !vetoed && self.vouched(v, a, sources) {
            Verdict::Link(p)
        } else {
            Verdict::Review(p)
        }
    }
}

impl Judge<'_> {
    /// Whether each self-asserted record of the pair (`a` is one of the
    /// two) has a checked contact that agrees exactly (its first level) and
    /// is held for nobody else.
    fn vouched(&self, v: &[Option<Level>], a: &Person, sources: Option<[u32; 2]>) -> bool {
        let Some(sources) = sources else {
            return true;
        };
        let proves = |i: usize| {
            let field = self.model.comparisons[i].field;
            v[i] == Some(0) && !self.contacts.is_some_and(|c| c.is_shared(a, field))
        };
        sources.iter().all(|source| {
            self.self_asserted
                .iter()
                .filter(|(s, _)| s == source)
                .all(|(_, checked)| checked.iter().any(|i| proves(*i)))
        })
    }
}

/// Told how a run is going, stage by stage: a million records take
/// seconds in each, and a command line shows them.
pub trait Progress: Sync {
    /// `done` of `total` units of the stage `what` finished; a `total` of 0
    /// means the stage is not counted.
    fn step(&self, what: &str, done: u64, total: u64);
}

impl Progress for () {
    fn step(&self, _: &str, _: u64, _: u64) {}
}

/// Links `people`: in `mode`, with `settings`, estimating the model and
/// counting the frequencies unless they are given.
pub fn link(
    people: &[Person],
    mode: Mode<'_>,
    settings: &Settings,
    given: Option<(Model, TermFrequencies)>,
) -> Linked {
    link_with(people, mode, settings, given, &[], &())
}

/// [`link`], with people's decisions on pairs (the model learns from the
/// pairs they confirmed, [`train::learn_from_matches`], and every decision
/// outranks the model's, [`Linked::apply`]), telling `progress` how it goes.
pub fn link_with(
    people: &[Person],
    mode: Mode<'_>,
    settings: &Settings,
    given: Option<(Model, TermFrequencies)>,
    decisions: &[Decision],
    progress: &dyn Progress,
) -> Linked {
    // Worked on in an order that puts records likely to pair side by side;
    // pairs and clusters are told in the records' own numbers.
    progress.step("ordering", 0, 0);
    let order = nearby_first(people);
    let original = |i: u32| order[i as usize];
    let nearby: Vec<Person> = order
        .par_iter()
        .map(|i| people[*i as usize].clone())
        .collect();
    let mut position = vec![0u32; people.len()];
    for (at, i) in (0u32..).zip(&order) {
        position[*i as usize] = at;
    }
    let sources: Vec<u32> = match mode {
        Mode::Sources { of, .. } => order.iter().map(|i| of[*i as usize]).collect(),
        Mode::Dedupe => Vec::new(),
    };
    let nearby_mode = match mode {
        Mode::Sources { deduplicated, .. } => Mode::Sources {
            of: &sources,
            deduplicated,
        },
        Mode::Dedupe => Mode::Dedupe,
    };
    let nearby_decisions: Vec<Decision> = decisions
        .iter()
        .map(|d| Decision {
            a: position[d.a as usize],
            b: position[d.b as usize],
            same: d.same,
        })
        .collect();

    progress.step("blocking", 0, 0);
    let blocked = blocking::candidates(&nearby, &settings.rules, nearby_mode, settings.max_block);
    let total = total_pairs(people.len(), mode);
    // Each pair is compared once: its levels serve training and scoring.
    let comparing = match &given {
        Some((m, _)) => m.clone(),
        None => Model::new(settings.comparisons.clone()),
    };
    let (levels, homes) = compare_pairs(&nearby, &blocked.pairs, &comparing, progress);
    let k = comparing.comparisons.len();
    progress.step("training", 0, 0);
    let (model, frequencies, training) = match given {
        Some((m, f)) => (m, f, Vec::new()),
        None => {
            let (m, reports) = train(
                &nearby,
                &blocked.pairs,
                &levels,
                &homes,
                settings,
                total,
                &nearby_decisions,
            );
            (m, TermFrequencies::of(people), reports)
        }
    };
    progress.step("scoring", 0, 0);
    let contacts = SharedContacts::of(people);
    let judge = Judge::new(&model, &frequencies, settings).with_contacts(&contacts);
    let verdicts: Vec<(Edge, bool)> = blocked
        .pairs
        .par_iter()
        .zip(levels.par_chunks(k))
        .zip(homes.par_iter())
        .filter_map(|(((a, b, _), v), home)| {
            let pa = &nearby[*a as usize];
            let from = (!sources.is_empty()).then(|| [sources[*a as usize], sources[*b as usize]]);
            let (a, b) = (original(*a), original(*b));
            let (a, b) = (a.min(b), a.max(b));
            match judge.assess_at(v, *home, pa, from) {
                Verdict::Link(p) => Some(((a, b, p), true)),
                Verdict::Review(p) => Some(((a, b, p), false)),
                Verdict::Apart => None,
            }
        })
        .collect();
    drop(nearby);
    let (linked, review): (Vec<_>, Vec<_>) = verdicts.into_iter().partition(|(_, link)| *link);
    let mut links: Vec<Edge> = linked.into_iter().map(|(e, _)| e).collect();
    let mut review: Vec<Edge> = review.into_iter().map(|(e, _)| e).collect();
    for edges in [&mut links, &mut review] {
        edges.par_sort_unstable_by_key(|(a, b, _)| (*a, *b));
    }
    progress.step("clustering", 0, 0);
    let clusters = cluster::clusters(
        people.len(),
        &links,
        settings.threshold,
        settings.max_cluster,
    );
    let confidence = confidence(&clusters, &links);
    let mut linked = Linked {
        model,
        frequencies,
        training,
        clusters,
        confidence,
        pairs: blocked.pairs.len(),
        links,
        review,
    };
    if !decisions.is_empty() {
        linked.apply(decisions, settings);
    }
    linked.cohere(people, mode);
    linked
}

/// Whether two records give dates of birth that cannot be one person's
/// ([`compare::births_conflict`]).
pub fn births_conflict(a: &Person, b: &Person) -> bool {
    matches!(
        (a.date_of_birth, b.date_of_birth),
        (Some(x), Some(y)) if compare::births_conflict(x, y)
    )
}

/// The pairs of `members` (sorted) in one cluster of `clusters` that cannot
/// be one person's, yet only a chain of links joins: their dates of birth
/// conflict, or `mode` says their source holds each person once. A pair
/// `linked` directly was weighed whole, its dates with the rest (or decided
/// by a person), and stands.
pub fn incoherent(
    clusters: &[u32],
    members: &[u32],
    people: &[Person],
    mode: Mode<'_>,
    linked: impl Fn(u32, u32) -> bool + Sync,
) -> Vec<(u32, u32)> {
    cluster::conflicts(clusters, members, |a, b| {
        (!mode.pairs(a, b) || births_conflict(&people[a as usize], &people[b as usize]))
            && !linked(a, b)
    })
}

/// The records' numbers in an order that puts those likely to pair side by
/// side (by postcode, then surname): a run compares ten million pairs, and
/// one whose two records lie together in memory is compared faster.
fn nearby_first(people: &[Person]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..people.len())
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    // Each key read once, in the records' order; the sort then moves
    // numbers, not records. The first eight bytes of a value keep most of
    // its order (a whole postcode).
    let prefix = |s: Option<&str>| {
        let mut bytes = [0u8; 8];
        for (b, c) in bytes.iter_mut().zip(s.unwrap_or_default().bytes()) {
            *b = c;
        }
        u64::from_be_bytes(bytes)
    };
    let mut keyed: Vec<(u64, u64, u32)> = people
        .par_iter()
        .zip(order.par_iter())
        .map(|(p, i)| {
            let postcode = p.postcode.as_deref().map(|c| c.unit.as_str());
            let surname = p.surname.as_deref().map(|n| n.text.as_str());
            (prefix(postcode), prefix(surname), *i)
        })
        .collect();
    keyed.par_sort_unstable();
    order.clear();
    order.extend(keyed.into_iter().map(|(_, _, i)| i));
    order
}

/// The levels of every pair, in one flat array, a pair's after another's
/// (ten million pairs make no ten million small allocations), and whether
/// each pair's records are at one home ([`comparison::same_home`]), which
/// training and scoring both ask.
fn compare_pairs(
    people: &[Person],
    pairs: &[(u32, u32, u32)],
    model: &Model,
    progress: &dyn Progress,
) -> (Vec<Option<Level>>, Vec<bool>) {
    // Pairs go in batches, so progress is told often but not per pair.
    const BATCH: usize = 1 << 16;
    let k = model.comparisons.len().max(1);
    let mut levels: Vec<Option<Level>> = vec![None; pairs.len() * model.comparisons.len()];
    let mut homes = vec![false; pairs.len()];
    let (done, total) = (AtomicU64::new(0), pairs.len() as u64);
    progress.step("comparing", 0, total);
    levels
        .par_chunks_mut(k * BATCH)
        .zip(homes.par_chunks_mut(BATCH))
        .zip(pairs.par_chunks(BATCH))
        .for_each(|((out, homes), batch)| {
            for ((out, home), (a, b, _)) in out.chunks_mut(k).zip(homes).zip(batch) {
                let (a, b) = (&people[*a as usize], &people[*b as usize]);
                model.fill_levels(a, b, out);
                *home = comparison::same_home(a, b);
            }
            let n = batch.len() as u64;
            progress.step("comparing", done.fetch_add(n, Ordering::Relaxed) + n, total);
        });
    (levels, homes)
}

/// Each record's best match probability to another record of its cluster
/// (1 for a record alone).
fn confidence(clusters: &[u32], links: &[Edge]) -> Vec<f64> {
    let mut confidence = vec![1.0f64; clusters.len()];
    let mut linked = vec![false; clusters.len()];
    for (a, b, p) in links {
        if clusters[*a as usize] == clusters[*b as usize] {
            for i in [*a as usize, *b as usize] {
                confidence[i] = if linked[i] { confidence[i].max(*p) } else { *p };
                linked[i] = true;
            }
        }
    }
    confidence
}

/// A person's decision on a pair of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// One record.
    pub a: u32,
    /// The other.
    pub b: u32,
    /// Whether they are the same person.
    pub same: bool,
}

impl Linked {
    /// Applies people's decisions, which outrank the model: a pair decided
    /// the same is linked however it scored, a pair decided different is
    /// never in one cluster, and neither goes to review again. Clusters and
    /// confidence are worked out again.
    pub fn apply(&mut self, decisions: &[Decision], settings: &Settings) {
        let key = |a: u32, b: u32| (a.min(b), a.max(b));
        let decided: std::collections::HashSet<(u32, u32)> =
            decisions.iter().map(|d| key(d.a, d.b)).collect();
        self.links
            .retain(|(a, b, _)| !decided.contains(&key(*a, *b)));
        self.review
            .retain(|(a, b, _)| !decided.contains(&key(*a, *b)));
        self.links.extend(
            decisions
                .iter()
                .filter(|d| d.same)
                .map(|d| (key(d.a, d.b).0, key(d.a, d.b).1, 1.0)),
        );
        self.links.sort_unstable_by_key(|(a, b, _)| (*a, *b));
        let apart: Vec<(u32, u32)> = decisions
            .iter()
            .filter(|d| !d.same)
            .map(|d| (d.a, d.b))
            .collect();
        self.clusters = cluster::clusters(
            self.clusters.len(),
            &self.links,
            settings.threshold,
            settings.max_cluster,
        );
        let all: Vec<u32> = (0..self.clusters.len())
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        cluster::keep_apart(&mut self.clusters, &all, &self.links, &apart);
        self.confidence = confidence(&self.clusters, &self.links);
    }
}

impl Linked {
    /// Keeps every cluster coherent: records that cannot be one person's
    /// ([`incoherent`]) are not put in one cluster by a chain of links (a
    /// father and his son of one name, through the records that give no
    /// date; two records of a system that holds each person once). Such a
    /// cluster is built again from its links, strongest first, leaving out
    /// each link that would join them, and the links left out go to review.
    fn cohere(&mut self, people: &[Person], mode: Mode<'_>) {
        let all: Vec<u32> = (0..self.clusters.len())
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        let links = &self.links;
        let conflicts = incoherent(&self.clusters, &all, people, mode, |a, b| {
            let pair = (a.min(b), a.max(b));
            links
                .binary_search_by_key(&pair, |(x, y, _)| (*x, *y))
                .is_ok()
        });
        if conflicts.is_empty() {
            return;
        }
        let before = self.clusters.clone();
        cluster::keep_apart(&mut self.clusters, &all, &self.links, &conflicts);
        let refused = self.links.iter().copied().filter(|(a, b, _)| {
            let (a, b) = (*a as usize, *b as usize);
            before[a] == before[b] && self.clusters[a] != self.clusters[b]
        });
        self.review.extend(refused);
        self.review.sort_unstable_by_key(|(a, b, _)| (*a, *b));
        self.confidence = confidence(&self.clusters, &self.links);
    }
}

/// How many pairs there are in all: every pair but those within sources that
/// hold each person once.
fn total_pairs(n: usize, mode: Mode<'_>) -> f64 {
    let all = n as f64 * (n as f64 - 1.0) / 2.0;
    match mode {
        Mode::Dedupe => all,
        Mode::Sources { of, deduplicated } => {
            let mut per_source: std::collections::HashMap<u32, f64> = Default::default();
            for s in of {
                *per_source.entry(*s).or_default() += 1.0;
            }
            let within: f64 = per_source
                .iter()
                .filter(|(s, _)| deduplicated.get(**s as usize).copied().unwrap_or(false))
                .map(|(_, k)| k * (k - 1.0) / 2.0)
                .sum();
            all - within
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column::{Column, Kind};

    #[test]
    fn m_is_learned_first_from_rules_on_identifiers_then_from_rules_that_leave_a_field_alone() {
        let mut comparisons = comparison::people();
        let nhs = Column {
            name: "nhs_number".into(),
            kind: Kind::NhsNumber,
        };
        comparisons.push(Comparison::of_column(0, nhs, vec![comparison::Test::Exact]));
        let of = |parts: &[KeyPart], field| Evidence::of(&Rule::on(parts), field, &comparisons);
        assert_eq!(
            of(&[KeyPart::Extra(0)], Field::FirstName),
            Evidence::Identifier
        );
        assert_eq!(
            of(&[KeyPart::Extra(0)], Field::DateOfBirth),
            Evidence::Identifier
        );
        // An identifier with a name is no longer chosen apart from names.
        assert_eq!(
            of(&[KeyPart::Extra(0), KeyPart::Surname], Field::DateOfBirth),
            Evidence::Apart
        );
        assert_eq!(
            of(&[KeyPart::Surname, KeyPart::DateOfBirth], Field::FirstName),
            Evidence::Apart
        );
        assert_eq!(
            of(
                &[KeyPart::FirstName, KeyPart::BirthYear],
                Field::DateOfBirth
            ),
            Evidence::Narrowed
        );
        // A UPRN is a home's: a rule on it pairs a household, no label.
        let uprn = Column {
            name: "uprn".into(),
            kind: Kind::Uprn,
        };
        let mut homes = comparison::people();
        homes.push(Comparison::of_column(
            0,
            uprn,
            vec![comparison::Test::Exact],
        ));
        let rule = Rule::on(&[KeyPart::Extra(0)]);
        assert_eq!(
            Evidence::of(&rule, Field::FirstName, &homes),
            Evidence::Apart
        );
    }

    fn born(first: &str, dob: &str) -> Person {
        Person::prepare(&crate::record::RawPerson {
            first_name: first.into(),
            surname: "Khan".into(),
            date_of_birth: dob.into(),
            postcode: "RV1 2AB".into(),
            address: "78 Morrison Close".into(),
            ..Default::default()
        })
    }

    #[test]
    fn a_threshold_below_the_review_floor_links_the_pairs_above_it() {
        let (a, b) = (born("Muhammad", "1952-04-07"), born("Mohammed", ""));
        let model = Model::new(comparison::people());
        let frequencies = TermFrequencies::default();
        let scored = Judge::new(&model, &frequencies, &Settings::default()).assess(&a, &b, None);
        let p = match scored {
            Verdict::Link(p) | Verdict::Review(p) => p,
            Verdict::Apart => model::probability(model.score_pair(&a, &b, &frequencies)),
        };
        assert!(p > 0.0 && p < 1.0, "{p}");
        let settings = Settings {
            threshold: p / 2.0,
            review_from: (1.0 + p) / 2.0,
            ..Settings::default()
        };
        assert_eq!(
            Judge::new(&model, &frequencies, &settings).assess(&a, &b, None),
            Verdict::Link(p)
        );
    }

    #[test]
    fn a_self_asserted_record_links_only_on_a_checked_field_agreeing_exactly() {
        let with_email = |email: &str| {
            Person::prepare(&crate::record::RawPerson {
                first_name: "Muhammad".into(),
                surname: "Khan".into(),
                date_of_birth: "1952-04-07".into(),
                postcode: "RV1 2AB".into(),
                address: "78 Morrison Close".into(),
                email: email.into(),
                ..Default::default()
            })
        };
        let council = with_email("m.khan@mail.example");
        let model = Model::new(comparison::people());
        let frequencies = TermFrequencies::default();
        let settings = Settings {
            self_asserted: vec![SelfAsserted {
                source: 1,
                checked: vec!["email".into()],
            }],
            ..Settings::default()
        };
        let judge = Judge::new(&model, &frequencies, &settings);
        let typed = with_email("someone.else@mail.example");
        let Verdict::Link(p) = judge.assess(&council, &typed, Some([0, 0])) else {
            panic!("two council records this alike are one person");
        };
        // The same details typed into an account with another mailbox.
        assert_eq!(
            judge.assess(&council, &typed, Some([0, 1])),
            Verdict::Review(p)
        );
        assert_eq!(
            judge.assess(&typed, &council, Some([1, 0])),
            Verdict::Review(p)
        );
        // Its own, proved address agreeing exactly vouches for it.
        assert!(matches!(
            judge.assess(&council, &with_email("m.khan@mail.example"), Some([0, 1])),
            Verdict::Link(_)
        ));
        // A near miss on the address is not a proof.
        assert!(matches!(
            judge.assess(&council, &with_email("m.khan@mail.exampel"), Some([0, 1])),
            Verdict::Review(_)
        ));
        // Nor is a missing one.
        assert!(matches!(
            judge.assess(&council, &with_email(""), Some([0, 1])),
            Verdict::Review(_)
        ));
        // Nor one the council holds for someone else too: his son's record
        // gives the father's address.
        let son = Person::prepare(&crate::record::RawPerson {
            first_name: "Muhammad".into(),
            surname: "Khan".into(),
            date_of_birth: "1988-04-17".into(),
            email: "m.khan@mail.example".into(),
            ..Default::default()
        });
        let contacts = SharedContacts::of([&council, &son]);
        let judge = Judge::new(&model, &frequencies, &settings).with_contacts(&contacts);
        assert!(matches!(
            judge.assess(&council, &with_email("m.khan@mail.example"), Some([0, 1])),
            Verdict::Review(_)
        ));
    }

    #[test]
    fn a_chain_of_links_never_joins_a_father_and_his_son() {
        // Muhammad Khan, born 1952, and his son of one name, born 1988,
        // each linked to the electoral register's record, which has no
        // date of birth: the weaker link is left out, and reviewed.
        let people = vec![
            born("Muhammad", "1952-04-07"),
            born("Muhammad", ""),
            born("Muhammad", "1988-04-17"),
            born("Muhammad", "1952-04-07"),
        ];
        let mut linked = Linked {
            model: Model::new(comparison::people()),
            frequencies: TermFrequencies::default(),
            training: Vec::new(),
            clusters: vec![0, 0, 0, 0],
            confidence: vec![1.0; 4],
            pairs: 4,
            links: vec![(0, 1, 0.99), (0, 3, 0.999), (1, 2, 0.97)],
            review: Vec::new(),
        };
        linked.cohere(&people, Mode::Dedupe);
        assert_eq!(linked.clusters, vec![0, 0, 2, 0]);
        assert_eq!(linked.review, vec![(1, 2, 0.97)]);
        // A pair linked directly was weighed with its dates, and stands.
        let mut direct = Linked {
            clusters: vec![0, 0, 0, 3],
            links: vec![(0, 1, 0.99), (0, 2, 0.96), (1, 2, 0.97)],
            review: Vec::new(),
            ..linked
        };
        direct.cohere(&people, Mode::Dedupe);
        assert_eq!(direct.clusters, vec![0, 0, 0, 3]);
        assert!(direct.review.is_empty());
        // Two records of the electoral register, which holds each person
        // once, are two people, however the council tax record links them.
        let mut register = Linked {
            clusters: vec![0, 0, 0, 3],
            links: vec![(0, 1, 0.99), (1, 2, 0.97)],
            review: Vec::new(),
            ..direct
        };
        let dated = vec![
            born("Conor", ""),
            born("Conor", ""),
            born("Conor", ""),
            born("Conor", ""),
        ];
        let mode = Mode::Sources {
            of: &[1, 0, 1, 1],
            deduplicated: &[false, true],
        };
        register.cohere(&dated, mode);
        assert_eq!(register.clusters, vec![0, 0, 2, 3]);
        assert_eq!(register.review, vec![(1, 2, 0.97)]);
    }
}

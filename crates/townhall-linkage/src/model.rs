//! The Fellegi–Sunter model: for each comparison level, how often true
//! matches reach it (`m`) and how often non-matches do (`u`). A pair's score
//! is the prior's weight plus, field by field, `log2(m / u)` of the level it
//! reached: a sum of evidence that an [`Explanation`] lays out term by term.

use serde::{Deserialize, Serialize};

use crate::column::Column;
use crate::comparison::{self, Comparison, Field, Level};
use crate::frequency::{self, TermFrequencies};
use crate::record::Person;

/// The levels a pair reached, one per comparison (`None`: a value missing).
pub type Vector = Vec<Option<Level>>;

/// The smallest probability kept, so that no level is ever impossible.
const FLOOR: f64 = 1e-6;

/// A trained (or starting) model. It is saved as JSON (see [`Model::to_json`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The comparisons, in order.
    pub comparisons: Vec<Comparison>,
    /// For each comparison, the probability of each level among matches.
    pub m: Vec<Vec<f64>>,
    /// For each comparison, the probability of each level among non-matches.
    pub u: Vec<Vec<f64>>,
    /// The probability that two records taken at random are the same person.
    pub prior: f64,
    /// For each comparison of a value a household shares
    /// ([`Comparison::household`]), the probability of each level among
    /// different people at one home (a family shares a surname, and often
    /// a phone and an email); empty for the other comparisons. Between
    /// records at one home such a comparison is weighed against these
    /// instead of `u`: agreeing on a surname there says little, however
    /// rare the surname. See [`crate::train::estimate_u_home`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub u_home: Vec<Vec<f64>>,
    /// For each comparison, how often two records taken at random agree
    /// exactly, one person's records among them: the average a value's
    /// share of records is weighed against ([`Model::adjustment`]). Both
    /// count one person's records, which `u` leaves out
    /// ([`crate::train::Sample::set_u`]); where it is empty, `u` serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agree_at_random: Vec<f64>,
}

impl Model {
    /// A model with starting values: matches mostly agree exactly,
    /// non-matches mostly do not agree at all.
    pub fn new(comparisons: Vec<Comparison>) -> Self {
        let m = comparisons
            .iter()
            .map(|c| spread(c.levels(), true))
            .collect();
        let u = comparisons
            .iter()
            .map(|c| spread(c.levels(), false))
            .collect();
        Model {
            comparisons,
            m,
            u,
            prior: 1e-4,
            u_home: Vec::new(),
            agree_at_random: Vec::new(),
        }
    }

    /// The model as JSON, to be saved and loaded with [`Model::from_json`].
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A model saved by [`Model::to_json`], checked: each comparison has as
    /// many `m` and `u` probabilities as levels, each a probability.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        let model: Model = serde_json::from_str(text).map_err(|e| ModelError(e.to_string()))?;
        if model.m.len() != model.comparisons.len() || model.u.len() != model.comparisons.len() {
            return Err(ModelError(
                "there must be one m and one u list per comparison".into(),
            ));
        }
        for (i, c) in model.comparisons.iter().enumerate() {
            for (name, p) in [("m", &model.m[i]), ("u", &model.u[i])] {
                if p.len() != c.levels() {
                    return Err(ModelError(format!(
                        "{} has {} levels but {} {name} probabilities",
                        c.name(),
                        c.levels(),
                        p.len()
                    )));
                }
                if p.iter().any(|x| !(0.0..=1.0).contains(x)) {
                    return Err(ModelError(format!(
                        "{name} of {} must lie between 0 and 1",
                        c.name()
                    )));
                }
            }
        }
        if !model.u_home.is_empty() && model.u_home.len() != model.comparisons.len() {
            return Err(ModelError(
                "u_home must have one list per comparison (empty where unused)".into(),
            ));
        }
        for (c, u) in model.comparisons.iter().zip(&model.u_home) {
            if !u.is_empty()
                && (u.len() != c.levels() || u.iter().any(|x| !(0.0..=1.0).contains(x)))
            {
                return Err(ModelError(format!(
                    "u_home of {} must hold one probability per level",
                    c.name()
                )));
            }
        }
        if !model.agree_at_random.is_empty()
            && (model.agree_at_random.len() != model.comparisons.len()
                || model
                    .agree_at_random
                    .iter()
                    .any(|x| !(0.0..=1.0).contains(x)))
        {
            return Err(ModelError(
                "agree_at_random must hold one probability per comparison".into(),
            ));
        }
        if !(model.prior > 0.0 && model.prior < 1.0) {
            return Err(ModelError("prior must lie strictly between 0 and 1".into()));
        }
        Ok(model)
    }

    /// The columns beyond the core fields it compares, in the order of
    /// [`Person::extra`] (what records must be prepared with).
    pub fn columns(&self) -> Vec<Column> {
        let mut columns: Vec<(u8, &Column)> = self
            .comparisons
            .iter()
            .filter_map(|c| match (c.field, &c.column) {
                (Field::Extra(at), Some(column)) => Some((at, column)),
                _ => None,
            })
            .collect();
        columns.sort_by_key(|(at, _)| *at);
        columns.into_iter().map(|(_, c)| c.clone()).collect()
    }

    /// The levels `a` and `b` reach, for training.
    pub fn vector(&self, a: &Person, b: &Person) -> Vector {
        self.comparisons.iter().map(|c| c.level(a, b)).collect()
    }

    /// [`Model::vector`] written into `out`, one slot per comparison.
    pub fn fill_levels(&self, a: &Person, b: &Person, out: &mut [Option<Level>]) {
        for (slot, c) in out.iter_mut().zip(&self.comparisons) {
            *slot = c.level(a, b);
        }
    }

    /// The weight of evidence of `level` of comparison `c`: `log2(m / u)`.
    pub fn weight(&self, c: usize, level: Level) -> f64 {
        let l = usize::from(level);
        (self.m[c][l].max(FLOOR) / self.u[c][l].max(FLOOR)).log2()
    }

    /// Whether comparison `c` is weighed against household members between
    /// records at one home.
    fn weighed_at_home(&self, c: usize) -> bool {
        self.u_home.get(c).is_some_and(|u| !u.is_empty())
    }

    /// The weight of `level` of comparison `c` between records at one home
    /// (`at_home`): `log2(m / u_home)` for a household's values, else
    /// [`Model::weight`].
    pub fn weight_at(&self, c: usize, level: Level, at_home: bool) -> f64 {
        if !(at_home && self.weighed_at_home(c)) {
            return self.weight(c, level);
        }
        let l = usize::from(level);
        (self.m[c][l].max(FLOOR) / self.u_home[c][l].max(FLOOR)).log2()
    }

    /// Whether `a` and `b` are records at one home for the comparisons
    /// weighed there (false when none is).
    pub fn at_home(&self, a: &Person, b: &Person) -> bool {
        !self.u_home.is_empty() && comparison::same_home(a, b)
    }

    /// The prior's weight: `log2(prior / (1 - prior))`.
    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    /// How much an exact match of comparison `c` on `a`'s value moves the
    /// score away from the average exact match: `log2(agree / share)`,
    /// where `agree` is the chance that two records taken at random agree
    /// exactly ([`Model::agree_at_random`]) and `share` the share of records
    /// holding this value. 0 for fields that are not adjusted.
    pub fn adjustment(&self, c: usize, a: &Person, tf: &TermFrequencies) -> f64 {
        let field = self.comparisons[c].field;
        let Some(share) = tf.share(field, a) else {
            return 0.0;
        };
        let agree = self.agree_at_random.get(c).copied().unwrap_or(self.u[c][0]);
        (agree.max(FLOOR) / share.max(FLOOR)).log2()
    }

    /// The score of `a` and `b`: their vector's, with exact matches on names
    /// and postcodes adjusted for how common the value is.
    pub fn score_pair(&self, a: &Person, b: &Person, tf: &TermFrequencies) -> f64 {
        self.score_levels(&self.vector(a, b), a, b, tf)
    }

    /// [`Model::score_pair`], from the levels of [`Model::vector`].
    pub fn score_levels(
        &self,
        v: &[Option<Level>],
        a: &Person,
        b: &Person,
        tf: &TermFrequencies,
    ) -> f64 {
        self.score_at(
            v,
            !self.u_home.is_empty() && comparison::same_home(a, b),
            a,
            tf,
        )
    }

    /// [`Model::score_levels`], told whether the records are at one home
    /// ([`comparison::same_home`]).
    pub fn score_at(
        &self,
        v: &[Option<Level>],
        home: bool,
        a: &Person,
        tf: &TermFrequencies,
    ) -> f64 {
        // Ten million pairs are scored in a run: no vector is built.
        let at_home = home && !self.u_home.is_empty();
        let mut score = self.prior_weight();
        for (c, level) in v.iter().enumerate() {
            if let Some(level) = *level {
                score += self.weight_at(c, level, at_home);
                if level == 0 && !(at_home && self.weighed_at_home(c)) {
                    score += self.adjustment(c, a, tf);
                }
            }
        }
        score
    }

    /// Why `a` and `b` score what they do, field by field, each adjustment
    /// for how common a value is as a term of its own.
    pub fn explain(&self, a: &Person, b: &Person, tf: &TermFrequencies) -> Explanation {
        let v = self.vector(a, b);
        let at_home = self.at_home(a, b);
        let mut terms = Vec::new();
        for (i, (c, level)) in self.comparisons.iter().zip(&v).enumerate() {
            let household = at_home && self.weighed_at_home(i);
            terms.push(Term {
                field: c.name().to_owned(),
                level: match level {
                    None => c.unweighed(a, b).to_owned(),
                    Some(l) if household => {
                        format!(
                            "{}, at one home (as household members are)",
                            c.level_label(*l)
                        )
                    }
                    Some(l) => c.level_label(*l),
                },
                weight: level.map_or(0.0, |l| self.weight_at(i, l, at_home)),
            });
            let adjustment = if *level == Some(0) && !household {
                self.adjustment(i, a, tf)
            } else {
                0.0
            };
            if adjustment != 0.0 {
                let value = frequency::value(c.field, a).unwrap_or_default();
                terms.push(Term {
                    field: c.name().to_owned(),
                    level: format!(
                        "how common '{value}' is ({:.3}% of the other records hold it)",
                        tf.share(c.field, a).unwrap_or_default() * 100.0
                    ),
                    weight: adjustment,
                });
            }
        }
        let score = self.score_pair(a, b, tf);
        Explanation {
            prior: self.prior_weight(),
            terms,
            score,
            probability: probability(score),
        }
    }
}

/// Starting probabilities for `levels` levels, falling (matches) or rising
/// (non-matches) from the best level to "anything else".
fn spread(levels: usize, matches: bool) -> Vec<f64> {
    let raw: Vec<f64> = (0..levels)
        .map(|l| {
            let rank = if matches { l } else { levels - 1 - l };
            0.5f64.powi(i32::try_from(rank).unwrap_or(i32::MAX) * 2)
        })
        .collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|p| p / total).collect()
}

/// The probability of a match from a match weight.
pub fn probability(score: f64) -> f64 {
    let odds = score.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

/// A saved model could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the model file is not valid: {}", self.0)
    }
}

impl std::error::Error for ModelError {}

/// One field's part in a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The field.
    pub field: String,
    /// The level reached, in words.
    pub level: String,
    /// Its weight of evidence (0 when a value is missing).
    pub weight: f64,
}

/// A pair's score laid out: the prior, then each field's weight, in the
/// comparisons' order; they sum to the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The prior's weight.
    pub prior: f64,
    /// Each field's weight.
    pub terms: Vec<Term>,
    /// The total match weight.
    pub score: f64,
    /// The probability of a match.
    pub probability: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comparison::people;

    fn person(first: &str, surname: &str, dob: &str) -> Person {
        crate::record::sample(first, surname, dob, "")
    }

    #[test]
    fn starting_probabilities_add_up_and_favour_agreement_for_matches() {
        let model = Model::new(people());
        for (m, u) in model.m.iter().zip(&model.u) {
            assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            assert!((u.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            assert!(m[0] > u[0] && m[m.len() - 1] < u[u.len() - 1]);
        }
    }

    #[test]
    fn the_explanation_sums_to_the_score() {
        let model = Model::new(people());
        let a = person("William", "Hughes", "1952-04-11");
        let b = person("Bill", "Hughes", "1952-11-04");
        let tf = TermFrequencies::of(&[a.clone(), b.clone(), person("Ann", "Lee", "")]);
        let e = model.explain(&a, &b, &tf);
        let sum = e.prior + e.terms.iter().map(|t| t.weight).sum::<f64>();
        assert!((sum - e.score).abs() < 1e-9);
        assert!((model.score_pair(&a, &b, &tf) - e.score).abs() < 1e-9);
        assert_eq!(e.terms[0].level, "nickname of each other");
        assert_eq!(e.terms[1].level, "exact match");
        assert_eq!(
            e.terms[2].level,
            "how common 'hughes' is (50.000% of the other records hold it)"
        );
        assert_eq!(e.terms[4].level, "a value is missing");
        assert_eq!(e.terms[4].weight, 0.0);
        assert!(e.probability > 0.0 && e.probability < 1.0);
    }

    #[test]
    fn a_model_is_saved_and_loaded_and_checked() {
        let model = Model::new(people());
        let json = model.to_json();
        assert!(json.contains("\"test\": \"jaro_winkler\""), "{json}");
        assert_eq!(Model::from_json(&json).unwrap(), model);
        let broken = json.replacen("\"prior\": 0.0001", "\"prior\": 1.5", 1);
        assert!(Model::from_json(&broken).unwrap_err().0.contains("prior"));
        let mut short = model.clone();
        short.m[0].pop();
        assert!(Model::from_json(&short.to_json())
            .unwrap_err()
            .0
            .contains("first_name has 8 levels but 7 m probabilities"));
        let mut odd = model.clone();
        odd.agree_at_random = vec![0.5];
        assert!(Model::from_json(&odd.to_json())
            .unwrap_err()
            .0
            .contains("agree_at_random must hold one probability per comparison"));
    }

    #[test]
    fn probabilities_from_weights() {
        assert_eq!(probability(0.0), 0.5);
        assert!((probability(10.0) - 1024.0 / 1025.0).abs() < 1e-12);
        assert_eq!(probability(2000.0), 1.0);
        assert!(probability(-2000.0) < 1e-300);
    }
}

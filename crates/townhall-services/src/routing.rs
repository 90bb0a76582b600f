//! Where a case goes: the first routing rule whose conditions hold names the team.

use serde::{Deserialize, Serialize};
use townhall_places::Whereabouts;

use crate::question::{Answer, Answers};

/// The conditions of one rule; all that are given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// The question whose answer is tested by `is`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The values that match (any of them; `yes` or `no` for yes/no questions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub is: Vec<String>,
    /// The location is in one of these wards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ward: Vec<String>,
    /// The location is in one of these parishes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parish: Vec<String>,
    /// The location is (true) or is not (false) in a parish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_parish: Option<bool>,
}

impl Conditions {
    /// Whether the rule has no conditions (it catches everything).
    pub fn is_empty(&self) -> bool {
        *self == Conditions::default()
    }

    /// Whether the rule can only match a location in a parish.
    pub fn needs_parish(&self) -> bool {
        self.in_parish == Some(true) || !self.parish.is_empty()
    }

    /// Why the conditions hold, or `None` when one does not.
    fn check(&self, answers: &Answers, at: &Whereabouts) -> Option<Vec<String>> {
        let mut why = Vec::new();
        if let Some(question) = &self.answer {
            let given: Vec<&str> = match answers.get(question) {
                Some(Answer::Choice(v)) => vec![v.as_str()],
                Some(Answer::Choices(vs)) => vs.iter().map(String::as_str).collect(),
                Some(Answer::YesNo(true)) => vec!["yes"],
                Some(Answer::YesNo(false)) => vec!["no"],
                _ => vec![],
            };
            let hit = given.iter().find(|g| self.is.iter().any(|v| v == *g))?;
            why.push(format!("the answer to '{question}' is '{hit}'"));
        }
        if !self.ward.is_empty() {
            let ward = at.ward.as_ref().filter(|w| self.ward.contains(&w.code))?;
            why.push(format!(
                "the location is in {} ward ({})",
                ward.name, ward.code
            ));
        }
        if !self.parish.is_empty() {
            let parish = at
                .parish
                .as_ref()
                .filter(|p| self.parish.contains(&p.code))?;
            why.push(format!(
                "the location is in {} ({})",
                parish.name, parish.code
            ));
        }
        match (self.in_parish, &at.parish) {
            (Some(true), Some(p)) if self.parish.is_empty() => {
                why.push(format!("the location is in {} ({})", p.name, p.code))
            }
            (Some(true), None) | (Some(false), Some(_)) => return None,
            (Some(false), None) => why.push("the location is not in a parish".to_owned()),
            _ => {}
        }
        Some(why)
    }
}

/// One routing rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// When it applies; no conditions means always.
    #[serde(default, skip_serializing_if = "Conditions::is_empty")]
    pub when: Conditions,
    /// The team, e.g. "Highways"; `((parish))` stands for the parish's name.
    pub team: String,
}

/// Where a case was sent, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Routed {
    /// The team's name.
    pub team: String,
    /// The rule that matched, from 1.
    pub rule: usize,
    /// The reason, in plain English, e.g. "rule 1: the location is in Northgate Parish (P01)".
    pub reason: String,
}

/// Applies `rules` in order. The loader guarantees the last rule has no
/// conditions, so a case always lands somewhere.
pub fn route(rules: &[Route], answers: &Answers, at: &Whereabouts) -> Option<Routed> {
    rules.iter().enumerate().find_map(|(i, r)| {
        let why = r.when.check(answers, at)?;
        let parish = at.parish.as_ref().map(|p| p.name.as_str()).unwrap_or("");
        let reason = if why.is_empty() {
            format!("rule {}: every other case", i + 1)
        } else {
            format!("rule {}: {}", i + 1, why.join(" and "))
        };
        Some(Routed {
            team: r.team.replace("((parish))", parish),
            rule: i + 1,
            reason,
        })
    })
}

/// Every team the rules can send a case to, with the rule (from 1) that names
/// it; a `((parish))` team is spelt out for each of `parishes`.
pub fn teams_named(rules: &[Route], parishes: &[&str]) -> Vec<(usize, String)> {
    let mut teams = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        if r.team.contains("((parish))") {
            teams.extend(
                parishes
                    .iter()
                    .map(|p| (i + 1, r.team.replace("((parish))", p))),
            );
        } else {
            teams.push((i + 1, r.team.clone()));
        }
    }
    teams
}

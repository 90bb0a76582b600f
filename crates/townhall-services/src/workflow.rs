//! The statuses a case moves through, and what the resident is told at each.

use serde::{Deserialize, Serialize};

/// One status of a service's workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// Its code, e.g. `inspecting`.
    pub id: String,
    /// What residents and staff see, e.g. "Being inspected".
    pub label: String,
    /// Whether the case is finished (closed in Open311 terms).
    #[serde(default)]
    pub closed: bool,
    /// The statuses it may move to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<String>,
    /// What the resident is sent on reaching it; placeholders `((reference))`,
    /// `((service))`, `((status))` and `((update))` (the public note, if any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The FixMyStreet status it maps to (e.g. `investigating`, `fixed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<String>,
}

/// The placeholders a status message may use.
pub const MESSAGE_PLACEHOLDERS: [&str; 4] = ["reference", "service", "status", "update"];

/// The FixMyStreet statuses an `external` code may name.
pub const EXTERNAL_STATUSES: [&str; 15] = [
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "planned",
    "reopen",
    "for_triage",
    "unable_to_fix",
    "not_found",
];

/// A service's statuses; the first is where every case starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    /// The statuses.
    pub statuses: Vec<Status>,
}

impl Workflow {
    /// The status every case starts in.
    pub fn initial(&self) -> Option<&Status> {
        self.statuses.first()
    }

    /// The status with this id.
    pub fn status(&self, id: &str) -> Option<&Status> {
        self.statuses.iter().find(|s| s.id == id)
    }

    /// Whether a case may move from `from` to `to`.
    pub fn allows(&self, from: &str, to: &str) -> bool {
        self.status(from)
            .is_some_and(|s| s.next.iter().any(|n| n == to))
    }

    /// The ids of statuses that cannot be reached from the first one.
    pub(crate) fn unreachable(&self) -> Vec<&str> {
        let mut seen = vec![false; self.statuses.len()];
        let mut todo = vec![0];
        while let Some(i) = todo.pop() {
            if seen.get(i).copied().unwrap_or(true) {
                continue;
            }
            seen[i] = true;
            for next in &self.statuses[i].next {
                if let Some(j) = self.statuses.iter().position(|s| &s.id == next) {
                    todo.push(j);
                }
            }
        }
        self.statuses
            .iter()
            .zip(seen)
            .filter(|(_, s)| !s)
            .map(|(st, _)| st.id.as_str())
            .collect()
    }
}

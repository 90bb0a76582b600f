//! Waste's part of the demo council: its four containers, a round for each
//! on one weekday for every ward, and the collections moved over Christmas
//! and the New Year (`demo/waste.toml`).

use townhall_kernel::demo::{Seeding, Sowing};

/// The demo's `waste.toml`.
pub const WASTE: &str = include_str!("../demo/waste.toml");

pub(crate) fn seed(s: Seeding<'_>) -> Sowing<'_> {
    Box::pin(async move {
        s.write_file("waste.toml", WASTE)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Collections;

    /// Every one of the demo's twelve wards has each of its four bins
    /// collected, by one round each.
    #[test]
    fn every_demo_ward_has_each_bin_collected() {
        let wards: Vec<String> = (1..=12).map(|w| format!("W{w:02}")).collect();
        let codes: Vec<&str> = wards.iter().map(String::as_str).collect();
        let c = Collections::parse("waste.toml", WASTE, &codes).unwrap();
        assert_eq!(c.containers.len(), 4);
        for ward in &codes {
            for container in &c.containers {
                let rounds = c
                    .rounds
                    .iter()
                    .filter(|r| r.container == container.id && r.wards.iter().any(|w| w == ward))
                    .count();
                assert_eq!(rounds, 1, "{ward} {}", container.id);
            }
        }
        assert_eq!(c.changes.len(), 3);
    }
}

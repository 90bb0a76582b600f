//! Clustering linked pairs into persons: records joined by pairs at or above
//! the threshold are one person (connected components). A chain of
//! borderline links can join people who are nothing alike (A like B, B like
//! C, …), so a component larger than `max_size` is split again with a
//! stricter threshold, and again, until every part is small enough. The
//! result depends only on the set of pairs, never on the order records came
//! in, so linking a new record to an index gives what a batch run would.

use rayon::prelude::*;

/// A linked pair: two record indices and the probability they match.
pub type Edge = (u32, u32, f64);

/// The cluster of each record: the smallest record index in its cluster.
pub fn clusters(records: usize, edges: &[Edge], threshold: f64, max_size: usize) -> Vec<u32> {
    let mut out: Vec<u32> = (0..records)
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    let members: Vec<u32> = out.clone();
    let kept: Vec<Edge> = edges
        .iter()
        .copied()
        .filter(|(_, _, p)| *p >= threshold)
        .collect();
    split(&members, &kept, threshold, max_size.max(2), &mut out);
    out
}

/// Labels the components of `members` (sorted) under `edges` (all at or
/// above `threshold`, between members), splitting those larger than
/// `max_size` at a stricter threshold: each member's label goes to
/// `out[member]`. What [`clusters`] does for all records, for some.
pub fn split(members: &[u32], edges: &[Edge], threshold: f64, max_size: usize, out: &mut [u32]) {
    let mut sets = UnionFind::new(members);
    for (a, b, _) in edges {
        sets.union(*a, *b);
    }
    let mut components: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for &m in members {
        components.entry(sets.find(m)).or_default().push(m);
    }
    for component in components.values() {
        let root = component.iter().copied().min().unwrap_or_default();
        // A stricter threshold: ten times less room for doubt.
        let stricter = 1.0 - (1.0 - threshold) / 10.0;
        if component.len() > max_size && stricter > threshold && stricter < 1.0 {
            let inside: Vec<Edge> = edges
                .iter()
                .copied()
                .filter(|(a, _, p)| *p >= stricter && component.binary_search(a).is_ok())
                .collect();
            split(component, &inside, stricter, max_size, out);
        } else {
            for &m in component {
                out[m as usize] = root;
            }
        }
    }
}

/// The pairs of records that share a cluster of `out` (among `members`,
/// sorted) but that `conflict` says cannot be one person: for
/// [`keep_apart`] to separate.
pub fn conflicts(
    out: &[u32],
    members: &[u32],
    conflict: impl Fn(u32, u32) -> bool + Sync,
) -> Vec<(u32, u32)> {
    let mut keyed: Vec<(u32, u32)> = members.iter().map(|m| (out[*m as usize], *m)).collect();
    keyed.par_sort_unstable();
    keyed
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|c| c.len() > 1)
        .collect::<Vec<_>>()
        .par_iter()
        .flat_map_iter(|records| {
            let conflict = &conflict;
            records.iter().enumerate().flat_map(move |(i, &(_, a))| {
                records[i + 1..]
                    .iter()
                    .filter(move |&&(_, b)| conflict(a, b))
                    .map(move |&(_, b)| (a, b))
            })
        })
        .collect()
}

/// A cluster to build again: its records, its links and its pairs kept apart.
type Rebuilt = (Vec<u32>, Vec<Edge>, Vec<(u32, u32)>);

/// Separates records that must not be one person (`apart`: people said so,
/// or they cannot be) but that other links put in one cluster: each such
/// cluster is built again from its links, strongest first, leaving out any
/// link that would join two records kept apart. Labels stay the smallest
/// record of each part. Only the clusters of `members` (sorted) are looked
/// at; each, its links and its pairs kept apart are gathered once, so the
/// cost grows with the records, not with the records times the clusters to
/// rebuild.
pub fn keep_apart(out: &mut [u32], members: &[u32], edges: &[Edge], apart: &[(u32, u32)]) {
    use std::collections::HashMap;
    let label = |out: &[u32], i: u32| out[i as usize];
    let mut rebuilt: HashMap<u32, Rebuilt> = apart
        .iter()
        .filter(|(a, b)| label(out, *a) == label(out, *b))
        .map(|(a, _)| (label(out, *a), Default::default()))
        .collect();
    if rebuilt.is_empty() {
        return;
    }
    for &m in members {
        if let Some(cluster) = rebuilt.get_mut(&label(out, m)) {
            cluster.0.push(m);
        }
    }
    for e in edges {
        let l = label(out, e.0);
        if l == label(out, e.1) {
            if let Some(cluster) = rebuilt.get_mut(&l) {
                cluster.1.push(*e);
            }
        }
    }
    for pair in apart {
        let l = label(out, pair.0);
        if l == label(out, pair.1) {
            if let Some(cluster) = rebuilt.get_mut(&l) {
                cluster.2.push(*pair);
            }
        }
    }
    for (members, mut inside, apart) in rebuilt.into_values() {
        // Strongest first; ties in record order, so the result never depends
        // on the order the pairs came in.
        inside.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
        let mut sets = UnionFind::new(&members);
        for (a, b, _) in inside {
            let (ra, rb) = (sets.find(a), sets.find(b));
            if ra == rb {
                continue;
            }
            let forbidden = apart.iter().any(|(x, y)| {
                let (fx, fy) = (sets.find(*x), sets.find(*y));
                (fx == ra && fy == rb) || (fx == rb && fy == ra)
            });
            if !forbidden {
                sets.union(a, b);
            }
        }
        let mut smallest: HashMap<u32, u32> = HashMap::new();
        for &m in &members {
            let root = sets.find(m);
            let e = smallest.entry(root).or_insert(m);
            *e = (*e).min(m);
        }
        for &m in &members {
            out[m as usize] = smallest[&sets.find(m)];
        }
    }
}

/// Union–find over a sorted list of record indices, with path halving and
/// union by size.
struct UnionFind<'a> {
    members: &'a [u32],
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl<'a> UnionFind<'a> {
    fn new(members: &'a [u32]) -> Self {
        UnionFind {
            members,
            parent: (0..members.len()).collect(),
            size: vec![1; members.len()],
        }
    }

    fn position(&self, x: u32) -> usize {
        self.members.binary_search(&x).unwrap_or(0)
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn find(&mut self, x: u32) -> u32 {
        let i = self.position(x);
        let r = self.root(i);
        self.members[r]
    }

    fn union(&mut self, a: u32, b: u32) {
        let (pa, pb) = (self.position(a), self.position(b));
        let (ra, rb) = (self.root(pa), self.root(pb));
        if ra == rb {
            return;
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big;
        self.size[big] += self.size[small];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_above_the_threshold_join_records() {
        let edges = [(0, 1, 0.99), (1, 2, 0.97), (3, 4, 0.5), (5, 6, 0.96)];
        assert_eq!(clusters(7, &edges, 0.95, 100), vec![0, 0, 0, 3, 4, 5, 5]);
    }

    #[test]
    fn a_long_chain_of_doubtful_links_is_broken_where_it_is_weakest() {
        // Two tight groups joined by one borderline link.
        let edges = [
            (0, 1, 0.9999),
            (1, 2, 0.9999),
            (0, 2, 0.9999),
            (2, 3, 0.96),
            (3, 4, 0.9999),
            (4, 5, 0.9999),
        ];
        assert_eq!(
            clusters(6, &edges, 0.95, 100),
            vec![0; 6],
            "no guard needed"
        );
        assert_eq!(clusters(6, &edges, 0.95, 3), vec![0, 0, 0, 3, 3, 3]);
    }

    #[test]
    fn records_said_to_be_different_people_are_split_at_their_weakest_link() {
        let edges = [(0, 1, 0.99), (1, 2, 0.96), (2, 3, 0.99), (4, 5, 0.99)];
        let mut out = clusters(6, &edges, 0.95, 100);
        assert_eq!(out, vec![0, 0, 0, 0, 4, 4]);
        let all: Vec<u32> = (0..6).collect();
        keep_apart(&mut out, &all, &edges, &[(0, 3)]);
        assert_eq!(out, vec![0, 0, 2, 2, 4, 4]);
        keep_apart(&mut out, &all, &edges, &[(4, 0)]);
        assert_eq!(out, vec![0, 0, 2, 2, 4, 4], "already apart: nothing moves");
    }

    #[test]
    fn the_result_does_not_depend_on_the_order_of_the_pairs() {
        let mut edges = vec![
            (0, 1, 0.9999),
            (1, 2, 0.97),
            (2, 3, 0.9999),
            (4, 5, 0.99),
            (3, 4, 0.951),
        ];
        let first = clusters(6, &edges, 0.95, 2);
        edges.reverse();
        assert_eq!(clusters(6, &edges, 0.95, 2), first);
        edges.swap(0, 3);
        assert_eq!(clusters(6, &edges, 0.95, 2), first);
    }
}

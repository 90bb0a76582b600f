//! How long one new record takes to link into a large index: the records of
//! the CSV files given are linked in one batch (training the model), all but
//! the last `ARRIVALS` are loaded into an [`Index`], and each of the last is
//! then added and linked on its own, timed one by one.
//!
//!     cargo run --release -p townhall-index --example arrival -- FILE.csv...
//!
//! Prints the index's size, how long it took to build, and the latency of
//! an arrival (median, 99th percentile, worst), with the process's peak
//! memory. `bench/linkage/arrival` runs it on a synthetic council.

use std::path::PathBuf;
use std::time::Instant;

use townhall_index::files::{read, Mapping};
use townhall_linkage::blocking::Mode;
use townhall_linkage::frequency::TermFrequencies;
use townhall_linkage::index::Index;
use townhall_linkage::link::{link, Settings};
use townhall_linkage::record::Person;

/// How many records arrive one by one after the index is built.
const ARRIVALS: usize = 2_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let inputs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if inputs.is_empty() {
        return Err("name the CSV files to build the index from".into());
    }
    let mut people = Vec::new();
    for path in &inputs {
        let table = read(path, &Mapping::default(), &[])?;
        people.extend(Person::prepare_all(&table.people, &[]));
    }
    // Arrivals come from everywhere in the data, not only from the last file.
    let stride = (people.len() / ARRIVALS).max(1);
    let (mut held, mut arriving) = (Vec::new(), Vec::new());
    for (i, p) in people.into_iter().enumerate() {
        if i % stride == 0 && arriving.len() < ARRIVALS {
            arriving.push(p);
        } else {
            held.push(p);
        }
    }

    let started = Instant::now();
    let settings = Settings::default();
    let trained = link(&held, Mode::Dedupe, &settings, None);
    let training = started.elapsed();
    let frequencies = TermFrequencies::of(&held);
    let started = Instant::now();
    let mut index = Index::new(settings, trained.model, frequencies);
    for p in held {
        index.add(p, 0);
    }
    let building = started.elapsed();

    let mut latencies = Vec::with_capacity(arriving.len());
    let mut linked = 0;
    for p in arriving {
        let started = Instant::now();
        let arrival = index.add(p, 0);
        latencies.push(started.elapsed());
        if !arrival.links.is_empty() {
            linked += 1;
        }
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "index of {} records: trained in {:.1} s, built by adding one at a time in {:.1} s",
        index.len() - latencies.len(),
        training.as_secs_f64(),
        building.as_secs_f64()
    );
    println!(
        "{} arrivals ({} linked to someone): median {:.3} ms, p99 {:.3} ms, worst {:.3} ms",
        latencies.len(),
        linked,
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(peak) = status.lines().find(|l| l.starts_with("VmHWM")) {
            println!("peak memory: {}", peak.trim_start_matches("VmHWM:").trim());
        }
    }
    Ok(())
}

//! How long jobs show their progress: a bar at a terminal, log lines
//! otherwise.

use indicatif::{ProgressBar, ProgressStyle};

/// A long job's stages, in the log (for the server, which has no terminal):
/// each stage once when it starts.
pub struct LogProgress {
    council: String,
    stage: std::sync::Mutex<String>,
}

impl LogProgress {
    /// Stages of `council`'s job.
    pub fn new(council: &str) -> Self {
        LogProgress {
            council: council.to_owned(),
            stage: std::sync::Mutex::new(String::new()),
        }
    }
}

impl townhall_store::Progress for LogProgress {
    fn step(&self, what: &str, _: u64, total: u64) {
        let Ok(mut stage) = self.stage.lock() else {
            return;
        };
        if *stage != what {
            tracing::info!(council = %self.council, stage = what, total, "building the resident index");
            what.clone_into(&mut stage);
        }
    }
}

/// A long job's progress on the terminal, remembering when each stage
/// began so that the job can say where its time went.
pub struct Bar {
    bar: ProgressBar,
    stages: std::sync::Mutex<Vec<(String, std::time::Instant)>>,
}

impl townhall_store::Progress for Bar {
    fn step(&self, what: &str, done: u64, total: u64) {
        // A stage that is not counted shows no count left over from the one before.
        self.bar.set_length(total);
        self.bar.set_position(done);
        self.bar.set_message(what.to_owned());
        if let Ok(mut stages) = self.stages.lock() {
            if stages.last().is_none_or(|(stage, _)| stage != what) {
                stages.push((what.to_owned(), std::time::Instant::now()));
            }
        }
    }
}

impl Bar {
    /// Draws nothing (when the job's output goes to the terminal instead).
    pub fn hide(&self) {
        self.bar
            .set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }

    /// Says what the job is doing before its first stage.
    pub fn say(&self, what: &'static str) {
        self.bar.set_message(what);
    }

    /// Ends the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Each stage's time, until the next began or now: "reading 2.1 s, …".
    pub fn timings(&self) -> String {
        let Ok(stages) = self.stages.lock() else {
            return String::new();
        };
        let now = std::time::Instant::now();
        stages
            .iter()
            .enumerate()
            .map(|(i, (stage, began))| {
                let ended = stages.get(i + 1).map_or(now, |(_, at)| *at);
                format!("{stage} {:.1} s", (ended - *began).as_secs_f64())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A bar on the terminal (hidden when there is none).
pub fn bar() -> Bar {
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    Bar {
        bar: pb,
        stages: std::sync::Mutex::default(),
    }
}

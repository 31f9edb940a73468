//! The run's figures, each kept beside the machine's limit measured in the same run, and the
//! regression guard: `--check FILE` compares them with a committed baseline.
//!
//! A figure is compared as a ratio to this run's one-core RSA signing rate, not as itself: the
//! signing rate is the machine's speed (every request's answer is signed), so a baseline taken
//! on a faster machine, or on this one while a compiler shares its cores, still says whether
//! provisio itself got slower. Memory is compared as it is: it does not scale with speed.

use std::{collections::BTreeMap, path::Path};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// How much worse than its baseline a figure may be before `--check` names it: 20%.
pub const TOLERANCE: f64 = 0.2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Requests (or provisions, deliveries) per second: higher is better.
    PerSecond,
    /// Server CPU per request in µs: lower is better.
    CpuMicros,
    /// Resident memory in MB: lower is better, not scaled by the machine's speed.
    Megabytes,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figure {
    pub kind: Kind,
    /// As measured, in the kind's unit.
    pub value: f64,
    /// As compared: relative to the run's one-core signing rate (see [`Figures::relative`]).
    pub relative: f64,
}

/// What a run measured, by name (`context: GET /v1/installation`, …).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    /// RSA-2048 signatures per second on one core, in this run.
    pub signatures_per_second: f64,
    pub figures: BTreeMap<String, Figure>,
}

impl Figures {
    pub fn new(signatures_per_second: f64) -> Self {
        Self {
            signatures_per_second: signatures_per_second.max(1.0),
            figures: BTreeMap::new(),
        }
    }

    pub fn record(&mut self, name: &str, kind: Kind, value: f64) {
        let relative = self.relative(kind, value);
        self.figures.insert(
            name.to_owned(),
            Figure {
                kind,
                value,
                relative,
            },
        );
    }

    /// A rate as a multiple of the signing rate; CPU time as the signatures the same time
    /// would have made; memory unchanged.
    fn relative(&self, kind: Kind, value: f64) -> f64 {
        match kind {
            Kind::PerSecond => value / self.signatures_per_second,
            Kind::CpuMicros => value * self.signatures_per_second / 1e6,
            Kind::Megabytes => value,
        }
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
    }

    /// Writes this run over the baseline at `path`, keeping the figures of the one there that
    /// this run did not take: a SQLite run and a PostgreSQL run (or `--processes 2,4`) make one
    /// baseline. Each figure is compared relative to its own run's signing rate, so figures of
    /// two runs sit side by side; delete the file to start afresh.
    pub fn write_over(mut self, path: &Path) -> anyhow::Result<Self> {
        if path.exists() {
            let before = Figures::read(path)?;
            for (name, figure) in before.figures {
                self.figures.entry(name).or_insert(figure);
            }
        }
        self.write(path)?;
        Ok(self)
    }

    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not a baseline", path.display()))
    }

    /// Every figure of this run beside its baseline's; the ones more than [`TOLERANCE`] worse
    /// are marked. Figures the baseline lacks (or this run did not take) are listed apart.
    pub fn compare(&self, baseline: &Figures) -> Comparison {
        let mut rows = Vec::new();
        let mut unmatched = Vec::new();
        for (name, now) in &self.figures {
            let Some(then) = baseline.figures.get(name) else {
                unmatched.push(format!("{name}: not in the baseline"));
                continue;
            };
            // Performance as "higher is better" in both, so one threshold serves every kind.
            let (now_perf, then_perf) = match now.kind {
                Kind::PerSecond => (now.relative, then.relative),
                Kind::CpuMicros | Kind::Megabytes => (
                    1.0 / now.relative.max(f64::MIN_POSITIVE),
                    1.0 / then.relative.max(f64::MIN_POSITIVE),
                ),
            };
            let change = now_perf / then_perf.max(f64::MIN_POSITIVE) - 1.0;
            rows.push(Row {
                name: name.clone(),
                kind: now.kind,
                now: now.value,
                then: then.value,
                change,
                fell: change < -TOLERANCE,
            });
        }
        Comparison { rows, unmatched }
    }

    /// The figures as a Markdown table, for docs/benchmarks.md.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "| figure | measured | relative to {:.0} signatures/s on one core |\n|---|---|---|\n",
            self.signatures_per_second
        );
        for (name, f) in &self.figures {
            let relative = match f.kind {
                Kind::PerSecond => format!("{:.2}× the signing rate", f.relative),
                Kind::CpuMicros => format!("{:.3} signatures' time", f.relative),
                Kind::Megabytes => "—".to_owned(),
            };
            out.push_str(&format!(
                "| {name} | {} | {relative} |\n",
                unit(f.kind, f.value)
            ));
        }
        out
    }
}

pub struct Row {
    pub name: String,
    pub kind: Kind,
    pub now: f64,
    pub then: f64,
    /// +0.10 is 10% better than the baseline, relative to each run's signing rate.
    pub change: f64,
    pub fell: bool,
}

pub struct Comparison {
    pub rows: Vec<Row>,
    pub unmatched: Vec<String>,
}

impl Comparison {
    pub fn fell(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.fell)
    }

    pub fn print(&self, baseline: &Figures, now: &Figures) {
        println!();
        println!(
            "against the baseline (signing: {:.0}/s then, {:.0}/s now; a figure is compared \
             relative to its run's signing rate and named when over {:.0}% worse):",
            baseline.signatures_per_second,
            now.signatures_per_second,
            TOLERANCE * 100.0
        );
        for row in &self.rows {
            println!(
                "  [{}] {}: {} (baseline {}), {:+.0}%",
                if row.fell { "FELL" } else { "ok" },
                row.name,
                unit(row.kind, row.now),
                unit(row.kind, row.then),
                row.change * 100.0
            );
        }
        for line in &self.unmatched {
            println!("  [--] {line}");
        }
    }
}

fn unit(kind: Kind, value: f64) -> String {
    match kind {
        Kind::PerSecond => format!("{value:.0}/s"),
        Kind::CpuMicros => format!("{value:.0} µs"),
        Kind::Megabytes => format!("{value:.1} MB"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(signing: f64, figures: &[(&str, Kind, f64)]) -> Figures {
        let mut run = Figures::new(signing);
        for (name, kind, value) in figures {
            run.record(name, *kind, *value);
        }
        run
    }

    #[test]
    fn a_slower_machine_is_not_a_regression() {
        let baseline = run(
            3000.0,
            &[
                ("get", Kind::PerSecond, 30_000.0),
                ("cpu", Kind::CpuMicros, 20.0),
            ],
        );
        // Half the machine: half the rate and twice the CPU time, in proportion.
        let now = run(
            1500.0,
            &[
                ("get", Kind::PerSecond, 15_000.0),
                ("cpu", Kind::CpuMicros, 40.0),
            ],
        );
        let comparison = now.compare(&baseline);
        assert_eq!(comparison.fell().count(), 0);
        assert!(comparison.rows.iter().all(|r| r.change.abs() < 1e-9));
    }

    #[test]
    fn more_than_a_fifth_worse_is_named_whichever_way_the_kind_points() {
        let baseline = run(
            3000.0,
            &[
                ("get", Kind::PerSecond, 30_000.0),
                ("cpu", Kind::CpuMicros, 20.0),
                ("memory", Kind::Megabytes, 10.0),
                ("steady", Kind::PerSecond, 1_000.0),
            ],
        );
        let now = run(
            3000.0,
            &[
                ("get", Kind::PerSecond, 23_000.0),
                ("cpu", Kind::CpuMicros, 26.0),
                ("memory", Kind::Megabytes, 13.0),
                ("steady", Kind::PerSecond, 850.0),
                ("new", Kind::PerSecond, 1.0),
            ],
        );
        let comparison = now.compare(&baseline);
        let fell: Vec<&str> = comparison.fell().map(|r| r.name.as_str()).collect();
        assert_eq!(fell, ["cpu", "get", "memory"]);
        assert_eq!(comparison.unmatched, ["new: not in the baseline"]);
    }

    #[test]
    fn a_baseline_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("baseline.json");
        let written = run(2000.0, &[("get", Kind::PerSecond, 24_000.0)]);
        written.write(&path).unwrap_or_else(|e| panic!("{e}"));
        let read = Figures::read(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.figures["get"].relative, 12.0);
        assert!(Figures::read(&dir.path().join("none.json")).is_err());
    }

    #[test]
    fn a_run_written_over_a_baseline_keeps_the_figures_it_did_not_take() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("baseline.json");
        run(
            2000.0,
            &[
                ("sqlite", Kind::PerSecond, 24_000.0),
                ("both", Kind::PerSecond, 2_000.0),
            ],
        )
        .write_over(&path)
        .unwrap_or_else(|e| panic!("{e}"));
        run(
            4000.0,
            &[
                ("postgres", Kind::PerSecond, 8_000.0),
                ("both", Kind::PerSecond, 8_000.0),
            ],
        )
        .write_over(&path)
        .unwrap_or_else(|e| panic!("{e}"));
        let read = Figures::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let relative: Vec<(&str, f64)> = read
            .figures
            .iter()
            .map(|(name, f)| (name.as_str(), f.relative))
            .collect();
        assert_eq!(
            relative,
            [("both", 2.0), ("postgres", 2.0), ("sqlite", 12.0)]
        );
    }
}

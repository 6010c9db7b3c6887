//! `kring demo --scale N`: data at scale for benchmarks, on top of the normal demo. Per unit: 50
//! communities in five programmes, 2,000 users, 100,000 notes with 200,000 comments, 1,000
//! meetings with agendas and minutes, 10,000 practice examples and 5,000 topics with votes, all
//! in the search index.
//!
//! Fast because rows are generated in memory (deterministically, from a seeded PRNG, on a blocking
//! thread while the previous batch is written) and written with multi-row `INSERT`s, one
//! transaction per batch. The rows go straight into the tables, not through the use cases: no
//! e-mail is queued and no per-row SELECT is run. A `meta` row marks each finished unit.

mod bulk;
mod meetings;
mod notes;
mod people;
mod places;
mod practices;
mod topics;
mod words;

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Utc};
use indicatif::ProgressBar;

use crate::app::AppState;
use crate::db::{self, on_pool};
use bulk::{Docs, Table, V};

/// How much one scale unit holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleSize {
    /// Communities (ten per programme).
    pub communities: usize,
    /// Users, spread evenly over the communities.
    pub users: usize,
    /// Notes (about two comments each).
    pub notes: usize,
    /// Meetings.
    pub meetings: usize,
    /// Practice examples.
    pub practices: usize,
    /// Topics (about ten votes each).
    pub topics: usize,
}

impl ScaleSize {
    /// What `kring demo --scale 1` makes.
    pub const FULL: Self = Self {
        communities: 50,
        users: 2_000,
        notes: 100_000,
        meetings: 1_000,
        practices: 10_000,
        topics: 5_000,
    };

    /// A hundredth of [`Self::FULL`] (with enough communities to have a shape), for tests.
    pub const TINY: Self = Self {
        communities: 4,
        users: 160,
        notes: 1_000,
        meetings: 20,
        practices: 100,
        topics: 40,
    };
}

/// A community of a unit and its members (user ids; facilitators first).
#[derive(Clone, Debug)]
pub struct Community {
    /// Id.
    pub id: String,
    /// Slug.
    pub slug: String,
    /// Its programme.
    pub programme_id: String,
    /// Member and facilitator user ids.
    pub members: Vec<String>,
}

/// A municipality from `organisations`, with a point near its centre when the map knows it.
#[derive(Clone, Debug)]
pub struct Municipality {
    /// CBS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Inhabitants.
    pub population: i64,
    /// WGS84 latitude and longitude near the centre.
    pub centre: Option<(f64, f64)>,
}

/// What a unit's generators share.
pub struct Unit {
    /// The unit number (1 …).
    pub unit: u32,
    /// The instant everything is dated back from.
    pub now: DateTime<Utc>,
    /// The unit's communities.
    pub communities: Vec<Community>,
    /// Every municipality.
    pub municipalities: Vec<Municipality>,
    /// How much to make.
    pub size: ScaleSize,
}

impl Unit {
    /// A PRNG for batch `batch` of phase `phase`: the same rows on every run.
    fn rng(&self, phase: u64, batch: usize) -> rand::rngs::SmallRng {
        use rand::SeedableRng;
        rand::rngs::SmallRng::seed_from_u64(
            (u64::from(self.unit) << 32) | (phase << 24) | batch as u64,
        )
    }
}

/// Rows of one transaction.
#[derive(Default)]
pub struct Batch {
    /// Tables in the order they must be written (parents first).
    pub tables: Vec<Table>,
    /// Search documents.
    pub docs: Docs,
    /// Progress units (notes, meetings, topics, examples).
    pub items: u64,
}

/// What [`generate`] made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Made {
    /// Units created now (not those that were already there).
    pub units: u32,
    /// Rows written, over every table.
    pub rows: u64,
}

fn marker(unit: u32) -> String {
    format!("demo_scale_unit_{unit}")
}

/// Makes units `1..=units` that are not there yet, each of `size`. `progress` advances per
/// note, meeting, topic, example and user.
pub async fn generate(
    state: &AppState,
    units: u32,
    size: ScaleSize,
    progress: &ProgressBar,
) -> anyhow::Result<Made> {
    let mut todo = Vec::new();
    for unit in 1..=units {
        let key = marker(unit);
        let done: Option<String> = on_pool!(&state.db, |c| sqlx::query_scalar(
            "SELECT value FROM meta WHERE key = $1"
        )
        .bind(&key)
        .fetch_optional(c)
        .await
        .context("reading the scale marker")?);
        if done.is_some() {
            continue;
        }
        if db::communities::find(&state.db, &people::first_slug(unit))
            .await?
            .is_some()
        {
            anyhow::bail!(
                "an earlier `kring demo --scale` run stopped halfway through unit {unit}; start from an empty database"
            );
        }
        todo.push(unit);
    }
    let per_unit = size.users + size.notes + size.meetings + size.topics + size.practices;
    progress.set_length((per_unit * todo.len()) as u64);
    let municipalities = Arc::new(places::municipalities(state).await?);
    let mut made = Made::default();
    for unit in todo {
        made.rows += one_unit(state, unit, size, &municipalities, progress).await?;
        made.units += 1;
    }
    Ok(made)
}

async fn one_unit(
    state: &AppState,
    unit: u32,
    size: ScaleSize,
    municipalities: &Arc<Vec<Municipality>>,
    progress: &ProgressBar,
) -> anyhow::Result<u64> {
    let now = state.clock.now();
    let mut people = people::build(unit, &size, municipalities, now)?;
    let mut rows = 0u64;
    let mut tx = state.db.begin().await?;
    for table in &mut people.tables {
        rows += table.len() as u64;
        table.flush(&mut tx).await?;
    }
    tx.commit().await?;
    progress.inc(people.users as u64);
    let shared = Arc::new(Unit {
        unit,
        now,
        communities: people.communities,
        municipalities: municipalities.to_vec(),
        size,
    });
    let c = size.communities;
    rows += write(
        state,
        &shared,
        size.notes.div_ceil(notes::PER_BATCH),
        notes::batch,
        progress,
    )
    .await?;
    rows += write(state, &shared, c.div_ceil(10), meetings::batch, progress).await?;
    rows += write(state, &shared, c.div_ceil(10), topics::batch, progress).await?;
    rows += write(
        state,
        &shared,
        size.practices.div_ceil(practices::PER_BATCH),
        practices::batch,
        progress,
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let mut meta = Table::new("meta", &["key", "value"]);
    meta.row([V::T(marker(unit)), V::T(now.to_rfc3339())]);
    meta.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// Writes batches `0..n` of `make`, one transaction each, generating the next batch on a
/// blocking thread while the current one is written. Returns the number of rows.
async fn write(
    state: &AppState,
    unit: &Arc<Unit>,
    n: usize,
    make: fn(&Unit, usize) -> Batch,
    progress: &ProgressBar,
) -> anyhow::Result<u64> {
    let spawn = |i: usize| {
        let unit = Arc::clone(unit);
        tokio::task::spawn_blocking(move || make(&unit, i))
    };
    let mut rows = 0u64;
    let mut next = (n > 0).then(|| spawn(0));
    let mut i = 0;
    while let Some(handle) = next.take() {
        let mut batch = handle.await.context("generating a batch")?;
        i += 1;
        if i < n {
            next = Some(spawn(i));
        }
        let started = Instant::now();
        let mut tx = state.db.begin().await?;
        for table in &mut batch.tables {
            rows += table.len() as u64;
            table.flush(&mut tx).await?;
        }
        rows += batch.docs.len() as u64;
        batch.docs.flush(&mut tx).await?;
        tx.commit().await?;
        tracing::debug!(elapsed = ?started.elapsed(), "scale batch written");
        progress.inc(batch.items);
    }
    Ok(rows)
}

/// `kring demo --scale N`: makes the missing units of full size with a progress bar on the
/// terminal (drawn on stderr, and not at all when that is not a terminal); returns what it did.
pub async fn run(state: &AppState, units: u32) -> anyhow::Result<String> {
    let started = Instant::now();
    let progress = ProgressBar::new(0);
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {percent:>3}% {elapsed_precise} (nog {eta}) schaaldata",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let made = generate(state, units, ScaleSize::FULL, &progress).await?;
    progress.finish_and_clear();
    let s = ScaleSize::FULL;
    let n = u64::from(made.units);
    Ok(if made.units == 0 {
        format!("Scale data for {units} unit(s) is already there; nothing changed.")
    } else {
        format!(
            "Scale data: {} unit(s) added in {:.1} s ({} rows): {} communities, {} users, {} notes with about {} comments, {} meetings, {} practice examples, {} topics with about {} votes.",
            made.units,
            started.elapsed().as_secs_f64(),
            made.rows,
            n * s.communities as u64,
            n * s.users as u64,
            n * s.notes as u64,
            n * 2 * s.notes as u64,
            n * s.meetings as u64,
            n * s.practices as u64,
            n * s.topics as u64,
            n * 10 * s.topics as u64,
        )
    })
}

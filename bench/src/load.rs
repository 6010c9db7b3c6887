//! The load generator: a fixed number of keep-alive connections, each sending the next request as
//! soon as the previous answer is read (closed loop), for a fixed time; latencies in an HDR histogram.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use hdrhistogram::Histogram;

use crate::http::{Conn, Spec};

/// Latencies are recorded in microseconds, up to a minute, to 3 significant digits.
const MAX_MICROS: u64 = 60_000_000;

/// What one run of one route measured.
pub struct Outcome {
    /// Answers with a 2xx status.
    pub ok: u64,
    /// Other statuses and transport errors.
    pub errors: u64,
    pub elapsed: Duration,
    /// Latency of every answer (also errors), in microseconds.
    pub latency: Histogram<u64>,
}

impl Outcome {
    /// Successful requests per second.
    #[allow(clippy::cast_precision_loss)]
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// A latency quantile in milliseconds.
    #[allow(clippy::cast_precision_loss)]
    pub fn millis(&self, quantile: f64) -> f64 {
        self.latency.value_at_quantile(quantile) as f64 / 1000.0
    }
}

/// Keeps `connections` connections busy with `spec` for `duration`.
pub async fn run(
    addr: SocketAddr,
    spec: &Spec,
    connections: usize,
    duration: Duration,
) -> Result<Outcome> {
    let spec = Arc::new(spec.clone());
    let start = Instant::now();
    let deadline = start + duration;
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let spec = Arc::clone(&spec);
        workers.push(tokio::spawn(worker(addr, spec, deadline)));
    }
    let mut outcome = Outcome {
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latency: histogram(),
    };
    for worker in workers {
        let (ok, errors, latency) = worker.await.context("load worker panicked")??;
        outcome.ok += ok;
        outcome.errors += errors;
        outcome.latency.add(&latency)?;
    }
    outcome.elapsed = start.elapsed();
    Ok(outcome)
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("valid histogram bounds")
}

async fn worker(
    addr: SocketAddr,
    spec: Arc<Spec>,
    deadline: Instant,
) -> Result<(u64, u64, Histogram<u64>)> {
    let mut latency = histogram();
    let (mut ok, mut errors) = (0, 0);
    let mut conn: Option<Conn> = None;
    while Instant::now() < deadline {
        let sent = Instant::now();
        let result = match conn.as_mut() {
            Some(c) => c.send(&spec).await,
            None => match Conn::open(addr).await {
                Ok(mut c) => {
                    let r = c.send(&spec).await;
                    conn = Some(c);
                    r
                }
                Err(e) => Err(e),
            },
        };
        let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(MAX_MICROS);
        latency.saturating_record(micros.clamp(1, MAX_MICROS));
        match result {
            Ok(response) if (200..300).contains(&response.status) => ok += 1,
            Ok(_) => errors += 1,
            Err(_) => {
                errors += 1;
                conn = None;
                // Do not spin when the server is gone.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    Ok((ok, errors, latency))
}

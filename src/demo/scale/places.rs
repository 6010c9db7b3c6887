//! Where practice examples lie: a point near the centre of each municipality, from the shipped
//! boundaries (RD New metres), turned into WGS84.

use std::collections::HashMap;

use anyhow::Context;
use rand::Rng;
use rand::rngs::SmallRng;

use super::Municipality;
use crate::app::AppState;
use crate::db::on_pool;
use crate::domain::rd;

/// The same boundaries `map` draws.
const BOUNDARIES: &str = include_str!("../../../data/gemeenten.geojson");

/// Every municipality in `organisations`, with a centre where the boundaries know it.
pub async fn municipalities(state: &AppState) -> anyhow::Result<Vec<Municipality>> {
    let rows: Vec<(String, String, Option<i64>)> = on_pool!(&state.db, |c| {
        sqlx::query_as(
        "SELECT code, name, population FROM organisations WHERE kind = 'municipality' ORDER BY code"
    )
    .fetch_all(c)
    .await
    .context("loading municipalities")?
    });
    let centres = centres()?;
    Ok(rows
        .into_iter()
        .map(|(code, name, population)| Municipality {
            centre: centres.get(&code).copied(),
            code,
            name,
            population: population.unwrap_or(0),
        })
        .collect())
}

/// A point within a kilometre or two of the municipality's centre (of the Netherlands' centre
/// when its boundary is unknown), in WGS84.
pub fn point_near(m: &Municipality, rng: &mut SmallRng) -> (f64, f64) {
    let (lat, lon) = m.centre.unwrap_or((52.1326, 5.2913));
    (
        lat + rng.random_range(-0.012..0.012),
        lon + rng.random_range(-0.018..0.018),
    )
}

/// The centroid of each municipality's largest ring, by code, in WGS84.
fn centres() -> anyhow::Result<HashMap<String, (f64, f64)>> {
    let collection: serde_json::Value =
        serde_json::from_str(BOUNDARIES).context("reading data/gemeenten.geojson")?;
    let mut out = HashMap::new();
    for feature in collection["features"].as_array().into_iter().flatten() {
        let Some(code) = feature["properties"]["code"].as_str() else {
            continue;
        };
        let geometry = &feature["geometry"];
        let polygons: Vec<&serde_json::Value> = match geometry["type"].as_str() {
            Some("Polygon") => vec![&geometry["coordinates"]],
            Some("MultiPolygon") => geometry["coordinates"]
                .as_array()
                .into_iter()
                .flatten()
                .collect(),
            _ => continue,
        };
        let best = polygons
            .iter()
            .filter_map(|p| p.get(0).and_then(serde_json::Value::as_array))
            .map(|ring| {
                ring.iter()
                    .filter_map(|pt| Some((pt.get(0)?.as_f64()?, pt.get(1)?.as_f64()?)))
                    .collect::<Vec<_>>()
            })
            .filter_map(|ring| centroid(&ring))
            .max_by(|a, b| a.2.total_cmp(&b.2));
        if let Some((x, y, _)) = best {
            out.insert(code.to_string(), to_wgs84(x, y));
        }
    }
    Ok(out)
}

/// Area centroid and area of a ring (shoelace formula).
fn centroid(ring: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for (i, p) in ring.iter().enumerate() {
        let q = ring[(i + 1) % ring.len()];
        let cross = p.0 * q.1 - q.0 * p.1;
        a += cross;
        cx += (p.0 + q.0) * cross;
        cy += (p.1 + q.1) * cross;
    }
    (a.abs() > f64::EPSILON).then(|| (cx / (3.0 * a), cy / (3.0 * a), a.abs() / 2.0))
}

/// WGS84 of RD coordinates, by inverting `rd::to_rd` with a few Newton steps (metres per degree
/// near Amersfoort as the derivative; three steps reach millimetres).
fn to_wgs84(x: f64, y: f64) -> (f64, f64) {
    const M_PER_LAT: f64 = 111_250.0;
    const M_PER_LON: f64 = 68_450.0;
    let mut lat = 52.155_17 + (y - 463_000.0) / M_PER_LAT;
    let mut lon = 5.387_21 + (x - 155_000.0) / M_PER_LON;
    for _ in 0..6 {
        let (x1, y1) = rd::to_rd(lat, lon);
        lat += (y - y1) / M_PER_LAT;
        lon += (x - x1) / M_PER_LON;
    }
    (lat, lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centres_lie_in_their_municipality() {
        let centres = centres().expect("boundaries");
        // Amsterdam's and Groningen's city centres are within ten kilometres.
        let (lat, lon) = centres["GM0363"];
        assert!(
            (lat - 52.37).abs() < 0.1 && (lon - 4.90).abs() < 0.15,
            "{lat} {lon}"
        );
        let (lat, lon) = centres["GM0014"];
        assert!(
            (lat - 53.22).abs() < 0.1 && (lon - 6.57).abs() < 0.15,
            "{lat} {lon}"
        );
        let (x, y) = rd::to_rd(52.0, 5.0);
        let (lat, lon) = to_wgs84(x, y);
        assert!((lat - 52.0).abs() < 1e-6 && (lon - 5.0).abs() < 1e-6);
    }
}

//! The map of practice examples: an SVG of the Netherlands drawn by kring from the municipal
//! boundaries it ships (`data/gemeenten.geojson`, RD New metres), so it needs no tile server and
//! works offline. The path data of every municipality is computed once per process; a request
//! only adds which municipalities have examples the caller may see, and dots at their locations.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

use askama::Template;
use serde::Deserialize;

use crate::db::practices::Pin;
use crate::domain::rd;

/// The shipped boundaries: CBS / PDOK via cartomap/nl, CC BY 4.0 (see `data/SOURCES.md`).
const BOUNDARIES: &str = include_str!("../data/gemeenten.geojson");
/// Metres per SVG unit: coarser than the data's own simplification only where it cannot show.
const METRES_PER_UNIT: f64 = 100.0;
/// Space around the country, in SVG units.
const MARGIN: f64 = 20.0;

/// One municipality, ready to draw.
#[derive(Clone, Debug)]
pub struct Shape {
    /// CBS code (`GM0363`).
    pub code: String,
    /// CBS name.
    pub name: String,
    /// SVG path data in map units.
    pub d: String,
    /// The rings in map units, for finding the municipality of a point.
    rings: Vec<Vec<(f64, f64)>>,
}

impl Shape {
    /// True when the map point lies inside the municipality (even-odd rule over every ring).
    pub fn contains(&self, (px, py): (f64, f64)) -> bool {
        let mut inside = false;
        for ring in &self.rings {
            for (i, a) in ring.iter().enumerate() {
                let b = ring[(i + 1) % ring.len()];
                if (a.1 > py) != (b.1 > py) && px < (b.0 - a.0) * (py - a.1) / (b.1 - a.1) + a.0 {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

/// The precomputed base map.
#[derive(Debug)]
pub struct Base {
    /// Every municipality, by code.
    pub shapes: Vec<Shape>,
    /// Width in map units.
    pub width: u32,
    /// Height in map units.
    pub height: u32,
    x_min: f64,
    y_max: f64,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    code: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

impl Geometry {
    fn rings(&self) -> Vec<&Vec<[f64; 2]>> {
        match self {
            Self::Polygon(rings) => rings.iter().collect(),
            Self::MultiPolygon(polygons) => polygons.iter().flatten().collect(),
        }
    }
}

impl Base {
    /// Reads the shipped boundaries and computes every municipality's path.
    fn load() -> Result<Self, String> {
        let collection: Collection =
            serde_json::from_str(BOUNDARIES).map_err(|e| format!("boundaries: {e}"))?;
        let points = || {
            collection
                .features
                .iter()
                .flat_map(|f| f.geometry.rings())
                .flatten()
        };
        let x_min = points().map(|p| p[0]).fold(f64::INFINITY, f64::min);
        let x_max = points().map(|p| p[0]).fold(f64::NEG_INFINITY, f64::max);
        let y_min = points().map(|p| p[1]).fold(f64::INFINITY, f64::min);
        let y_max = points().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
        if !(x_min.is_finite() && y_min.is_finite()) {
            return Err("boundaries: no coordinates".into());
        }
        let mut base = Self {
            shapes: Vec::with_capacity(collection.features.len()),
            width: units(x_max - x_min + 2.0 * MARGIN * METRES_PER_UNIT),
            height: units(y_max - y_min + 2.0 * MARGIN * METRES_PER_UNIT),
            x_min,
            y_max,
        };
        for feature in &collection.features {
            let mut d = String::new();
            let mut rings = Vec::new();
            for ring in feature.geometry.rings() {
                base.ring_path(ring, &mut d);
                rings.push(ring.iter().map(|p| base.at_rd(p[0], p[1])).collect());
            }
            base.shapes.push(Shape {
                code: feature.properties.code.clone(),
                name: feature.properties.name.clone(),
                d,
                rings,
            });
        }
        Ok(base)
    }

    /// Map units of an RD position (x to the right, y down).
    pub fn at_rd(&self, x: f64, y: f64) -> (f64, f64) {
        (
            (x - self.x_min) / METRES_PER_UNIT + MARGIN,
            (self.y_max - y) / METRES_PER_UNIT + MARGIN,
        )
    }

    /// Map units of a WGS84 position.
    pub fn at(&self, lat: f64, lon: f64) -> (f64, f64) {
        let (x, y) = rd::to_rd(lat, lon);
        self.at_rd(x, y)
    }

    /// The municipality a WGS84 position lies in, if any.
    pub fn shape_at(&self, lat: f64, lon: f64) -> Option<&Shape> {
        let point = self.at(lat, lon);
        self.shapes.iter().find(|s| s.contains(point))
    }

    /// Appends `M x y x y … Z` for a ring, in whole units, without repeated points.
    fn ring_path(&self, ring: &[[f64; 2]], d: &mut String) {
        let mut last = None;
        let mut count = 0;
        let start = d.len();
        for point in ring {
            let (x, y) = self.at_rd(point[0], point[1]);
            let p = (x.round() as i64, y.round() as i64);
            if last == Some(p) {
                continue;
            }
            let _ = if last.is_none() {
                write!(d, "M{} {}", p.0, p.1)
            } else {
                write!(d, " {} {}", p.0, p.1)
            };
            last = Some(p);
            count += 1;
        }
        if count < 3 {
            // Too small to draw at this scale.
            d.truncate(start);
        } else {
            d.push('Z');
        }
    }
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn units(metres: f64) -> u32 {
    (metres / METRES_PER_UNIT).ceil().max(1.0) as u32
}

/// The base map, computed on first use.
pub fn base() -> Result<&'static Base, &'static str> {
    static BASE: OnceLock<Result<Base, String>> = OnceLock::new();
    BASE.get_or_init(Base::load)
        .as_ref()
        .map_err(String::as_str)
}

/// A municipality on the map.
struct Area<'a> {
    shape: &'a Shape,
    /// Number of visible examples (0: not marked).
    count: usize,
}

/// A practice example's location.
struct Dot<'a> {
    id: &'a str,
    title: &'a str,
    x: String,
    y: String,
}

#[derive(Template)]
#[template(path = "practices/map.svg")]
struct MapSvg<'a> {
    width: u32,
    height: u32,
    areas: Vec<Area<'a>>,
    dots: Vec<Dot<'a>>,
    theme_query: &'a str,
}

/// The number of examples per organisation code among `pins`.
pub fn counts(pins: &[Pin]) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for pin in pins {
        *counts.entry(pin.organisation_code.as_str()).or_insert(0) += 1;
    }
    counts
}

/// The SVG document: every municipality of the base map as a `<path>` with its code in
/// `data-code`, those with examples among `pins` marked and linked to the catalogue filtered on
/// them (and on `theme`, when given), and a dot per example with a location.
pub fn render(base: &Base, pins: &[Pin], theme: Option<&str>) -> Result<String, askama::Error> {
    let counts = counts(pins);
    let areas = base
        .shapes
        .iter()
        .map(|shape| Area {
            shape,
            count: counts.get(shape.code.as_str()).copied().unwrap_or(0),
        })
        .collect();
    let dots = pins
        .iter()
        .filter_map(|p| {
            let (x, y) = base.at(p.lat?, p.lon?);
            Some(Dot {
                id: &p.id,
                title: &p.title,
                x: format!("{x:.0}"),
                y: format!("{y:.0}"),
            })
        })
        .collect();
    let theme_query = theme.map_or(String::new(), |t| format!("&theme={t}"));
    MapSvg {
        width: base.width,
        height: base.height,
        areas,
        dots,
        theme_query: &theme_query,
    }
    .render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_municipality_is_drawn() {
        let base = base().expect("boundaries load");
        assert_eq!(base.shapes.len(), 342);
        assert!(
            base.shapes
                .iter()
                .all(|s| s.code.starts_with("GM") && !s.d.is_empty())
        );
        assert!((2_000..4_000).contains(&base.width), "{}", base.width);
        assert!((3_000..4_000).contains(&base.height), "{}", base.height);
    }

    #[test]
    fn places_fall_inside_their_municipality() {
        let base = base().expect("boundaries load");
        let name = |lat: f64, lon: f64| base.shape_at(lat, lon).map(|s| s.code.as_str());
        for (code, lat, lon) in [
            ("GM0363", 52.3731, 4.8926), // Dam, Amsterdam
            ("GM0599", 51.9225, 4.4792), // Coolsingel, Rotterdam
            ("GM0014", 53.2194, 6.5682), // Martinitoren, Groningen
            ("GM0193", 52.5125, 6.0944), // Grote Markt, Zwolle
            ("GM0935", 50.8488, 5.6889), // Vrijthof, Maastricht
            ("GM0307", 52.1561, 5.3878), // Amersfoort
        ] {
            assert_eq!(name(lat, lon), Some(code));
        }
        // The North Sea is in no municipality.
        assert_eq!(name(52.5, 3.5), None);
    }

    #[test]
    fn marked_municipalities_link_to_their_examples() {
        let base = base().expect("boundaries load");
        let pin = |id: &str, code: &str, location: Option<(f64, f64)>| Pin {
            id: id.into(),
            title: format!("Voorbeeld <{id}>"),
            organisation_code: code.into(),
            organisation_name: String::new(),
            lat: location.map(|l| l.0),
            lon: location.map(|l| l.1),
        };
        let pins = [
            pin("a", "GM0599", Some((51.92, 4.48))),
            pin("b", "GM0599", None),
            pin("c", "GM0193", None),
        ];
        let svg = render(base, &pins, Some("groene-daken")).expect("renders");
        assert_eq!(svg.matches("data-code=\"GM").count(), 342);
        assert_eq!(svg.matches("kring-kaart__gemeente--met").count(), 2);
        let link = svg.find("organisation=GM0599").map(|i| &svg[i..i + 50]);
        assert!(
            link.is_some_and(|l| l.contains("theme=groene-daken")),
            "{link:?}"
        );
        assert!(svg.contains("Rotterdam: 2 praktijkvoorbeelden"));
        assert!(svg.contains("Zwolle: 1 praktijkvoorbeeld<"));
        assert!(svg.contains("href=\"/praktijkvoorbeelden/a\""));
        assert!(svg.contains("Voorbeeld &#60;a&#62;") || svg.contains("Voorbeeld &lt;a&gt;"));
        assert!(svg.len() < 300_000, "{} bytes", svg.len());
    }
}

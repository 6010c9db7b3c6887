//! Programmes, communities, users, memberships and accepted registrations of one scale unit.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::bulk::{Table, V};
use super::{Community, Municipality, ScaleSize};
use crate::demo::person;
use crate::domain::WorkDomain;

/// Names of the programmes of a unit.
const PROGRAMMES: [&str; 6] = [
    "Groen Doet Goed",
    "Klimaatbestendige Gemeente",
    "Hitte in de Stad",
    "Water in de Wijk",
    "Bomen voor Morgen",
    "Natuurinclusief Bouwen",
];
/// Subjects of communities.
const THEMES: [&str; 10] = [
    "Hittestress",
    "Bomen",
    "Wadi's en waterberging",
    "Groene daken",
    "Ontharding",
    "Biodiversiteit",
    "Groene schoolpleinen",
    "Groenbeheer",
    "Droogte",
    "Bewonersparticipatie",
];

/// Below this population a municipality is small.
const SMALL_BELOW: i64 = 50_000;

/// The programme and community rows, and who is a member of what.
pub struct People {
    /// Rows in dependency order.
    pub tables: Vec<Table>,
    /// The communities with their members.
    pub communities: Vec<Community>,
    /// Number of users.
    pub users: usize,
}

/// The slug of the first community of `unit`: its existence means the unit was started.
pub fn first_slug(unit: u32) -> String {
    format!("schaal-{unit}-gemeenschap-1")
}

/// Builds the rows of unit `unit`.
pub fn build(
    unit: u32,
    size: &ScaleSize,
    municipalities: &[Municipality],
    now: DateTime<Utc>,
) -> anyhow::Result<People> {
    let mut rng = SmallRng::seed_from_u64(u64::from(unit) << 32);
    let small: Vec<&Municipality> = municipalities
        .iter()
        .filter(|m| m.population < SMALL_BELOW)
        .collect();
    let large: Vec<&Municipality> = municipalities
        .iter()
        .filter(|m| m.population >= SMALL_BELOW)
        .collect();
    anyhow::ensure!(
        !small.is_empty() && !large.is_empty(),
        "the organisations table holds no municipalities; run `kring migrate` first"
    );
    let mut programmes = Table::new(
        "programmes",
        &[
            "id",
            "slug",
            "name",
            "description",
            "contact_name",
            "contact_email",
            "created_at",
        ],
    );
    let n_programmes = size.communities.div_ceil(10).max(1);
    let programme_ids: Vec<String> = (0..n_programmes)
        .map(|p| {
            let id = crate::db::new_id();
            let name = PROGRAMMES[p % PROGRAMMES.len()];
            programmes.row([
                V::T(id.clone()),
                V::T(format!("schaal-{unit}-programma-{}", p + 1)),
                V::T(format!("{name} (reeks {unit}.{})", p + 1)),
                V::T(format!("Landelijk programma {name}: gemeenten werken samen aan groen, water en klimaatadaptatie in communities of practice.")),
                V::S("Fleur Facilitator"),
                V::S("fleur.facilitator@vereniging.example"),
                V::D(now - Duration::days(760)),
            ]);
            id
        })
        .collect();
    let mut communities = Table::new(
        "communities",
        &[
            "id",
            "slug",
            "name",
            "description",
            "programme_id",
            "capacity",
            "registration_opens_at",
            "registration_deadline",
            "min_population",
            "max_population",
            "created_at",
        ],
    );
    let n = size.communities;
    let per = size.users / n;
    let mut list: Vec<Community> = (0..n)
        .map(|k| Community {
            id: crate::db::new_id(),
            slug: format!("schaal-{unit}-gemeenschap-{}", k + 1),
            programme_id: programme_ids[k % n_programmes].clone(),
            members: Vec::new(),
        })
        .collect();
    // Everyone joins one community; every tenth user a second one.
    let mut memberships = Table::new(
        "memberships",
        &["community_id", "user_id", "role", "created_at"],
    );
    let mut registrations = Table::new(
        "registrations",
        &[
            "id",
            "community_id",
            "user_id",
            "name",
            "email",
            "email_normalized",
            "organisation_code",
            "domains",
            "motivation",
            "status",
            "created_at",
            "updated_at",
        ],
    );
    let mut users = Table::new(
        "users",
        &[
            "id",
            "email",
            "email_normalized",
            "name",
            "organisation_code",
            "domains",
            "notification_frequency",
            "created_at",
        ],
    );
    let joined = now - Duration::days(740);
    for j in 0..size.users {
        let home = j % n;
        let orgs = if home.is_multiple_of(2) {
            &small
        } else {
            &large
        };
        let org = orgs[rng.random_range(0..orgs.len())];
        let (name, handle) = person(j + unit as usize * 7);
        let email = format!("{handle}.{unit}-{j}@{}.example", org.code.to_lowercase());
        let id = crate::db::new_id();
        let domains =
            WorkDomain::join(&[WorkDomain::ALL[rng.random_range(0..WorkDomain::ALL.len())]]);
        let frequency = ["weekly", "weekly", "daily", "off"][j % 4];
        users.row([
            V::T(id.clone()),
            V::T(email.clone()),
            V::T(email.clone()),
            V::T(name.clone()),
            V::T(org.code.clone()),
            V::T(domains.clone()),
            V::S(frequency),
            V::D(joined),
        ]);
        let mut join = |c: usize, role: &'static str, rng: &mut SmallRng| {
            let community = &mut list[c];
            let at = joined + Duration::hours(rng.random_range(0..240));
            memberships.row([
                V::T(community.id.clone()),
                V::T(id.clone()),
                V::S(role),
                V::D(at),
            ]);
            if role == "member" {
                registrations.row([
                    V::T(crate::db::new_id()),
                    V::T(community.id.clone()),
                    V::T(id.clone()),
                    V::T(name.clone()),
                    V::T(email.clone()),
                    V::T(email.clone()),
                    V::T(org.code.clone()),
                    V::T(domains.clone()),
                    V::S("Ik wil graag leren hoe andere gemeenten vergroening en klimaatadaptatie aanpakken."),
                    V::S("accepted"),
                    V::D(at),
                    V::D(at),
                ]);
            }
            community.members.push(id.clone());
        };
        // The first user of each community facilitates it; every third community has a second.
        let facilitates = j / n == 0 || (j / n == per / 2 && home.is_multiple_of(3));
        join(
            home,
            if facilitates { "facilitator" } else { "member" },
            &mut rng,
        );
        if j % 10 == 5 && n > 2 {
            // Another community of the same kind, so the member's municipality is eligible.
            let other = (home + 2 * rng.random_range(1..n.div_ceil(2))) % n;
            if other != home {
                join(other, "member", &mut rng);
            }
        }
    }
    for (k, c) in list.iter().enumerate() {
        let theme = THEMES[(k / 2) % THEMES.len()];
        let (kind, min, max) = if k % 2 == 0 {
            ("kleine gemeenten", None, Some(SMALL_BELOW - 1))
        } else {
            ("grote gemeenten", Some(SMALL_BELOW), None)
        };
        communities.row([
            V::T(c.id.clone()),
            V::T(c.slug.clone()),
            V::T(format!("{theme} — {kind} {}", k + 1)),
            V::T(format!("Community of practice over {} voor {kind}. Drie bijeenkomsten per jaar, waarvan één werkbezoek.", theme.to_lowercase())),
            V::T(c.programme_id.clone()),
            V::I(i64::try_from(c.members.len().div_ceil(5) * 5 + 5)?.max(25)),
            V::D(now - Duration::days(750)),
            V::D(now - Duration::days(700)),
            V::OI(min),
            V::OI(max),
            V::D(now - Duration::days(750)),
        ]);
    }
    Ok(People {
        tables: vec![programmes, communities, users, memberships, registrations],
        communities: list,
        users: size.users,
    })
}

//! The demo's guest speaker: an ecologist of the water board who speaks at the site visit.

use chrono::{DateTime, Utc};

use crate::auth;
use crate::db::{self, Tx, speakers::NewSpeaker};

/// The agenda item of the site visit at which the guest speaker speaks: title and minutes.
pub const ITEM: (&str, i64) = ("Water en groen: de blik van het waterschap", 15);

/// Adds the guest speaker to the site visit `meeting_id`; returns the speaker's id. The demo
/// sends no invitation: the guest link's secret is thrown away, so nobody holds the link.
pub async fn for_site_visit(
    tx: &mut Tx,
    meeting_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let id = db::speakers::create(
        tx,
        meeting_id,
        &NewSpeaker {
            name: "Marloes Verhoeven",
            email: "m.verhoeven@waterschaprivierenland.example",
            organisation: Some("Waterschap Rivierenland"),
            bio: "Ecoloog bij Waterschap Rivierenland. Werkt met gemeenten aan wadi's, natuurvriendelijke oevers en regenwater dat in de wijk blijft, en vertelt wat daarbij goed en fout ging.",
        },
        &auth::hash_secret(&auth::new_secret()),
        now,
    )
    .await?;
    Ok(id)
}

//! Rebuilds when a migration is added or changed: `sqlx::migrate!` embeds the migration folders,
//! and cargo does not otherwise notice a new file in them.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

//! Multi-row inserts for the scale generator: rows are buffered per table and written with as few
//! `INSERT … VALUES (…), (…)` statements as the databases' parameter limits allow.

use chrono::{DateTime, Utc};

use crate::db::{Tx, on_tx};

/// Bound parameters per statement: below SQLite's 32,766 (PostgreSQL allows 65,535).
const MAX_PARAMS: usize = 32_000;
/// Rows per statement at most, so one statement stays a modest amount of work.
const MAX_ROWS: usize = 1_000;

/// One column value.
#[derive(Clone, Debug)]
pub enum V {
    /// Text.
    T(String),
    /// Static text.
    S(&'static str),
    /// Nullable text.
    OT(Option<String>),
    /// Integer.
    I(i64),
    /// Nullable integer.
    OI(Option<i64>),
    /// Nullable real.
    F(Option<f64>),
    /// Boolean.
    B(bool),
    /// Instant.
    D(DateTime<Utc>),
    /// Nullable instant.
    OD(Option<DateTime<Utc>>),
}

/// The buffered rows of one table.
#[derive(Debug)]
pub struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    values: Vec<V>,
}

impl Table {
    /// An empty buffer for `name (columns…)`.
    pub fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            name,
            columns,
            values: Vec::new(),
        }
    }

    /// Adds a row; its values in the order of the columns.
    pub fn row<const N: usize>(&mut self, values: [V; N]) {
        debug_assert_eq!(N, self.columns.len(), "row of {}", self.name);
        self.values.extend(values);
    }

    /// Number of buffered rows.
    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    /// True when no row is buffered.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The SQL for `rows` rows: `?` placeholders on SQLite (which looks `$N` names up in a
    /// list, quadratic in a statement of thousands), `$N` on PostgreSQL.
    fn sql(&self, rows: usize, sqlite: bool) -> String {
        let n = self.columns.len();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.name,
            self.columns.join(", ")
        );
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..n {
                if c > 0 {
                    sql.push_str(", ");
                }
                if sqlite {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&(r * n + c + 1).to_string());
                }
            }
            sql.push(')');
        }
        sql
    }

    /// Writes every buffered row in `tx` and empties the buffer.
    pub async fn flush(&mut self, tx: &mut Tx) -> anyhow::Result<()> {
        let n = self.columns.len();
        let per = (MAX_PARAMS / n).min(MAX_ROWS);
        let sqlite = matches!(tx, Tx::Sqlite(_));
        let mut full: Option<String> = None;
        for chunk in self.values.chunks(per * n) {
            let rows = chunk.len() / n;
            let sql = if rows == per {
                full.get_or_insert_with(|| self.sql(per, sqlite)).clone()
            } else {
                self.sql(rows, sqlite)
            };
            on_tx!(tx, |c| {
                let mut q = sqlx::query(&sql);
                for v in chunk {
                    q = match v {
                        V::T(s) => q.bind(s.as_str()),
                        V::S(s) => q.bind(*s),
                        V::OT(s) => q.bind(s.as_deref()),
                        V::I(i) => q.bind(*i),
                        V::OI(i) => q.bind(*i),
                        V::F(f) => q.bind(*f),
                        V::B(b) => q.bind(*b),
                        V::D(d) => q.bind(*d),
                        V::OD(d) => q.bind(*d),
                    };
                }
                q.execute(&mut *c).await.map(|_| ())
            })
            .map_err(|e| anyhow::anyhow!("inserting into {}: {e}", self.name))?;
        }
        self.values.clear();
        Ok(())
    }
}

/// Search documents, written with their FTS5 rows on SQLite (PostgreSQL derives `tsv` itself).
#[derive(Debug)]
pub struct Docs(Table);

impl Default for Docs {
    fn default() -> Self {
        Self(Table::new(
            "search_docs",
            &[
                "kind",
                "ref_id",
                "community_id",
                "programme_id",
                "visibility",
                "title",
                "body",
                "url",
                "stems",
                "created_at",
            ],
        ))
    }
}

/// A search document, as `db::search::put` takes it, but owned.
#[derive(Debug)]
pub struct Doc {
    /// Kind (`note`, `comment` …).
    pub kind: &'static str,
    /// The thing's id.
    pub ref_id: String,
    /// Its community.
    pub community_id: Option<String>,
    /// Its programme.
    pub programme_id: Option<String>,
    /// `community`, `programme` or `public`.
    pub visibility: &'static str,
    /// Title.
    pub title: String,
    /// Searched text.
    pub body: String,
    /// Local URL.
    pub url: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl Docs {
    /// Number of buffered documents.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no document is buffered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds a document, stemming title and body as `db::search::put` does.
    pub fn push(&mut self, doc: Doc) {
        let stems = crate::domain::stem::stem_text(&format!("{} {}", doc.title, doc.body));
        self.0.row([
            V::S(doc.kind),
            V::T(doc.ref_id),
            V::OT(doc.community_id),
            V::OT(doc.programme_id),
            V::S(doc.visibility),
            V::T(doc.title),
            V::T(doc.body),
            V::T(doc.url),
            V::T(stems),
            V::D(doc.created_at),
        ]);
    }

    /// Writes the documents; on SQLite also their FTS5 rows (rowid = `search_docs.id`), copied
    /// in one statement from the rows just written.
    pub async fn flush(&mut self, tx: &mut Tx) -> anyhow::Result<()> {
        if let Tx::Sqlite(t) = tx {
            let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM search_docs")
                .fetch_one(&mut **t)
                .await?;
            self.0.flush(tx).await?;
            if let Tx::Sqlite(t) = tx {
                sqlx::query(
                    "INSERT INTO search_fts (rowid, stems) SELECT id, stems FROM search_docs WHERE id > $1",
                )
                .bind(before)
                .execute(&mut **t)
                .await?;
            }
            Ok(())
        } else {
            self.0.flush(tx).await
        }
    }
}

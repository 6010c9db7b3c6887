//! File storage for attachments, through `object_store`: a local directory by default
//! (`file://…`, under `KRING_DATA_DIR`), or S3-compatible object storage for `s3://bucket/prefix`
//! (credentials and endpoint from the usual `AWS_*` variables), which several instances can share.
//!
//! Uploads are streamed: each chunk is hashed, counted against the size limit and handed to a
//! multipart upload, so memory stays at one part per upload whatever the file size.

use std::sync::Arc;

use anyhow::{Context, bail};
use axum::body::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::config::Config;

/// Where attachments are kept.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("store", &self.store.to_string())
            .finish()
    }
}

/// A stored file.
#[derive(Clone, Debug)]
pub struct Stored {
    /// Bytes written.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// Why an upload did not end up stored.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file is larger than the limit; nothing was kept.
    #[error("file larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Reading the upload or writing it failed.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl Storage {
    /// Opens the storage named by `KRING_STORAGE_URL` (default: the directory `KRING_DATA_DIR`),
    /// creating the local directory if needed.
    pub fn open(config: &Config) -> anyhow::Result<Self> {
        let url = config.storage_url.as_str();
        let store: Arc<dyn ObjectStore> = if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the data directory {dir}"))?;
            Arc::new(
                object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .with_context(|| format!("opening the data directory {dir}"))?,
            )
        } else if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                bail!("KRING_STORAGE_URL must name a bucket: s3://bucket/prefix");
            }
            let s3 = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .context("configuring S3 storage")?;
            let prefix = prefix.trim_matches('/');
            if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
            }
        } else {
            bail!("KRING_STORAGE_URL must start with file:// or s3://");
        };
        Ok(Self { store })
    }

    /// Streams `chunks` into `key`, refusing (and removing the partial upload) once more than
    /// `limit` bytes arrive.
    pub async fn put_stream<S, E>(
        &self,
        key: &str,
        limit: u64,
        chunks: S,
    ) -> Result<Stored, UploadError>
    where
        S: Stream<Item = Result<Bytes, E>>,
        E: std::error::Error + Send + Sync + 'static,
    {
        let mut chunks = std::pin::pin!(chunks);
        let path = Path::from(key);
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .context("starting an upload")?;
        let mut writer = WriteMultipart::new(upload);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        loop {
            let chunk = match chunks.next().await {
                Some(Ok(chunk)) => chunk,
                None => break,
                Some(Err(err)) => {
                    let _ = writer.abort().await;
                    return Err(UploadError::Failed(
                        anyhow::Error::new(err).context("receiving an upload"),
                    ));
                }
            };
            size += chunk.len() as u64;
            if size > limit {
                let _ = writer.abort().await;
                return Err(UploadError::TooLarge { limit });
            }
            hasher.update(&chunk);
            if let Err(err) = writer.wait_for_capacity(4).await {
                return Err(UploadError::Failed(err.into()));
            }
            writer.put(chunk);
        }
        writer.finish().await.context("finishing an upload")?;
        Ok(Stored {
            size,
            sha256: hex(&hasher.finalize()),
        })
    }

    /// Stores bytes that are already in memory (demo data, re-encoded images).
    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<Stored> {
        let sha256 = hex(&Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        self.store
            .put(&Path::from(key), bytes.into())
            .await
            .context("storing a file")?;
        Ok(Stored { size, sha256 })
    }

    /// Opens a stored file as a stream of chunks; `None` when it is not there.
    pub async fn get(
        &self,
        key: &str,
    ) -> anyhow::Result<Option<BoxStream<'static, object_store::Result<Bytes>>>> {
        match self.store.get(&Path::from(key)).await {
            Ok(result) => Ok(Some(result.into_stream())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(anyhow::Error::new(err).context("reading a stored file")),
        }
    }

    /// Removes a stored file; a missing one is not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(anyhow::Error::new(err).context("removing a stored file")),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

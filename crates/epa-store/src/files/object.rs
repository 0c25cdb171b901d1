//! [`ObjectFiles`]: uploads in S3-compatible object storage, through the
//! `object_store` crate, so that several servers share them without a
//! shared disk.
//!
//! A file is the object `<prefix>/ab/cdef...`. An S3 PUT is atomic (the
//! object is whole or absent, never half written), so there is no
//! temporary name. Storing content already there is skipped after a HEAD;
//! two servers racing on the same new content both PUT the same bytes under
//! the same key, which leaves one object either way. A conditional PUT
//! (`If-None-Match`) would save that second write but is not offered by
//! every S3-compatible server, and the race costs only bandwidth.
//!
//! [`FileStore`] is synchronous and its callers run it on a blocking
//! thread; the store keeps a handle to the server's Tokio runtime and
//! blocks on the async client there. It must not be called from a runtime
//! worker thread (blocking one would stall the tasks it runs).

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::{ClientConfigKey, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use tokio::runtime::Handle;

use super::{FileError, FileId, FileStore};

/// Where in S3-compatible storage uploads go: `s3://<bucket>/<prefix>` at
/// `endpoint` (AWS itself when unset). The credentials are not here: they
/// come from the standard `AWS_*` environment variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Key prefix, without leading or trailing `/`; empty for the bucket's root.
    pub prefix: String,
    /// Such as `https://s3.eu-west-2.amazonaws.com` or a MinIO server.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Whether a plain `http://` endpoint may be used (a server on the same
    /// private network); off, only `https://` is.
    pub allow_http: bool,
}

impl S3Location {
    /// Reads `s3://bucket` or `s3://bucket/some/prefix` into the bucket and
    /// the prefix. The message says what is wrong, for the setting's line.
    pub fn parse_url(url: &str) -> Result<(String, String), String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or("use s3://BUCKET or s3://BUCKET/PREFIX")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        // S3's own rules for a bucket's name.
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !bucket_ok {
            return Err(format!(
                "bucket {bucket:?} is not a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens"
            ));
        }
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty() && Path::parse(prefix).is_err() {
            return Err(format!(
                "prefix {prefix:?} is not a key prefix: use names separated by single /, without . or .."
            ));
        }
        Ok((bucket.to_owned(), prefix.to_owned()))
    }

    /// `s3://bucket/prefix`, for logs and messages.
    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }

    /// The S3 client for this location, credentials from the environment.
    /// Makes no request.
    pub fn client(&self) -> Result<Arc<dyn ObjectStore>, FileError> {
        // Set key by key: the client's other options (a proxy, say) still
        // come from the environment.
        let client = AmazonS3ConfigKey::Client;
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&self.bucket)
            .with_allow_http(self.allow_http)
            // An upload or a download waits on this: a store that does not
            // answer fails the request in seconds rather than minutes.
            .with_config(client(ClientConfigKey::ConnectTimeout), "5s")
            .with_config(client(ClientConfigKey::Timeout), "60s")
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(30),
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &self.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let Some(region) = &self.region {
            builder = builder.with_region(region);
        }
        Ok(Arc::new(builder.build()?))
    }
}

/// Files as objects in an object store, under one key prefix.
#[derive(Debug, Clone)]
pub struct ObjectFiles {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    runtime: Handle,
}

impl ObjectFiles {
    /// Files under `prefix` (empty for the root) in `store`; the calls run
    /// on `runtime`.
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str, runtime: Handle) -> ObjectFiles {
        ObjectFiles {
            store,
            prefix: Path::from(prefix.trim_matches('/')),
            runtime,
        }
    }

    /// The files at an S3 location, on the Tokio runtime this is called in
    /// (the server's); outside one, an error rather than a panic.
    pub fn s3(location: &S3Location) -> Result<ObjectFiles, FileError> {
        let runtime = Handle::try_current().map_err(std::io::Error::other)?;
        Ok(ObjectFiles::new(
            location.client()?,
            &location.prefix,
            runtime,
        ))
    }

    /// `<prefix>/ab/cdef...`: built from a checked ID only.
    pub fn key_of(&self, id: &FileId) -> Path {
        let (dir, rest) = id.split();
        self.prefix.clone().join(dir).join(rest)
    }

    /// Lists the prefix once, so that a missing bucket, refused credentials
    /// or an endpoint that does not answer stop the server at start-up
    /// rather than failing the first upload.
    pub async fn check(&self) -> Result<(), FileError> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        self.store.list_with_delimiter(prefix).await?;
        Ok(())
    }

    async fn contains_now(&self, id: &FileId) -> Result<bool, FileError> {
        match self.store.head(&self.key_of(id)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    async fn put_now(&self, bytes: &[u8]) -> Result<FileId, FileError> {
        let id = FileId::of(bytes);
        if !self.contains_now(&id).await? {
            self.store
                .put(&self.key_of(&id), PutPayload::from(bytes.to_vec()))
                .await?;
        }
        Ok(id)
    }

    async fn get_now(&self, id: &FileId) -> Result<Vec<u8>, FileError> {
        let found = match self.store.get(&self.key_of(id)).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(FileError::NotFound(id.clone()));
            }
            Err(err) => return Err(err.into()),
        };
        let bytes = found.bytes().await?;
        if FileId::of(&bytes) != *id {
            return Err(FileError::Damaged(id.clone()));
        }
        Ok(bytes.to_vec())
    }
}

impl FileStore for ObjectFiles {
    fn put(&self, bytes: &[u8]) -> Result<FileId, FileError> {
        self.runtime.block_on(self.put_now(bytes))
    }

    fn get(&self, id: &FileId) -> Result<Vec<u8>, FileError> {
        self.runtime.block_on(self.get_now(id))
    }

    fn contains(&self, id: &FileId) -> Result<bool, FileError> {
        self.runtime.block_on(self.contains_now(id))
    }
}

#[cfg(test)]
mod tests {
    use object_store::memory::InMemory;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn behaves_as_a_file_store() {
        let runtime = runtime();
        let memory: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let store = ObjectFiles::new(Arc::clone(&memory), "uploads/", runtime.handle().clone());
        super::super::behaves_as_a_file_store(&store, &|id, bytes| {
            runtime
                .block_on(memory.put(&store.key_of(id), PutPayload::from(bytes.to_vec())))
                .unwrap();
        });
    }

    #[test]
    fn objects_sit_under_the_prefix_and_their_hash() {
        let runtime = runtime();
        let memory: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let store = ObjectFiles::new(Arc::clone(&memory), "/epa/files/", runtime.handle().clone());
        let id = store.put(b"hello").unwrap();
        let key = format!("epa/files/{}/{}", &id.as_str()[..2], &id.as_str()[2..]);
        assert_eq!(store.key_of(&id).as_ref(), key);
        let stored = runtime
            .block_on(async { memory.get(&Path::from(key)).await?.bytes().await })
            .unwrap();
        assert_eq!(stored.as_ref(), b"hello");
        // The same content again is not written again.
        let before = runtime
            .block_on(memory.head(&store.key_of(&id)))
            .unwrap()
            .last_modified;
        std::thread::sleep(Duration::from_millis(5));
        store.put(b"hello").unwrap();
        let after = runtime
            .block_on(memory.head(&store.key_of(&id)))
            .unwrap()
            .last_modified;
        assert_eq!(before, after);
        // Without a prefix, at the bucket's root.
        let root = ObjectFiles::new(memory, "", runtime.handle().clone());
        assert_eq!(
            root.key_of(&id).as_ref(),
            format!("{}/{}", &id.as_str()[..2], &id.as_str()[2..])
        );
        runtime.block_on(root.check()).unwrap();
    }

    #[test]
    fn blocks_on_its_runtime_from_a_blocking_thread() {
        // As the documents' use cases call it: inside `spawn_blocking`.
        let runtime = runtime();
        let store: Arc<dyn FileStore> = Arc::new(ObjectFiles::new(
            Arc::new(InMemory::new()),
            "",
            runtime.handle().clone(),
        ));
        let blocking = runtime.spawn_blocking(move || {
            let id = store.put(b"from a blocking thread")?;
            store.get(&id)
        });
        let bytes = runtime.block_on(blocking).unwrap().unwrap();
        assert_eq!(bytes, b"from a blocking thread");
    }

    #[test]
    fn urls_name_a_bucket_and_an_optional_prefix() {
        let parse = S3Location::parse_url;
        assert_eq!(
            parse("s3://epa-uploads"),
            Ok(("epa-uploads".into(), "".into()))
        );
        assert_eq!(
            parse("s3://epa-uploads/prod/files/"),
            Ok(("epa-uploads".into(), "prod/files".into()))
        );
        for bad in [
            "https://epa-uploads",
            "s3://",
            "s3://EPA",
            "s3://ab",
            "s3://-epa",
            "s3://epa_uploads",
            "s3://epa-uploads/a//b",
            "s3://epa-uploads/../b",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let location = S3Location {
            bucket: "epa-uploads".into(),
            prefix: "prod".into(),
            endpoint: None,
            region: None,
            allow_http: false,
        };
        assert_eq!(location.url(), "s3://epa-uploads/prod");
    }
}

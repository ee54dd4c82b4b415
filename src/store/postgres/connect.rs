//! Connecting: a `postgres://` or `postgresql://` URL (libpq's URI syntax)
//! completed from the environment as libpq completes it (`PGHOST`,
//! `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `PGPASSFILE` or
//! `~/.pgpass`, `PGSSLMODE`, `PGSSLROOTCERT`, `PGCONNECT_TIMEOUT`), and
//! TLS through rustls (no system OpenSSL).
//!
//! `sslmode` follows libpq: `disable`; `allow` and `prefer` try TLS and fall
//! back to a plain connection, without checking the certificate;
//! `require` insists on TLS without checking the certificate (unless a root
//! certificate is given, which makes it `verify-ca`, as in libpq);
//! `verify-ca` checks the chain; `verify-full` checks the chain and the
//! host name. The roots are `sslrootcert` / `PGSSLROOTCERT`, else
//! `~/.postgresql/root.crt`, else the system's store and the Mozilla roots.

use crate::store::StoreError;
use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Whether `--db` names a PostgreSQL server rather than a file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The URL with any password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    // A password in the query string is hidden too.
    let tail: String = match tail.split_once('?') {
        Some((path, query)) => {
            let q: Vec<String> = query
                .split('&')
                .map(|kv| {
                    if kv.starts_with("password=") {
                        "password=***".to_string()
                    } else {
                        kv.to_string()
                    }
                })
                .collect();
            format!("{path}?{}", q.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it, unchecked (`allow`, `prefer`).
    Prefer,
    /// TLS, certificate unchecked.
    Require,
    /// TLS, the chain checked.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyFull,
}

impl TlsMode {
    fn parse(s: &str) -> Option<TlsMode> {
        Some(match s {
            "disable" => TlsMode::Disable,
            "allow" | "prefer" => TlsMode::Prefer,
            "require" => TlsMode::Require,
            "verify-ca" => TlsMode::VerifyCa,
            "verify-full" => TlsMode::VerifyFull,
            _ => return None,
        })
    }
}

/// Where and how to connect, resolved.
pub struct Target {
    /// The driver's configuration.
    pub config: Config,
    /// The TLS mode.
    pub tls: TlsMode,
    /// The root certificates file, if one is named or present.
    pub root_cert: Option<PathBuf>,
    /// The URL as the user may see it (no password).
    pub shown: String,
}

/// A URL (or PG* variable) that cannot be used: bad input, exit 2.
fn invalid(url: &str, why: impl std::fmt::Display) -> crate::Error {
    crate::Error::invalid(format!(
        "cannot use the database URL {}: {why}",
        redact(url)
    ))
    .with_hint("the form is postgres://[user[:password]@][host][:port][/database][?sslmode=...]")
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Resolve a URL and the environment into a connection target.
pub fn resolve(url: &str) -> crate::Result<Target> {
    // Parameters the driver does not know (or knows only in part) are taken out first.
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut kept = Vec::new();
    let mut sslmode = None;
    let mut root_cert = None;
    let mut passfile = None;
    for kv in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|kv| !kv.is_empty())
    {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        let value = percent_decode(v);
        match k {
            "sslmode" => sslmode = Some(value),
            "sslrootcert" => root_cert = Some(PathBuf::from(value)),
            "passfile" => passfile = Some(PathBuf::from(value)),
            _ => kept.push(kv.to_string()),
        }
    }
    let driver_url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config = Config::from_str(&driver_url).map_err(|e| invalid(url, e))?;
    if config.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(h) => {
                for host in h.split(',') {
                    config.host(host);
                }
            }
            None => {
                config.host(&default_host());
            }
        }
    }
    if config.get_ports().is_empty() {
        if let Some(p) = env("PGPORT") {
            let port: u16 = p
                .parse()
                .map_err(|_| invalid(url, format!("PGPORT={p} is not a port number")))?;
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        let user = env("PGUSER")
            .or_else(|| env("USER"))
            .or_else(|| env("USERNAME"))
            .unwrap_or_else(|| "postgres".into());
        config.user(&user);
    }
    if config.get_dbname().is_none() {
        let db = env("PGDATABASE")
            .or_else(|| config.get_user().map(str::to_string))
            .unwrap_or_default();
        config.dbname(&db);
    }
    if config.get_password().is_none() {
        if let Some(p) = env("PGPASSWORD") {
            config.password(p);
        } else if let Some(p) = pgpass(&config, passfile) {
            config.password(p);
        }
    }
    if config.get_connect_timeout().is_none() {
        let secs = env("PGCONNECT_TIMEOUT")
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s > 0)
            .unwrap_or(10);
        config.connect_timeout(Duration::from_secs(secs.max(2)));
    }
    if config.get_application_name().is_none() {
        config.application_name("yardstick");
    }
    let mode_text = sslmode
        .or_else(|| env("PGSSLMODE"))
        .unwrap_or_else(|| "prefer".into());
    let mut tls = TlsMode::parse(&mode_text).ok_or_else(|| {
        invalid(
            url,
            format!(
                "sslmode={mode_text} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ),
        )
    })?;
    let root_cert = root_cert.or_else(|| env("PGSSLROOTCERT").map(PathBuf::from));
    if tls == TlsMode::Require && root_cert.as_deref().is_some_and(Path::exists) {
        tls = TlsMode::VerifyCa;
    }
    let root_cert = root_cert.or_else(|| {
        home()
            .map(|h| h.join(".postgresql/root.crt"))
            .filter(|p| p.exists())
    });
    config.ssl_mode(match tls {
        TlsMode::Disable => SslMode::Disable,
        TlsMode::Prefer => SslMode::Prefer,
        TlsMode::Require | TlsMode::VerifyCa | TlsMode::VerifyFull => SslMode::Require,
    });
    Ok(Target {
        config,
        tls,
        root_cert,
        shown: redact(url),
    })
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// libpq's default server: the local socket directory when there is one.
fn default_host() -> String {
    for dir in ["/var/run/postgresql", "/tmp"] {
        if cfg!(unix) && Path::new(dir).join(".s.PGSQL.5432").exists() {
            return dir.to_string();
        }
    }
    "localhost".into()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The password for this connection from the password file, as libpq
/// finds it: `hostname:port:database:username:password`, `*` matching
/// anything, `\` escaping `:` and `\`; a file others may read is ignored.
fn pgpass(config: &Config, passfile: Option<PathBuf>) -> Option<String> {
    let path = passfile
        .or_else(|| env("PGPASSFILE").map(PathBuf::from))
        .or_else(|| home().map(|h| h.join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(_)) => "localhost".to_string(),
        None => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let db = config.get_dbname().unwrap_or_default();
    let user = config.get_user().unwrap_or_default();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        let [h, p, d, u, pw] = fields.as_slice() else {
            continue;
        };
        let m = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if m(h, &host) && m(p, &port) && m(d, db) && m(u, user) {
            return Some(pw.clone());
        }
    }
    None
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), fields.last_mut()) {
                    last.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

/// Connect to the target.
pub fn connect(target: &Target) -> Result<Client, StoreError> {
    let result = match target.tls {
        TlsMode::Disable => target.config.connect(NoTls),
        mode => {
            let tls = tls_config(mode, target.root_cert.as_deref())
                .map_err(|e| connect_error_text(target, &e))?;
            target
                .config
                .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        }
    };
    result.map_err(|e| connect_error(target, e))
}

fn connect_error_text(target: &Target, why: &str) -> StoreError {
    StoreError::unavailable(format!(
        "cannot connect to the PostgreSQL server {}: {why}",
        target.shown
    ))
}

/// A failed connection, said plainly (exit 3).
fn connect_error(target: &Target, e: postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    let db = target.config.get_dbname().unwrap_or_default().to_string();
    let user = target.config.get_user().unwrap_or_default().to_string();
    let (message, hint) = match e.code() {
        Some(c)
            if *c == SqlState::INVALID_PASSWORD
                || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            (
                format!(
                    "the PostgreSQL server {} refused the login of role \"{user}\": {}",
                    target.shown,
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_string())
                ),
                "check the user and password (URL, PGUSER, PGPASSWORD or ~/.pgpass) and the server's pg_hba.conf",
            )
        }
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => (
            format!(
                "the PostgreSQL server {} has no database \"{db}\"",
                target.shown
            ),
            "create it first (createdb), or check the database name in the URL or PGDATABASE",
        ),
        _ => (
            format!(
                "cannot connect to the PostgreSQL server {}: {e}",
                target.shown
            ),
            "check that the server is running and reachable (host, port, PGHOST, PGPORT) and the sslmode",
        ),
    };
    StoreError::Unavailable {
        message,
        hint: Some(hint.into()),
        source: Some(Box::new(e)),
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(root_cert: Option<&Path>) -> Result<rustls::RootCertStore, String> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    if let Some(path) = root_cert {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("cannot read the root certificates {}: {e}", path.display()))?;
        for cert in certs {
            let cert = cert.map_err(|e| {
                format!("cannot read the root certificates {}: {e}", path.display())
            })?;
            roots
                .add(cert)
                .map_err(|e| format!("bad root certificate in {}: {e}", path.display()))?;
        }
        return Ok(roots);
    }
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system certificate rustls cannot use is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    Ok(roots)
}

fn tls_config(mode: TlsMode, root_cert: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let config = match mode {
        TlsMode::VerifyFull => builder
            .with_root_certificates(roots(root_cert)?)
            .with_no_client_auth(),
        TlsMode::VerifyCa => {
            let inner = rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(root_cert)?),
                provider(),
            )
            .build()
            .map_err(|e| e.to_string())?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly { inner }))
                .with_no_client_auth()
        }
        TlsMode::Disable | TlsMode::Prefer | TlsMode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider())))
            .with_no_client_auth(),
    };
    Ok(config)
}

/// `verify-ca`: the chain must lead to a trusted root; the name is not checked.
#[derive(Debug)]
struct ChainOnly {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// `prefer` and `require`: encrypted, the certificate not checked (as libpq).
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn urls_are_recognised_and_passwords_hidden() {
        assert!(is_url("postgres://h/db"));
        assert!(is_url("postgresql://h/db"));
        assert!(!is_url("/tmp/postgres://x"));
        assert_eq!(
            redact("postgres://ann:secret@db.example:5433/ys?sslmode=require"),
            "postgres://ann:***@db.example:5433/ys?sslmode=require"
        );
        assert_eq!(
            redact("postgres:///ys?password=x&a=b"),
            "postgres:///ys?password=***&a=b"
        );
        assert_eq!(redact("postgres://ann@h/ys"), "postgres://ann@h/ys");
    }

    #[test]
    fn pgpass_lines_split_with_escapes() {
        assert_eq!(
            split_pgpass(r"h\:x:5432:*:ann:p\\w:d"),
            vec!["h:x", "5432", "*", "ann", r"p\w:d"]
        );
    }

    #[test]
    fn sslmodes_parse_like_libpq() {
        assert_eq!(TlsMode::parse("allow"), Some(TlsMode::Prefer));
        assert_eq!(TlsMode::parse("verify-full"), Some(TlsMode::VerifyFull));
        assert_eq!(TlsMode::parse("bogus"), None);
        assert!(resolve("postgres://h/db?sslmode=bogus").is_err());
        let t =
            resolve("postgresql://u:p@h:6000/db?sslmode=verify-full&application_name=x").unwrap();
        assert_eq!(t.tls, TlsMode::VerifyFull);
        assert_eq!(t.config.get_ports(), &[6000]);
        assert_eq!(t.config.get_dbname(), Some("db"));
        assert!(!t.shown.contains(":p@"));
    }
}

//! Throwaway certificates for the TLS tests, made as they run with
//! `rcgen`: a CA and server certificates it signs (ECDSA P-256), valid
//! from 1975 to 4096 unless a test asks for other dates. Nothing here is
//! kept in the repository, so nothing expires there.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A date: year, month, day.
pub type Ymd = (i32, u8, u8);

/// A CA of its own.
pub struct TestCa {
    cert: Certificate,
    key: KeyPair,
}

/// A server's certificate chain and key, in PEM.
pub struct ServerCert {
    /// The server's certificate, then the CA's.
    pub chain_pem: String,
    pub key_pem: String,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestCa { cert, key }
    }

    /// The CA's certificate in PEM: what a client trusts.
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// The CA's certificate in DER.
    pub fn der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }

    /// A server certificate for `names` (DNS names or IP addresses).
    pub fn server(&self, names: &[&str]) -> ServerCert {
        self.server_valid(names, None)
    }

    /// A server certificate valid between two dates (year, month, day).
    pub fn server_valid(&self, names: &[&str], validity: Option<(Ymd, Ymd)>) -> ServerCert {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).unwrap();
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        if let Some(((y0, m0, d0), (y1, m1, d1))) = validity {
            params.not_before = rcgen::date_time_ymd(y0, m0, d0);
            params.not_after = rcgen::date_time_ymd(y1, m1, d1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        ServerCert {
            chain_pem: format!("{}{}", cert.pem(), self.cert.pem()),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A self-signed server certificate, no CA.
pub fn self_signed(names: &[&str]) -> ServerCert {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(names)
        .unwrap()
        .self_signed(&key)
        .unwrap();
    ServerCert {
        chain_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// A directory of its own under the system's temporary directory.
pub fn temp_dir(what: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hybi-{what}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `ca.pem`, `cert.pem` (the chain) and `key.pem` into `dir` for
/// `names`, and the CA's certificate in DER as `ca.der`; returns the
/// first three paths.
pub fn write_files(dir: &Path, ca: &TestCa, names: &[&str]) -> [PathBuf; 3] {
    let server = ca.server(names);
    let paths = [
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    ];
    std::fs::write(dir.join("ca.der"), ca.der()).unwrap();
    std::fs::write(&paths[0], ca.pem()).unwrap();
    std::fs::write(&paths[1], &server.chain_pem).unwrap();
    std::fs::write(&paths[2], &server.key_pem).unwrap();
    paths
}

/// What hybi's TLS makes of the certificates (feature `tls`).
#[cfg(feature = "tls")]
mod rustls_configs {
    use std::sync::Arc;

    use hybi::net::tls::{self, rustls};
    use rustls::pki_types::pem::PemObject;

    impl super::ServerCert {
        /// A server configuration with this chain and key, as
        /// `tls::server_config_from` makes it (no ALPN).
        pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
            let chain =
                rustls::pki_types::CertificateDer::pem_slice_iter(self.chain_pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .unwrap();
            let key =
                rustls::pki_types::PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes()).unwrap();
            Arc::new(tls::server_config_from(chain, key).unwrap())
        }
    }

    impl super::TestCa {
        /// Trust roots of this CA alone.
        pub fn roots(&self) -> rustls::RootCertStore {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(self.der().into()).unwrap();
            roots
        }
    }
}

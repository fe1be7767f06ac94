//! Writes a throwaway CA and a server certificate it signs, for trying
//! `wss://` on this machine and for the scripts that test it:
//!
//! ```text
//! cargo run --example tls_certs -- DIR [NAME...]
//! ```
//!
//! writes `DIR/ca.pem` (the CA's certificate: what a client trusts, e.g.
//! the `client` example's `--ca`; also as `DIR/ca.der`, for
//! `examples/tls-client`), `DIR/cert.pem` (the server's
//! certificate, then the CA's) and `DIR/key.pem` (the server's key), for
//! the names given (`localhost` and `127.0.0.1` by default). Each run
//! makes a new CA; the certificates are valid from 1975 to 4096, so
//! nothing here expires. Not for production: anyone with `key.pem` can
//! impersonate the names.

#[path = "../tests/support/certs.rs"]
mod certs;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: tls_certs DIR [NAME...]");
        std::process::exit(2);
    };
    let mut names: Vec<String> = args.collect();
    if names.is_empty() {
        names = vec!["localhost".into(), "127.0.0.1".into()];
    }
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| {
        eprintln!("cannot create {}: {e}", dir.display());
        std::process::exit(1);
    });
    let ca = certs::TestCa::new("hybi throwaway test CA");
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let paths = certs::write_files(dir, &ca, &names);
    for path in paths {
        println!("{}", path.display());
    }
}

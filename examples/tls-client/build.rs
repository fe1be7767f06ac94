//! Puts the CA certificate the firmware trusts where `include_bytes!`
//! finds it: the DER file named by `HYBI_TLS_CA_DER` (written by
//! `cargo run -p hybi-dev --example tls_certs`), or an empty file,
//! which makes the firmware fail its certificate check.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let ca = match env::var_os("HYBI_TLS_CA_DER") {
        Some(path) => fs::read(&path).unwrap_or_else(|e| panic!("HYBI_TLS_CA_DER: {e}")),
        None => Vec::new(),
    };
    fs::write(out.join("ca.der"), ca).unwrap();
    println!("cargo:rerun-if-env-changed=HYBI_TLS_CA_DER");
    if let Some(path) = env::var_os("HYBI_TLS_CA_DER") {
        println!("cargo:rerun-if-changed={}", PathBuf::from(path).display());
    }
}

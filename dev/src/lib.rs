//! Nothing: this package holds hybi's benchmarks (`benches/decode.rs`,
//! `benches/deflate.rs`), the tungstenite echo server they are compared
//! with (`examples/`), and the tests that need proptest or httparse
//! (`tests/`), so that building hybi's own examples and tests does not
//! build criterion, proptest, tungstenite or httparse.

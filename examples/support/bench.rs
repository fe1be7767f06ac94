//! What `h2_bench` and `h3_bench` share: a run's result, the median of
//! runs, and numbers with thousands separators. Each includes this file by
//! its path.

/// One run's result: messages per second, p50 and p99 in microseconds.
pub type Run = (f64, f64, f64);

/// Each column's median over `runs`.
pub fn medians(runs: &[Run]) -> Run {
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    (
        median(runs.iter().map(|r| r.0).collect()),
        median(runs.iter().map(|r| r.1).collect()),
        median(runs.iter().map(|r| r.2).collect()),
    )
}

/// `n` rounded, with a comma every three digits.
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

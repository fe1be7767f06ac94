//! The result of feeding a decoder bytes that may not be complete yet.

/// What a decoder made of the bytes it was given.
///
/// Running out of input is not an error: a frame header or an HTTP head split
/// across reads (down to one byte per read) is [`Status::Partial`] until the
/// last byte arrives. Errors are reported separately, as `Err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Status<T> {
    /// The input held a complete item.
    Complete(T),
    /// The input is a valid prefix; at least this many more bytes are needed
    /// (always at least 1). For frame headers the number is exact once the
    /// first two bytes are known; for HTTP heads it is a lower bound.
    Partial(usize),
}

impl<T> Status<T> {
    /// Whether the item is complete.
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// Whether more input is needed.
    pub fn is_partial(&self) -> bool {
        matches!(self, Status::Partial(_))
    }

    /// The complete item, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial(_) => None,
        }
    }

    /// Applies `f` to a complete item.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Status<U> {
        match self {
            Status::Complete(t) => Status::Complete(f(t)),
            Status::Partial(n) => Status::Partial(n),
        }
    }
}

//! How the halves of a split connection share what they share: a kind of
//! lock the caller picks, with nothing more asked of it than running a
//! closure with the value, waiting or not.

use core::cell::RefCell;

/// A kind of lock for the state the halves share: [`LocalCell`] (both
/// halves in one thread, an executor or a main loop), [`StdMutex`] (threads,
/// with `std`), or one of the caller's: an RTOS mutex, a
/// `critical_section::Mutex<RefCell<T>>`, in a dozen lines.
///
/// The write half holds the write side's lock while it writes (a write
/// that blocks holds it that long); the read half only ever tries it, so a
/// read never waits for a write. The lock on the answers owed and the
/// state is held only to copy a few bytes.
///
#[cfg_attr(not(feature = "std"), doc = "[`StdMutex`]: crate#features")]
pub trait Mutex {
    /// The lock around a `T`.
    type Lock<T>;

    /// A lock around `value`.
    fn new<T>(value: T) -> Self::Lock<T>;

    /// Runs `f` with the value, waiting while someone else holds it. `None`
    /// when it can never be had from here (a `RefCell` already borrowed by
    /// the caller itself).
    fn lock<T, R>(lock: &Self::Lock<T>, f: impl FnOnce(&mut T) -> R) -> Option<R>;

    /// Runs `f` with the value if nobody holds it, else gives `None` at
    /// once.
    fn try_lock<T, R>(lock: &Self::Lock<T>, f: impl FnOnce(&mut T) -> R) -> Option<R>;
}

/// Both halves in one thread: a `RefCell`. The halves cannot be sent to
/// other threads (a `RefCell` is not `Sync`).
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalCell;

impl Mutex for LocalCell {
    type Lock<T> = RefCell<T>;

    fn new<T>(value: T) -> RefCell<T> {
        RefCell::new(value)
    }

    fn lock<T, R>(lock: &RefCell<T>, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        // In one thread, nobody else can hold it while the caller waits.
        Self::try_lock(lock, f)
    }

    fn try_lock<T, R>(lock: &RefCell<T>, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut value = lock.try_borrow_mut().ok()?;
        Some(f(&mut value))
    }
}

/// Threads: a `std::sync::Mutex`. A half that panicked while holding it
/// leaves the state as it was; the other half goes on.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Debug, Clone, Copy, Default)]
pub struct StdMutex;

#[cfg(feature = "std")]
impl Mutex for StdMutex {
    type Lock<T> = std_crate::sync::Mutex<T>;

    fn new<T>(value: T) -> Self::Lock<T> {
        std_crate::sync::Mutex::new(value)
    }

    fn lock<T, R>(lock: &Self::Lock<T>, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut value = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Some(f(&mut value))
    }

    fn try_lock<T, R>(lock: &Self::Lock<T>, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        use std_crate::sync::TryLockError;
        let mut value = match lock.try_lock() {
            Ok(value) => value,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        Some(f(&mut value))
    }
}

//! Blocking `std::net` sockets (feature `std`).

//! neurochip-trace

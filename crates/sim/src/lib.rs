//! neurochip-sim

//! neurochip-nir

//! neurochip-mapper

//! The per-core program, generic over the HAL.

//! Shared by the random-program tests: a generator and an independent evaluator.
pub mod eval;
pub mod gen;

//! One integration-test binary, a module per behaviour (nexosim style).

mod energy_per_op;

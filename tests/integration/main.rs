//! One integration-test binary, a module per behaviour (nexosim style).

mod determinism;
mod energy_per_op;
mod report_contract;
mod robustness;
mod whole_run;

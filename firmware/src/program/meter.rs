//! Metering: every executed instruction is counted by cost class, so an
//! engine can charge a neuron's update what it really executed.
//!
//! The interpreter calls [`InstrMeter::count`] once per executed
//! instruction (and once per compartment join); [`ProgramCost`] is the
//! per-class price table an architecture fills (cycles and energy), turning
//! a [`ClassCounts`] into cycles and picojoules.

use super::isa::InstrClass;

/// Number of cost classes.
pub const CLASSES: usize = InstrClass::ALL.len();

/// Receives one call per executed instruction.
pub trait InstrMeter {
    /// One instruction of `class` was executed.
    fn count(&mut self, class: InstrClass);
}

/// A meter that forgets everything (the plain [`crate::NeuronModel`] path).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullMeter;

impl InstrMeter for NullMeter {
    #[inline]
    fn count(&mut self, _class: InstrClass) {}
}

/// Executed instructions per class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassCounts {
    /// By [`InstrClass::index`].
    pub n: [u32; CLASSES],
}

impl ClassCounts {
    /// Count of one class.
    pub fn get(&self, class: InstrClass) -> u32 {
        self.n[class.index()]
    }

    /// All classes together.
    pub fn total(&self) -> u64 {
        self.n.iter().map(|&x| u64::from(x)).sum()
    }

    /// Add another set of counts (saturating).
    pub fn add(&mut self, other: &ClassCounts) {
        for (a, b) in self.n.iter_mut().zip(other.n) {
            *a = a.saturating_add(b);
        }
    }
}

impl InstrMeter for ClassCounts {
    #[inline]
    fn count(&mut self, class: InstrClass) {
        let c = &mut self.n[class.index()];
        *c = c.saturating_add(1);
    }
}

/// What one instruction of each class costs on an architecture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProgramCost {
    /// Core cycles per instruction, by class.
    pub cycles: [u32; CLASSES],
    /// Energy per instruction in picojoules, by class.
    pub energy_pj: [f64; CLASSES],
}

impl ProgramCost {
    /// Cycles of the counted instructions.
    pub fn cycles(&self, counts: &ClassCounts) -> u64 {
        self.cycles
            .iter()
            .zip(counts.n)
            .map(|(&c, n)| u64::from(c) * u64::from(n))
            .sum()
    }

    /// Energy of the counted instructions, in picojoules.
    pub fn energy_pj(&self, counts: &ClassCounts) -> f64 {
        self.energy_pj
            .iter()
            .zip(counts.n)
            .map(|(&e, n)| e * f64::from(n))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_is_count_times_price() {
        let mut m = ClassCounts::default();
        m.count(InstrClass::Alu);
        m.count(InstrClass::Alu);
        m.count(InstrClass::Mul);
        let mut cost = ProgramCost {
            cycles: [1; CLASSES],
            energy_pj: [0.5; CLASSES],
        };
        cost.cycles[InstrClass::Mul.index()] = 3;
        assert_eq!(cost.cycles(&m), 5);
        assert_eq!(cost.energy_pj(&m), 1.5);
        assert_eq!(m.total(), 3);
    }
}

//! Range and cross-field rules of an [`Architecture`].
//!
//! Serde already rejects unknown fields and wrong types; these rules catch
//! descriptions that parse but could not be built (a word too narrow for its
//! fields, a delay field that encodes more delays than there are slots, a
//! model run with a register width it does not support). The first broken
//! rule is reported, in the order fields appear in the file, so a user fixes
//! them top to bottom.

use std::ops::RangeInclusive;

use crate::error::{invalid, ArchError};
use crate::schema::{Architecture, EnergyFigure, MeshKind, Routing};

/// Largest `delay_slots`: dendritic accumulators cost `neurons × slots` words of
/// state, and no modelled chip has more than SpiNNaker's 2^14 ring-buffer entries
/// shared over neurons, so 4096 slots is already far beyond real hardware.
pub const MAX_DELAY_SLOTS: u32 = 4096;

/// Largest multicast table: SpiNNaker has 1024 entries; 65536 leaves room for
/// sweeps without letting a typo allocate gigabytes of router state.
pub const MAX_TABLE_ENTRIES: u32 = 65536;

struct Check<'a> {
    origin: &'a str,
}

impl Check<'_> {
    fn at_least(&self, field: &str, value: u32, min: u32) -> Result<(), ArchError> {
        if value < min {
            return Err(invalid(
                self.origin,
                field,
                format!("{value} is too small (must be >= {min})"),
            ));
        }
        Ok(())
    }

    fn range(&self, field: &str, value: u32, r: RangeInclusive<u32>) -> Result<(), ArchError> {
        if !r.contains(&value) {
            return Err(invalid(
                self.origin,
                field,
                format!("{value} is out of range {}..={}", r.start(), r.end()),
            ));
        }
        Ok(())
    }

    fn non_negative(&self, field: &str, value: f64) -> Result<(), ArchError> {
        if !value.is_finite() || value < 0.0 {
            return Err(invalid(
                self.origin,
                field,
                format!("{value} must be finite and >= 0"),
            ));
        }
        Ok(())
    }

    fn source(&self, field: &str, source: &str) -> Result<(), ArchError> {
        if source.trim().is_empty() {
            return Err(invalid(
                self.origin,
                field,
                "empty source: every energy figure must cite where it comes from \
                 (paper + table/row, model file, or why it is assumed)",
            ));
        }
        Ok(())
    }

    fn figure(&self, class: &str, f: &EnergyFigure) -> Result<(), ArchError> {
        self.non_negative(&format!("energy.{class}.pj"), f.pj)?;
        self.source(&format!("energy.{class}.source"), &f.source)
    }
}

impl Architecture {
    /// Checks every range and cross-field rule; `origin` (file name or
    /// `preset:NAME`) starts the message so the user knows which file to edit.
    pub fn validate(&self, origin: &str) -> Result<(), ArchError> {
        let c = Check { origin };
        if self.name.trim().is_empty() {
            return Err(invalid(origin, "name", "must not be empty"));
        }
        if !self.clock_hz.is_finite() || self.clock_hz <= 0.0 {
            return Err(invalid(
                origin,
                "clock_hz",
                format!("{} must be finite and > 0", self.clock_hz),
            ));
        }
        self.validate_topology(&c)?;
        self.validate_core(&c)?;
        self.validate_router(&c)?;
        self.validate_links(&c)?;
        self.validate_barrier(&c)?;
        self.validate_energy(&c)
    }

    fn validate_topology(&self, c: &Check) -> Result<(), ArchError> {
        let t = &self.topology;
        c.at_least("topology.chips_x", t.chips_x, 1)?;
        c.at_least("topology.chips_y", t.chips_y, 1)?;
        // A board limit below the system it holds is a contradiction, not a no-op.
        for (field, max, chips, name) in [
            ("topology.max_chips_x", t.max_chips_x, t.chips_x, "chips_x"),
            ("topology.max_chips_y", t.max_chips_y, t.chips_y, "chips_y"),
        ] {
            if let Some(max) = max {
                if max < chips {
                    return Err(invalid(
                        c.origin,
                        field,
                        format!(
                            "{max} is too small (the board must hold topology.{name} = {chips})"
                        ),
                    ));
                }
            }
        }
        c.at_least("topology.tiles_x", t.tiles_x, 1)?;
        c.at_least("topology.tiles_y", t.tiles_y, 1)?;
        c.at_least("topology.cores_per_tile", t.cores_per_tile, 1)?;
        if t.kind == MeshKind::Hex && (t.tiles_x != 1 || t.tiles_y != 1) {
            return Err(invalid(
                c.origin,
                "topology.tiles_x",
                format!(
                    "a hex system has one router per chip, so tiles_x and tiles_y must be 1 \
                     (got {}x{}); set chips_x/chips_y instead",
                    t.tiles_x, t.tiles_y
                ),
            ));
        }
        let cores = u64::from(t.chips_x)
            * u64::from(t.chips_y)
            * u64::from(t.tiles_x)
            * u64::from(t.tiles_y)
            * u64::from(t.cores_per_tile);
        if cores > u64::from(u32::MAX) {
            return Err(invalid(
                c.origin,
                "topology",
                format!("{cores} cores in total do not fit a 32-bit core id"),
            ));
        }
        Ok(())
    }

    fn validate_core(&self, c: &Check) -> Result<(), ArchError> {
        let core = &self.core;
        let m = &core.synapse_memory;
        let model = core.model;
        c.at_least("core.neurons", core.neurons, 1)?;
        let states = model.state_bits_range();
        if !states.contains(&core.state_bits) {
            return Err(invalid(
                c.origin,
                "core.state_bits",
                format!(
                    "{} is out of range {}..={} supported by model {}",
                    core.state_bits,
                    states.start(),
                    states.end(),
                    model.name()
                ),
            ));
        }
        c.at_least("core.synapse_memory.words", m.words, 1)?;
        c.range("core.synapse_memory.word_bits", m.word_bits, 1..=64)?;
        c.range("core.synapse_memory.weight_bits", m.weight_bits, 1..=32)?;
        c.range("core.synapse_memory.delay_bits", m.delay_bits, 0..=12)?;
        c.range("core.synapse_memory.target_bits", m.target_bits, 0..=32)?;
        let need = model.channel_bits_needed();
        if m.channel_bits < need {
            return Err(invalid(
                c.origin,
                "core.synapse_memory.channel_bits",
                format!(
                    "{} cannot name the {} channels of model {} (needs >= {need})",
                    m.channel_bits,
                    model.channels(),
                    model.name()
                ),
            ));
        }
        c.range("core.synapse_memory.channel_bits", m.channel_bits, 0..=8)?;
        if u64::from(core.neurons) > 1u64 << m.target_bits {
            return Err(invalid(
                c.origin,
                "core.neurons",
                format!(
                    "{} neurons cannot be addressed by core.synapse_memory.target_bits = {} \
                     (at most {})",
                    core.neurons,
                    m.target_bits,
                    1u64 << m.target_bits
                ),
            ));
        }
        if core.crossbar {
            // A crossbar row holds one bit per neuron, spread over whole words.
            let words_per_row = core.neurons.div_ceil(m.word_bits);
            let need = u64::from(words_per_row) * u64::from(core.axons_in);
            if u64::from(m.words) < need {
                return Err(invalid(
                    c.origin,
                    "core.synapse_memory.words",
                    format!(
                        "{} words cannot hold a {}x{} crossbar ({words_per_row} words of {} bits \
                         per axon row: needs >= {need})",
                        m.words, core.axons_in, core.neurons, m.word_bits
                    ),
                ));
            }
        } else {
            let fields = m.weight_bits + m.channel_bits + m.delay_bits + m.target_bits;
            if fields > m.word_bits {
                return Err(invalid(
                    c.origin,
                    "core.synapse_memory.word_bits",
                    format!(
                        "{} bits cannot hold weight {} + channel {} + delay {} + target {} = \
                         {fields} bits",
                        m.word_bits, m.weight_bits, m.channel_bits, m.delay_bits, m.target_bits
                    ),
                ));
            }
        }
        c.at_least("core.synapse_memory.words_per_cycle", m.words_per_cycle, 1)?;
        c.at_least("core.axons_in", core.axons_in, 1)?;
        c.at_least("core.axons_out", core.axons_out, 1)?;
        c.at_least("core.input_buffer", core.input_buffer, 1)?;
        c.range("core.delay_slots", core.delay_slots, 2..=MAX_DELAY_SLOTS)?;
        // The field stores delay - 1, a spike lands `1 + field` steps later and the
        // slot being updated cannot take new input (firmware runtime::max_delay =
        // slots - 2): the 2^bits encodable delays must all be <= slots - 1.
        let encodable = 1u64 << m.delay_bits;
        if encodable > u64::from(core.delay_slots) - 1 {
            return Err(invalid(
                c.origin,
                "core.synapse_memory.delay_bits",
                format!(
                    "{} bits encode delays 1..={encodable} but core.delay_slots = {} holds delays \
                     up to {} (raise delay_slots to >= {} or narrow the field)",
                    m.delay_bits,
                    core.delay_slots,
                    core.delay_slots - 1,
                    encodable + 1
                ),
            ));
        }
        let cy = &core.cycles;
        c.at_least("core.cycles.synapse_word", cy.synapse_word, 1)?;
        c.at_least(
            "core.cycles.neuron_update_active",
            cy.neuron_update_active,
            1,
        )?;
        c.at_least("core.cycles.neuron_update_idle", cy.neuron_update_idle, 1)?;
        Ok(())
    }

    fn validate_router(&self, c: &Check) -> Result<(), ArchError> {
        let r = &self.router;
        if r.routing == Routing::Multicast {
            c.range(
                "router.table_entries",
                r.table_entries,
                1..=MAX_TABLE_ENTRIES,
            )?;
        } else {
            c.range(
                "router.table_entries",
                r.table_entries,
                0..=MAX_TABLE_ENTRIES,
            )?;
        }
        c.at_least("router.buffer_flits", r.buffer_flits, 1)?;
        c.range("router.flit_bits", r.flit_bits, 8..=1024)?;
        c.at_least("router.packet_flits", r.packet_flits, 1)?;
        c.at_least("router.pipeline_cycles", r.pipeline_cycles, 1)
    }

    fn validate_links(&self, c: &Check) -> Result<(), ArchError> {
        let l = &self.link;
        c.at_least("link.latency_ew_cycles", l.latency_ew_cycles, 1)?;
        c.at_least("link.latency_ns_cycles", l.latency_ns_cycles, 1)?;
        c.at_least("link.width_flits", l.width_flits, 1)?;
        c.at_least("link.offchip_latency_cycles", l.offchip_latency_cycles, 1)?;
        c.at_least("link.offchip_cycles_per_flit", l.offchip_cycles_per_flit, 1)
    }

    fn validate_barrier(&self, c: &Check) -> Result<(), ArchError> {
        c.non_negative("barrier.per_tile_cycles", self.barrier.per_tile_cycles)
    }

    fn validate_energy(&self, c: &Check) -> Result<(), ArchError> {
        let e = &self.energy;
        for (class, f) in [
            ("synaptic_op", &e.synaptic_op),
            ("neuron_update_active", &e.neuron_update_active),
            ("neuron_update_idle", &e.neuron_update_idle),
            ("spike_out", &e.spike_out),
            ("packet_inject", &e.packet_inject),
            ("hop_local", &e.hop_local),
            ("hop_ew", &e.hop_ew),
            ("hop_ns", &e.hop_ns),
            ("hop_offchip", &e.hop_offchip),
            ("word_read", &e.word_read),
            ("barrier_per_tile", &e.barrier_per_tile),
        ] {
            c.figure(class, f)?;
        }
        let s = &e.static_watts_per_chip;
        c.non_negative("energy.static_watts_per_chip.watts", s.watts)?;
        c.source("energy.static_watts_per_chip.source", &s.source)
    }
}

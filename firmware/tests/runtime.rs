//! The runtime's units of work against the counting fake HAL: exact charges,
//! delay-slot timing, error events and multi-spike delivery.

use neurochip_firmware::fake::FlatHal;
use neurochip_firmware::hal::{Op, Row, Synapse, WordLayout};
use neurochip_firmware::models::lif::{Lif, LifParams, LifState};
use neurochip_firmware::runtime::{deliver_spike, max_delay, update_all, update_neuron};
use neurochip_firmware::NeuronRng;
use proptest::prelude::*;

const LAYOUT: WordLayout = WordLayout {
    weight_bits: 8,
    channel_bits: 1,
    delay_bits: 3,
    target_bits: 4,
};

/// 8 neurons, 32 words, 4 axons, 4 slots.
type Hal = FlatHal<Lif, 8, 32, 4, 4>;

fn if_params(threshold: i32) -> LifParams {
    LifParams {
        threshold,
        ..LifParams::default()
    }
    .checked()
    .unwrap()
}

fn word(weight: i32, channel: u8, delay: u8, target: u32) -> u64 {
    LAYOUT
        .encode(&Synapse {
            weight,
            channel,
            delay,
            target,
        })
        .unwrap()
}

/// Put `syns` as the row of `axon`, after the words already used.
fn add_row(hal: &mut Hal, axon: usize, start: u32, syns: &[(i32, u8, u8, u32)]) {
    for (k, &(w, c, d, t)) in syns.iter().enumerate() {
        hal.words[start as usize + k] = word(w, c, d, t);
    }
    hal.axons[axon] = Some(Row {
        start,
        len: syns.len() as u32,
    });
}

#[test]
fn words_and_synaptic_ops_are_counted_exactly() {
    let mut hal = Hal::uniform(&if_params(100));
    add_row(&mut hal, 1, 5, &[(3, 0, 0, 0), (-4, 1, 0, 2), (7, 0, 1, 2)]);
    let read = deliver_spike::<Lif, _>(&mut hal, &LAYOUT, 1, 1, 10);
    assert_eq!(read, 3);
    assert_eq!(hal.count(Op::SpikeIn), 1);
    assert_eq!(hal.count(Op::WordRead), 3);
    assert_eq!(hal.count(Op::SynapticOp), 3);
    assert_eq!(hal.accesses.word_reads, 3);
    assert_eq!(hal.accesses.bad_word_reads, 0);
    assert_eq!(hal.accesses.row_lookups, 1);
    // step 10, 4 slots: delay 0 -> slot 11 % 4 = 3, delay 1 -> slot 0.
    assert_eq!(hal.acc[3][0], [3, 0]);
    assert_eq!(hal.acc[3][2], [0, -4]);
    assert_eq!(hal.acc[0][2], [7, 0]);
    let touched: usize = hal.acc.iter().flatten().filter(|a| **a != [0, 0]).count();
    assert_eq!(touched, 3);
}

#[test]
fn multi_spike_folds_count_times() {
    let mut hal = Hal::uniform(&if_params(100));
    add_row(&mut hal, 0, 0, &[(5, 0, 0, 1), (-2, 1, 0, 1)]);
    let read = deliver_spike::<Lif, _>(&mut hal, &LAYOUT, 0, 3, 0);
    assert_eq!(read, 2, "words are read once whatever the multiplicity");
    assert_eq!(hal.count(Op::WordRead), 2);
    assert_eq!(hal.count(Op::SynapticOp), 6);
    assert_eq!(hal.acc[1][1], [15, -6]);
}

#[test]
fn delay_slots_deliver_at_t_plus_1_plus_delay() {
    for t in [0u32, 5, 6, 7, 1000] {
        for d in 0..=max_delay(4) as u8 {
            let mut hal = Hal::uniform(&if_params(10));
            add_row(&mut hal, 2, 0, &[(10, 0, d, 3)]);
            // Steps before t run with nothing pending.
            for s in 0..t.min(8) {
                assert_eq!(update_all::<Lif, _>(&mut hal, 1, 0, t - t.min(8) + s), 0);
            }
            deliver_spike::<Lif, _>(&mut hal, &LAYOUT, 2, 1, t);
            // The update of step t itself still happens after the delivery of step t's spikes.
            let mut fired = None;
            for s in t..t + 6 {
                hal.clear_outbox();
                if update_all::<Lif, _>(&mut hal, 1, 0, s) > 0 {
                    assert_eq!(hal.outbox.as_slice(), &[(3, 1)]);
                    assert!(fired.is_none(), "fired twice");
                    fired = Some(s);
                }
            }
            assert_eq!(fired, Some(t + 1 + u32::from(d)), "t={t} d={d}");
        }
    }
}

#[test]
fn delay_beyond_ring_is_counted_and_skipped() {
    let mut hal = Hal::uniform(&if_params(10));
    // 4 slots: delays 3..=7 cannot be delivered on time.
    add_row(
        &mut hal,
        0,
        0,
        &[(10, 0, 3, 0), (10, 0, 7, 1), (10, 0, 2, 2)],
    );
    deliver_spike::<Lif, _>(&mut hal, &LAYOUT, 0, 1, 0);
    assert_eq!(hal.count(Op::DelayOverflow), 2);
    assert_eq!(hal.count(Op::SynapticOp), 1);
    assert_eq!(hal.count(Op::WordRead), 3);
    let touched: usize = hal.acc.iter().flatten().filter(|a| **a != [0, 0]).count();
    assert_eq!(touched, 1);
}

#[test]
fn unmapped_axon_is_an_error_event_not_a_panic() {
    let mut hal = Hal::uniform(&if_params(10));
    add_row(&mut hal, 0, 0, &[(10, 0, 0, 0)]);
    assert_eq!(deliver_spike::<Lif, _>(&mut hal, &LAYOUT, 3, 1, 0), 0);
    assert_eq!(deliver_spike::<Lif, _>(&mut hal, &LAYOUT, 99, 1, 0), 0);
    assert_eq!(hal.count(Op::UnmappedAxon), 2);
    assert_eq!(hal.count(Op::SpikeIn), 2);
    assert_eq!(hal.count(Op::WordRead), 0);
    assert_eq!(hal.accesses.word_reads, 0);
}

#[test]
fn target_outside_core_is_dropped_and_counted() {
    // 16 possible targets in the field, 8 neurons on the core.
    let mut hal = Hal::uniform(&if_params(10));
    add_row(&mut hal, 0, 0, &[(1, 0, 0, 8), (1, 0, 0, 15), (1, 0, 0, 7)]);
    deliver_spike::<Lif, _>(&mut hal, &LAYOUT, 0, 1, 0);
    assert_eq!(hal.count(Op::DroppedInput), 2);
    assert_eq!(hal.count(Op::SynapticOp), 1);
}

#[test]
fn update_consumes_and_resets_its_slot_and_charges_idle_or_active() {
    let mut hal = Hal::uniform(&if_params(10));
    hal.acc[1][4] = [4, 0];
    hal.acc[1][5] = [12, 0];
    let mut rng = NeuronRng::fixed(0);
    // Neuron 0: nothing pending, at rest below threshold -> idle.
    assert_eq!(update_neuron::<Lif, _>(&mut hal, 0, 5, &mut rng), 0);
    assert_eq!(update_neuron::<Lif, _>(&mut hal, 4, 5, &mut rng), 0);
    assert_eq!(update_neuron::<Lif, _>(&mut hal, 5, 5, &mut rng), 1);
    assert_eq!(hal.count(Op::NeuronIdle), 1);
    assert_eq!(hal.count(Op::NeuronActive), 2);
    assert_eq!(hal.count(Op::SpikeOut), 1);
    assert_eq!(hal.outbox.as_slice(), &[(5, 1)]);
    assert_eq!(hal.acc[1][4], [0, 0]);
    assert_eq!(hal.acc[1][5], [0, 0]);
    assert_eq!(
        hal.state[4],
        LifState {
            v: 4,
            ..LifState::default()
        }
    );
    assert_eq!(
        hal.state[5],
        LifState::default(),
        "reset to 0 after the spike"
    );
}

proptest! {
    /// Against a naive reference: every in-range synapse lands `count` times in
    /// slot (t + 1 + d) % S of its target, and the charges add up.
    #[test]
    fn delivery_matches_reference(
        syns in proptest::collection::vec((-128i32..128, 0u8..2, 0u8..8, 0u32..16), 0..32),
        count in 1u8..4,
        step in 0u32..1_000_000,
    ) {
        let mut hal = Hal::uniform(&if_params(100));
        add_row(&mut hal, 0, 0, &syns);
        let read = deliver_spike::<Lif, _>(&mut hal, &LAYOUT, 0, count, step);
        let mut want = [[[0i64; 2]; 8]; 4];
        let (mut ops, mut over, mut drop) = (0u64, 0u64, 0u64);
        for &(w, c, d, t) in &syns {
            if u32::from(d) > 2 { over += 1; continue; }
            if t >= 8 { drop += 1; continue; }
            let slot = ((u64::from(step) + 1 + u64::from(d)) % 4) as usize;
            want[slot][t as usize][c as usize] += i64::from(w) * i64::from(count);
            ops += u64::from(count);
        }
        prop_assert_eq!(read as usize, syns.len());
        prop_assert_eq!(hal.count(Op::WordRead), syns.len() as u64);
        prop_assert_eq!(hal.count(Op::SynapticOp), ops);
        prop_assert_eq!(hal.count(Op::DelayOverflow), over);
        prop_assert_eq!(hal.count(Op::DroppedInput), drop);
        for (got_slot, want_slot) in hal.acc.iter().zip(&want) {
            for (got, want) in got_slot.iter().zip(want_slot) {
                prop_assert_eq!([i64::from(got[0]), i64::from(got[1])], *want);
            }
        }
    }
}

/// SpiNNaker's 16-bit ring buffer saturates at 0xFFFF: the loss is charged as
/// `Op::Saturated` (once per event that did not fit), never hidden.
#[test]
fn ring_buffer_saturation_is_counted() {
    use neurochip_firmware::models::spinnaker::{SpinnakerLif, SpinnakerParams};
    const L: WordLayout = WordLayout {
        weight_bits: 17,
        channel_bits: 1,
        delay_bits: 2,
        target_bits: 2,
    };
    let p = SpinnakerParams::from_physical(20.0, 1.0, -65.0, -65.0, -50.0, 5.0, 5.0, 2.0, 0.0, 1.0)
        .unwrap();
    let mut hal: FlatHal<SpinnakerLif, 2, 4, 2, 4> = FlatHal::uniform(&p);
    let w = |weight: i32, target: u32| {
        L.encode(&Synapse {
            weight,
            channel: 0,
            delay: 0,
            target,
        })
        .unwrap()
    };
    // Axon 0: 0xF000 onto neuron 0 and 0x10 onto neuron 1.
    hal.words[0] = w(0xF000, 0);
    hal.words[1] = w(0x10, 1);
    hal.axons[0] = Some(Row { start: 0, len: 2 });
    deliver_spike::<SpinnakerLif, _>(&mut hal, &L, 0, 1, 0);
    assert_eq!(hal.count(Op::Saturated), 0, "0xF000 + 0x10 fit");
    // The second spike pushes neuron 0 past 0xFFFF; neuron 1 still fits.
    deliver_spike::<SpinnakerLif, _>(&mut hal, &L, 0, 1, 0);
    assert_eq!(hal.count(Op::Saturated), 1);
    assert_eq!(hal.acc[1][0], [0xFFFF, 0]);
    assert_eq!(hal.acc[1][1], [0x20, 0]);
    // A spike of multiplicity 3 saturates three more times.
    deliver_spike::<SpinnakerLif, _>(&mut hal, &L, 0, 3, 0);
    assert_eq!(hal.count(Op::Saturated), 4);
}

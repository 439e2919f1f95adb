//! The fixed-capacity queues: a full queue refuses and counts, draining keeps arrival
//! order, and the runtime charges every refused input spike.

use neurochip_firmware::fake::FlatHal;
use neurochip_firmware::hal::{Op, Row, Synapse, WordLayout};
use neurochip_firmware::models::lif::{Lif, LifParams};
use neurochip_firmware::queue::{InputQueue, InputSpike, SpikeQueue};
use neurochip_firmware::runtime::{deliver_queued, deliver_spike};

const LAYOUT: WordLayout = WordLayout {
    weight_bits: 8,
    channel_bits: 1,
    delay_bits: 3,
    target_bits: 4,
};

type Hal = FlatHal<Lif, 4, 8, 4, 4>;

fn hal() -> Hal {
    let p = LifParams {
        threshold: 1000,
        ..LifParams::default()
    };
    let mut h = Hal::uniform(&p.checked().unwrap());
    for a in 0..4u32 {
        let syn = Synapse {
            weight: 1 + a as i32,
            channel: 0,
            delay: 0,
            target: a,
        };
        h.words[a as usize] = LAYOUT.encode(&syn).unwrap();
        h.axons[a as usize] = Some(Row { start: a, len: 1 });
    }
    h
}

fn spike(axon: u32) -> InputSpike {
    InputSpike {
        axon,
        count: 1,
        step: 0,
    }
}

#[test]
fn a_full_inbox_refuses_counts_and_the_runtime_charges_it() {
    let mut q: InputQueue<2> = InputQueue::new();
    assert!(q.push(spike(0)) && q.push(spike(1)));
    assert!(!q.push(spike(2)), "third push into a 2-deep inbox");
    assert_eq!((q.len(), q.overflowed(), q.capacity()), (2, 1, 2));
    let mut h = hal();
    let read = deliver_queued::<Lif, _, 2>(&mut h, &LAYOUT, &mut q);
    assert_eq!(read, 2);
    assert_eq!(h.count(Op::SpikeIn), 2);
    assert_eq!(h.count(Op::DroppedInput), 1);
    assert!(q.is_empty() && q.overflowed() == 0, "charged once");
}

#[test]
fn draining_the_inbox_equals_delivering_in_arrival_order() {
    let order = [3u32, 0, 2, 0, 1];
    let mut q: InputQueue<8> = InputQueue::new();
    for &a in &order {
        q.push(spike(a));
    }
    let mut queued = hal();
    deliver_queued::<Lif, _, 8>(&mut queued, &LAYOUT, &mut q);
    let mut direct = hal();
    for &a in &order {
        deliver_spike::<Lif, _>(&mut direct, &LAYOUT, a, 1, 0);
    }
    assert_eq!(queued.acc, direct.acc);
    assert_eq!(queued.charged, direct.charged);
}

#[test]
fn the_spike_queue_holds_one_core_of_neurons_and_counts_the_rest() {
    let mut q: SpikeQueue<3> = SpikeQueue::new();
    for n in 0..5 {
        q.push(n, 1);
    }
    assert_eq!(q.as_slice(), &[(0, 1), (1, 1), (2, 1)]);
    assert_eq!(q.overflowed(), 2);
    q.clear();
    assert!(q.is_empty());
    // The fake's outbox is one: a send past its capacity is counted, not lost silently.
    let mut h = hal();
    use neurochip_firmware::hal::SpikeOut;
    for n in 0..5 {
        h.send(n, 1);
    }
    assert_eq!(h.outbox.len(), 4);
    assert_eq!(h.accesses.outbox_overflow, 1);
}

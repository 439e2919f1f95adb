//! The route the mapper walks is the route a router takes hop by hop.

use neurochip_arch::geometry::{port, Grid};
use neurochip_arch::schema::MeshKind;

fn grid(kind: MeshKind, torus: bool, w: u32, h: u32) -> Grid {
    let mut a = neurochip_arch::preset("default").expect("default preset");
    a.topology.tiles_x = w;
    a.topology.tiles_y = h;
    a.topology.kind = kind;
    a.topology.torus = torus;
    Grid::new(&a)
}

#[test]
fn walk_equals_per_hop_decisions_on_every_topology() {
    for (kind, torus) in [
        (MeshKind::Mesh, false),
        (MeshKind::Mesh, true),
        (MeshKind::Hex, false),
        (MeshKind::Hex, true),
    ] {
        for (w, h) in [(1, 1), (2, 3), (5, 4), (6, 6)] {
            let g = grid(kind, torus, w, h);
            let tiles = w * h;
            for a in 0..tiles {
                for b in 0..tiles {
                    let mut walked = Vec::new();
                    g.walk(a, b, |t, p| walked.push((t, p)));
                    // A router decides from where it is, with the offset that remains.
                    let mut hops = Vec::new();
                    let mut at = a;
                    while let Some(p) = g.next_port(at, b) {
                        hops.push((at, p));
                        at = g.link(at, p).expect("the route uses existing links");
                        assert!(hops.len() <= tiles as usize, "{kind:?} {a}->{b} loops");
                    }
                    assert_eq!(at, b);
                    assert_eq!(walked, hops, "{kind:?} torus={torus} {w}x{h} {a}->{b}");
                    assert_eq!(walked.len() as u64, g.hops(a, b));
                    for &(t, p) in &walked {
                        assert!(g.hex || (p != port::NE && p != port::SW));
                        assert_eq!(g.link(t, p), Some(g.neighbour(t, p)));
                    }
                }
            }
        }
    }
}

#[test]
fn ports_and_their_route_word_bits() {
    for p in 0..port::LINK_PORTS {
        assert_eq!(port::opposite(port::opposite(p)), p);
        let (dx, dy) = port::DELTAS[p];
        assert_eq!(port::DELTAS[port::opposite(p)], (-dx, -dy));
        assert_eq!(port::bit(p) & port::LINK_BITS, port::bit(p));
        assert_eq!(port::name(p), port::NAMES[p]);
    }
    assert_eq!(port::core_bit(0) & port::LINK_BITS, 0);
    assert_eq!(port::name(port::LINK_PORTS + 2), "core:2");
}

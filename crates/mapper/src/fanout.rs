//! Stage 7: fan-out and routing. Under multicast routing every source neuron with
//! targets gets a key (`core << b | local`); each destination core maps the key to its
//! axon, and every router on the way gets an entry, found by walking the route the routers
//! take ([`Grid::walk`](neurochip_arch::geometry::Grid::walk)). Entries of one source core
//! are merged into key/mask blocks where their ports agree. Under XY routing nothing is
//! built here: the destinations of stage 5 are the fan-out.

use neurochip_arch::geometry::port;
use neurochip_arch::schema::Architecture;
use neurochip_hw::image::McEntry;

use crate::error::thousands;
use crate::error::MapError;
use crate::types::{Fanout, Placed, Rows, Target};

/// Keys, key → axon maps and router tables; tables that do not fit fall back to the
/// union of local cores per source core (with a warning) before they are an error.
pub(crate) fn fanout(
    arch: &Architecture,
    t: &Target,
    p: &Placed,
    r: &Rows,
    warnings: &mut Vec<String>,
) -> Result<Fanout, MapError> {
    let tc = t.total as usize;
    let mut f = Fanout {
        key_axons: vec![Vec::new(); tc],
        router_tables: vec![Vec::new(); t.tiles],
        unmerged: vec![0; t.tiles],
        local_bits: 32 - (t.cap.max(2) - 1).leading_zeros(),
    };
    if !t.multicast {
        return Ok(f);
    }
    if f.local_bits >= 32 || (t.total as u64) << f.local_bits > 1u64 << 32 {
        return Err(MapError::Keys(format!(
            "{} cores × 2^{} local ids exceed 32-bit keys",
            t.total, f.local_bits
        )));
    }
    let per_router = routes(t, p, r, &mut f);
    let cap = arch.router.table_entries as u64;
    for (tile, mut entries) in per_router.into_iter().enumerate() {
        entries.sort_unstable();
        f.unmerged[tile] = entries.len() as u32;
        let mut out = merge_all(&entries, f.local_bits);
        if out.len() as u64 > cap {
            let exact = out.len();
            out = merge_all(&widened(&entries, f.local_bits), f.local_bits);
            if out.len() as u64 <= cap {
                warnings.push(format!(
                    "routing table of tile {tile}: exact routes need {} entries (has {}); merged per source core to {} entries with the union of local cores (cores drop keys they have no axon for)",
                    thousands(exact as u64),
                    thousands(cap),
                    out.len()
                ));
            }
        }
        if out.len() as u64 > cap {
            return Err(MapError::Table {
                tile: tile as u32,
                needed: out.len() as u64,
                has: cap,
                hint: format!(
                    "{} keys route through it; fill cores in order (--strategy sequential) so keys of one core merge, or raise router.table_entries",
                    thousands(entries.len() as u64)
                ),
            });
        }
        f.router_tables[tile] = out;
    }
    for ka in &mut f.key_axons {
        ka.sort_unstable();
    }
    Ok(f)
}

/// Per router, the (key, ports) of every key routed through it, and each destination
/// core's key → axon entries (into `f`).
fn routes(t: &Target, p: &Placed, r: &Rows, f: &mut Fanout) -> Vec<Vec<(u32, u32)>> {
    let cpt = t.grid.cpt;
    let mut per_router: Vec<Vec<(u32, u32)>> = vec![Vec::new(); t.tiles];
    let mut ports = vec![0u32; t.tiles];
    let mut touched: Vec<u32> = Vec::new();
    for s in 0..p.core.len() {
        let ds = &r.dests[r.dest_start[s] as usize..r.dest_start[s + 1] as usize];
        if ds.is_empty() {
            continue;
        }
        let key = f.key(p.core[s], p.local[s]);
        let st = p.core[s] / cpt;
        for &(c, axon) in ds {
            f.key_axons[c as usize].push((key, axon));
            let dt = c / cpt;
            t.grid.walk(st, dt, |tile, link| {
                if ports[tile as usize] == 0 {
                    touched.push(tile);
                }
                ports[tile as usize] |= port::bit(link);
            });
            if ports[dt as usize] == 0 {
                touched.push(dt);
            }
            ports[dt as usize] |= port::core_bit(c % cpt);
        }
        for &tile in &touched {
            per_router[tile as usize].push((key, ports[tile as usize]));
            ports[tile as usize] = 0;
        }
        touched.clear();
    }
    per_router
}

/// The entries of one router merged block by block (one block per source core).
fn merge_all(entries: &[(u32, u32)], local_bits: u32) -> Vec<McEntry> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let core = entries[i].0 >> local_bits;
        let j = i + entries[i..].partition_point(|e| e.0 >> local_bits == core);
        merge(&entries[i..j], core << local_bits, local_bits, &mut out);
        i = j;
    }
    out
}

/// Fallback: every key of one source core is delivered to the union of the block's local
/// cores (link ports stay exact, so no packet strays onto a default route); a core drops a
/// key it has no axon for, as SpiNNaker's master population table does (counted as
/// `unmapped_axon`).
fn widened(entries: &[(u32, u32)], local_bits: u32) -> Vec<(u32, u32)> {
    let mut wide = entries.to_vec();
    let mut i = 0;
    while i < wide.len() {
        let core = wide[i].0 >> local_bits;
        let j = i + wide[i..].partition_point(|e| e.0 >> local_bits == core);
        let u = wide[i..j]
            .iter()
            .fold(0u32, |a, e| a | (e.1 & !port::LINK_BITS));
        for e in &mut wide[i..j] {
            e.1 = (e.1 & port::LINK_BITS) | u;
        }
        i = j;
    }
    wide
}

/// Emits key/mask entries for `entries` (sorted, all inside the aligned block
/// `base .. base + 2^bits`): one entry when every key routed here shares its
/// ports (keys not routed through this router are don't-cares), else halves.
fn merge(entries: &[(u32, u32)], base: u32, bits: u32, out: &mut Vec<McEntry>) {
    if entries.is_empty() {
        return;
    }
    let p = entries[0].1;
    if entries.iter().all(|e| e.1 == p) {
        let mask = if bits >= 32 { 0 } else { !((1u32 << bits) - 1) };
        out.push(McEntry {
            key: base & mask,
            mask,
            ports: p,
        });
        return;
    }
    // Differing ports imply ≥ 2 keys, so bits ≥ 1 here.
    let half = base + (1u32 << (bits - 1));
    let k = entries.partition_point(|e| e.0 < half);
    merge(&entries[..k], base, bits - 1, out);
    merge(&entries[k..], half, bits - 1, out);
}

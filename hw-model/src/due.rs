//! Per-component "due" cycles with block minima, so a cycle visits only what can act.
//!
//! The engine keeps, per router and per core, the earliest cycle a visit can change anything
//! (a lower bound: visiting earlier is harmless, later would be wrong). Scanning every entry
//! each cycle cost O(components) per cycle, which dominated multi-chip systems (thousands of
//! routers, a handful active). Here the entries are grouped in blocks of [`BLOCK`] with a
//! lower bound per block, and a cycle scans only blocks whose bound has come.
//!
//! # Contract
//! - [`DueSet::set`] may raise or lower an entry at any time; every block bound and the global
//!   bound stay lower bounds of what they cover.
//! - [`DueSet::scan`] visits, in ascending index order, every entry due by `t` *at the moment
//!   the scan reaches it* (an entry lowered during the scan, ahead of the cursor, is visited in
//!   the same scan) — exactly what a plain ascending loop over all entries would visit. A
//!   scanned block's bound is rebuilt from its entries, so a stale (too early) bound costs at
//!   most one extra scan of its block.

/// Entries per block: small enough that a due block costs little, large enough that the
/// block bounds of thousands of components are a short array.
pub const BLOCK: usize = 32;

/// Due cycles of `n` components with per-block and global lower bounds.
#[derive(Clone, Debug)]
pub struct DueSet {
    due: Vec<u64>,
    block_min: Vec<u64>,
    min: u64,
}

impl DueSet {
    /// `n` components, none due.
    pub fn new(n: usize) -> Self {
        DueSet {
            due: vec![u64::MAX; n],
            block_min: vec![u64::MAX; n.div_ceil(BLOCK)],
            min: u64::MAX,
        }
    }

    /// Every component due at `t` (the start of a step).
    pub fn fill(&mut self, t: u64) {
        self.due.iter_mut().for_each(|d| *d = t);
        self.block_min.iter_mut().for_each(|d| *d = t);
        self.min = t;
    }

    /// The due cycle of component `i`.
    #[cfg(test)]
    pub fn get(&self, i: usize) -> u64 {
        self.due[i]
    }

    /// Set component `i`'s due cycle (raise or lower).
    #[inline]
    pub fn set(&mut self, i: usize, d: u64) {
        self.due[i] = d;
        let b = &mut self.block_min[i / BLOCK];
        *b = (*b).min(d);
        self.min = self.min.min(d);
    }

    /// Lower component `i`'s due cycle to at most `d`.
    #[inline]
    pub fn lower(&mut self, i: usize, d: u64) {
        if d < self.due[i] {
            self.set(i, d);
        }
    }

    /// A lower bound of every due cycle.
    #[inline]
    pub fn min(&self) -> u64 {
        self.min
    }

    /// Visit every component due by `t` in ascending order (see the module contract). `visit`
    /// gets the set itself back so it can re-arm any component.
    pub fn scan(&mut self, t: u64, mut visit: impl FnMut(&mut Self, usize)) {
        if self.min > t {
            return;
        }
        for b in 0..self.block_min.len() {
            if self.block_min[b] > t {
                continue;
            }
            // Bound rebuilt from the entries read after their visit; `set` during the visits
            // lowers it for entries the cursor has passed.
            self.block_min[b] = u64::MAX;
            let lo = b * BLOCK;
            let hi = (lo + BLOCK).min(self.due.len());
            let mut m = u64::MAX;
            for i in lo..hi {
                if self.due[i] <= t {
                    visit(self, i);
                }
                m = m.min(self.due[i]);
            }
            self.block_min[b] = self.block_min[b].min(m);
        }
        self.min = self.block_min.iter().copied().min().unwrap_or(u64::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A plain ascending loop over all entries, the behaviour `scan` must reproduce.
    fn plain(due: &mut [u64], t: u64, rearm: &[(usize, usize, u64)]) -> Vec<usize> {
        let mut out = Vec::new();
        for i in 0..due.len() {
            if due[i] <= t {
                out.push(i);
                due[i] = u64::MAX;
                for &(from, j, d) in rearm {
                    if from == i {
                        due[j] = d;
                    }
                }
            }
        }
        out
    }

    proptest! {
        #[test]
        fn scan_visits_what_a_plain_loop_visits(
            init in proptest::collection::vec(0u64..20, 1..150),
            rearm in proptest::collection::vec((0usize..150, 0usize..150, 0u64..20), 0..40),
            t in 0u64..20,
        ) {
            let n = init.len();
            let rearm: Vec<_> = rearm.into_iter().map(|(a, b, d)| (a % n, b % n, d)).collect();
            let mut plain_due = init.clone();
            let want = plain(&mut plain_due, t, &rearm);
            let mut s = DueSet::new(n);
            for (i, &d) in init.iter().enumerate() {
                s.set(i, d);
            }
            let mut got = Vec::new();
            s.scan(t, |s, i| {
                got.push(i);
                s.set(i, u64::MAX);
                for &(from, j, d) in &rearm {
                    if from == i {
                        s.set(j, d);
                    }
                }
            });
            prop_assert_eq!(&got, &want);
            for (i, &d) in plain_due.iter().enumerate() {
                prop_assert_eq!(s.get(i), d);
            }
            // Bounds stay lower bounds, and the global one is exact after the scan.
            let exact = plain_due.iter().copied().min().unwrap();
            prop_assert!(s.min() <= exact);
            for b in 0..s.block_min.len() {
                let lo = b * BLOCK;
                let hi = (lo + BLOCK).min(n);
                prop_assert!(s.block_min[b] <= plain_due[lo..hi].iter().copied().min().unwrap());
            }
        }
    }
}

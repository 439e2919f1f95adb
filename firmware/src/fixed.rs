//! Fixed-point operations of real neuromorphic datapaths (filled in by the firmware work).

//! HTML report rendering (owner fills in).
